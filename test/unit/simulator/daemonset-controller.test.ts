// Goal: the DaemonSet controller places one pod on every node its template may run on, as
// pkg/controller/daemon decides it (nodeSelector, node affinity, taints against the template's
// tolerations plus the DaemonSet defaults), replaces pods node by node within maxUnavailable on a
// template change, keeps its history as ControllerRevisions, and reports the status kubectl prints.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { getObject, listObjects } from '../../../simulator/k8s/api-store';
import type { DaemonSet, Pod, Taint } from '../../../simulator/k8s/objects';
import { apply } from './support';

/** A kind cluster with kindnet (nodes Ready at once), one control plane and `workers` workers. */
function kindCluster(seed: number, workers = 3): Simulation {
  const simulation = new Simulation(seed);
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [
        { role: 'control-plane' },
        ...Array.from({ length: workers }, () => ({ role: 'worker' as const })),
      ],
      disableDefaultCNI: false,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
      kubeProxyMode: 'none',
    },
  });
  simulation.advance(5_000);
  return simulation;
}

function daemonSetYaml(spec: {
  nodeSelector?: string;
  tolerations?: string;
  affinity?: string;
  strategy?: string;
}): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
${spec.strategy ?? ''}
  template:
    metadata:
      labels:
        app: agent
    spec:
${spec.nodeSelector ?? ''}${spec.tolerations ?? ''}${spec.affinity ?? ''}      terminationGracePeriodSeconds: 1
      containers:
      - name: agent
        image: docker.io/library/busybox:1.36
        command: ["sleep", "infinity"]
`;
}

function agentPods(simulation: Simulation): Pod[] {
  return listObjects(simulation.state.cluster!.api, 'Pod').filter(
    (pod) => pod.metadata.labels?.app === 'agent',
  );
}

function daemonSet(simulation: Simulation): DaemonSet {
  const found = getObject(simulation.state.cluster!.api, 'DaemonSet', 'default/agent');
  if (found === undefined) throw new Error('no DaemonSet');
  return found;
}

function taintNode(simulation: Simulation, name: string, taint: Taint): void {
  const api = simulation.state.cluster!.api;
  const node = getObject(api, 'Node', name)!;
  simulation.input({
    type: 'api.apply',
    objects: [{ ...node, spec: { ...node.spec, taints: [...(node.spec.taints ?? []), taint] } }],
  });
}

interface PlacementCase {
  readonly name: string;
  readonly spec: Parameters<typeof daemonSetYaml>[0];
  readonly setup?: (simulation: Simulation) => void;
  readonly nodes: readonly string[];
}

const placements: readonly PlacementCase[] = [
  {
    name: 'workers only: the control plane keeps its NoSchedule taint',
    spec: {},
    nodes: ['kind-worker', 'kind-worker2', 'kind-worker3'],
  },
  {
    name: 'every node with a toleration of everything',
    spec: { tolerations: '      tolerations:\n      - operator: Exists\n' },
    nodes: ['kind-control-plane', 'kind-worker', 'kind-worker2', 'kind-worker3'],
  },
  {
    name: 'only the node a nodeSelector names',
    spec: { nodeSelector: '      nodeSelector:\n        kubernetes.io/hostname: kind-worker2\n' },
    nodes: ['kind-worker2'],
  },
  {
    name: 'nodes a required node affinity allows (NotIn)',
    spec: {
      affinity: `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: kubernetes.io/hostname
                operator: NotIn
                values: [kind-worker]
