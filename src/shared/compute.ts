// The compute page's link to core (src/compute): core sends a training job (its options, then the
// dataset's crops in batches of pixels), the page trains on its GPU and sends back what the trainer
// makes, which core writes to the run folder as it would a worker's. Core also sends a saved model to
// judge crops with (predictions, cross-fits, heat maps): the page loads it, then answers each batch.
// Messages travel as frames of the codec below, over a WebSocket in browser mode and over IPC to the
// hidden window in Electron.

import type { SplitName } from './dataset';
import { WorkbenchError, type WorkbenchErrorData } from './errors';
import type { GradCamMap } from './review';
import type { BackendUsed, BatchMetrics, ConfusionMatrix, EpochMetrics, SplitMetrics, SplitPredictions, TrainingOptions } from './runs';
import type { HostBackendName } from './training';

/** Where the compute page connects in browser mode. */
export const COMPUTE_PATH = '/compute';
/** The IPC channel of the link in Electron, both ways between the hidden window and core. */
export const COMPUTE_CHANNEL = 'maskbench:compute';
/** The compute page of the renderer build. */
export const COMPUTE_PAGE = 'compute.html';

/** The weights' file name in a saved model's folder, as model.json lists it. */
export const MODEL_WEIGHTS_FILE = 'weights.bin';

/** A model in tfjs layers format: model.json's content and weights.bin. */
export interface ModelFiles {
  modelJson: object;
  weights: Uint8Array;
}

/** The weights file model.json names, or an error naming `file` (model.json's path) when it names none. */
export function weightsFileOf(modelJson: object, file: string): string {
  const path = (modelJson as { weightsManifest?: Array<{ paths?: string[] }> }).weightsManifest?.[0]?.paths?.[0];
  if (typeof path !== 'string') throw new WorkbenchError('invalid-request', `${file} lists no weights`, { file });
  return path;
}

/** How a training that ran to its end ended: the best checkpoint's figures on the train and test parts. */
export interface TrainingOutcome {
  status: 'done' | 'stopped-early';
  train: SplitMetrics;
  test: SplitMetrics;
}

/** A part of the dataset, less its pixels, which follow in `pixels` messages. */
export interface HostSplit {
  count: number;
  classes: Int32Array;
  files: string[];
}

export interface HostTrainJob {
  jobId: string;
  backend: HostBackendName;
  options: TrainingOptions;
  labels: string[];
  size: number;
  classWeights: Float32Array | null;
  splits: Record<SplitName, HostSplit>;
}

/** A saved model for the page to judge crops with, until core unloads it. */
export interface HostModelJob {
  jobId: string;
  backend: HostBackendName;
  /** Run on a software adapter: only when the backend was asked for by name. */
  allowSoftware: boolean;
  files: ModelFiles;
  /** The crops' side and the classes the model must have, and the run it is from, for the page's check. */
  size: number;
  classes: number;
  runId: string;
}

export type ToHost =
  | ({ type: 'train' } & HostTrainJob)
  | ({ type: 'load' } & HostModelJob)
  /** `count` crops as raw RGB bytes; answered by `probabilities` with the same `request`. */
  | { type: 'classify'; jobId: string; request: number; pixels: Uint8Array; count: number }
  /** One crop; answered by `explained`. */
  | { type: 'explain'; jobId: string; request: number; pixels: Uint8Array }
  | { type: 'unload'; jobId: string }
  /** Crops `offset` onwards of a part, as raw RGB bytes; `start` follows the last. */
  | { type: 'pixels'; jobId: string; split: SplitName; offset: number; pixels: Uint8Array }
  | { type: 'start'; jobId: string }
  | { type: 'cancel'; jobId: string };

/** A GPU route the page found: the device as a person reads it, and whether it is a software one. */
export type GpuFound = { device: string; software: boolean } | { missing: string };

/** What the page can train on, told when it connects: `auto` sends runs only to a real GPU. */
export interface GpuReport {
  webgpu: GpuFound;
  webgl: GpuFound;
}

