/**
 * `cilium status` of cilium-cli on the reader's machine: what its Kubernetes status collector reads
 * from the cluster (the agent and Envoy DaemonSets, the operator, Hubble Relay, Hubble UI and
 * ClusterMesh Deployments, their pods, the cluster's pods and CiliumEndpoints, the `cilium` Helm
 * release), in the collector's own words (cilium/cilium cilium-cli/status/k8s.go at v1.18.5, the
 * code cilium-cli v0.18.9 vendors). Formatting is in cilium-host-status-format.ts.
 */
import { listObjects, getObject } from '../k8s/api-store';
import { selectorMatches } from '../k8s/metadata';
import type { Cluster, World } from '../world';
import type { Pod } from '../k8s/objects';
import { releaseHistory } from '../helm/releases';

/** Desired, ready, available and unavailable pods of one Deployment or DaemonSet (PodStateCount). */
export interface PodStateCount {
  type: 'Deployment' | 'DaemonSet';
  desired: number;
  ready: number;
  available: number;
  unavailable: number;
}

/** One component's errors and warnings, by pod, and whether it is disabled (ErrorCount). */
export interface ErrorCount {
  errors: string[];
  warnings: string[];
  disabled: boolean;
}

/** What one round of the collector found (status.Status). */
export interface CiliumStatus {
  podState: Map<string, PodStateCount>;
  phaseCount: Map<string, Map<string, number>>;
  imageCount: Map<string, Map<string, number>>;
  podsCount: { all: number; byCilium: number };
  /** Component (DaemonSet or Deployment name) → pod → its errors and warnings. */
  errors: Map<string, Map<string, ErrorCount>>;
  collectionErrors: string[];
  helmChartVersion: string;
}

/** cilium-cli's defaults: names and selectors of the components it looks at (defaults/defaults.go). */
export const ciliumComponents = {
  agent: 'cilium',
  envoy: 'cilium-envoy',
  operator: 'cilium-operator',
  relay: 'hubble-relay',
  ui: 'hubble-ui',
  clusterMesh: 'clustermesh-apiserver',
} as const;

function errorCount(status: CiliumStatus, component: string, pod: string): ErrorCount {
  let pods = status.errors.get(component);
  if (pods === undefined) status.errors.set(component, (pods = new Map<string, ErrorCount>()));
  let count = pods.get(pod);
  if (count === undefined) pods.set(pod, (count = { errors: [], warnings: [], disabled: false }));
  return count;
}

/** DaemonSet or Deployment counts and their errors; false when the object does not exist. */
function workloadStatus(
  cluster: Readonly<Cluster>,
  status: CiliumStatus,
  namespace: string,
  kind: 'DaemonSet' | 'Deployment',
  name: string,
): boolean {
  const object = getObject(cluster.api, kind, `${namespace}/${name}`);
  if (object === undefined) return false;
  const counts: PodStateCount =
    object.kind === 'DaemonSet'
      ? {
          type: 'DaemonSet',
          desired: object.status.desiredNumberScheduled,
          ready: object.status.numberReady,
          available: object.status.numberAvailable ?? 0,
          unavailable: object.status.numberUnavailable ?? 0,
        }
      : {
          type: 'Deployment',
          desired: object.status.replicas ?? 0,
          ready: object.status.readyReplicas ?? 0,
          available: object.status.availableReplicas ?? 0,
          unavailable: object.status.unavailableReplicas ?? 0,
        };
  status.podState.set(name, counts);
  const notReady = counts.desired - counts.ready;
  const own = errorCount(status, name, name);
  if (notReady > 0) own.errors.push(`${notReady} pods of ${kind} ${name} are not ready`);
  if (counts.unavailable - notReady > 0)
    own.warnings.push(`${counts.unavailable - notReady} pods of ${kind} ${name} are not available`);
  if ((object.metadata.generation ?? 1) !== (object.status.observedGeneration ?? 1))
    own.errors.push(`${kind.toLowerCase()} ${name} is updated but rollout has not started`);
  const updated =
    object.kind === 'DaemonSet'
      ? (object.status.updatedNumberScheduled ?? 0)
      : (object.status.updatedReplicas ?? 0);
  if (updated < counts.desired)
    own.errors.push(
      object.kind === 'DaemonSet'
        ? `daemonset ${name} is rolling out - ${updated} out of ${counts.desired} pods updated`
        : `deployment ${name} is rolling out - ${updated} out of ${counts.desired} pods updated`,
    );
  return true;
}

/** Phases and images of a component's pods, a warning per pending pod (podStatus). */
function podStatus(
  cluster: Readonly<Cluster>,
  status: CiliumStatus,
  namespace: string,
  name: string,
  labels: Record<string, string>,
): Pod[] {
  const pods = listObjects(cluster.api, 'Pod').filter(
    (pod) =>
      (pod.metadata.namespace ?? 'default') === namespace &&
      selectorMatches({ matchLabels: labels }, pod.metadata.labels),
  );
  // Each call replaces the component's counts, as the collector's does.
  const phases = new Map<string, number>();
  const images = new Map<string, number>();
  for (const pod of pods) {
    phases.set(pod.status.phase, (phases.get(pod.status.phase) ?? 0) + 1);
    if (pod.status.phase === 'Pending')
      errorCount(status, name, pod.metadata.name).warnings.push('pod is pending');
    if (pod.status.phase === 'Failed')
      errorCount(status, name, pod.metadata.name).errors.push(
        `pod has failed: ${pod.status.reason ?? ''} - `,
      );
    for (const container of pod.spec.containers)
      images.set(container.image, (images.get(container.image) ?? 0) + 1);
  }
  status.phaseCount.set(name, phases);
  status.imageCount.set(name, images);
  return pods;
}

