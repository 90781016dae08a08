// Goal: the pieces of kube-scheduler's default profile compute what the upstream plugins compute —
// quantities read as apimachinery reads them, tolerations and node selector terms matched by the
// core/v1 rules, resource scores and normalisations with Go's integer arithmetic, and the
// FailedScheduling message sorted and worded as FitError writes it.
import { describe, expect, it } from 'vitest';
import type {
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  Taint,
  Toleration,
} from '../../../simulator/k8s/objects';
import { milliValue, wholeValue } from '../../../simulator/k8s/resource-quantity';
import { failedSchedulingMessage, feasibleNodesToFind } from '../../../simulator/k8s/scheduling/filter-nodes';
import { normalizedImageName } from '../../../simulator/k8s/scheduling/image-locality';
import { nodeSelectorTermMatches, preFilterNodeNames } from '../../../simulator/k8s/scheduling/node-affinity';
import type { NodeInfo } from '../../../simulator/k8s/scheduling/node-info-cache';
import {
  balancedAllocationScore,
  insufficientResources,
  leastAllocatedScore,
  requestedResources,
} from '../../../simulator/k8s/scheduling/node-resources';
import { podRequests, type NodeAllocatable } from '../../../simulator/k8s/scheduling/resources';
import { defaultNormalize } from '../../../simulator/k8s/scheduling/score-nodes';
import { toleratesTaint } from '../../../simulator/k8s/scheduling/taint-toleration';

describe('scheduler: resource quantities', () => {
  it.each([
    { name: 'millicores', text: '100m', milli: 100, whole: 1 },
    { name: 'a decimal fraction is exact', text: '0.1', milli: 100, whole: 1 },
    { name: 'whole cores', text: '2', milli: 2000, whole: 2 },
    { name: 'a YAML number', text: 1.5, milli: 1500, whole: 2 },
    { name: 'binary suffix', text: '200Mi', milli: 209715200000, whole: 209715200 },
    { name: 'decimal suffix', text: '129M', milli: 129e9, whole: 129e6 },
    { name: 'exponent', text: '1e3', milli: 1e6, whole: 1000 },
    { name: 'rounds up', text: '1.0001m', milli: 2, whole: 1 },
    {
      name: 'kibibytes as a kubelet reports memory',
      text: '16303504Ki',
      milli: 16694788096000,
      whole: 16694788096,
    },
  ])('scheduler: quantities: $name', ({ text, milli, whole }) => {
    expect(milliValue(text)).toBe(milli);
    expect(wholeValue(text)).toBe(whole);
  });

  it.each(['', 'abc', '1.2.3', '10 Mi', 'Mi'])('scheduler: quantities: refuses %j', (text) => {
    expect(milliValue(text)).toBeUndefined();
  });
});

describe('scheduler: tolerations', () => {
  const noSchedule: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  it.each<{ name: string; toleration: Toleration; taint?: Taint; tolerates: boolean }>([
    { name: 'Equal with the same value', toleration: { key: 'dedicated', value: 'db' }, tolerates: true },
    { name: 'Equal with another value', toleration: { key: 'dedicated', value: 'web' }, tolerates: false },
    { name: 'Equal without a value', toleration: { key: 'dedicated', operator: 'Equal' }, tolerates: false },
    { name: 'Exists on the key', toleration: { key: 'dedicated', operator: 'Exists' }, tolerates: true },
    {
      name: 'Exists without a key tolerates everything',
      toleration: { operator: 'Exists' },
      tolerates: true,
    },
    {
      name: 'another effect',
      toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' },
      tolerates: false,
    },
    {
      name: 'a taint without a value and Equal without one',
      toleration: { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      taint: { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      tolerates: true,
    },
    { name: 'an unknown operator', toleration: { key: 'dedicated', operator: 'In' }, tolerates: false },
  ])('scheduler: tolerations: $name', ({ toleration, taint, tolerates }) => {
    expect(toleratesTaint(toleration, taint ?? noSchedule)).toBe(tolerates);
  });
});

describe('scheduler: node selector terms', () => {
  const node = {
    metadata: {
      name: 'kind-worker',
      labels: { 'kubernetes.io/hostname': 'kind-worker', cores: '8', disk: '' },
    },
  } as unknown as Node;
  it.each<{
    name: string;
    expressions?: NodeSelectorRequirement[];
    fields?: NodeSelectorRequirement[];
    matches: boolean;
  }>([
    {
      name: 'In',
      expressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['kind-worker'] }],
      matches: true,
    },
    {
      name: 'NotIn',
      expressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['kind-worker'] }],
      matches: false,
    },
    {
      name: 'NotIn on a missing label',
      expressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }],
      matches: true,
    },
    { name: 'Exists on an empty label', expressions: [{ key: 'disk', operator: 'Exists' }], matches: true },
    {
      name: 'DoesNotExist',
      expressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }],
      matches: true,
    },
    {
      name: 'Gt compares integers',
      expressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }],
      matches: true,
    },
    {
      name: 'Lt compares integers',
      expressions: [{ key: 'cores', operator: 'Lt', values: ['10'] }],
      matches: true,
    },
    {
      name: 'Gt on a value that is no integer',
      expressions: [{ key: 'kubernetes.io/hostname', operator: 'Gt', values: ['1'] }],
      matches: false,
    },
    {
      name: 'all expressions must hold',
      expressions: [
        { key: 'disk', operator: 'Exists' },
        { key: 'cores', operator: 'Lt', values: ['2'] },
      ],
      matches: false,
    },
    {
      name: 'matchFields on metadata.name',
      fields: [{ key: 'metadata.name', operator: 'In', values: ['kind-worker'] }],
      matches: true,
    },
    {
      name: 'matchFields on another field',
      fields: [{ key: 'metadata.uid', operator: 'In', values: ['x'] }],
      matches: false,
    },
    { name: 'an empty term matches nothing', matches: false },
  ])('scheduler: node selector terms: $name', ({ expressions, fields, matches }) => {
    const term = {
      ...(expressions ? { matchExpressions: expressions } : {}),
      ...(fields ? { matchFields: fields } : {}),
    };
    expect(nodeSelectorTermMatches(term, node)).toBe(matches);
  });
});

