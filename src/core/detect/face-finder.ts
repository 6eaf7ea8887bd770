// Whether a face shows in a proposed person's head region: MediaPipe's BlazeFace (short range, 128 px,
// bundled in models/face-blazeface) on the top of the person's box, cut square. Its best anchor's score
// is what is kept: the box of the face is not needed, only whether there is one. A person whose face
// does not show is non-detectable (ND), the study's third class.

import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { BoxGeometry } from '../../shared/annotations';
import type { RawFrame } from '../media/decode-frames';
import { bundledModelFolder, readGraphModel } from './detector';

const INPUT = 128;
/** The head is the top of a standing person's box; the square around it is a little larger, so a face near its edge is whole. */
const HEAD_SHARE = 0.3;
const MARGIN = 1.2;
/**
 * Heads smaller than this (pixels) are not judged: on the sample, the finder found a face on 0.6 to 0.8
 * of the heads of 40-80 px people whatever their label, so it cannot tell ND there; on people taller than
 * 80 px (heads of 24 px and more) it found 0.8 of the faces and 0.35 of the backs of heads.
 */
export const MIN_HEAD = 24;

export function loadFaceFinder(): Promise<GraphModel> {
  return readGraphModel(`${bundledModelFolder('face-blazeface', 'model.json')}/model.json`);
}

/** The square around the head of a person boxed by `box`, in the frame's pixels (it may reach past the frame's edges). */
export function headSquare(box: BoxGeometry): BoxGeometry {
  const head = (box.ybr - box.ytl) * HEAD_SHARE;
  const side = head * MARGIN;
  const cx = (box.xtl + box.xbr) / 2;
  const cy = box.ytl + head / 2;
  return { xtl: cx - side / 2, ytl: cy - side / 2, xbr: cx + side / 2, ybr: cy + side / 2 };
}

/**
 * For each person boxed in `boxes` on `frame`, the face finder's confidence that their face shows (0 to
 * 1), or null where their head is too small to tell.
 */
export function faceScores(model: GraphModel, frame: RawFrame, boxes: BoxGeometry[]): Array<number | null> {
  if (boxes.length === 0) return [];
  const image = tf.tidy(() => tf.expandDims(tf.cast(tf.tensor3d(frame.rgb, [frame.height, frame.width, 3], 'int32'), 'float32'), 0) as tf.Tensor4D);
  try {
    return boxes.map((box) => {
      const square = headSquare(box);
      if (square.ybr - square.ytl < MIN_HEAD * MARGIN) return null;
      // Normalised corners (y1, x1, y2, x2); outside the frame is padded with black.
      const region = [[square.ytl / frame.height, square.xtl / frame.width, square.ybr / frame.height, square.xbr / frame.width]];
      const best = tf.tidy(() => {
        const crop = tf.image.cropAndResize(image, region, [0], [INPUT, INPUT]);
        const outputs = model.execute(tf.sub(tf.div(crop, 127.5), 1));
        const scores = (Array.isArray(outputs) ? outputs : [outputs]).filter((tensor) => tensor.shape.at(-1) === 1);
        return tf.sigmoid(tf.max(tf.stack(scores.map((tensor) => tf.max(tensor)))));
      });
      const score = best.dataSync()[0]!;
      best.dispose();
      return score;
    });
  } finally {
    image.dispose();
  }
}
