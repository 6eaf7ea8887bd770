// One box of the project cut as a run's dataset cut its crops: what the model sees of it, and a PNG to show.

import { join } from 'node:path';
import sharp from 'sharp';
import type { TrackBox } from '../../shared/annotations';
import { WorkbenchError } from '../../shared/errors';
import { boxAt } from '../../shared/keyframes';
import type { DatasetUsed } from '../../shared/runs';
import { cropImage, cropRegion } from '../dataset/crop-region';
import { decodeFolderFrame, decodeVideoFrame } from '../media/decode-frames';
import type { ProjectSource } from './predict-project';

export interface BoxCrop {
  box: TrackBox;
  /** `dataset.size` pixels square, RGB, row by row. */
  pixels: Buffer;
  /** The same as a PNG data URL. */
  png: string;
}

/** Track `trackId`'s box on `frame`, cut from that frame; errors name the field at fault. */
export async function cropBox(source: ProjectSource, dataset: DatasetUsed, frame: number, trackId: number): Promise<BoxCrop> {
  const { annotations, media } = source;
  if (!Number.isInteger(frame) || frame < 0 || frame >= annotations.frameCount) {
    throw new WorkbenchError('invalid-request', `frame must be a frame from 0 to ${annotations.frameCount - 1}, not ${frame}`, { field: 'frame' });
  }
  const track = annotations.tracks.find((candidate) => candidate.id === trackId);
  if (!track) throw new WorkbenchError('invalid-request', `There is no track ${trackId} in this project`, { field: 'trackId' });
  const box = boxAt(track, frame);
  if (!box) throw new WorkbenchError('invalid-request', `Track ${trackId} has no box at frame ${frame}`, { field: 'trackId' });
  const mediaPath = join(source.project, media.path);
  const raw =
    media.kind === 'video' ? await decodeVideoFrame(mediaPath, media.width, media.height, frame) : await decodeFolderFrame(mediaPath, annotations, frame);
  const size = dataset.size;
  const pixels = await cropImage(raw, cropRegion(box, dataset.options, raw.width, raw.height), dataset.options)
    .raw()
    .toBuffer();
  const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
  return { box, pixels, png: `data:image/png;base64,${png.toString('base64')}` };
}
