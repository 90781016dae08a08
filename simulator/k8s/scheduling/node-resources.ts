/**
 * The NodeResourcesFit and NodeResourcesBalancedAllocation plugins (kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/noderesources: fit.go, least_allocated.go, balanced_allocation.go
 * and resource_allocation.go at v1.24.0): a pod fits where its requests fit in what the node's pods
 * leave of its allocatable resources and the node admits another pod; among those, LeastAllocated
 * prefers the emptiest nodes and BalancedAllocation the nodes whose CPU and memory would be used
 * evenly.
 */
import type { NodeInfo } from './node-info-cache';
import type { PodRequests } from './resources';

/** Best node score any plugin gives (framework.MaxNodeScore). */
export const maxNodeScore = 100;

/**
 * NodeResourcesFit's reasons for a node (fitsRequest in fit.go), an Unschedulable status:
 * "Too many pods", then "Insufficient <resource>" for each request that does not fit, checked in
 * the order requestedResources gives. A pod that requests nothing is checked against the pod count
 * only. Returns a shared empty list when the pod fits.
 */
export function insufficientResources(
  requests: PodRequests,
  resourceNames: readonly string[],
  info: NodeInfo,
): readonly string[] {
  let reasons: string[] | undefined;
  if (info.podCount + 1 > info.allocatablePods) reasons = ['Too many pods'];
  if (resourceNames.length === 0) return reasons ?? fits;
  const allocatable = info.allocatable;
  for (const name of resourceNames) {
    const free = (allocatable.resources[name] ?? 0) - (info.requested[name] ?? 0);
    if (requests.requested[name]! > free) (reasons ??= []).push(`Insufficient ${name}`);
  }
  return reasons ?? fits;
}

const fits: readonly string[] = [];

/**
 * The resources a pod requests a non-zero amount of: cpu, memory and ephemeral-storage first, as
 * fitsRequest checks them, then the rest by name (worked out with the requests, once per template).
 */
export function requestedResources(requests: PodRequests): readonly string[] {
  return requests.resourceNames;
}

/** The unused share of a resource on a scale of 0 to 100 (leastRequestedScore). */
function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * maxNodeScore) / capacity);
}

/**
 * NodeResourcesFit's score with its default LeastAllocated strategy, CPU and memory weighing 1
 * each: the average unused share once the pod is placed, counting every pod (this one included)
 * with the scheduler's defaults for a missing CPU or memory request.
 */
export function leastAllocatedScore(requests: PodRequests, info: NodeInfo): number {
  const cpu = info.allocatableMilliCpu;
  const memory = info.allocatableMemory;
  let total = 0;
  let weights = 0;
  if (cpu !== 0) {
    total += leastRequestedScore(info.nonZeroMilliCpu + requests.nonZeroMilliCpu, cpu);
    weights += 1;
  }
  if (memory !== 0) {
    total += leastRequestedScore(info.nonZeroMemory + requests.nonZeroMemory, memory);
    weights += 1;
  }
  return weights === 0 ? 0 : Math.floor(total / weights);
}

/**
 * NodeResourcesBalancedAllocation's score: 100 × (1 − the standard deviation of the CPU and memory
 * fractions the node would have requested), from the requests as written. Since v1.23 (and
 * v1.22.4) it counts requests without the non-zero defaults; from v1.33 it gives best-effort pods
 * no score at all (kubernetes/kubernetes#130260), which v1.24 does not do.
 */
export function balancedAllocationScore(requests: PodRequests, info: NodeInfo): number {
  const allocatableCpu = info.allocatableMilliCpu;
  const allocatableMemory = info.allocatableMemory;
  // With one resource (or none) to compare, the deviation is zero.
  if (allocatableCpu === 0 || allocatableMemory === 0) return maxNodeScore;
  const cpu = Math.min(1, (info.requestedMilliCpu + requests.milliCpu) / allocatableCpu);
  const memory = Math.min(1, (info.requestedMemory + requests.memory) / allocatableMemory);
  return Math.trunc((1 - Math.abs((cpu - memory) / 2)) * maxNodeScore);
}
