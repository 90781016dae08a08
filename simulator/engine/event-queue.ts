/**
 * The discrete-event queue: a binary min-heap ordered by due time, then by the sequence number
 * taken when the event was scheduled, so events due at the same millisecond keep a stable order.
 * It is a plain array inside the world, so it clones and hashes with everything else.
 */

/** An event waiting in the queue. */
export interface Scheduled<E> {
  readonly atMs: number;
  readonly sequence: number;
  readonly event: E;
  /** The name of the cluster the event belongs to, when the world holds clusters (world.ts). */
  readonly cluster?: string | undefined;
}

function before<E>(a: Scheduled<E>, b: Scheduled<E>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.sequence < b.sequence);
}

/** Adds an entry to the heap. */
export function heapPush<E>(heap: Scheduled<E>[], entry: Scheduled<E>): void {
  heap.push(entry);
  let index = heap.length - 1;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    const parentEntry = heap[parent]!;
    if (!before(entry, parentEntry)) break;
    heap[index] = parentEntry;
    index = parent;
  }
  heap[index] = entry;
}

/** Removes and returns the earliest entry, or undefined when the heap is empty. */
export function heapPop<E>(heap: Scheduled<E>[]): Scheduled<E> | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let index = 0;
  const length = heap.length;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= length) break;
    const right = left + 1;
    const child = right < length && before(heap[right]!, heap[left]!) ? right : left;
    if (!before(heap[child]!, last)) break;
    heap[index] = heap[child]!;
    index = child;
  }
  heap[index] = last;
  return top;
}

/** Keeps the entries a predicate accepts, in heap order again (a sorted array is a valid heap). */
export function heapFilter<E>(heap: Scheduled<E>[], keep: (entry: Scheduled<E>) => boolean): Scheduled<E>[] {
  return heap.filter(keep).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

/** The earliest entry without removing it. */
export function heapPeek<E>(heap: readonly Scheduled<E>[]): Scheduled<E> | undefined {
  return heap[0];
}
