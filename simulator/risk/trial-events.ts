/**
 * The reduced model's clock: a binary heap of timed events, ordered by time and then by the order
 * they were scheduled, so a trial's seed alone decides what happens and in which order.
 */

/** What can happen in a trial (numbers, so events stay small). */
export const TrialEventKind = {
  /** A rollout restart of a Deployment (`target`) starts. */
  Restart: 0,
  /** New pods of a Deployment are scheduled and take addresses (`count`). */
  Create: 2,
  /** Old pods of a Deployment are marked for deletion (`count`), leaving the scheduler's count. */
  Doom: 3,
  /** Doomed pods give their addresses back (`count`). */
  Release: 4,
  /** A rollout has run its last wave. */
  RolloutDone: 5,
} as const;
export type TrialEventKind = (typeof TrialEventKind)[keyof typeof TrialEventKind];

export interface TrialEvent {
  atMs: number;
  sequence: number;
  kind: TrialEventKind;
  target: number;
  count: number;
  /** The rollout an event belongs to, so its waves act on its own old pods. */
  rollout: number;
}

/** A min-heap of events. */
export class TrialClock {
  private readonly heap: TrialEvent[] = [];
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(atMs: number, kind: TrialEventKind, target: number, count = 0, rollout = -1): void {
    const heap = this.heap;
    heap.push({ atMs, sequence: this.sequence++, kind, target, count, rollout });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  /** The next event, removed; undefined when none is left. */
  next(): TrialEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return top;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

function before(a: TrialEvent, b: TrialEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.sequence < b.sequence);
}
