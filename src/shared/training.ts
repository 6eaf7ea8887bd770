// The classifiers Maskbench can train, as the window, the CLI and run folders name them. The
// architectures themselves live in core (src/core/training/models); this is only what the UI shows.

export type ModelName = 'simple-conv' | 'conv-bn' | 'lenet5' | 'resnet50';
export const MODEL_NAMES = ['simple-conv', 'conv-bn', 'lenet5', 'resnet50'] as const satisfies readonly ModelName[];

export interface ModelInfo {
  label: string;
  description: string;
  /** The smallest square input (px) the architecture takes; smaller crops shrink to nothing inside it. */
  minSize: number;
}

export const MODELS: Readonly<Record<ModelName, ModelInfo>> = {
  'simple-conv': {
    label: 'Simple CNN',
    description: 'Three 3x3 conv + max-pool stages (16, 32, 64 filters) and a 64-unit dense layer. Small and quick.',
    minSize: 8,
  },
  'conv-bn': {
    label: 'CNN with batch norm',
    description: 'The simple CNN with batch normalisation after each convolution: trains faster and more steadily.',
    minSize: 8,
  },
  lenet5: {
    label: 'LeNet-5',
    description: 'LeCun et al. (1998) on colour crops: two 5x5 tanh convolutions with average pooling, dense 120 and 84.',
    minSize: 16,
  },
  resnet50: {
    label: 'ResNet-50',
    description: 'He et al. (2016): 50 layers of bottleneck residual blocks, trained from scratch. Slow on a CPU.',
    minSize: 32,
  },
};

export function isModelName(value: unknown): value is ModelName {
  return typeof value === 'string' && (MODEL_NAMES as readonly string[]).includes(value);
}

/** The backends that train in a worker thread of the app's own process. */
export type TrainingBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The backends that train in the compute page, on the GPU of the app's Chromium (shared/compute.ts). */
export const HOST_BACKENDS = ['webgpu', 'webgl'] as const;
export type HostBackendName = (typeof HOST_BACKENDS)[number];

export function isHostBackend(name: string): name is HostBackendName {
  return (HOST_BACKENDS as readonly string[]).includes(name);
}

/** What `auto` trains on now, and why the faster routes were passed over. */
export interface AutoBackend {
  name: TrainingBackendName | HostBackendName;
  package: string;
  usesGpu: boolean;
  /** The GPU of the compute page's route, as a person reads it; null for a worker's backend. */
  device: string | null;
  passedOver: string[];
}

/** "webgpu on nvidia ampere (GPU) (@tensorflow/tfjs-backend-webgpu)", "wasm (@tensorflow/tfjs-backend-wasm)". */
export function describeAutoBackend({ name, device, usesGpu, package: pkg }: AutoBackend): string {
  return `${name}${device ? ` on ${device}` : ''}${usesGpu ? ' (GPU)' : ''} (${pkg})`;
}

export interface TrainingBackend {
  name: TrainingBackendName | HostBackendName;
  /** The npm package that provides it; it is usable when that package is installed. */
  package: string;
  available: boolean;
  usesGpu: boolean;
}
