/** Helpers for the datapath traffic tests: workloads, policies and inputs through the public API. */
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import type { Simulation } from '../../../simulator/simulation';
import type {
  ConnectionOutcome,
  ConnectionRequest,
  TrafficRequest,
} from '../../../simulator/cilium/datapath-types';
import type { TrafficOutcome } from '../../../simulator/cilium/traffic';
import type { Pod } from '../../../simulator/k8s/objects';
import { apply, clusterWithCilium, settle } from './support';

/** A Deployment (and optional ClusterIP Service) of one image. */
export function workload(
  name: string,
  labels: Record<string, string>,
  image: string,
  options: { port?: number; service?: boolean; replicas?: number; namespace?: string } = {},
): string {
  const namespace = options.namespace ?? 'default';
  // Quoted: a label value is a string, and the API server refuses a YAML number (`outpost: 8888`).
  const labelLines = (indent: string): string =>
    Object.entries(labels)
      .map(([key, value]) => `${indent}${key}: "${value}"`)
      .join('\n');
  const ports =
    options.port === undefined ? '' : `\n        ports:\n        - containerPort: ${options.port}`;
  const command = options.port === undefined ? '\n        command: ["/bin/sleep", "3650d"]' : '';
  const service =
    options.service === true && options.port !== undefined
      ? `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
${labelLines('    ')}
  ports:
  - port: ${options.port}
`
      : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${options.replicas ?? 1}
  selector:
    matchLabels:
${labelLines('      ')}
  template:
    metadata:
      labels:
${labelLines('        ')}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: ${image}${command}${ports}
${service}`;
}

/** The first running pod with these labels. */
export function onePod(simulation: Simulation, labels: Record<string, string>, namespace = 'default'): Pod {
  const pod = runningPods(podsWithLabels(simulation.state, labels, namespace))[0];
  if (pod === undefined) throw new Error(`no running pod with ${JSON.stringify(labels)}`);
  return pod;
}

/** The store key of a pod. */
export function keyOfPod(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

/** Sends `pod.connect` and returns the outcome. */
export function connectFrom(
  simulation: Simulation,
  request: Omit<ConnectionRequest, 'protocol' | 'timeoutMs'> & { timeoutMs?: number },
): ConnectionOutcome {
  const result = simulation.input({
    type: 'pod.connect',
    request: { protocol: 'TCP', timeoutMs: 2000, ...request },
  });
  if (!result.ok || result.connection === undefined) throw new Error('no outcome');
  return result.connection;
}

/** Sends `pod.traffic` and returns the outcome. */
export function traffic(simulation: Simulation, request: TrafficRequest): TrafficOutcome {
  const result = simulation.input({ type: 'pod.traffic', request });
  if (!result.ok || result.traffic === undefined) throw new Error('no outcome');
  return result.traffic;
}

/** Applies a policy and lets the agents receive it. */
export function applyPolicy(simulation: Simulation, yaml: string): void {
  apply(simulation, yaml);
  simulation.advance(1000);
}

/** The flows of the cluster so far. */
export function flowsOf(simulation: Simulation) {
  return simulation.state.cluster?.cilium?.flows ?? [];
}

/**
 * Labels a Node (as `kubectl label node`) and lets the agents see it. Host policies select nodes
 * by labels the identity filter keeps, so tests cannot use `kubernetes.io/hostname`.
 */
export function labelNode(simulation: Simulation, node: string, labels: Record<string, string>): void {
  const result = simulation.input({ type: 'object.label', kind: 'Node', key: node, labels });
  if (!result.ok) throw new Error(result.error);
  simulation.advance(1000);
}

/**
 * The usual traffic test bed: Cilium 1.18 without encryption, a curl client and an nginx server
 * on port 80 (with a Service when asked), rolled out.
 */
export function clientAndServer(
  seed: number,
  options: { workers?: number; values?: Record<string, string>; service?: boolean } = {},
) {
  const simulation = clusterWithCilium(seed, options.workers ?? 2, '1.18.5', {
    'encryption.enabled': 'false',
    ...options.values,
  });
  apply(simulation, workload('client', { app: 'client' }, 'docker.io/curlimages/curl'));
  apply(
    simulation,
    workload('server', { app: 'server' }, 'docker.io/library/nginx', {
      port: 80,
      ...(options.service === true ? { service: true } : {}),
    }),
  );
  settle(simulation);
  const client = onePod(simulation, { app: 'client' });
  const server = onePod(simulation, { app: 'server' });
  return {
    simulation,
    clientKey: keyOfPod(client),
    clientNode: client.spec.nodeName ?? '',
    serverIP: server.status?.podIP ?? '',
    serverNode: server.spec.nodeName ?? '',
  };
}
