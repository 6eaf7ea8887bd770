import sharp, { type Sharp } from 'sharp';
import type { BoxGeometry } from '../../shared/annotations';
import type { DatasetOptions } from '../../shared/dataset';
import type { RawFrame } from '../media/decode-frames';

/**
 * The region cut from the frame for a box: the whole box or its head (the top `headFraction`), padded,
 * made square around its centre if asked, and kept inside the frame (moved in rather than cut where
 * it can be).
 */
export function cropRegion(
  box: BoxGeometry,
  options: Pick<DatasetOptions, 'crop' | 'headFraction' | 'padding' | 'square'>,
  width: number,
  height: number,
): BoxGeometry {
  const top = box.ytl;
  const bottom = options.crop === 'head' ? box.ytl + (box.ybr - box.ytl) * options.headFraction : box.ybr;
  let w = (box.xbr - box.xtl) * (1 + 2 * options.padding);
  let h = (bottom - top) * (1 + 2 * options.padding);
  if (options.square) w = h = Math.max(w, h);
  w = Math.min(w, width);
  h = Math.min(h, height);
  const cx = (box.xtl + box.xbr) / 2;
  const cy = (top + bottom) / 2;
  const xtl = Math.min(Math.max(0, cx - w / 2), width - w);
  const ytl = Math.min(Math.max(0, cy - h / 2), height - h);
  return { xtl, ytl, xbr: xtl + w, ybr: ytl + h };
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