export type FromHost =
  | { type: 'hello'; userAgent: string; gpu: GpuReport }
  | { type: 'backend'; jobId: string; backend: BackendUsed }
  | { type: 'batch'; jobId: string; metrics: BatchMetrics }
  | { type: 'progress'; jobId: string; done: number; total: number; message: string }
  | { type: 'log'; jobId: string; message: string }
  | { type: 'epoch'; jobId: string; metrics: EpochMetrics; confusion: ConfusionMatrix; predictions: SplitPredictions }
  | { type: 'model'; jobId: string; which: 'best' | 'last'; files: ModelFiles }
  | { type: 'test'; jobId: string; epoch: number; confusion: ConfusionMatrix; predictions: SplitPredictions }
  | { type: 'done'; jobId: string; outcome: TrainingOutcome }
  | { type: 'loaded'; jobId: string; backend: HostBackendName; device: string }
  | { type: 'probabilities'; jobId: string; request: number; probabilities: number[][] }
  | { type: 'explained'; jobId: string; request: number; probabilities: number[]; predicted: number; map: GradCamMap }
  /** A training or a loaded model failed; with `request`, only that request did. */
  | { type: 'failed'; jobId: string; request?: number; error: WorkbenchErrorData }
  | { type: 'cancelled'; jobId: string };

const ARRAYS = { Uint8Array, Int32Array, Float32Array } as const;
type ArrayName = keyof typeof ARRAYS;

/**
 * A message as one frame: a 4-byte header length, the JSON header with each typed array replaced by
 * {$array, index}, then the arrays' bytes, each at a multiple of 4 so it can be viewed in place.
 */
export function encodeFrame(message: ToHost | FromHost): Uint8Array {
  const arrays: Array<Uint8Array | Int32Array | Float32Array> = [];
  const header = new TextEncoder().encode(
    JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
      // The value before its toJSON: a Node Buffer (a Uint8Array) would otherwise arrive as {type, data}.
      const original = this[key];
      for (const name of Object.keys(ARRAYS) as ArrayName[]) {
        if (original instanceof ARRAYS[name]) return { $array: name, index: arrays.push(original) - 1 };
      }
      return value;
    }),
  );
  const sizes = arrays.map((array) => align4(array.byteLength));
  const frame = new Uint8Array(4 + align4(header.byteLength) + sizes.reduce((sum, size) => sum + 4 + size, 0));
  const view = new DataView(frame.buffer);
  view.setUint32(0, header.byteLength, true);
  frame.set(header, 4);
  let at = 4 + align4(header.byteLength);
  arrays.forEach((array, i) => {
    view.setUint32(at, array.byteLength, true);
    frame.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at + 4);
    at += 4 + sizes[i]!;
  });
  return frame;
}

/** The message in a frame made by encodeFrame; throws on a frame that is not one. */
export function decodeFrame<M extends ToHost | FromHost>(frame: Uint8Array): M {
  // A copy at offset 0, so that every array's bytes sit at a multiple of 4 of its buffer.
  const bytes = frame.byteOffset % 4 === 0 ? frame : frame.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) throw new Error('A compute message frame is shorter than its header says');
  const buffers: Uint8Array[] = [];
  for (let at = 4 + align4(headerLength); at < bytes.byteLength;) {
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.byteLength) throw new Error('A compute message frame is shorter than its arrays say');
    buffers.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + align4(length);
  }
  const header = new TextDecoder().decode(bytes.subarray(4, 4 + headerLength));
  return JSON.parse(header, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || !('$array' in value)) return value;
    const { $array, index } = value as { $array: ArrayName; index: number };
    const source = buffers[index];
    if (!source || !Object.hasOwn(ARRAYS, $array)) throw new Error('A compute message frame refers to an array it does not hold');
    const Type = ARRAYS[$array];
    return new Type(source.buffer as ArrayBuffer, source.byteOffset, source.byteLength / Type.BYTES_PER_ELEMENT);
  }) as M;
}

function align4(length: number): number {
  return Math.ceil(length / 4) * 4;
}
