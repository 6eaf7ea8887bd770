import type { ClusterInfo } from '../../src/shared/cluster';
import type { PeopleDraft } from '../../src/shared/detect';
import { vi } from 'vitest';
import type { AppInfo, DatasetPreview, ModelDescription, RequestOf, WorkbenchApi, WorkbenchEvent } from '../../src/shared/api';
import type { PackedAnnotations } from '../../src/shared/packed-annotations';
import type { JobInfo } from '../../src/shared/jobs';
import { TRAINING_DEFAULTS, type CellCrop, type RunDetails, type RunInfo } from '../../src/shared/runs';
import type { BoxExplanation, EntryCrop, KeptLabel, ProjectPredictions, ReviewQueue } from '../../src/shared/review';
import type { AutoBackend } from '../../src/shared/training';

export const appInfo: AppInfo = {
  version: '9.9.9',
  host: 'browser',
  platform: 'linux',
  nativeDialogs: false,
  backends: [
    { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', available: false, usesGpu: true },
    { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', available: true, usesGpu: false },
  ],
};

export function job(overrides: Partial<JobInfo> = {}): JobInfo {
  return { id: 'job-1', kind: 'demo', title: 'Test job', state: 'running', progress: null, startedAt: '2026-01-01T00:00:00.000Z', ...overrides };
}

/** A run of the dataset 'heads' that finished its 3 epochs, 91.2 % at its best val; `config` replaces fields of its config. */
export function doneRun(id: string, config: Partial<RunInfo['config']> = {}): RunInfo {
  return {
    id,
    path: `/p/runs/${id}`,
    name: null,
    tags: [],
    status: 'done',
    epochs: 3,
    config: {
      schema: 1,
      id,
      createdAt: '2026-11-27T10:00:00.000Z',
      group: null,
      options: { ...TRAINING_DEFAULTS, dataset: 'heads', epochs: 3 },
      dataset: null,
      model: null,
      backend: null,
      versions: { maskbench: '0.1.0', tfjs: '4.22.0', node: '20' },
      ...config,
    },
    summary: {
      status: 'done',
      endedAt: '',
      epochs: 3,
      bestEpoch: 2,
      train: null,
      val: { loss: 0.3, accuracy: 0.912, perClass: [], confusion: { labels: [], matrix: [] } },
      test: null,
      seconds: 42,
    },
  };
}

/** A WorkbenchApi whose methods are spies; `emit` plays the core's events. */
export function fakeApi() {
  const listeners = new Set<(event: WorkbenchEvent) => void>();
  const api = {
    appInfo: vi.fn(async () => appInfo),
    autoBackend: vi.fn(async (): Promise<AutoBackend | null> => ({
      name: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      usesGpu: false,
      device: null,
      passedOver: ['tensorflow: @tensorflow/tfjs-node is not installed'],
    })),
    currentProject: vi.fn(async () => null),
    openProject: vi.fn(async ({ path }: { path: string }) => ({
      path,
      name: path.split('/').at(-1) ?? path,
      settings: null,
      missingMedia: null,
      editingProxy: null,
    })),
    chooseProjectFolder: vi.fn(async () => null),
    recentProjects: vi.fn(async () => []),
    editingProxyIndex: vi.fn(async () => null),
    createProject: vi.fn(async ({ folder }: { folder: string }) => ({
      path: folder,
      name: folder.split('/').at(-1) ?? folder,
      settings: null,
      missingMedia: null,
      editingProxy: null,
    })),
    setMedia: vi.fn(async () => ({ path: '/p', name: 'p', settings: null, missingMedia: null, editingProxy: null })),
    openSampleProject: vi.fn(async () => null),
    annotations: vi.fn(async (): Promise<PackedAnnotations | null> => null),
    editAnnotations: vi.fn(async () => ({ tracks: [], removed: [], undo: 'delete track 1', redo: null })),
    undoEdit: vi.fn(async () => null),
    redoEdit: vi.fn(async () => null),
    importAnnotations: vi.fn(async () => job({ kind: 'import' })),
    planDataset: vi.fn(async () => ({ labels: ['MW', 'NM', 'ND'], counts: { train: {}, val: {}, test: {} }, warnings: [] as string[] })),
    buildDataset: vi.fn(async () => job({ kind: 'dataset' })),
    listDatasets: vi.fn(async (): Promise<DatasetPreview[]> => []),
    describeModels: vi.fn(async (): Promise<ModelDescription[]> => []),
    startTraining: vi.fn(async () => job({ kind: 'training', state: 'queued' })),
    startSweep: vi.fn(async () => job({ kind: 'sweep' })),
    clusterInfo: vi.fn(async (): Promise<ClusterInfo> => ({ profiles: [], unavailable: 'sbatch is not installed on this machine' })),
    resubmitRun: vi.fn(async () => job({ kind: 'training' })),
    listRuns: vi.fn(async (): Promise<RunInfo[]> => []),
    runDetails: vi.fn(async ({ runId }: { runId: string }): Promise<RunDetails> => {
      throw new Error(`no run ${runId}`);
    }),
    updateRun: vi.fn(async (): Promise<RunInfo> => {
      throw new Error('no runs');
    }),
    confusionCell: vi.fn(async () => ({ crops: [] as CellCrop[], missing: 0, total: 0 })),
    deleteRun: vi.fn(async () => ({ trashedTo: '/trash' })),
    startPrediction: vi.fn(async () => job({ kind: 'prediction' })),
    startCrossFit: vi.fn(async () => job({ kind: 'cross-fit' })),
    predictions: vi.fn(async (): Promise<ProjectPredictions | null> => null),
    reviewQueue: vi.fn(async ({ runId }: { runId: string }): Promise<ReviewQueue> => ({
      runId,
      outOfSample: false,
      foldBy: null,
      complete: true,
      judged: 0,
      entries: [],
      kept: [],
    })),
    keepLabels: vi.fn(async ({ labels, keep }: { labels: KeptLabel[]; keep: boolean }): Promise<KeptLabel[]> => (keep ? labels : [])),
    explainBox: vi.fn(async (): Promise<BoxExplanation> => {
      throw new Error('no model');
    }),
    entryCrops: vi.fn(async ({ frames }: { frames: number[] }): Promise<EntryCrop[]> =>
      frames.map((frame) => ({ frame, crop: `data:image/png;base64,${frame}` })),
    ),
    startDetection: vi.fn(async () => job({ kind: 'detect' })),
    peopleDraft: vi.fn(async (): Promise<PeopleDraft | null> => null),
    discardPeopleDraft: vi.fn(async () => undefined),
    preferences: vi.fn(async () => ({ keys: {} as Record<string, string> })),
    savePreferences: vi.fn(async ({ preferences }: RequestOf<'savePreferences'>) => ({ keys: {}, ...preferences })),
    exportAnnotations: vi.fn(async () => ({ format: 'voc' as const, out: '/out', frames: 0, boxes: 0, tracks: 0, notKept: [] })),
    listJobs: vi.fn(async (): Promise<JobInfo[]> => []),
    startDemoJob: vi.fn(async () => job()),
    cancelJob: vi.fn(async () => undefined),
    onEvent: (listener: (event: WorkbenchEvent) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  } satisfies WorkbenchApi;
  return { api, emit: (event: WorkbenchEvent) => listeners.forEach((listener) => listener(event)) };
}