/** A NodeInfo for an 8-CPU, 16 GiB node with the given totals already requested. */
function nodeInfo(requested: {
  cpu: number;
  memory: number;
  nonZeroCpu: number;
  nonZeroMemory: number;
  pods: number;
}): NodeInfo {
  const allocatable: NodeAllocatable = {
    resources: { cpu: 8000, memory: 16 * 2 ** 30, pods: 110 },
    milliCpu: 8000,
    memory: 16 * 2 ** 30,
    pods: 110,
  };
  return {
    name: 'node',
    node: undefined,
    allocatable,
    allocatableMilliCpu: allocatable.milliCpu,
    allocatableMemory: allocatable.memory,
    allocatablePods: allocatable.pods,
    unschedulable: false,
    taints: undefined,
    taintVerdict: undefined,
    podCount: requested.pods,
    requested: { cpu: requested.cpu, memory: requested.memory },
    requestedMilliCpu: requested.cpu,
    requestedMemory: requested.memory,
    nonZeroMilliCpu: requested.nonZeroCpu,
    nonZeroMemory: requested.nonZeroMemory,
  };
}

const podWith = (resources?: Record<string, string>) =>
  podRequests({
    spec: {
      containers: [
        { name: 'main', image: 'nginx', ...(resources ? { resources: { requests: resources } } : {}) },
      ],
    },
  } as never);

describe('scheduler: NodeAffinity PreFilter', () => {
  const name = (values: string[]): NodeSelectorRequirement => ({
    key: 'metadata.name',
    operator: 'In',
    values,
  });
  it.each<{ name: string; terms: NodeSelectorTerm[] | undefined; nodes: string[] | undefined }>([
    { name: 'no node affinity: every node', terms: undefined, nodes: undefined },
    {
      name: 'a DaemonSet pod pinned to its node',
      terms: [{ matchFields: [name(['kind-worker'])] }],
      nodes: ['kind-worker'],
    },
    {
      name: 'requirements of one term intersect',
      terms: [{ matchFields: [name(['a', 'b']), name(['b', 'c'])] }],
      nodes: ['b'],
    },
    {
      name: 'terms unite',
      terms: [{ matchFields: [name(['a'])] }, { matchFields: [name(['c'])] }],
      nodes: ['a', 'c'],
    },
    {
      name: 'a term on labels only leaves every node',
      terms: [{ matchFields: [name(['a'])] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }],
      nodes: undefined,
    },
  ])('scheduler: PreFilter: $name', ({ terms, nodes }) => {
    const pod: Pick<Pod, 'spec'> = {
      spec: {
        containers: [],
        ...(terms === undefined
          ? {}
          : {
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
                },
              },
            }),
      },
    };
    const names = preFilterNodeNames(pod);
    expect(names === undefined ? undefined : [...names].sort()).toEqual(nodes);
  });
});