`,
    },
    nodes: ['kind-worker2', 'kind-worker3'],
  },
  {
    name: 'not on a node with an untolerated NoSchedule taint',
    spec: {},
    setup: (simulation) =>
      taintNode(simulation, 'kind-worker3', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }),
    nodes: ['kind-worker', 'kind-worker2'],
  },
  {
    name: 'on a cordoned node: the DaemonSet tolerates node.kubernetes.io/unschedulable',
    spec: {},
    setup: (simulation) => {
      const node = getObject(simulation.state.cluster!.api, 'Node', 'kind-worker')!;
      simulation.input({
        type: 'api.apply',
        objects: [{ ...node, spec: { ...node.spec, unschedulable: true } }],
      });
    },
    nodes: ['kind-worker', 'kind-worker2', 'kind-worker3'],
  },
];

describe('DaemonSet controller: placement', () => {
  it.each(placements)('DaemonSet: placement: $name', ({ spec, setup, nodes }) => {
    const simulation = kindCluster(11);
    setup?.(simulation);
    apply(simulation, daemonSetYaml(spec));
    simulation.advance(10_000);
    const pods = agentPods(simulation);
    expect(pods.map((pod) => pod.spec.nodeName).sort()).toEqual(nodes);
    expect(pods.every((pod) => pod.status.phase === 'Running')).toBe(true);
    const status = daemonSet(simulation).status;
    expect(status).toMatchObject({
      desiredNumberScheduled: nodes.length,
      currentNumberScheduled: nodes.length,
      numberReady: nodes.length,
      updatedNumberScheduled: nodes.length,
      numberAvailable: nodes.length,
      numberMisscheduled: 0,
    });
  });
});

describe('DaemonSet controller: the pods it makes', () => {
  it('pins each pod to its node by affinity and adds the DaemonSet tolerations', () => {
    const simulation = kindCluster(12, 1);
    apply(simulation, daemonSetYaml({}));
    simulation.advance(10_000);
    const [pod] = agentPods(simulation);
    expect(
      pod?.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['kind-worker'] }] }]);
    expect(
      pod?.spec.tolerations?.map((toleration) => `${toleration.key ?? ''}:${toleration.effect ?? ''}`),
    ).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(pod?.metadata.labels?.['controller-revision-hash']).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(pod?.metadata.labels?.['pod-template-generation']).toBe('1');
    expect(pod?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'agent',
      controller: true,
    });
  });

  it('evicts its pod from a node that gets an untolerated NoExecute taint, and keeps it for NoSchedule', () => {
    const simulation = kindCluster(13, 2);
    apply(simulation, daemonSetYaml({}));
    simulation.advance(10_000);
    taintNode(simulation, 'kind-worker', { key: 'dedicated', effect: 'NoSchedule' });
    taintNode(simulation, 'kind-worker2', { key: 'evict', effect: 'NoExecute' });
    simulation.advance(60_000);
    expect(agentPods(simulation).map((pod) => pod.spec.nodeName)).toEqual(['kind-worker']);
    expect(daemonSet(simulation).status).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 });
  });
});

describe('DaemonSet controller: RollingUpdate', () => {
  it('replaces at most maxUnavailable pods at a time and records each template as a ControllerRevision', () => {
    const simulation = kindCluster(14, 3);
    apply(simulation, daemonSetYaml({ tolerations: '      tolerations:\n      - operator: Exists\n' }));
    simulation.advance(10_000);
    simulation.input({ type: 'workload.restart', kind: 'DaemonSet', key: 'default/agent' });
    let maxDown = 0;
    const updatedSeen = new Set<number>();
    for (let step = 0; step < 300; step++) {
      simulation.advance(100);
      const status = daemonSet(simulation).status;
      maxDown = Math.max(maxDown, status.desiredNumberScheduled - (status.numberAvailable ?? 0));
      updatedSeen.add(status.updatedNumberScheduled ?? 0);
    }
    expect(maxDown).toBe(1);
    expect([...updatedSeen].sort()).toEqual([0, 1, 2, 3, 4]);
    const api = simulation.state.cluster!.api;
    const revisions = listObjects(api, 'ControllerRevision')
      .filter((revision) => revision.metadata.name.startsWith('agent-'))
      .map((revision) => revision.revision);
    expect(revisions.sort()).toEqual([1, 2]);
    expect(daemonSet(simulation).metadata.annotations?.['deprecated.daemonset.template.generation']).toBe(
      '2',
    );
    expect(
      agentPods(simulation).every((pod) => pod.metadata.labels?.['pod-template-generation'] === '2'),
    ).toBe(true);
  });

  it('rolls back to the previous template with rollout undo, renumbering its revision', () => {
    const simulation = kindCluster(15, 1);
    apply(simulation, daemonSetYaml({}));
    simulation.advance(10_000);
    simulation.input({ type: 'workload.restart', kind: 'DaemonSet', key: 'default/agent' });
    simulation.advance(20_000);
    const undone = simulation.input({
      type: 'workload.rollback',
      kind: 'DaemonSet',
      key: 'default/agent',
      toRevision: 0,
    });
    expect(undone).toMatchObject({ ok: true, rollout: 'rolled back' });
    simulation.advance(20_000);
    const api = simulation.state.cluster!.api;
    const revisions = listObjects(api, 'ControllerRevision')
      .filter((revision) => revision.metadata.name.startsWith('agent-'))
      .map((revision) => revision.revision);
    expect(revisions.sort()).toEqual([2, 3]);
    expect(daemonSet(simulation).spec.template.metadata.annotations).toBeUndefined();
  });
});
