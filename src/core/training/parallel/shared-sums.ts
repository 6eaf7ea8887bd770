// What the workers of one data-parallel run share: a barrier and sums that each adds its share to and
// all read back, in shared memory. Every call blocks its thread until every worker has made the same
// call, so the workers must make the same calls in the same order (the same model, step by step).

/** How long a waiting worker sleeps before it looks again whether another has failed. */
const WAKE_MS = 500;
/** How often a worker that waits without blocking looks. */
const POLL_MS = 10;
/**
 * How long a worker that arrives early looks again and again before it sleeps. A sleeping thread's core
 * may idle, and waking it takes the system (and a virtual machine's host) up to a millisecond, which
 * every worker then loses at the next barrier: batch norm makes one every few milliseconds. On 2 cores,
 * looking for 1 to 5 ms first gave 2 workers of LeNet-5 at 32 px 12% to 35% more images/s, and of conv-bn
 * at 64 px 0% to 14% (3 rounds, each the medians of 6 runs taken in turns with and without).
 */
const SPIN_MS = 2;

const ARRIVED = 0;
const GENERATION = 1;
const BROKEN = 2;

/** Plain data, so that it reaches another worker thread whole: SharedArrayBuffers are shared, not copied. */
export interface GroupMemory {
  members: number;
  /** Int32: the barrier's count, its generation, and whether a worker failed. */
  control: SharedArrayBuffer;
}

export function groupMemory(members: number): GroupMemory {
  return { members, control: new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT) };
}

/** Thrown in a worker that waits for another that failed: the failed one holds the reason. */
export class GroupBroken extends Error {
  constructor() {
    super('Another worker of this data-parallel run stopped');
  }
}

/** One worker's hold on the group: `rank` 0 is the worker that leads the run. */
export class Group {
  private readonly control: Int32Array;
  readonly members: number;

  constructor(
    memory: GroupMemory,
    readonly rank: number,
  ) {
    this.control = new Int32Array(memory.control);
    this.members = memory.members;
  }

  /** Waits until every worker has arrived; throws GroupBroken if one has failed instead. */
  arrive(): void {
    const { control } = this;
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, ARRIVED, 1) === this.members - 1) return this.release();
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(control, GENERATION) === generation && performance.now() < spinUntil);
    while (Atomics.load(control, GENERATION) === generation) {
      if (this.broken) throw new GroupBroken();
      Atomics.wait(control, GENERATION, generation, WAKE_MS);
    }
  }

  /**
   * The same, without blocking this thread's event loop while it waits: for the leading worker's first
   * arrival, while the others start, so that it still hears of one whose thread failed to start at all.
   */
  async arriveAsync(): Promise<void> {
    const { control } = this;
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, ARRIVED, 1) === this.members - 1) return this.release();
    while (Atomics.load(control, GENERATION) === generation) {
      if (this.broken) throw new GroupBroken();
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The last to arrive lets every worker through. */
  private release(): void {
    Atomics.store(this.control, ARRIVED, 0);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }

  /** Tells the others that this worker will not arrive again: each throws GroupBroken at its next wait. */
  break(): void {
    Atomics.store(this.control, BROKEN, 1);
    Atomics.notify(this.control, GENERATION);
  }

  get broken(): boolean {
    return Atomics.load(this.control, BROKEN) === 1;
  }
}

type Values = Float32Array | Float64Array;

/**
 * How the workers add their values up:
 * - 'every': each worker adds up every worker's slot. One barrier a sum, with two sets of slots used in
 *   turn; for small sums, where a barrier costs more than the adding.
 * - 'shares': each worker adds up its share of the values (partOf's) into one shared total, which all
 *   then copy. Two barriers a sum, but a worker adds 1/members of what it would in 'every' and the slots
 *   take no second set; for sums as large as the model.
 */
export type SumsLayout = 'every' | 'shares';

/** Room for every worker's values, `capacity` each, as float32 or float64, laid out for `layout`. */
export interface SumsMemory {
  capacity: number;
  float64: boolean;
  layout: SumsLayout;
  slots: SharedArrayBuffer;
}

