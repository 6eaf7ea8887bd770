import sharp, { type Sharp } from 'sharp';
import type { BoxGeometry } from '../../shared/annotations';
import type { DatasetOptions } from '../../shared/dataset';
import type { RawFrame } from '../media/decode-frames';

/** A standing person's box is about three times as tall as it is wide. */
const PERSON_HEIGHT_PER_WIDTH = 3;

/**
 * The region cut from the frame for a box: the whole box or its head (the top `headFraction`, as wide
 * as the box or as the head), padded, made square around its centre if asked, and kept inside the
 * frame (moved in rather than cut where it can be).
 */
export function cropRegion(
  box: BoxGeometry,
  options: Pick<DatasetOptions, 'crop' | 'headFraction' | 'headWidth' | 'padding' | 'square'>,
  width: number,
  height: number,
): BoxGeometry {
  const part = options.crop === 'head' ? headHeight(box, options, height) : box.ybr - box.ytl;
  const ownWidth = options.crop === 'head' && options.headWidth === 'head';
  let w = (ownWidth ? part : box.xbr - box.xtl) * (1 + 2 * options.padding);
  let h = part * (1 + 2 * options.padding);
  if (options.square) w = h = Math.max(w, h);
  w = Math.min(w, width);
  h = Math.min(h, height);
  const cx = (box.xtl + box.xbr) / 2;
  const cy = box.ytl + part / 2;
  const xtl = Math.min(Math.max(0, cx - w / 2), width - w);
  const ytl = Math.min(Math.max(0, cy - h / 2), height - h);
  return { xtl, ytl, xbr: xtl + w, ybr: ytl + h };
}

/**
 * The height of a box's head part. With the head's own width, a box the frame's bottom edge cuts short
 * (someone walking out under the camera) is taken to be at least as tall as its width suggests: its top
 * part alone would shrink to a sliver of the head.
 */
function headHeight(box: BoxGeometry, options: Pick<DatasetOptions, 'headFraction' | 'headWidth'>, frameHeight: number): number {
  const boxHeight = box.ybr - box.ytl;
  const cutShort = options.headWidth === 'head' && box.ybr >= frameHeight - 0.5;
  return (cutShort ? Math.max(boxHeight, (box.xbr - box.xtl) * PERSON_HEIGHT_PER_WIDTH) : boxHeight) * options.headFraction;
}

export interface CropLook {
  flip?: boolean;
  brightness?: number;
  contrast?: number;
}

/**
 * `region` cut out of the frame at the input size, as a sharp pipeline (a dataset writes it as PNG, a
 * prediction reads its raw pixels), optionally mirrored or with other brightness and contrast.
 */
export function cropImage(raw: RawFrame, region: BoxGeometry, options: Pick<DatasetOptions, 'size' | 'square'>, look: CropLook = {}): Sharp {
  const left = Math.floor(region.xtl);
  const top = Math.floor(region.ytl);
  const extract = {
    left,
    top,
    width: Math.max(1, Math.min(raw.width - left, Math.ceil(region.xbr) - left)),
    height: Math.max(1, Math.min(raw.height - top, Math.ceil(region.ybr) - top)),
  };
  // The region's rows are copied out first: sharp then works on a few kilobytes, not the whole frame.
  const pixels = Buffer.allocUnsafe(extract.width * extract.height * 3);
  for (let row = 0; row < extract.height; row++) {
    const from = ((extract.top + row) * raw.width + extract.left) * 3;
    raw.rgb.copy(pixels, row * extract.width * 3, from, from + extract.width * 3);
  }
  // A square region fills the crop; any other shape (asked for, or squeezed by the frame's edge) is letterboxed, never stretched.
  let image = sharp(pixels, { raw: { width: extract.width, height: extract.height, channels: 3 } }).resize(options.size, options.size, {
    fit: options.square && extract.width === extract.height ? 'fill' : 'contain',
    background: { r: 0, g: 0, b: 0 },
  });
  if (look.flip) image = image.flop();
  if (look.brightness !== undefined) image = image.modulate({ brightness: look.brightness });
  // Contrast about mid-grey: out = c * in + 128 * (1 - c).
  if (look.contrast !== undefined) image = image.linear(look.contrast, 128 * (1 - look.contrast));
  return image;
}
