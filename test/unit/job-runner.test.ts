import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/shared/jobs';
import { WorkbenchError } from '../../src/shared/errors';
import { JobRunner } from '../../src/core/jobs/job-runner';
import { runDemoJob } from '../../src/core/jobs/demo-job';
import { JobSlots } from '../../src/core/jobs/job-slots';

function record(runner: JobRunner): JobEvent[] {
  const events: JobEvent[] = [];
  runner.subscribe((event) => events.push(event));
  return events;
}

/** The event that ended job `jobId` (or any job), once it arrives. */
function ended(events: JobEvent[], jobId?: string): Promise<JobEvent> {
  const isEnd = (event: JobEvent) =>
    (event.type === 'job-done' || event.type === 'job-failed' || event.type === 'job-cancelled') && (jobId === undefined || event.jobId === jobId);
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const last = events.find(isEnd);
      if (last) {
        clearInterval(timer);
        resolve(last);
      }
    }, 2);
  });
}

describe('JobRunner', () => {
  it('streams started, progress and done for a demo job, ending on the last step', async () => {
    const runner = new JobRunner();
    const events = record(runner);
    const job = runner.start('demo', 'Count', (context) => runDemoJob(context, 5, 1));
    expect(job.state).toBe('running');
    expect(await ended(events)).toEqual({ type: 'job-done', kind: 'demo', jobId: job.id, result: { steps: 5 } });
    expect(events[0]).toMatchObject({ type: 'job-started', job: { id: job.id, kind: 'demo', title: 'Count' } });
    const progress = events.filter((event) => event.type === 'job-progress');
    expect(progress.at(-1)).toEqual({ type: 'job-progress', jobId: job.id, progress: { done: 5, total: 5, message: 'Step 5 of 5' } });
    expect(runner.list()).toEqual([expect.objectContaining({ id: job.id, state: 'done', progress: { done: 5, total: 5, message: 'Step 5 of 5' } })]);
  });

  it('throttles progress to a few events a second but always delivers the latest', async () => {
    let clock = 0;
    const runner = new JobRunner(() => clock);
    const events = record(runner);
    runner.start('demo', 'Burst', async (context) => {
      for (let step = 1; step <= 1000; step++) {
        context.progress(step, 1000);
        clock += 1; // 1000 steps over one simulated second
      }
      return { steps: 1000 };
    });
    await ended(events);
    const progress = events.filter((event) => event.type === 'job-progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(10);
    expect(progress.at(-1)).toMatchObject({ progress: { done: 1000, total: 1000 } });
  });

  it('sends a held-back progress value later even when no more progress follows', async () => {
    const runner = new JobRunner();
    const events = record(runner);
    let release!: () => void;
    runner.start('demo', 'Slow', async (context) => {
      context.progress(1, 3);
      context.progress(2, 3); // throttled: must still arrive before the job ends
      await new Promise<void>((resolve) => (release = resolve));
      return { steps: 3 };
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.filter((event) => event.type === 'job-progress').map((event) => event.type === 'job-progress' && event.progress.done)).toEqual([1, 2]);
    release();
    await ended(events);
  });

  it('stops a cancelled job: no event follows job-cancelled', async () => {
    const runner = new JobRunner();
    const events = record(runner);
    const job = runner.start('demo', 'Long', (context) => runDemoJob(context, 1000, 5));
    await new Promise((resolve) => setTimeout(resolve, 60));
    runner.cancel(job.id);
    expect(await ended(events)).toEqual({ type: 'job-cancelled', jobId: job.id });
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.length).toBe(count);
    expect(events.at(-1)?.type).toBe('job-cancelled');
    expect(runner.list()[0]?.state).toBe('cancelled');
    expect(runner.list()[0]?.progress?.done).toBeLessThan(1000);
  });

  it('reports a failing job with its error, and the runner goes on', async () => {
    const runner = new JobRunner();
    const events = record(runner);
    const job = runner.start('demo', 'Broken', async () => {
      throw new WorkbenchError('io-error', 'cannot read frames.mp4', { file: 'frames.mp4' });
    });
    expect(await ended(events)).toEqual({
      type: 'job-failed',
      jobId: job.id,
      error: { code: 'io-error', message: 'cannot read frames.mp4', where: { file: 'frames.mp4' } },
    });
    const next = runner.start('demo', 'Next', (context) => runDemoJob(context, 1, 0));
    expect(await ended(events, next.id)).toMatchObject({ type: 'job-done' });
  });

  it('refuses to cancel an unknown job', () => {
    expect(() => new JobRunner().cancel('nope')).toThrowError(expect.objectContaining({ code: 'job-not-found' }));
  });

  it('queues jobs beyond the slots, starts each when one frees, and cancels a queued job without running it', async () => {
    const runner = new JobRunner();
    const events = record(runner);
    let limit = 1;
    const slots = new JobSlots(() => ({ cores: 8, jobs: limit, maxPerJob: 8 }));
    const started: string[] = [];
    const work = (name: string) => async (context: Parameters<typeof runDemoJob>[0]) => {
      started.push(name);
      return runDemoJob(context, 3, 5);
    };
    const first = runner.start('demo', 'first', work('first'), { slots });
    const second = runner.start('demo', 'second', work('second'), { slots });
    const third = runner.start('demo', 'third', work('third'), { slots });
    expect([first.state, second.state, third.state]).toEqual(['queued', 'queued', 'queued']);
    runner.cancel(third.id);
    await ended(events, second.id);
    expect(started).toEqual(['first', 'second']);
    expect(await ended(events, third.id)).toEqual({ type: 'job-cancelled', jobId: third.id });
    // The second waited for the first: it was announced running only after the first was done.
    const order = events
      .filter((event) => event.type === 'job-running' || event.type === 'job-done')
      .map((event) => `${event.type}:${'jobId' in event ? event.jobId : ''}`);
    expect(order).toEqual([`job-running:${first.id}`, `job-done:${first.id}`, `job-running:${second.id}`, `job-done:${second.id}`]);

    limit = 2;
    const a = runner.start('demo', 'a', work('a'), { slots });
    const b = runner.start('demo', 'b', work('b'), { slots });
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(
      runner
        .list()
        .filter((job) => job.id === a.id || job.id === b.id)
        .map((job) => job.state),
    ).toEqual(['running', 'running']);
    await Promise.all([ended(events, a.id), ended(events, b.id)]);
  });
});
