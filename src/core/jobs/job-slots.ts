// A limit on how many jobs of one sort run at once; the rest wait their turn in order.

export class JobSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** `limit` is read each time a slot is asked for, so a changed setting applies to the next job. */
  constructor(private readonly limit: () => number) {}

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts while waiting. */
  acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.running < this.limit()) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal.removeEventListener('abort', leave);
        resolve(this.take());
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        reject(signal.reason);
      };
      this.waiting.push(turn);
      signal.addEventListener('abort', leave, { once: true });
    });
  }

  private take(): () => void {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      while (this.waiting.length > 0 && this.running < this.limit()) this.waiting.shift()!();
    };
  }
}