/** An agent pod whose container is not running: the collector's explanation (status task). */
function agentContainerError(pod: Pod): string | undefined {
  const container = pod.status.containerStatuses?.find((candidate) => candidate.name === 'cilium-agent');
  if (container?.state?.running !== undefined) return undefined;
  let description = 'is not running';
  if (container?.state?.waiting?.reason === 'CrashLoopBackOff') description = 'is in CrashLoopBackOff';
  const terminated = container?.lastState?.terminated;
  if (terminated !== undefined) description = `${description}, exited with code ${terminated.exitCode}`;
  return `container cilium-agent ${description}: try 'kubectl -n ${pod.metadata.namespace ?? 'kube-system'} logs -c cilium-agent ${pod.metadata.name}'`;
}

/** The optional Deployments: disabled when absent, their pods looked at only when present. */
function optionalDeployment(
  cluster: Readonly<Cluster>,
  status: CiliumStatus,
  namespace: string,
  name: string,
): void {
  const present = workloadStatus(cluster, status, namespace, 'Deployment', name);
  errorCount(status, name, name).disabled = !present;
}

/** One round of `cilium status` against the cluster, in namespace `namespace` (kube-system). */
export function collectCiliumStatus(
  world: Readonly<World>,
  cluster: Readonly<Cluster>,
  namespace: string,
): CiliumStatus {
  const status: CiliumStatus = {
    podState: new Map(),
    phaseCount: new Map(),
    imageCount: new Map(),
    podsCount: { all: 0, byCilium: 0 },
    errors: new Map(),
    collectionErrors: [],
    helmChartVersion: '',
  };
  const { agent, envoy, operator, relay, ui, clusterMesh } = ciliumComponents;
  if (!workloadStatus(cluster, status, namespace, 'DaemonSet', agent)) {
    const missing = `daemonsets.apps "${agent}" not found`;
    errorCount(status, agent, agent).errors.push(missing);
    status.collectionErrors.push(missing);
  }
  if (workloadStatus(cluster, status, namespace, 'DaemonSet', envoy))
    podStatus(cluster, status, namespace, envoy, { name: 'cilium-envoy' });
  else errorCount(status, envoy, envoy).disabled = true;
  const operatorPresent = workloadStatus(cluster, status, namespace, 'Deployment', operator);
  errorCount(status, operator, operator).disabled = !operatorPresent;
  podStatus(cluster, status, namespace, operator, { name: 'cilium-operator' });
  for (const name of [relay, ui, clusterMesh]) optionalDeployment(cluster, status, namespace, name);
  if (status.podState.has(ui)) podStatus(cluster, status, namespace, ui, { 'k8s-app': 'hubble-ui' });
  // Every pod not on the host network that runs or waits, and the CiliumEndpoints (podCount).
  status.podsCount = {
    all: listObjects(cluster.api, 'Pod').filter(
      (pod) =>
        pod.spec.hostNetwork !== true && (pod.status.phase === 'Running' || pod.status.phase === 'Pending'),
    ).length,
    byCilium: listObjects(cluster.api, 'CiliumEndpoint').length,
  };
  if (getObject(cluster.api, 'ConfigMap', `${namespace}/cilium-config`) === undefined)
    status.collectionErrors.push(
      'unable to retrieve ConfigMap "cilium-config": configmaps "cilium-config" not found',
    );
  status.helmChartVersion = releaseHistory(world, 'cilium', namespace).at(-1)?.chart.version ?? '';
  for (const pod of podStatus(cluster, status, namespace, agent, { 'k8s-app': 'cilium' })) {
    if (pod.status.phase !== 'Running') continue;
    const error = agentContainerError(pod);
    if (error !== undefined) errorCount(status, agent, pod.metadata.name).errors.push(error);
  }
  // The collector lists the operator's pods a second time with the operator pod selector (k8s.go
  // at v1.18.5: the deployment task's `name=cilium-operator`, then defaults.OperatorPodSelector);
  // the chart's operator pods carry both labels, so a pending one is warned about twice, as the
  // real `cilium status` prints it.
  podStatus(cluster, status, namespace, operator, { 'io.cilium/app': 'operator' });
  podStatus(cluster, status, namespace, relay, { 'app.kubernetes.io/name': 'hubble-relay' });
  podStatus(cluster, status, namespace, clusterMesh, { 'k8s-app': 'clustermesh-apiserver' });
  return status;
}

/** Whether `--wait` may stop: no errors, and no warnings unless they are ignored (statusIsReady). */
export function statusIsReady(status: CiliumStatus, ignoreWarnings: boolean): boolean {
  for (const pods of status.errors.values())
    for (const count of pods.values()) {
      if (count.errors.length > 0) return false;
      if (!ignoreWarnings && count.warnings.length > 0) return false;
    }
  return true;
}
