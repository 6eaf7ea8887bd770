import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DatasetPreview, ModelDescription } from '../../src/shared/api';
import { DATASET_DEFAULTS, type DatasetSummary } from '../../src/shared/dataset';
import type { ProjectPredictions } from '../../src/shared/review';
import { TRAINING_DEFAULTS } from '../../src/shared/runs';
import { installConnection } from '../../src/renderer/src/api/client';
import TrainView from '../../src/renderer/src/views/TrainView.vue';
import { useAppStore } from '../../src/renderer/src/stores/app';
import { useJobsStore } from '../../src/renderer/src/stores/jobs';
import { useLayoutStore } from '../../src/renderer/src/stores/layout';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import { appInfo, doneRun, fakeApi, job } from './fake-api';

const dataset: DatasetPreview = {
  name: 'heads',
  builtAt: 1,
  path: '/p/datasets/heads',
  options: { ...DATASET_DEFAULTS, size: 32 },
  labels: ['MW', 'NM', 'ND'],
  counts: { train: { MW: 40, NM: 40, ND: 40 }, val: { MW: 20, NM: 20, ND: 20 }, test: { MW: 20, NM: 20, ND: 20 } },
  warnings: [],
  examples: [],
};
const models: ModelDescription[] = [
  { name: 'simple-conv', label: 'Simple CNN', description: '', minSize: 8, fits: true, params: 85_123, flops: 2_500_000 },
  { name: 'conv-bn', label: 'CNN with batch norm', description: '', minSize: 8, fits: true, params: 85_571, flops: 2_600_000 },
  { name: 'lenet5', label: 'LeNet-5', description: '', minSize: 16, fits: true, params: 61_411, flops: 870_000 },
  { name: 'resnet50', label: 'ResNet-50', description: '', minSize: 32, fits: true, params: 23_514_179, flops: 170_000_000 },
];
const run = doneRun('2026-11-27T10-00-00-conv-bn-1a2b', {
  backend: { name: 'wasm', requested: 'auto', passedOver: ['tensorflow: @tensorflow/tfjs-node is not installed'], threads: 2 },
});

async function mountTrainView(datasets: DatasetPreview[] = [dataset], change: Partial<ReturnType<typeof fakeApi>['api']> = {}) {
  const { api: fake, emit } = fakeApi();
  const api = { ...fake, ...change };
  api.listDatasets.mockResolvedValue(datasets);
  api.describeModels.mockResolvedValue(models);
  api.listRuns.mockResolvedValue([run]);
  installConnection({ api, mediaUrl: (path) => `/media/${path}` });
  const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn });
  useProjectStore(pinia).current = { path: '/p', name: 'p', settings: null, missingMedia: null, editingProxy: null };
  useAppStore(pinia).info = appInfo;
  const wrapper = mount(TrainView, { global: { plugins: [pinia] } });
  await flushPromises();
  return { wrapper, api, emit };
}