export function sumsMemory(members: number, capacity: number, float64: boolean, layout: SumsLayout): SumsMemory {
  const bytes = float64 ? Float64Array.BYTES_PER_ELEMENT : Float32Array.BYTES_PER_ELEMENT;
  // 'every': two sets of a slot a worker; 'shares': a slot a worker and the total.
  const regions = layout === 'every' ? 2 * members : members + 1;
  return { capacity, float64, layout, slots: new SharedArrayBuffer(regions * capacity * bytes) };
}

/**
 * Element-wise sums over the workers. Each value is added up in rank order, by one worker ('shares') or
 * by each in the same way ('every'), so all get the same bits, and the models they update stay the same
 * model.
 *
 * No worker may write a slot again before every worker has read it. 'every': a worker writes a set again
 * only after the next sum's barrier, which every worker reaches only when it has read the set. 'shares':
 * the slots are all read before the second barrier, and each worker reads the total before its next sum's first.
 * Each barrier costs what the slowest worker lags, and batch norm makes two sums a layer a step.
 */
export class SharedSums<T extends Values> {
  /** A slot a worker: two sets of them ('every') or one ('shares'). */
  private readonly sets: T[][];
  /** 'shares': the total the workers add their shares up into. */
  private readonly total: T | undefined;
  private calls = 0;

  constructor(
    private readonly group: Group,
    private readonly memory: SumsMemory,
  ) {
    const { slots, capacity, float64, layout } = memory;
    const region = (index: number) =>
      (float64 ? new Float64Array(slots, index * capacity * 8, capacity) : new Float32Array(slots, index * capacity * 4, capacity)) as T;
    const ranks = (set: number) => Array.from({ length: group.members }, (_, rank) => region(set * group.members + rank));
    this.sets = layout === 'every' ? [ranks(0), ranks(1)] : [ranks(0)];
    if (layout === 'shares') this.total = region(group.members);
  }

  get members(): number {
    return this.group.members;
  }

  /** The sum over the workers of each one's `values` (the same length in all), as sumSlots gives it. */
  sum(values: T): T {
    this.slot(values.length).set(values);
    return this.sumSlots(values.length);
  }

  /**
   * This worker's slot for its next sum, to write its `length` values straight into: a model's gradients
   * are hundreds of megabytes, and each copy of them a step (into a new array above all: the pages of
   * a new array fault in one by one) took longer than the step's arithmetic.
   */
  slot(length: number): T {
    if (length > this.memory.capacity) throw new Error(`${length} values do not fit the ${this.memory.capacity} shared between workers`);
    return this.sets[this.calls % this.sets.length]![this.group.rank]!.subarray(0, length) as T;
  }

  /** The sum over the workers of the first `length` values of each one's slot; read it before this worker's next sum ('shares' gives it in shared memory). */
  sumSlots(length: number): T {
    const slots = this.sets[this.calls++ % this.sets.length]!;
    this.group.arrive();
    return this.memory.layout === 'every' ? this.everyWorkerAdds(slots, length) : this.eachAddsAShare(slots, length);
  }

  private everyWorkerAdds(slots: T[], length: number): T {
    const total = slots[0]!.slice(0, length) as T;
    addInto(total, slots, 0, length);
    return total;
  }

  private eachAddsAShare(slots: T[], length: number): T {
    const total = this.total!;
    const [from, to] = partOf(length, this.group.rank, this.group.members);
    total.set(slots[0]!.subarray(from, to), from);
    addInto(total, slots, from, to);
    this.group.arrive();
    return total.subarray(0, length) as T;
  }
}

/** Adds slots 1 onwards, in rank order, to `total` over [from, to). */
function addInto(total: Values, slots: Values[], from: number, to: number): void {
  for (let rank = 1; rank < slots.length; rank++) {
    const slot = slots[rank]!;
    for (let i = from; i < to; i++) total[i] = total[i]! + slot[i]!;
  }
}

/**
 * Items [from, to) of `count` (a batch's rows, a sum's values) that are worker `rank`'s of `members`.
 * Fewer than the workers are many (a batch's last, short one) are the leading worker's alone: every part
 * of a batch must hold a crop to pass through the model.
 */
export function partOf(count: number, rank: number, members: number): [from: number, to: number] {
  if (count < members) return rank === 0 ? [0, count] : [0, 0];
  return [Math.floor((rank * count) / members), Math.floor(((rank + 1) * count) / members)];
}
