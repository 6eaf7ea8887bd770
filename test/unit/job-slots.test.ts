// The cores shared by training jobs: a run alone takes them all, runs queued together share them, and
// no core is ever given to two jobs.

import { describe, expect, it } from 'vitest';
import { JobSlots, type Slot, type SlotPolicy } from '../../src/core/jobs/job-slots';

const never = new AbortController().signal;
/** Lets the slots hand out cores (they do so after the current task). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Asks for `count` slots at once and records which were granted, in order. */
function ask(slots: JobSlots, count: number, signal = never): { granted: Array<Slot | null>; rejected: unknown[] } {
  const granted: Array<Slot | null> = Array.from({ length: count }, () => null);
  const rejected: unknown[] = [];
  for (let i = 0; i < count; i++) {
    slots.acquire(signal).then(
      (slot) => (granted[i] = slot),
      (reason: unknown) => rejected.push(reason),
    );
  }
  return { granted, rejected };
}

const cores = (granted: Array<Slot | null>) => granted.map((slot) => slot?.cores ?? 0);

describe('job slots', () => {
  const adaptive = (policy: Partial<SlotPolicy> = {}) => new JobSlots(() => ({ cores: 2, jobs: null, maxPerJob: 2, ...policy }));

  it('give a job alone every core, up to what one job can use', async () => {
    const { granted } = ask(adaptive(), 1);
    await settle();
    expect(cores(granted)).toEqual([2]);

    const capped = ask(adaptive({ cores: 16, maxPerJob: 8 }), 1);
    await settle();
    expect(cores(capped.granted)).toEqual([8]);
  });

  it('share the cores between jobs queued together, and give the next a freed core', async () => {
    const { granted } = ask(adaptive(), 4);
    await settle();
    expect(cores(granted)).toEqual([1, 1, 0, 0]);
    granted[1]!.release();
    await settle();
    expect(cores(granted)).toEqual([1, 1, 1, 0]);
    // Releasing twice gives back one core, not two.
    granted[1]!.release();
    await settle();
    expect(cores(granted)).toEqual([1, 1, 1, 0]);
    granted[0]!.release();
    await settle();
    expect(cores(granted)).toEqual([1, 1, 1, 1]);
  });

  it('make a job that comes while another holds every core wait for them', async () => {
    const slots = adaptive();
    const first = ask(slots, 1);
    await settle();
    const second = ask(slots, 1);
    await settle();
    expect(cores(second.granted)).toEqual([0]);
    first.granted[0]!.release();
    await settle();
    expect(cores(second.granted)).toEqual([2]);
  });

  it('run the set number of jobs at once, each on an equal share', async () => {
    const { granted } = ask(new JobSlots(() => ({ cores: 8, jobs: 3, maxPerJob: 8 })), 4);
    await settle();
    expect(cores(granted)).toEqual([2, 2, 2, 0]);
    // More jobs than cores: each still computes on one.
    const crowded = ask(new JobSlots(() => ({ cores: 2, jobs: 4, maxPerJob: 2 })), 4);
    await settle();
    expect(cores(crowded.granted)).toEqual([1, 1, 1, 1]);
  });

  it('let a job that is cancelled while waiting leave the queue without taking cores', async () => {
    const slots = adaptive();
    const first = ask(slots, 1);
    await settle();
    const controller = new AbortController();
    const leaving = ask(slots, 1, controller.signal);
    const staying = ask(slots, 1);
    controller.abort(new Error('cancelled'));
    first.granted[0]!.release();
    await settle();
    expect(leaving.rejected).toEqual([new Error('cancelled')]);
    expect(cores(leaving.granted)).toEqual([0]);
    expect(cores(staying.granted)).toEqual([2]);
  });
});
