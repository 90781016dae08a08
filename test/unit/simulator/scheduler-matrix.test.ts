// Goal: for every mix of replicas, workers, taints and affinity, a plain Deployment's pods land only
// on the nodes kube-scheduler's filters allow, spread as its default profile spreads them, and the
// rest stay Pending. Without requests nothing but spreading tells the nodes apart: the system-default
// PodTopologySpread constraint (weight 2, a normalised gap of about 14 points per extra pod at these
// sizes) outweighs LeastAllocated (about one point per pod), so the real scheduler keeps every
// allowed node within 2 pods of an even share — 15 replicas on 3 workers put no node above 7.
import { describe, expect, it } from 'vitest';
import type { Taint } from '../../../simulator/k8s/objects';
import type { Simulation } from '../../../simulator/simulation';
import { cluster124, deployment, placement } from './scheduling-support';
import { apply } from './support';

const controlPlane = 'kind-control-plane';

/** kind's worker names: kind-worker, kind-worker2, kind-worker3, … */
const workerNames = (workers: number): string[] =>
  Array.from({ length: workers }, (_, i) => (i === 0 ? 'kind-worker' : `kind-worker${i + 1}`));

interface TaintSetup {
  readonly name: string;
  /** Taints put on nodes before the Deployment arrives. */
  readonly taints: Readonly<Record<string, Taint[]>>;
  /** Pod spec lines (indented 6) with the pods' tolerations. */
  readonly tolerations: string;
  /** Whether the pods may go to the control plane (they tolerate both of v1.24's taints). */
  readonly controlPlaneAllowed: boolean;
  /** Nodes the taints keep every pod off. */
  readonly excluded: readonly string[];
}

const taintSetups: readonly TaintSetup[] = [
  { name: 'no extra taints', taints: {}, tolerations: '', controlPlaneAllowed: false, excluded: [] },
  {
    name: 'kind-worker tainted NoSchedule',
    taints: { 'kind-worker': [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    tolerations: '',
    controlPlaneAllowed: false,
    excluded: ['kind-worker'],
  },
  {
    name: 'the control plane tolerated',
    taints: {},
    tolerations:
      '      tolerations:\n      - key: node-role.kubernetes.io/master\n        operator: Exists\n        effect: NoSchedule\n      - key: node-role.kubernetes.io/control-plane\n        operator: Exists\n        effect: NoSchedule\n',
    controlPlaneAllowed: true,
    excluded: [],
  },
];

interface AffinitySetup {
  readonly name: string;
  /** Pod spec lines (indented 6) with the affinity. */
  readonly affinity: string;
  /** Nodes the affinity keeps every pod off. */
  readonly excluded: readonly string[];
  /** Required anti-affinity to its own pods: at most one per node. */
  readonly onePerNode: boolean;
}

const selfTerm = (indent: string): string =>
  `${indent}labelSelector:\n${indent}  matchLabels:\n${indent}    app: web\n${indent}topologyKey: kubernetes.io/hostname\n`;

const affinitySetups: readonly AffinitySetup[] = [
  { name: 'no affinity', affinity: '', excluded: [], onePerNode: false },
  {
    name: 'required node affinity NotIn kind-worker2',
    affinity:
      '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: kubernetes.io/hostname\n                operator: NotIn\n                values: [kind-worker2]\n',
    excluded: ['kind-worker2'],
    onePerNode: false,
  },
  {
    name: 'preferred anti-affinity to its own pods',
    affinity: `      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm:\n${selfTerm('              ')}`,
    excluded: [],
    onePerNode: false,
  },
  {
    name: 'required anti-affinity to its own pods',
    affinity: `      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - ${selfTerm('            ').trimStart()}`,
    excluded: [],
    onePerNode: true,
  },
];

interface MatrixCase {
  readonly name: string;
  readonly replicas: number;
  readonly workers: number;
  readonly taint: TaintSetup;
  readonly affinity: AffinitySetup;
  readonly seed: number;
}

const cases: MatrixCase[] = [];
for (const replicas of [4, 15, 30])
  for (const workers of [1, 3, 5])
    for (const taint of taintSetups)
      for (const affinity of affinitySetups)
        cases.push({
          name: `${replicas} replicas × ${workers} worker(s) × ${taint.name} × ${affinity.name}`,
          replicas,
          workers,
          taint,
          affinity,
          seed: cases.length + 1,
        });

/** The nodes the filters leave to the pods. */
function allowedNodes(testCase: MatrixCase): string[] {
  const nodes = [
    ...(testCase.taint.controlPlaneAllowed ? [controlPlane] : []),
    ...workerNames(testCase.workers),
  ];
  const excluded = new Set([...testCase.taint.excluded, ...testCase.affinity.excluded]);
  return nodes.filter((node) => !excluded.has(node));
}

/** The counts the real scheduler's filters and default scores allow, per node and Pending. */
function checkWithinBounds(testCase: MatrixCase, counts: Record<string, number>): void {
  const allowed = allowedNodes(testCase);
  const { replicas } = testCase;
  for (const node of Object.keys(counts))
    if (node !== '(pending)') expect(allowed, `a pod on ${node}`).toContain(node);
  if (testCase.affinity.onePerNode) {
    // One pod per allowed node as far as the replicas go; the others wait.
    const placed = Math.min(replicas, allowed.length);
    for (const node of allowed) expect(counts[node] ?? 0, node).toBeLessThanOrEqual(1);
    expect(counts['(pending)'] ?? 0).toBe(replicas - placed);
    return;
  }
  if (allowed.length === 0) {
    expect(counts).toEqual({ '(pending)': replicas });
    return;
  }
  expect(counts['(pending)']).toBeUndefined();
  const low = Math.max(0, Math.floor(replicas / allowed.length) - 2);
  const high = Math.ceil(replicas / allowed.length) + 2;
  for (const node of allowed) {
    expect(counts[node] ?? 0, node).toBeGreaterThanOrEqual(low);
    expect(counts[node] ?? 0, node).toBeLessThanOrEqual(high);
  }
}

/** A v1.24 cluster with the case's taints, then its Deployment, given time to be placed. */
function place(testCase: MatrixCase): Simulation {
  const simulation = cluster124(testCase.seed, testCase.workers);
  for (const [node, taints] of Object.entries(testCase.taint.taints))
    expect(simulation.input({ type: 'node.spec.update', node, taints }).ok).toBe(true);
  const spec = `${testCase.taint.tolerations}${testCase.affinity.affinity}`;
  apply(simulation, deployment('web', testCase.replicas, spec));
  simulation.advance(30_000);
  return simulation;
}

describe('scheduler: replicas × workers × taints × affinity', () => {
  it.each(cases)('scheduler: matrix: $name', (testCase) => {
    checkWithinBounds(testCase, placement(place(testCase), 'web'));
  });

  it('scheduler: matrix: 15 replicas on 3 workers stay within one pod of 5 each over 20 seeds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const counts = placement(
        place({
          name: '15 × 3',
          replicas: 15,
          workers: 3,
          taint: taintSetups[0]!,
          affinity: affinitySetups[0]!,
          seed,
        }),
        'web',
      );
      for (const node of workerNames(3))
        expect(Math.abs((counts[node] ?? 0) - 5), `seed ${seed}`).toBeLessThanOrEqual(1);
    }
  });
});