describe('TrainView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('offers webgpu and webgl without a compute page, saying so, and follows pages as they come and go', async () => {
    const { wrapper, api } = await mountTrainView();
    const app = useAppStore();
    const hostBackends = { name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu', available: false, usesGpu: true } as const;
    app.info = { ...appInfo, backends: [...appInfo.backends, hostBackends] };
    await flushPromises();
    const options = () => wrapper.findAll('[data-test=train-backend] option').map((option) => [option.text(), (option.element as HTMLOptionElement).disabled]);
    // Chosen without a page, the run is refused with the page's address; a package not installed cannot be chosen.
    expect(options()).toEqual([
      ['auto (the fastest that loads)', false],
      ['tensorflow-gpu (GPU) (not installed)', true],
      ['wasm', false],
      ['webgpu (GPU) (no compute page open)', false],
    ]);
    const [infoAsked, autoAsked] = [api.appInfo.mock.calls.length, api.autoBackend.mock.calls.length];
    app.computePagesChanged(1);
    await flushPromises();
    expect([api.appInfo.mock.calls.length, api.autoBackend.mock.calls.length]).toEqual([infoAsked + 1, autoAsked + 1]);
    // None open and auto not on one: asking again could open the shell's page, after one that closed.
    app.computePagesChanged(0);
    await flushPromises();
    expect([api.appInfo.mock.calls.length, api.autoBackend.mock.calls.length]).toEqual([infoAsked + 2, autoAsked + 1]);
  });

  it('shows each model’s size and cost at the dataset’s input size', async () => {
    const { wrapper, api } = await mountTrainView();
    expect(api.describeModels).toHaveBeenCalledWith({ size: 32, classes: 3 });
    const costs = wrapper.findAll('[data-test=model-cost]').map((cost) => cost.text());
    expect(costs).toEqual(['85k params · 2.5 MFLOPs', '86k params · 2.6 MFLOPs', '61k params · 0.9 MFLOPs', '23.5M params · 170.0 MFLOPs']);
  });

  it('queues a run with the settings shown, the study’s in one click', async () => {
    const { wrapper, api } = await mountTrainView();
    await wrapper.get('[data-model=lenet5] input').setValue(true);
    await wrapper.get('[data-test=train-as-in-study]').trigger('click');
    await wrapper.get('[data-test=train-settings]').trigger('submit');
    expect(api.startTraining).toHaveBeenCalledWith({
      options: {
        ...TRAINING_DEFAULTS,
        dataset: 'heads',
        model: 'lenet5',
        optimizer: 'sgd',
        learningRate: 0.001,
        momentum: 0.9,
        batchSize: 8,
        epochs: 80,
        augmentFlip: false,
        augmentShift: 0,
        augmentColour: 0,
      },
      target: { on: 'local' },
    });
  });

  it('shows the augmentation a run will draw, and queues what the user sets there', async () => {
    const { wrapper, api } = await mountTrainView();
    const fields = () => [
      (wrapper.get('[data-test=train-augment-flip]').element as HTMLInputElement).checked,
      (wrapper.get('[data-test=train-augment-shift]').element as HTMLInputElement).value,
      (wrapper.get('[data-test=train-augment-colour]').element as HTMLInputElement).value,
    ];
    expect(fields()).toEqual([true, '0.1', '0.2']);
    await wrapper.get('[data-test=train-as-in-study]').trigger('click');
    expect(fields()).toEqual([false, '0', '0']);
    await wrapper.get('[data-test=train-augment-flip]').setValue(true);
    await wrapper.get('[data-test=train-augment-colour]').setValue('0.4');
    await wrapper.get('[data-test=train-settings]').trigger('submit');
    expect(api.startTraining).toHaveBeenCalledWith({
      options: expect.objectContaining({ augmentFlip: true, augmentShift: 0, augmentColour: 0.4 }),
      target: { on: 'local' },
    });
  });

  it('offers the Slurm profiles when the cluster can be reached, and sends runs to the one chosen', async () => {
    const profile = { cpus: 8, gpus: 1, memory: '32G', time: '12:00:00', partition: 'gpu', command: 'maskbench', setup: [], sbatch: [] };
    const clusterInfo = vi.fn(async () => ({ profiles: [{ name: 'default', profile, file: '/p/slurm.json' }], unavailable: null }));
    const { wrapper, api } = await mountTrainView(undefined, { clusterInfo });
    const select = wrapper.get('[data-test=run-target]');
    expect(select.findAll('option').map((option) => option.text())).toEqual(['this machine', 'Slurm: default (8 CPUs, 1 GPU, 32G, 12:00:00 on gpu)']);
    await select.setValue('slurm:default');
    await wrapper.get('[data-test=train-settings]').trigger('submit');
    expect(api.startTraining).toHaveBeenLastCalledWith({ options: expect.objectContaining({ dataset: 'heads' }), target: { on: 'slurm', profile: 'default' } });
  });

  it('reads the cluster’s profiles as a project opens and as the view is shown, not on every change', async () => {
    const profile = { cpus: 8, gpus: 0, memory: '32G', time: '12:00:00', command: 'maskbench', setup: [], sbatch: [] };
    const clusterInfo = vi.fn(async () => ({ profiles: [{ name: 'default', profile, file: '/p/slurm.json' }], unavailable: null }));
    const { wrapper } = await mountTrainView(undefined, { clusterInfo });
    expect(clusterInfo).toHaveBeenCalledTimes(1);
    await wrapper.get('[data-test=run-target]').setValue('slurm:default');
    const layout = useLayoutStore();
    layout.view = 'train';
    await flushPromises();
    layout.view = 'annotate';
    await flushPromises();
    expect(clusterInfo).toHaveBeenCalledTimes(2);
    // Another project has profiles of its own: a choice of the last one's it lacks goes back to this machine.
    clusterInfo.mockResolvedValue({ profiles: [], unavailable: null });
    useProjectStore().current = { path: '/q', name: 'q', settings: null, missingMedia: null, editingProxy: null };
    await flushPromises();
    expect(clusterInfo).toHaveBeenCalledTimes(3);
    expect(useTrainingStore().target).toEqual({ on: 'local' });
  });

  it('has the profiles of a project as it opens, for the Review view too, without the Train view asking', async () => {
    const { api } = fakeApi();
    installConnection({ api, mediaUrl: (path) => `/media/${path}` });
    const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn });
    const training = useTrainingStore(pinia);
    await flushPromises();
    expect(api.clusterInfo).not.toHaveBeenCalled();
    useProjectStore(pinia).current = { path: '/p', name: 'p', settings: null, missingMedia: null, editingProxy: null };
    await flushPromises();
    expect(api.clusterInfo).toHaveBeenCalledTimes(1);
    expect(training.cluster).toEqual(await api.clusterInfo.mock.results[0]!.value);
  });

  it('hides the choice where there is no cluster, and says why where a profile expects one', async () => {
    const { wrapper } = await mountTrainView();
    expect(wrapper.find('[data-test=run-target]').exists()).toBe(false);
    const profile = { cpus: 4, gpus: 0, memory: '16G', time: '24:00:00', command: 'maskbench', setup: [], sbatch: [] };
    const unavailable = 'The Slurm cluster cannot be reached: sbatch is not installed on this machine (not on PATH), so it cannot send work to a Slurm cluster';
    const clusterInfo = vi.fn(async () => ({ profiles: [{ name: 'default', profile, file: '/p/slurm.json' }], unavailable }));
    const offline = (await mountTrainView(undefined, { clusterInfo })).wrapper;
    expect(offline.get('[data-test=run-target] option[value="slurm:default"]').attributes('disabled')).toBeDefined();
    expect(offline.get('[data-test=cluster-unavailable]').text()).toBe(unavailable);
  });

  it('says before starting which class train lacks and which parts are thin, and trains without it only when told to', async () => {
    const lopsided: DatasetPreview = { ...dataset, counts: { train: { NM: 40, ND: 40 }, val: { MW: 3, NM: 20, ND: 20 }, test: { MW: 30, NM: 20, ND: 20 } } };
    const { wrapper, api } = await mountTrainView([lopsided]);
    expect(wrapper.get('[data-test=train-untrained]').text()).toBe('MW has no crops in train (val 3, test 30): the model will never predict it.');
    expect(wrapper.findAll('[data-test=train-few] li').map((line) => line.text())).toEqual([
      'train has no MW crops: the model cannot learn it',
      'val has 3 MW crops (fewer than 20): its figures for MW are mostly noise',
    ]);
    await wrapper.get('[data-test=train-settings]').trigger('submit');
    expect(api.startTraining).toHaveBeenLastCalledWith({ options: expect.objectContaining({ allowMissingClasses: false }), target: { on: 'local' } });
    await wrapper.get('[data-test=train-allow-missing]').setValue(true);
    await wrapper.get('[data-test=train-settings]').trigger('submit');
    expect(api.startTraining).toHaveBeenLastCalledWith({
      options: expect.objectContaining({ dataset: 'heads', allowMissingClasses: true }),
      target: { on: 'local' },
    });
    // A dataset that covers every class well says nothing.
    const { wrapper: covered } = await mountTrainView();
    expect(covered.find('[data-test=train-coverage]').exists()).toBe(false);
  });

  it('lists runs with the backend used and why a faster one was passed over', async () => {
    const { wrapper } = await mountTrainView();
    const row = wrapper.get(`[data-run="${run.id}"]`);
    expect(row.text()).toContain('91.2%');
    expect(row.get('[data-test=run-backend]').text()).toBe('wasm on 2 threads passed over: tensorflow: @tensorflow/tfjs-node is not installed');
  });

  it('tells the time left as the status bar does, and says a cancel is on its way until the run stops', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
    const { wrapper, api } = await mountTrainView();
    const jobs = useJobsStore();
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const progress = async (done: number, at: number) => {
      now.mockReturnValue(at);
      jobs.receive({ type: 'job-progress', jobId: 't', progress: { done, total: 110, message: `batch ${done}` } });
      frames.splice(0).forEach((callback) => callback(0));
      await flushPromises();
    };
    jobs.receive({ type: 'job-started', job: job({ id: 't', kind: 'training', state: 'running', title: 'Training conv-bn on heads' }) });
    await progress(10, 1_000_000);
    // 20 batches in 10 s: 80 more take 40 s.
    await progress(30, 1_010_000);
    now.mockRestore();
    // The status bar's words, from the jobs store's pace.
    expect(wrapper.get('[data-test=train-eta]').text()).toBe('· about 40 s left');
    const button = wrapper.get('[data-test=train-cancel]');
    await button.trigger('click');
    expect(api.cancelJob).toHaveBeenCalledWith({ jobId: 't' });
    expect([button.text(), button.attributes('disabled')]).toEqual(['Cancelling at the end of this batch…', '']);
  });

  it('shows a running job’s latest epoch and validation confusion matrix as they stream', async () => {
    const { wrapper } = await mountTrainView();
    const jobs = useJobsStore();
    jobs.byId = { t: job({ id: 't', kind: 'training', title: 'Training conv-bn on heads' }) };
    const training = useTrainingStore();
    training.receive('t', {
      kind: 'epoch',
      epoch: 2,
      trainLoss: 0.5,
      trainAccuracy: 0.8,
      valLoss: 0.6,
      valAccuracy: 0.75,
      perClass: [],
      learningRate: 0.01,
      imagesPerSecond: 123.4,
      seconds: 3,
      tensors: 10,
    });
    training.receive('t', {
      kind: 'confusion',
      epoch: 2,
      split: 'val',
      confusion: {
        labels: ['MW', 'NM'],
        matrix: [
          [5, 1],
          [2, 4],
        ],
      },
    });
    await flushPromises();
    expect(wrapper.get('[data-test=train-live-epoch]').text()).toMatch(
      /epoch 2: train loss 0.5000, accuracy 80.0% · validation loss 0.6000, accuracy 75.0% · 123.4 images\/s/,
    );
    const confusion = wrapper.get('[data-test=confusion]');
    expect(confusion.text()).toContain('true ↓');
    expect(confusion.text()).toContain('predicted →');
    // Counts, each with its share of the row (the true class).
    const cells = (row: ReturnType<typeof confusion.findAll>[number]) =>
      row
        .findAll('th, td')
        .map((cell) => [cell.element.firstChild!.textContent!.trim(), cell.find('.share').exists() ? cell.get('.share').text() : ''].join(' ').trim());
    expect(confusion.findAll('tbody tr').map(cells)).toEqual([
      ['MW', '5 83%', '1 17%'],
      ['NM', '2 33%', '4 67%'],
    ]);
  });

  it('offers a dataset built while it is open, and keeps the one chosen', async () => {
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => callback(0));
    const { wrapper, api } = await mountTrainView();
    expect(api.listDatasets).toHaveBeenCalledOnce();
    api.listDatasets.mockResolvedValue([{ ...dataset, name: 'heads-2', builtAt: 2 }, dataset]);
    const built: DatasetSummary = {
      name: 'heads-2',
      path: '/p/datasets/heads-2',
      crops: 10,
      reused: 0,
      counts: { train: {}, val: {}, test: {} },
      warnings: [],
      seconds: 1,
      cropsPerSecond: 10,
    };
    const jobs = useJobsStore();
    jobs.receive({ type: 'job-started', job: job({ kind: 'dataset' }) });
    jobs.receive({ type: 'job-done', jobId: 'job-1', kind: 'dataset', result: built });
    await flushPromises();
    expect(api.listDatasets).toHaveBeenCalledTimes(2);
    const select = wrapper.get<HTMLSelectElement>('[data-test=train-dataset]');
    expect(select.findAll('option').map((option) => option.attributes('value'))).toEqual(['heads-2', 'heads']);
    expect(select.element.value).toBe('heads');
  });

  it('starts on the newest dataset the user built, not on a cross-fit’s fold, and lists the folds a cross-fit adds', async () => {
    const fold = { ...dataset, name: 'heads-fold1of2', builtAt: 3, foldOf: 'r1' };
    const { wrapper, api } = await mountTrainView([fold, { ...dataset, name: 'heads-2', builtAt: 2 }, dataset]);
    const select = wrapper.get<HTMLSelectElement>('[data-test=train-dataset]');
    expect(select.element.value).toBe('heads-2');
    api.listDatasets.mockResolvedValue([{ ...fold, name: 'heads-fold2of2', builtAt: 4 }, fold, dataset]);
    const jobs = useJobsStore();
    jobs.receive({ type: 'job-started', job: job({ kind: 'cross-fit' }) });
    jobs.receive({ type: 'job-done', jobId: 'job-1', kind: 'cross-fit', result: { runId: 'r1', complete: true } as ProjectPredictions });
    await flushPromises();
    expect(select.findAll('option').map((option) => option.attributes('value'))).toEqual(['heads-fold2of2', 'heads-fold1of2', 'heads']);
    // heads-2 is gone: the view goes back to the newest the user built.
    expect(select.element.value).toBe('heads');
  });

  it('sends a user without a dataset to build one', async () => {
    const { api } = fakeApi();
    installConnection({ api, mediaUrl: (path) => path });
    const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn });
    useProjectStore(pinia).current = { path: '/p', name: 'p', settings: null, missingMedia: null, editingProxy: null };
    const wrapper = mount(TrainView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(wrapper.get('[data-test=train-no-dataset]').text()).toContain('build one');
  });
});
