/** Small worlds for scheduling tests: a v1.24 kind cluster, plain Deployments, where their pods went. */
import { expect } from 'vitest';
import { listObjects } from '../../../simulator/k8s/api-store';
import type { Pod } from '../../../simulator/k8s/objects';
import { Simulation } from '../../../simulator/simulation';

/**
 * A kind cluster on the scenarios' node image (Kubernetes v1.24.0, whose control plane carries both
 * the `master` and the `control-plane` taint) with Cilium 1.12, its agents up.
 */
export function cluster124(seed: number, workers: number): Simulation {
  const simulation = new Simulation(seed);
  const image = 'kindest/node:v1.24.0';
  const nodes = [
    { role: 'control-plane' as const, image },
    ...Array.from({ length: workers }, () => ({ role: 'worker' as const, image })),
  ];
  const created = simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes,
      disableDefaultCNI: true,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  expect(created.ok).toBe(true);
  simulation.input({
    type: 'cilium.install',
    request: { version: '1.12.0', values: { 'ipam.mode': 'kubernetes' } },
  });
  simulation.advance(10_000);
  return simulation;
}

/** A Deployment of `replicas` pods labelled app=NAME, with extra pod spec lines (indented 6). */
export function deployment(
  name: string,
  replicas: number,
  spec = '',
  options: { namespace?: string } = {},
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${options.namespace ?? 'default'}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
${spec}      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: nginx
`;
}

/** Pods of app=NAME per node they are bound to, Pending ones under "(pending)". */
export function placement(
  simulation: Simulation,
  name: string,
  namespace = 'default',
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const pod of listObjects(simulation.state.cluster!.api, 'Pod')) {
    if (pod.metadata.labels?.app !== name || pod.metadata.namespace !== namespace) continue;
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    const node = pod.spec.nodeName ?? '(pending)';
    counts[node] = (counts[node] ?? 0) + 1;
  }
  return counts;
}

export function pendingPods(simulation: Simulation, name: string): Pod[] {
  return listObjects(simulation.state.cluster!.api, 'Pod').filter(
    (pod) => pod.metadata.labels?.app === name && pod.spec.nodeName === undefined,
  );
}

/** The message of a Pending pod's PodScheduled=False condition. */
export function schedulingMessage(pod: Pod | undefined): string | undefined {
  const condition = pod?.status.conditions?.find((candidate) => candidate.type === 'PodScheduled');
  return condition?.status === 'False' ? condition.message : undefined;
}
