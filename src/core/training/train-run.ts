// One training run in a worker thread: picks the backend, reads the dataset and trains (trainer.ts),
// everything it learns going to the run folder (run-recorder.ts). On wasm, other worker threads share
// every step when the run was given more than one core (parallel/).

import type { RunResult } from '../../shared/runs';
import type { JobContext } from '../jobs/job-runner';
import { useBackend } from './backends';
import { modelCost } from './models/catalog';
import { DataParallel, parallelPlan, type StartReplica } from './parallel/data-parallel';
import { RunRecorder, type RunInput } from './run-recorder';
import { Trainer, type ShareSteps, type TrainerResume } from './trainer';
import { modelFromFiles } from './model-from-files';
import { readModelFiles } from './model-files';
import { modelPaths } from '../project/layout';
import { wasmThreads } from './wasm/thread-count';

export interface TrainRunInput extends RunInput {
  /** The cores it was given, wasm computing on as many threads; every core when not said. */
  threads?: number;
}

/** `startReplica`: how to start the other workers that share each step; without it the run trains in this thread alone. */
export async function trainRun(input: TrainRunInput, context: JobContext, startReplica?: StartReplica): Promise<RunResult> {
  const run = await RunRecorder.start(input, context);
  return run.record(async () => {
    const { options } = input;
    const { data, weights } = await run.loadData();
    const cores = input.threads ?? wasmThreads().count;
    const cost = modelCost(options.model, { size: data.size, classes: data.labels.length });
    const plan = startReplica ? parallelPlan(cores, options.batchSize, cost) : { members: 1, threads: cores };
    const backend = await useBackend(options.backend, plan.threads, plan.members);
    await run.setBackend(backend);
    const shareSteps: ShareSteps | null =
      startReplica && backend.workers ? (leader, crops, labels) => DataParallel.start(startReplica, plan, options, crops, labels, leader) : null;
    const trainer = new Trainer(options, { signal: context.signal, pause: () => new Promise((resolve) => setImmediate(resolve)), sink: run }, shareSteps);
    try {
      const resume = input.resumeFrom ? await checkpointTensors(run, input.resumeFrom.epoch) : null;
      return await trainer.train(data, weights, resume);
    } finally {
      trainer.dispose();
    }
  });
}

/** The copied checkpoint's weights (model-last) and best model as tensors, with the best epoch's figures. */
async function checkpointTensors(run: RunRecorder, epoch: number): Promise<TrainerResume> {
  const weightsOf = async (folder: string) => {
    const model = await modelFromFiles(await readModelFiles(folder), modelPaths(folder).model);
    const weights = model.getWeights().map((weight) => weight.clone());
    model.dispose();
    return weights;
  };
  const best = run.bestSoFar!;
  return { epoch, weights: await weightsOf(run.modelFolder('last')), best: { ...best, weights: await weightsOf(run.modelFolder('best')) } };
}
