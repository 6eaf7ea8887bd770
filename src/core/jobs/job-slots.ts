// The machine's cores, shared by the jobs that compute (training runs, cross-fits): each job waits its
// turn in order and is given the cores it computes on when it leaves the queue, so two never share one.

/** How the cores are shared, read each time a job is given its cores, so a changed setting applies to the next. */
export interface SlotPolicy {
  /** The cores the jobs share. */
  cores: number;
  /**
   * Jobs at once, each on an equal share of the cores (the user's setting, or 1 where a job uses every core
   * by itself: tfjs-node). Null: as many as there are free cores, the free cores shared by the jobs waiting.
   */
  jobs: number | null;
  /** The most cores one job can compute on. */
  maxPerJob: number;
}

/** A job's turn: the cores it may compute on, and the way to give them back. */
export interface Slot {
  cores: number;
  release: () => void;
}

interface Waiting {
  grant: (cores: number) => void;
}

export class JobSlots {
  private running = 0;
  private coresInUse = 0;
  private readonly waiting: Waiting[] = [];
  private grantScheduled = false;

  constructor(private readonly policy: () => SlotPolicy) {}

  /**
   * Resolves with a slot once the job's turn has come; rejects if `signal` aborts while waiting. Cores are
   * handed out after the current task, so jobs queued together (a sweep's runs) share the cores between them
   * rather than the first taking them all.
   */
  acquire(signal: AbortSignal): Promise<Slot> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiting: Waiting = {
        grant: (cores) => {
          signal.removeEventListener('abort', leave);
          resolve(this.take(cores));
        },
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(waiting), 1);
        reject(signal.reason);
      };
      this.waiting.push(waiting);
      signal.addEventListener('abort', leave, { once: true });
      this.scheduleGrant();
    });
  }

  private scheduleGrant(): void {
    if (this.grantScheduled) return;
    this.grantScheduled = true;
    queueMicrotask(() => {
      this.grantScheduled = false;
      this.grant();
    });
  }

  private grant(): void {
    const { cores, jobs, maxPerJob } = this.policy();
    while (this.waiting.length > 0) {
      let share: number;
      if (jobs !== null) {
        if (this.running >= jobs) return;
        share = Math.floor(cores / jobs);
      } else {
        const free = cores - this.coresInUse;
        if (free < 1) return;
        share = Math.floor(free / this.waiting.length);
      }
      this.waiting.shift()!.grant(Math.min(maxPerJob, Math.max(1, share)));
    }
  }

  private take(cores: number): Slot {
    this.running++;
    this.coresInUse += cores;
    let released = false;
    return {
      cores,
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        this.coresInUse -= cores;
        this.scheduleGrant();
      },
    };
  }
}
