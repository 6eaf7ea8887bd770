// One training run in a worker thread: picks the backend, reads the dataset and trains (trainer.ts),
// everything it learns going to the run folder (run-recorder.ts).

import type { RunResult } from '../../shared/runs';
import type { JobContext } from '../jobs/job-runner';
import { useBackend } from './backends';
import { RunRecorder, type RunInput } from './run-recorder';
import { Trainer } from './trainer';

export interface TrainRunInput extends RunInput {
  /** The cores it was given, wasm computing on as many threads; every core when not said. */
  threads?: number;
}

export async function trainRun(input: TrainRunInput, context: JobContext): Promise<RunResult> {
  const run = await RunRecorder.start(input, context);
  return run.record(async () => {
    await run.setBackend(await useBackend(input.options.backend, input.threads));
    const { data, weights } = await run.loadData();
    const trainer = new Trainer(input.options, { signal: context.signal, pause: () => new Promise((resolve) => setImmediate(resolve)), sink: run });
    try {
      return await trainer.train(data, weights);
    } finally {
      trainer.dispose();
    }
  });
}
