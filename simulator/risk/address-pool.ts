/**
 * The node-local pod address allocator of Cilium's host-scope IPAM, on integer offsets: the same
 * algorithm and the same random draws as `k8s/ipam.ts` (a random starting offset from the seeded
 * generator, then a forward scan that wraps to the first free offset; a released offset is free for
 * the very next allocation), without the address strings the full model formats for its objects.
 * Upstream: cilium/cilium pkg/ipam/hostscope.go → pkg/ipam/service/allocator/bitmap.go,
 * `randomScanStrategy.AllocateBit`, a copy of Kubernetes' service IP allocator.
 */
import { nextInt, type RandomState } from '../engine/prng';

/** One node's pool: which offsets are taken, and by which pod (−1: free). */
export interface AddressPool {
  readonly size: number;
  readonly holders: Int32Array;
  allocated: number;
}

/** Marks an offset taken by the router or health address rather than a pod. */
export const agentHolder = -2;

/** An empty pool of `size` usable addresses. */
export function createAddressPool(size: number): AddressPool {
  return { size, holders: new Int32Array(size).fill(-1), allocated: 0 };
}

/** Takes the next offset for a holder as the allocator orders it; −1 when the pool is full. */
export function allocateOffset(pool: AddressPool, random: RandomState, holder: number): number {
  if (pool.allocated >= pool.size) return -1;
  const size = pool.size;
  const holders = pool.holders;
  let offset = nextInt(random, size);
  for (let step = 0; step < size; step++) {
    if (holders[offset] === -1) {
      holders[offset] = holder;
      pool.allocated += 1;
      return offset;
    }
    offset = offset + 1 === size ? 0 : offset + 1;
  }
  return -1;
}

/** Frees an offset at once, as the allocator's Release does. */
export function releaseOffset(pool: AddressPool, offset: number): void {
  if (pool.holders[offset] === -1) return;
  pool.holders[offset] = -1;
  pool.allocated -= 1;
}
