// Goal: Deployments land where kube-scheduler's default profile (v1.24) puts them — spread across the
// workers, never on the tainted control plane, honouring affinity, selectors, taints, cordons,
// requests and spread constraints — and pods that fit nowhere stay Pending with the scheduler's own
// FailedScheduling message.
import { describe, expect, it } from 'vitest';
import type { Taint } from '../../../simulator/k8s/objects';
import type { Simulation } from '../../../simulator/simulation';
import { cluster124, deployment, pendingPods, placement, schedulingMessage } from './scheduling-support';
import { apply, clusterWithCilium } from './support';
import { retryUnschedulable } from '../../../simulator/k8s/api-writes';
import type { World } from '../../../simulator/world';

/** Required anti-affinity to pods labelled app=TARGET on the given topology key. */
const antiAffinityTo = (target: string, topologyKey = 'kubernetes.io/hostname'): string =>
  `      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: ${target}
            topologyKey: ${topologyKey}
`;

const spreadByHostname =
  '      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: kubernetes.io/hostname\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector:\n          matchLabels:\n            app: web\n';

/** The control plane's first taint, as v1.24's scheduler words it. */
const controlPlaneTaint =
  "1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate";

interface PlacementCase {
  readonly name: string;
  readonly workers: number;
  /** Taints (or a cordon) put on nodes before the workload arrives. */
  readonly nodes?: Record<
    string,
    { taints?: Taint[]; unschedulable?: boolean; labels?: Record<string, string> }
  >;
  /** Manifests applied first, and given time to be placed. */
  readonly before?: string;
  readonly workload: string;
  readonly app: string;
  /** Checks the app's pods per node ("(pending)" for unplaced ones). */
  readonly check: (counts: Record<string, number>) => void;
  /** The FailedScheduling message a Pending pod must carry. */
  readonly message?: string;
}

const workersOf = (counts: Record<string, number>): number[] =>
  Object.entries(counts)
    .filter(([node]) => node.startsWith('kind-worker'))
    .map(([, count]) => count);

