// What the workers of one data-parallel run share: a barrier and sums that each adds its share to and
// all read back, in shared memory. Every call blocks its thread until every worker has made the same
// call, so the workers must make the same calls in the same order (the same model, step by step).

/** How long a waiting worker sleeps before it looks again whether another has failed. */
const WAKE_MS = 500;
/** How often a worker that waits without blocking looks. */
const POLL_MS = 10;

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

/** Room for every worker's values, `capacity` each, as float32 or float64, in one or two sets. */
export interface SumsMemory {
  capacity: number;
  float64: boolean;
  sets: 1 | 2;
  slots: SharedArrayBuffer;
}

export function sumsMemory(members: number, capacity: number, float64: boolean, sets: 1 | 2): SumsMemory {
  const bytes = float64 ? Float64Array.BYTES_PER_ELEMENT : Float32Array.BYTES_PER_ELEMENT;
  return { capacity, float64, sets, slots: new SharedArrayBuffer(sets * members * capacity * bytes) };
}

/**
 * Element-wise sums over the workers. Every worker adds the slots in rank order, so all get the same
 * bits, and the models they update stay the same model.
 *
 * No worker may write its slot again before every worker has read every slot. With one set of slots,
 * a second barrier sees to that. With two, used in turn, one barrier a sum is enough: a worker writes a
 * set again only after the next sum's barrier, which every worker reaches only when it has read the
 * set. Each barrier costs what the slowest worker lags, and batch norm makes two sums a layer a step.
 */
export class SharedSums<T extends Values> {
  private readonly sets: T[][];
  private calls = 0;

  constructor(
    private readonly group: Group,
    private readonly memory: SumsMemory,
  ) {
    const { slots, capacity, float64 } = memory;
    this.sets = Array.from({ length: memory.sets }, (_, set) =>
      Array.from({ length: group.members }, (_, rank) => {
        const offset = (set * group.members + rank) * capacity;
        return float64 ? new Float64Array(slots, offset * 8, capacity) : new Float32Array(slots, offset * 4, capacity);
      }),
    ) as T[][];
  }

  get members(): number {
    return this.group.members;
  }

  /** The sum over the workers of each one's `values` (the same length in all). */
  sum(values: T): T {
    if (values.length > this.memory.capacity) throw new Error(`${values.length} values do not fit the ${this.memory.capacity} shared between workers`);
    const slots = this.sets[this.calls++ % this.sets.length]!;
    slots[this.group.rank]!.set(values);
    this.group.arrive();
    const total = slots[0]!.slice(0, values.length) as T;
    for (let rank = 1; rank < slots.length; rank++) {
      const slot = slots[rank]!;
      for (let i = 0; i < total.length; i++) total[i] = total[i]! + slot[i]!;
    }
    if (this.sets.length === 1) this.group.arrive();
    return total;
  }
}
