// One question to the cluster for all the jobs the app follows: squeue (then sacct) is asked about every
// one of them together, every few seconds, rather than once per job. A lab's controller serves everyone,
// and a sweep of fifty runs must not ask it fifty times as often.

import type { ClusterJob } from '../../shared/cluster';
import { clusterJobs } from './slurm-commands';

/** How often the cluster is asked: MASKBENCH_SLURM_POLL_SECONDS, or every 10 s. */
export function pollInterval(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.MASKBENCH_SLURM_POLL_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 10) * 1000;
}

/** What the cluster last said of a job, or why it could not be asked. */
export type JobWord = { job: ClusterJob | undefined; problem: null } | { job: undefined; problem: string };

export class ClusterWatch {
  /** Each followed job, with how many follow it. */
  private readonly followed = new Map<string, number>();
  private answers = new Map<string, ClusterJob>();
  private problem: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Called after each question, answered or not. */
  private readonly listeners = new Set<() => void>();

  constructor(readonly intervalMs = pollInterval()) {}

  /** Starts asking about the job (at once when nothing was followed); `stop` when it no longer matters. */
  follow(jobId: string): { stop(): void } {
    this.followed.set(jobId, (this.followed.get(jobId) ?? 0) + 1);
    if (!this.timer) this.schedule(0);
    let stopped = false;
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        const count = (this.followed.get(jobId) ?? 1) - 1;
        if (count > 0) this.followed.set(jobId, count);
        else this.followed.delete(jobId);
      },
    };
  }

  /** What the cluster said of the job at the last question. */
  word(jobId: string): JobWord {
    return this.problem === null ? { job: this.answers.get(jobId), problem: null } : { job: undefined, problem: this.problem };
  }

  /** Resolves after the next question to the cluster, or when the signal aborts. */
  nextAnswer(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.listeners.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.listeners.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => void this.ask(), delay);
    // Following a job never keeps a process alive by itself.
    this.timer.unref();
  }

  private async ask(): Promise<void> {
    const ids = [...this.followed.keys()];
    try {
      this.answers = await clusterJobs(ids);
      this.problem = null;
    } catch (error) {
      this.problem = (error as Error).message;
    }
    for (const listener of [...this.listeners]) listener();
    if (this.followed.size > 0) this.schedule(this.intervalMs);
    else this.timer = null;
  }
}