const cases: readonly PlacementCase[] = [
  {
    name: '15 replicas on 3 workers spread out: no node above 7, none on the control plane',
    workers: 3,
    workload: deployment('web', 15),
    app: 'web',
    check: (counts) => {
      expect(counts['kind-control-plane']).toBeUndefined();
      expect(workersOf(counts)).toHaveLength(3);
      for (const count of workersOf(counts)) expect(count).toBeGreaterThanOrEqual(3);
      for (const count of workersOf(counts)) expect(count).toBeLessThanOrEqual(7);
    },
  },
  {
    name: '30 replicas on 5 workers: every worker gets some, none more than 9',
    workers: 5,
    workload: deployment('web', 30),
    app: 'web',
    check: (counts) => {
      expect(workersOf(counts)).toHaveLength(5);
      for (const count of workersOf(counts)) expect(count).toBeLessThanOrEqual(9);
    },
  },
  {
    name: 'tolerating the control-plane taint lets the control plane take its share',
    workers: 3,
    workload: deployment(
      'web',
      16,
      '      tolerations:\n      - key: node-role.kubernetes.io/master\n        operator: Exists\n        effect: NoSchedule\n      - key: node-role.kubernetes.io/control-plane\n        operator: Exists\n        effect: NoSchedule\n',
    ),
    app: 'web',
    check: (counts) => {
      expect(counts['kind-control-plane']).toBeGreaterThanOrEqual(2);
      for (const count of Object.values(counts)) expect(count).toBeLessThanOrEqual(7);
    },
  },
  {
    name: 'required anti-affinity to itself: one pod per worker, the fourth Pending',
    workers: 3,
    workload: deployment('web', 4, antiAffinityTo('web')),
    app: 'web',
    check: (counts) => {
      expect(counts).toEqual({ 'kind-worker': 1, 'kind-worker2': 1, 'kind-worker3': 1, '(pending)': 1 });
    },
    message:
      `0/4 nodes are available: ${controlPlaneTaint}, 3 node(s) didn't match pod anti-affinity rules.` +
      ' preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
  },
  {
    name: 'anti-affinity of the pods already there keeps newcomers off their node',
    workers: 2,
    before: deployment('db', 1, antiAffinityTo('web')),
    workload: deployment('web', 6),
    app: 'web',
    check: (counts) => {
      expect(Object.keys(counts)).toHaveLength(1);
      expect(Object.values(counts)).toEqual([6]);
    },
  },
  {
    name: 'required pod affinity follows the pod it names',
    workers: 3,
    before: deployment('db', 1),
    workload: deployment(
      'web',
      5,
      '      affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: db\n            topologyKey: kubernetes.io/hostname\n',
    ),
    app: 'web',
    check: (counts) => expect(Object.values(counts)).toEqual([5]),
  },
  {
    name: 'nodeSelector on kubernetes.io/hostname pins every pod',
    workers: 3,
    workload: deployment('web', 8, '      nodeSelector:\n        kubernetes.io/hostname: kind-worker2\n'),
    app: 'web',
    check: (counts) => expect(counts).toEqual({ 'kind-worker2': 8 }),
  },
  {
    name: 'required node affinity with In keeps pods on the listed nodes',
    workers: 3,
    workload: deployment(
      'web',
      6,
      '      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: kubernetes.io/hostname\n                operator: In\n                values: [kind-worker, kind-worker3]\n',
    ),
    app: 'web',
    check: (counts) => {
      expect(counts['kind-worker2']).toBeUndefined();
      expect(counts['kind-worker']).toBe(3);
      expect(counts['kind-worker3']).toBe(3);
    },
  },
  {
    name: 'a nodeSelector no node matches leaves the pods Pending',
    workers: 3,
    workload: deployment('web', 2, '      nodeSelector:\n        disktype: ssd\n'),
    app: 'web',
    check: (counts) => expect(counts).toEqual({ '(pending)': 2 }),
    message:
      `0/4 nodes are available: ${controlPlaneTaint}, 3 node(s) didn't match Pod's node affinity/selector.` +
      ' preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
  },
  {
    name: 'a NoSchedule taint on a worker keeps every pod off it',
    workers: 3,
    nodes: { 'kind-worker': { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } },
    workload: deployment('web', 9),
    app: 'web',
    check: (counts) => {
      expect(counts['kind-worker']).toBeUndefined();
      expect(counts['kind-worker2']! + counts['kind-worker3']!).toBe(9);
    },
  },
  {
    name: 'a PreferNoSchedule taint outweighs spreading while other workers fit',
    workers: 3,
    nodes: { 'kind-worker': { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] } },
    workload: deployment('web', 9),
    app: 'web',
    check: (counts) => expect(counts['kind-worker']).toBeUndefined(),
  },
  {
    name: 'preferred node affinity draws most pods to the preferred node',
    workers: 3,
    workload: deployment(
      'web',
      6,
      '      affinity:\n        nodeAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            preference:\n              matchExpressions:\n              - key: kubernetes.io/hostname\n                operator: In\n                values: [kind-worker3]\n',
    ),
    app: 'web',
    check: (counts) => expect(counts['kind-worker3']).toBeGreaterThanOrEqual(4),
  },
  {
    name: 'a cordoned worker gets nothing; with every worker cordoned pods stay Pending',
    workers: 2,
    nodes: { 'kind-worker': { unschedulable: true }, 'kind-worker2': { unschedulable: true } },
    workload: deployment('web', 2),
    app: 'web',
    check: (counts) => expect(counts).toEqual({ '(pending)': 2 }),
    message:
      `0/3 nodes are available: ${controlPlaneTaint}, 2 node(s) were unschedulable.` +
      ' preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  },
  {
    name: 'a request larger than any node leaves the pod Pending with Insufficient cpu',
    workers: 2,
    workload: deployment('web', 1, '').replace(
      'image: nginx',
      'image: nginx\n        resources:\n          requests:\n            cpu: "12"',
    ),
    app: 'web',
    check: (counts) => expect(counts).toEqual({ '(pending)': 1 }),
    message:
      `0/3 nodes are available: ${controlPlaneTaint}, 2 Insufficient cpu.` +
      ' preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
  },
  {
    name: 'requests fill the workers: 3 CPUs each, two per 8-CPU worker, the fifth Pending',
    workers: 2,
    workload: deployment('web', 5).replace(
      'image: nginx',
      'image: nginx\n        resources:\n          requests:\n            cpu: "3"\n            memory: 1Gi',
    ),
    app: 'web',
    check: (counts) => expect(counts).toEqual({ 'kind-worker': 2, 'kind-worker2': 2, '(pending)': 1 }),
    message:
      `0/3 nodes are available: ${controlPlaneTaint}, 2 Insufficient cpu.` +
      ' preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
  },
  {
    // v1.24 counts the tainted control plane as an empty domain (nodeTaintsPolicy came in v1.25),
    // so with maxSkew 1 each worker takes one pod and the rest wait.
    name: 'a DoNotSchedule spread constraint counts the empty control plane: one pod per worker',
    workers: 3,
    workload: deployment('web', 7, spreadByHostname),
    app: 'web',
    check: (counts) =>
      expect(counts).toEqual({ 'kind-worker': 1, 'kind-worker2': 1, 'kind-worker3': 1, '(pending)': 4 }),
    message:
      `0/4 nodes are available: ${controlPlaneTaint}, 3 node(s) didn't match pod topology spread constraints.` +
      ' preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
  },
  {
    name: 'a DoNotSchedule spread constraint over the workers only keeps the skew at 1',
    workers: 3,
    workload: deployment(
      'web',
      7,
      `${spreadByHostname}      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: node-role.kubernetes.io/control-plane\n                operator: DoesNotExist\n`,
    ),
    app: 'web',
    check: (counts) => expect(workersOf(counts).sort()).toEqual([2, 2, 3]),
  },
  {
    name: 'a spread constraint on a label no node has leaves the pods Pending',
    workers: 2,
    workload: deployment(
      'web',
      1,
      '      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: DoNotSchedule\n        labelSelector:\n          matchLabels:\n            app: web\n',
    ),
    app: 'web',
    check: (counts) => expect(counts).toEqual({ '(pending)': 1 }),
    message:
      `0/3 nodes are available: ${controlPlaneTaint}, 2 node(s) didn't match pod topology spread constraints (missing required label).` +
      ' preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  },
];

/** Builds a cluster, prepares its nodes, applies the workload and lets the scheduler work. */
function place(testCase: PlacementCase, seed: number): Simulation {
  const simulation = cluster124(seed, testCase.workers);
  for (const [node, change] of Object.entries(testCase.nodes ?? {})) {
    if (change.labels !== undefined)
      simulation.input({ type: 'object.label', kind: 'Node', key: node, labels: change.labels });
    const { taints, unschedulable } = change;
    const result = simulation.input({
      type: 'node.spec.update',
      node,
      ...(taints === undefined ? {} : { taints }),
      ...(unschedulable === undefined ? {} : { unschedulable }),
    });
    expect(result.ok).toBe(true);
  }
  if (testCase.before !== undefined) {
    apply(simulation, testCase.before);
    simulation.advance(10_000);
  }
  apply(simulation, testCase.workload);
  simulation.advance(30_000);
  return simulation;
}

describe('scheduler: placement by the default profile', () => {
  describe.each(cases)('scheduler: $name', (testCase) => {
    it.each([1, 2, 3])('seed %i', (seed) => {
      const simulation = place(testCase, seed);
      testCase.check(placement(simulation, testCase.app));
      if (testCase.message !== undefined)
        expect(schedulingMessage(pendingPods(simulation, testCase.app)[0])).toBe(testCase.message);
    });
  });
});

describe('scheduler: retries', () => {
  it('scheduler: retries: pods waiting for their affinity target follow it once it is placed', () => {
    const simulation = cluster124(4, 3);
    const affinityToDb =
      '      affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: db\n            topologyKey: kubernetes.io/hostname\n';
    apply(simulation, deployment('web', 3, affinityToDb));
    simulation.advance(10_000);
    expect(placement(simulation, 'web')).toEqual({ '(pending)': 3 });
    expect(schedulingMessage(pendingPods(simulation, 'web')[0])).toBe(
      `0/4 nodes are available: ${controlPlaneTaint}, 3 node(s) didn't match pod affinity rules.` +
        ' preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
    );
    apply(simulation, deployment('db', 1));
    simulation.advance(10_000);
    const db = Object.keys(placement(simulation, 'db'));
    expect(placement(simulation, 'web')).toEqual({ [db[0]!]: 3 });
  });

  it('scheduler: retries: uncordoning a node places the pods that waited for it', () => {
    const simulation = cluster124(5, 1);
    simulation.input({ type: 'node.spec.update', node: 'kind-worker', unschedulable: true });
    apply(simulation, deployment('web', 2));
    simulation.advance(10_000);
    expect(placement(simulation, 'web')).toEqual({ '(pending)': 2 });
    simulation.input({ type: 'node.spec.update', node: 'kind-worker', unschedulable: false });
    simulation.advance(10_000);
    expect(placement(simulation, 'web')).toEqual({ 'kind-worker': 2 });
    expect(pendingPods(simulation, 'web')).toEqual([]);
  });
});

describe('scheduler: reasons by release', () => {
  it.each([
    {
      name: 'v1.24 (the scenarios)',
      build: () => cluster124(6, 1),
      taint: "node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate",
    },
    {
      name: 'a later kind default',
      build: () => clusterWithCilium(6, 1),
      taint: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    },
  ])('scheduler: reasons by release: $name', ({ build, taint }) => {
    const simulation = build();
    apply(simulation, deployment('web', 1, '      nodeSelector:\n        disktype: ssd\n'));
    simulation.advance(10_000);
    expect(schedulingMessage(pendingPods(simulation, 'web')[0])).toBe(
      // Reasons sort as strings: with equal counts, "didn't" before "had".
      `0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 ${taint}.` +
        ' preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });
});

// A pending pod goes back to the scheduler only on an event its failure can change (the plugins'
// EventsToRegister at v1.24.0): a placed pod concerns pod affinity and spreading, not taints.
describe('scheduler: what a placed pod retries', () => {
  it.each([
    { name: 'a pod kept off by a taint stays', message: controlPlaneTaint, retried: false },
    {
      name: 'a pod kept off by anti-affinity is retried',
      message: "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.",
      retried: true,
    },
    {
      name: 'a pod kept off by spreading is retried',
      message: "0/3 nodes are available: 3 node(s) didn't match pod topology spread constraints.",
      retried: true,
    },
  ])('scheduler: retry: $name', ({ message, retried }) => {
    const simulation = cluster124(71, 2);
    const world = simulation.state as unknown as World;
    world.cluster!.unschedulablePods = new Map([['default/waiting', message]]);
    const attempts = (): number =>
      world.queue.filter(
        (entry) => entry.event.type === 'scheduler.schedule' && entry.event.podKey === 'default/waiting',
      ).length;
    retryUnschedulable(world, 'pod-placed');
    expect(attempts()).toBe(retried ? 1 : 0);
    // A Node change or a pod going away retries every pending pod.
    retryUnschedulable(world);
    expect(attempts()).toBe(retried ? 2 : 1);
  });
});

describe('scheduler: anti-affinity by namespace labels', () => {
  const namespace = (labels: string): string =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n${labels}`;
  const guardedFromBlueDb =
    '      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: db\n            namespaceSelector:\n              matchLabels:\n                team: blue\n            topologyKey: kubernetes.io/hostname\n';

  it('scheduler: a namespace labelled later keeps new pods away from the node whose pod now excludes them', () => {
    const simulation = cluster124(6, 2);
    apply(simulation, namespace(''));
    apply(simulation, deployment('guard', 1, guardedFromBlueDb));
    simulation.advance(10_000);
    const guarded = Object.keys(placement(simulation, 'guard'))[0]!;
    expect(guarded).toMatch(/^kind-worker/);
    // Unlabelled, the namespace is not one the guard's term picks: db pods may go next to it.
    apply(simulation, deployment('db', 4, '', { namespace: 'team-b' }));
    simulation.advance(10_000);
    const before = placement(simulation, 'db', 'team-b');
    expect(before[guarded]).toBeGreaterThan(0);
    apply(simulation, namespace('  labels:\n    team: blue\n'));
    apply(simulation, deployment('db', 8, '', { namespace: 'team-b' }));
    simulation.advance(10_000);
    const after = placement(simulation, 'db', 'team-b');
    // The pods placed before stay (IgnoredDuringExecution); the four new ones avoid the guard's node.
    expect(after[guarded]).toBe(before[guarded]);
    expect(Object.values(after).reduce((sum, count) => sum + count, 0)).toBe(8);
    expect(after['(pending)']).toBeUndefined();
  });
});
