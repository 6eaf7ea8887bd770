import type { BoxGeometry } from '../../shared/annotations';
import type { DatasetOptions } from '../../shared/dataset';

/**
 * The region cut from the frame for a box: the whole box or its head (the top `headFraction`), padded,
 * made square around its centre if asked, and kept inside the frame (moved in rather than cut where
 * it can be).
 */
export function cropRegion(box: BoxGeometry, options: Pick<DatasetOptions, 'crop' | 'headFraction' | 'padding' | 'square'>, width: number, height: number): BoxGeometry {
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
