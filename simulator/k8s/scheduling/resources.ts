/**
 * What a pod requests and what a node offers, in the units kube-scheduler computes with: CPU in
 * millicores, memory and other resources in whole units.
 *
 * A pod's request is the sum over its containers, raised to any init container's request that is
 * larger (init containers run one at a time, before the others): computePodResourceRequest in
 * pkg/scheduler/framework/plugins/noderesources/fit.go (v1.24.0). Scoring also uses a "non-zero"
 * request in which a container without a CPU or memory request counts 100m and 200 MiB, so that
 * best-effort pods still weigh something (pkg/scheduler/util/pod_resources.go, v1.24.0:
 * DefaultMilliCPURequest, DefaultMemoryRequest; a request explicitly set to zero stays zero).
 */
import type { Container, Node, Pod, ResourceList } from '../objects';
import { milliValue, wholeValue } from '../resource-quantity';

/** Millicores a container without a CPU request counts for in scoring. */
const defaultMilliCpuRequest = 100;
/** Bytes a container without a memory request counts for in scoring (200 MiB). */
const defaultMemoryRequest = 200 * 1024 * 1024;

/** One pod's requests. */
export interface PodRequests {
  /** What the containers request (CPU in millicores, the rest in whole units), by resource name. */
  readonly requested: Readonly<Record<string, number>>;
  readonly milliCpu: number;
  readonly memory: number;
  /** The same with a missing CPU or memory request counted at the scheduler's default. */
  readonly nonZeroMilliCpu: number;
  readonly nonZeroMemory: number;
  /**
   * The resources requested a non-zero amount of, in the order NodeResourcesFit checks them:
   * cpu, memory and ephemeral-storage first (fitsRequest in fit.go), then the rest by name.
   */
  readonly resourceNames: readonly string[];
}

const firstChecked = ['cpu', 'memory', 'ephemeral-storage'];

function checkedOrder(requested: Readonly<Record<string, number>>): string[] {
  const names = Object.keys(requested).filter((name) => requested[name] !== 0);
  const first = firstChecked.filter((name) => names.includes(name));
  return [...first, ...names.filter((name) => !first.includes(name)).sort()];
}

/** Quantities already read, by unit and text: every node reports the same few (bounded in size). */
const readQuantities = new Map<string, number>();

/** A resource's value in the scheduler's unit for it; an unreadable quantity counts as zero. */
function resourceValue(name: string, quantity: string | number): number {
  const milli = name === 'cpu';
  const key = `${milli ? 'm' : ''}${quantity}`;
  let value = readQuantities.get(key);
  if (value === undefined) {
    value = (milli ? milliValue(quantity) : wholeValue(quantity)) ?? 0;
    if (readQuantities.size >= 10_000) readQuantities.clear();
    readQuantities.set(key, value);
  }
  return value;
}

/**
 * A container's effective requests: for a Pod the API server copies a limit into a missing request
 * (SetDefaults_Pod in pkg/apis/core/v1/defaults.go, v1.24.0), so a limit alone is also a request.
 */
function containerRequests(container: Container): ResourceList {
  const resources = container.resources;
  if (resources === undefined) return {};
  return { ...resources.limits, ...resources.requests };
}

function requestsOf(
  containers: readonly Container[] | undefined,
  initContainers?: readonly Container[],
): PodRequests {
  const requested: Record<string, number> = {};
  let nonZeroMilliCpu = 0;
  let nonZeroMemory = 0;
  for (const container of containers ?? []) {
    const requests = containerRequests(container);
    for (const name in requests)
      requested[name] = (requested[name] ?? 0) + resourceValue(name, requests[name]!);
    nonZeroMilliCpu += 'cpu' in requests ? resourceValue('cpu', requests.cpu) : defaultMilliCpuRequest;
    nonZeroMemory += 'memory' in requests ? resourceValue('memory', requests.memory) : defaultMemoryRequest;
  }
  for (const container of initContainers ?? []) {
    const requests = containerRequests(container);
    for (const name in requests)
      requested[name] = Math.max(requested[name] ?? 0, resourceValue(name, requests[name]!));
    const cpu = 'cpu' in requests ? resourceValue('cpu', requests.cpu) : defaultMilliCpuRequest;
    const memory = 'memory' in requests ? resourceValue('memory', requests.memory) : defaultMemoryRequest;
    nonZeroMilliCpu = Math.max(nonZeroMilliCpu, cpu);
    nonZeroMemory = Math.max(nonZeroMemory, memory);
  }
  return {
    requested,
    milliCpu: requested.cpu ?? 0,
    memory: requested.memory ?? 0,
    nonZeroMilliCpu,
    nonZeroMemory,
    resourceNames: checkedOrder(requested),
  };
}

/** Memo of pod requests by the containers array, which every pod of a ReplicaSet shares. */
const requestsByContainers = new WeakMap<readonly Container[], PodRequests>();
const requestsWithInit = new WeakMap<readonly Container[], WeakMap<readonly Container[], PodRequests>>();
const noContainers: readonly Container[] = [];

/** A pod's requests (memoised: stored pods are never mutated). */
export function podRequests(pod: Pod): PodRequests {
  const containers = Array.isArray(pod.spec.containers) ? pod.spec.containers : noContainers;
  const init = pod.spec.initContainers;
  if (init === undefined || !Array.isArray(init)) {
    let requests = requestsByContainers.get(containers);
    if (requests === undefined) {
      requests = requestsOf(containers);
      requestsByContainers.set(containers, requests);
    }
    return requests;
  }
  let byContainers = requestsWithInit.get(init);
  if (byContainers === undefined) {
    byContainers = new WeakMap();
    requestsWithInit.set(init, byContainers);
  }
  let requests = byContainers.get(containers);
  if (requests === undefined) {
    requests = requestsOf(containers, init);
    byContainers.set(containers, requests);
  }
  return requests;
}

/** What a node offers pods: its allocatable resources in the scheduler's units. */
export interface NodeAllocatable {
  readonly resources: Readonly<Record<string, number>>;
  readonly milliCpu: number;
  readonly memory: number;
  /** How many pods the kubelet admits (`pods`, 110 by default). */
  readonly pods: number;
}

const allocatableByRecord = new WeakMap<Record<string, string>, NodeAllocatable>();
const nothingAllocatable: NodeAllocatable = { resources: {}, milliCpu: 0, memory: 0, pods: 0 };

/** A node's allocatable resources (status.allocatable), memoised per stored record. */
export function nodeAllocatable(node: Node): NodeAllocatable {
  const record = node.status.allocatable;
  if (record === undefined) return nothingAllocatable;
  let allocatable = allocatableByRecord.get(record);
  if (allocatable === undefined) {
    const resources: Record<string, number> = {};
    for (const name in record) resources[name] = resourceValue(name, record[name]!);
    allocatable = {
      resources,
      milliCpu: resources.cpu ?? 0,
      memory: resources.memory ?? 0,
      pods: resources.pods ?? 0,
    };
    allocatableByRecord.set(record, allocatable);
  }
  return allocatable;
}