describe('scheduler: resource scores', () => {
  it.each([
    {
      name: 'a best-effort pod on an empty node counts 100m and 200Mi',
      pod: podWith(),
      node: { cpu: 0, memory: 0, nonZeroCpu: 0, nonZeroMemory: 0, pods: 0 },
      // cpu (8000−100)·100/8000 = 98, memory (16Gi−200Mi)·100/16Gi = 98; balanced: nothing requested.
      least: 98,
      balanced: 100,
    },
    {
      name: 'three best-effort pods already there',
      pod: podWith(),
      node: { cpu: 0, memory: 0, nonZeroCpu: 300, nonZeroMemory: 600 * 2 ** 20, pods: 3 },
      least: 95,
      balanced: 100,
    },
    {
      name: 'a request of half the CPU and a little memory',
      pod: podWith({ cpu: '4', memory: '1Gi' }),
      node: { cpu: 0, memory: 0, nonZeroCpu: 0, nonZeroMemory: 0, pods: 0 },
      // cpu 50, memory floor(15/16·100) = 93 → 71; fractions 0.5 and 0.0625 → 100·(1 − 0.21875) = 78.
      least: 71,
      balanced: 78,
    },
    {
      name: 'a node already full counts 0',
      pod: podWith({ cpu: '1' }),
      node: { cpu: 8000, memory: 0, nonZeroCpu: 8000, nonZeroMemory: 0, pods: 1 },
      least: 49,
      balanced: 50,
    },
  ])('scheduler: resource scores: $name', ({ pod, node, least, balanced }) => {
    expect(leastAllocatedScore(pod, nodeInfo(node))).toBe(least);
    expect(balancedAllocationScore(pod, nodeInfo(node))).toBe(balanced);
  });

  it.each([
    { name: 'fits', pod: podWith({ cpu: '2' }), pods: 10, reasons: [] },
    { name: 'too many pods', pod: podWith(), pods: 110, reasons: ['Too many pods'] },
    {
      name: 'insufficient cpu and memory',
      pod: podWith({ memory: '20Gi', cpu: '9' }),
      pods: 0,
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'an extended resource the node lacks',
      pod: podWith({ 'nvidia.com/gpu': '1' }),
      pods: 0,
      reasons: ['Insufficient nvidia.com/gpu'],
    },
  ])('scheduler: fit: $name', ({ pod, pods, reasons }) => {
    const info = nodeInfo({ cpu: 0, memory: 0, nonZeroCpu: 0, nonZeroMemory: 0, pods });
    expect(insufficientResources(pod, requestedResources(pod), info)).toEqual(reasons);
  });
});

describe('scheduler: normalisation and messages', () => {
  it.each([
    { name: 'scaled to the highest', scores: [1, 2, 4], reverse: false, expected: [25, 50, 100] },
    { name: 'reversed', scores: [0, 1, 2], reverse: true, expected: [100, 50, 0] },
    { name: 'all zero stays zero', scores: [0, 0], reverse: false, expected: [0, 0] },
    { name: 'all zero reversed is 100', scores: [0, 0], reverse: true, expected: [100, 100] },
  ])('scheduler: default normalisation: $name', ({ scores, reverse, expected }) => {
    const array = Int32Array.from(scores);
    defaultNormalize(array, array.length, reverse);
    expect([...array]).toEqual(expected);
  });

  it.each([
    { nodes: 4, find: 4 },
    { nodes: 100, find: 100 },
    { nodes: 1000, find: 420 },
    { nodes: 5000, find: 500 },
    { nodes: 6000, find: 300 },
  ])('scheduler: percentageOfNodesToScore: $nodes nodes → $find', ({ nodes, find }) => {
    expect(feasibleNodesToFind(nodes)).toBe(find);
  });

  it('scheduler: FailedScheduling: reasons sorted as strings, preemption after them', () => {
    const message = failedSchedulingMessage({
      feasible: [],
      feasibleCount: 0,
      reasons: new Map([
        ["node(s) didn't match pod anti-affinity rules", 12],
        ["node(s) had taint {node-role.kubernetes.io/control-plane: }, that the pod didn't tolerate", 1],
        ['Insufficient cpu', 2],
      ]),
      unresolvable: 1,
      resolvable: 14,
      nodeCount: 15,
      nextStartIndex: 0,
    });
    expect(message).toBe(
      "0/15 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/control-plane: }, that the pod didn't tolerate, 12 node(s) didn't match pod anti-affinity rules, 2 Insufficient cpu. preemption: 0/15 nodes are available: 1 Preemption is not helpful for scheduling, 14 No preemption victims found for incoming pod.",
    );
  });

  it.each([
    { image: 'nginx', name: 'nginx:latest' },
    { image: 'docker.io/curlimages/curl', name: 'docker.io/curlimages/curl:latest' },
    { image: 'localhost:5000/app', name: 'localhost:5000/app:latest' },
    { image: 'quay.io/cilium/cilium:v1.12.0', name: 'quay.io/cilium/cilium:v1.12.0' },
  ])('scheduler: image names: $image', ({ image, name }) => {
    expect(normalizedImageName(image)).toBe(name);
  });
});
