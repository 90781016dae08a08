/**
 * `kubectl describe`, following kubectl's own describers (pkg/describe/describe.go) line for line
 * for the kinds the model has: pods, deployments, services, endpoints, nodes, namespaces and
 * NetworkPolicies have their dedicated printers; Cilium's CRDs (CiliumEndpoint, CiliumIdentity,
 * CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) and the rest go through kubectl's generic
 * describer, which prints every field of the object with "smart" labels. Output goes through an
 * emulation of Go's tabwriter with kubectl's settings, so columns align as they do for real.
 * The model records no Kubernetes Events, so a single object's description ends in `Events: <none>`.
 */
import { withPolicyStatus } from './policy-status';
import { getObject, listObjects } from '../k8s/api-store';
import type {
  ApiObject,
  ClusterRole,
  ClusterRoleBinding,
  ConfigMap,
  Role,
  RoleBinding,
  ServiceAccount,
  Container,
  ContainerState,
  Deployment,
  Endpoints,
  LabelSelector,
  Namespace,
  Node,
  Pod,
  PodTemplate,
  ReplicaSet,
  Secret,
  Service,
} from '../k8s/objects';
import type { PolicyObject } from '../cilium/objects';
import { secretValueBytes } from '../k8s/secrets';
import { canonicalJson, hashString64 } from '../engine/state-hash';
import { formatAge, toGoString, toRfc1123z, virtualEpochMs } from '../engine/virtual-time';
import type { Cluster } from '../world';
import { describeTabs, tabwrite } from './tabwriter';
import { combineResourceGroup, compactSortedRules, goList } from './kubectl-rbac-rules';

/** Milliseconds of virtual time for an RFC 3339 timestamp the model wrote. */
function virtualMs(timestamp: string): number {
  return Date.parse(timestamp) - virtualEpochMs;
}

/** Go's RFC1123Z layout: `Fri, 29 Jul 2022 09:00:00 +0000`. */
export function rfc1123z(timestamp: string): string {
  return rfc1123zAt(virtualMs(timestamp));
}

/** Go's time.Time String(): `2022-07-29 09:00:00 +0000 UTC` (how metav1.Time prints with %s). */
function goTimeString(timestamp: string): string {
  return toGoString(virtualMs(timestamp));
}

/** kubectl's PrefixWriter: two spaces per level, text with tabs for the tabwriter. */
export class PrefixWriter {
  private readonly parts: string[] = [];
  write(level: number, text: string): void {
    this.parts.push('  '.repeat(level) + text);
  }
  toString(): string {
    return tabwrite(this.parts.join(''), describeTabs);
  }
}

export function printLabelsMultiline(
  w: PrefixWriter,
  title: string,
  labels: Readonly<Record<string, string>> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((key, index) => {
    if (index > 0) w.write(0, '\t');
    w.write(0, `${key}=${labels?.[key] ?? ''}\n`);
  });
}

export function printAnnotationsMultiline(
  w: PrefixWriter,
  title: string,
  annotations: Readonly<Record<string, string>> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((key) => key !== 'kubectl.kubernetes.io/last-applied-configuration')
    .sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((key, index) => {
    if (index > 0) w.write(0, '\t');
    const value = (annotations?.[key] ?? '').replace(/\n$/, '');
    if (value.length + key.length + 2 > 140 || value.includes('\n')) {
      w.write(0, `${key}:\n`);
      for (const line of value.split('\n'))
        w.write(0, `\t  ${line.length > 138 ? `${line.slice(0, 138)}...` : line}\n`);
    } else w.write(0, `${key}: ${value}\n`);
  });
}

/** metav1.FormatLabelSelector: `app=x,tier in (a,b),!gone`, or `<none>`. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '<none>';
  const parts: string[] = [];
  const requirements = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, text: `${key}=${value}` })),
    ...(selector.matchExpressions ?? []).map((expression) => {
      const values = [...(expression.values ?? [])].sort().join(',');
      const text =
        expression.operator === 'In'
          ? `${expression.key} in (${values})`
          : expression.operator === 'NotIn'
            ? `${expression.key} notin (${values})`
            : expression.operator === 'Exists'
              ? expression.key
              : `!${expression.key}`;
      return { key: expression.key, text };
    }),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const requirement of requirements) parts.push(requirement.text);
  return parts.length === 0 ? '<none>' : parts.join(',');
}

/** labels.FormatLabels of a plain map: sorted `k=v` joined by commas, or `<none>`. */
function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((key) => `${key}=${labels?.[key] ?? ''}`).join(',');
}

function containerPorts(container: Container): string {
  return (container.ports ?? [])
    .map(
      (port) =>
        `${port.containerPort}/${port.protocol ?? 'TCP'}${port.name !== undefined ? ` (${port.name})` : ''}`,
    )
    .join(', ');
}

function hostPorts(container: Container): string {
  return (container.ports ?? [])
    .map((port) => `0/${port.protocol ?? 'TCP'}${port.name !== undefined ? ` (${port.name})` : ''}`)
    .join(', ');
}

function describeContainers(
  w: PrefixWriter,
  containers: readonly Container[],
  space: string,
  status?: { pod: Pod; containerId: (name: string) => string | undefined },
): void {
  w.write(0, `${space}Containers:${containers.length === 0 ? ' <none>' : ''}\n`);
  const nameIndent = space.length > 0 ? ' ' : '';
  for (const container of containers) {
    const containerStatus = status?.pod.status.containerStatuses?.find(
      (item) => item.name === container.name,
    );
    w.write(1, `${nameIndent}${container.name}:\n`);
    if (containerStatus !== undefined)
      w.write(2, `Container ID:\t${status?.containerId(container.name) ?? ''}\n`);
    w.write(2, `Image:\t${container.image}\n`);
    if (containerStatus !== undefined) w.write(2, `Image ID:\t${imageId(container.image)}\n`);
    const ports = containerPorts(container);
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${ports || '<none>'}\n`);
    const host = hostPorts(container);
    w.write(2, host.includes(',') ? `Host Ports:\t${host}\n` : `Host Port:\t${host || '<none>'}\n`);
    if ((container.command ?? []).length > 0) {
      w.write(2, 'Command:\n');
      for (const part of container.command ?? [])
        for (const line of part.split('\n')) w.write(3, `${line}\n`);
    }
    if ((container.args ?? []).length > 0) {
      w.write(2, 'Args:\n');
      for (const part of container.args ?? []) for (const line of part.split('\n')) w.write(3, `${line}\n`);
    }
    if (containerStatus !== undefined) {
      writeContainerState(w, 'State', containerStatus.state);
      if (containerStatus.lastState?.terminated !== undefined)
        writeContainerState(w, 'Last State', containerStatus.lastState);
      w.write(2, `Ready:\t${containerStatus.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${containerStatus.restartCount}\n`);
    }
    w.write(2, 'Environment:\t<none>\n');
    w.write(2, 'Mounts:\t<none>\n');
  }
}

/** describeContainerState: a container's state, or its last one, with the times of a run that ended. */
function writeContainerState(w: PrefixWriter, title: string, state: ContainerState): void {
  if (state.running !== undefined) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state.terminated !== undefined) {
    w.write(2, `${title}:\tTerminated\n`);
    w.write(3, `Reason:\t${state.terminated.reason}\n`);
    w.write(3, `Exit Code:\t${state.terminated.exitCode}\n`);
    if (state.terminated.startedAt !== undefined)
      w.write(3, `Started:\t${rfc1123z(state.terminated.startedAt)}\n`);
    if (state.terminated.finishedAt !== undefined)
      w.write(3, `Finished:\t${rfc1123z(state.terminated.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
    if (state.waiting?.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  }
}

/** The image digest a container runtime would report (derived from the name: the model pulls nothing). */
function imageId(image: string): string {
  const repository = image.split(/:(?=[^/]+$)/)[0] ?? image;
  const qualified = repository.includes('/') ? repository : `library/${repository}`;
  const registry = qualified.split('/')[0]?.includes('.') === true ? qualified : `docker.io/${qualified}`;
  return `${registry}@sha256:${hashString64(image)}${hashString64(`${image}#2`)}${hashString64(`${image}#3`)}${hashString64(`${image}#4`)}`;
}

function printTolerations(
  w: PrefixWriter,
  title: string,
  tolerations: Pod['spec']['tolerations'] | undefined,
): void {
  w.write(0, `${title}:\t`);
  const sorted = [...(tolerations ?? [])].sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : 1));
  if (sorted.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  sorted.forEach((toleration, index) => {
    if (index > 0) w.write(0, '\t');
    let text = toleration.key ?? '';
    if (toleration.effect !== undefined && toleration.effect !== '') text += `:${toleration.effect}`;
    if (toleration.operator === 'Exists')
      text += toleration.key !== undefined || toleration.effect !== undefined ? ' op=Exists' : 'op=Exists';
    if (toleration.tolerationSeconds !== undefined) text += ` for ${toleration.tolerationSeconds}s`;
    w.write(0, `${text}\n`);
  });
}

function describePod(cluster: Cluster, pod: Pod, nowMs: number, events: boolean): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${pod.metadata.name}\n`);
  w.write(0, `Namespace:\t${pod.metadata.namespace ?? 'default'}\n`);
  w.write(0, 'Priority:\t0\n');
  w.write(0, `Service Account:\t${pod.spec.serviceAccountName ?? 'default'}\n`);
  w.write(
    0,
    pod.spec.nodeName === undefined
      ? 'Node:\t<none>\n'
      : `Node:\t${pod.spec.nodeName}/${pod.status.hostIP ?? ''}\n`,
  );
  if (pod.status.startTime !== undefined) w.write(0, `Start Time:\t${rfc1123z(pod.status.startTime)}\n`);
  printLabelsMultiline(w, 'Labels', pod.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', pod.metadata.annotations);
  const deletion = pod.metadata.deletionTimestamp;
  if (deletion !== undefined && pod.status.phase !== 'Failed' && pod.status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${formatAge(nowMs - virtualMs(deletion))})\n`);
    w.write(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 30}s\n`);
  } else w.write(0, `Status:\t${pod.status.phase}\n`);
  if (pod.status.reason !== undefined) w.write(0, `Reason:\t${pod.status.reason}\n`);
  w.write(0, `IP:\t${pod.status.podIP ?? ''}\n`);
  const ips = pod.status.podIPs ?? [];
  if (ips.length === 0) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${ip.ip}\n`);
  }
  const controller = pod.metadata.ownerReferences?.find((reference) => reference.controller);
  if (controller !== undefined) w.write(0, `Controlled By:\t${controller.kind}/${controller.name}\n`);
  const node = pod.spec.nodeName === undefined ? undefined : cluster.nodes[pod.spec.nodeName];
  const sandbox = Object.values(node?.kubelet.sandboxes ?? {}).find(
    (candidate) => candidate.podUid === pod.metadata.uid,
  );
  describeContainers(w, pod.spec.containers, '', {
    pod,
    containerId: () => (sandbox === undefined ? '' : `containerd://${sandbox.containerId}`),
  });
  const conditions = pod.status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const condition of conditions) w.write(1, `${condition.type} \t${condition.status} \n`);
  }
  w.write(0, 'Volumes:\t<none>\n');
  w.write(0, 'QoS Class:\tBestEffort\n');
  printLabelsMultiline(w, 'Node-Selectors', pod.spec.nodeSelector);
  printTolerations(w, 'Tolerations', pod.spec.tolerations);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

function replicaSetsOf(
  cluster: Cluster,
  deployment: Deployment,
): { old: ReplicaSet[]; current?: ReplicaSet } {
  const owned = listObjects(cluster.api, 'ReplicaSet')
    .filter(
      (replicaSet) =>
        (replicaSet.metadata.namespace ?? 'default') === (deployment.metadata.namespace ?? 'default') &&
        replicaSet.metadata.ownerReferences?.some(
          (reference) => reference.kind === 'Deployment' && reference.uid === deployment.metadata.uid,
        ) === true,
    )
    .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
  const comparable = (template: Deployment['spec']['template']): string => {
    const labels = { ...template.metadata.labels };
    delete labels['pod-template-hash'];
    return canonicalJson({ ...template, metadata: { ...template.metadata, labels } });
  };
  const wanted = comparable(deployment.spec.template);
  const current = owned.find((replicaSet) => comparable(replicaSet.spec.template) === wanted);
  const old = owned.filter((replicaSet) => replicaSet !== current);
  return current === undefined ? { old } : { old, current };
}

/** DescribePodTemplate: the `Pod Template:` block of Deployments, DaemonSets, Jobs and rollout history. */
export function writePodTemplate(w: PrefixWriter, template: PodTemplate): void {
  w.write(0, 'Pod Template:\n');
  printLabelsMultiline(w, '  Labels', template.metadata.labels);
  if (Object.keys(template.metadata.annotations ?? {}).length > 0)
    printAnnotationsMultiline(w, '  Annotations', template.metadata.annotations);
  if (template.spec.serviceAccountName !== undefined)
    w.write(1, `Service Account:\t${template.spec.serviceAccountName}\n`);
  describeContainers(w, template.spec.containers, '  ');
  w.write(0, '  Volumes:\t<none>\n');
  printLabelsMultiline(w, '  Node-Selectors', template.spec.nodeSelector);
  printTolerations(w, '  Tolerations', template.spec.tolerations);
}

function describeDeployment(cluster: Cluster, deployment: Deployment, events: boolean): string {
  const w = new PrefixWriter();
  const status = deployment.status;
  w.write(0, `Name:\t${deployment.metadata.name}\n`);
  w.write(0, `Namespace:\t${deployment.metadata.namespace ?? 'default'}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(deployment.metadata.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', deployment.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', deployment.metadata.annotations);
  w.write(0, `Selector:\t${formatLabelSelector(deployment.spec.selector)}\n`);
  const unavailable = status.unavailableReplicas ?? 0;
  w.write(
    0,
    `Replicas:\t${deployment.spec.replicas} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${unavailable} unavailable\n`,
  );
  w.write(0, `StrategyType:\t${deployment.spec.strategy.type}\n`);
  w.write(0, 'MinReadySeconds:\t0\n');
  const rolling = deployment.spec.strategy.rollingUpdate;
  w.write(
    0,
    `RollingUpdateStrategy:\t${String(rolling.maxUnavailable)} max unavailable, ${String(rolling.maxSurge)} max surge\n`,
  );
  writePodTemplate(w, deployment.spec.template);
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const condition of conditions)
      w.write(1, `${condition.type} \t${condition.status}\t${condition.reason}\n`);
  }
  const { old, current } = replicaSetsOf(cluster, deployment);
  const list = (replicaSets: ReplicaSet[]): string =>
    replicaSets.length === 0
      ? '<none>'
      : replicaSets
          .map(
            (replicaSet) =>
              `${replicaSet.metadata.name} (${replicaSet.status.replicas}/${replicaSet.spec.replicas} replicas created)`,
          )
          .join(', ');
  if (old.length > 0 || current !== undefined) {
    w.write(0, `OldReplicaSets:\t${list(old)}\n`);
    w.write(0, `NewReplicaSet:\t${list(current === undefined ? [] : [current])}\n`);
  }
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

function endpointsFor(endpoints: Endpoints | undefined, portName: string | undefined): string {
  const addresses = (endpoints?.subsets ?? []).flatMap((subset) =>
    (subset.ports ?? [])
      .filter((port) => (port.name ?? '') === (portName ?? ''))
      .flatMap((port) => (subset.addresses ?? []).map((address) => `${address.ip}:${port.port}`)),
  );
  if (addresses.length === 0) return '<none>';
  return addresses.length > 3
    ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...`
    : addresses.join(',');
}

function describeService(cluster: Cluster, service: Service, events: boolean): string {
  const w = new PrefixWriter();
  const namespace = service.metadata.namespace ?? 'default';
  w.write(0, `Name:\t${service.metadata.name}\n`);
  w.write(0, `Namespace:\t${namespace}\n`);
  printLabelsMultiline(w, 'Labels', service.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', service.metadata.annotations);
  w.write(0, `Selector:\t${formatLabels(service.spec.selector)}\n`);
  w.write(0, `Type:\t${service.spec.type}\n`);
  // The API server defaults these fields on every Service.
  w.write(0, 'IP Family Policy:\tSingleStack\n');
  w.write(0, 'IP Families:\tIPv4\n');
  w.write(0, `IP:\t${service.spec.clusterIP}\n`);
  w.write(0, `IPs:\t${(service.spec.clusterIPs ?? []).join(',') || service.spec.clusterIP}\n`);
  const endpoints = getObject(cluster.api, 'Endpoints', `${namespace}/${service.metadata.name}`);
  for (const port of service.spec.ports) {
    const protocol = port.protocol ?? 'TCP';
    w.write(0, `Port:\t${port.name ?? '<unset>'}\t${port.port}/${protocol}\n`);
    w.write(0, `TargetPort:\t${String(port.targetPort ?? port.port)}/${protocol}\n`);
    if (port.nodePort !== undefined)
      w.write(0, `NodePort:\t${port.name ?? '<unset>'}\t${port.nodePort}/${protocol}\n`);
    w.write(0, `Endpoints:\t${endpointsFor(endpoints, port.name)}\n`);
  }
  w.write(0, `Session Affinity:\t${service.spec.sessionAffinity ?? 'None'}\n`);
  if (service.spec.externalTrafficPolicy !== undefined)
    w.write(0, `External Traffic Policy:\t${service.spec.externalTrafficPolicy}\n`);
  w.write(0, `Internal Traffic Policy:\t${service.spec.internalTrafficPolicy ?? 'Cluster'}\n`);
  if (service.spec.healthCheckNodePort !== undefined)
    w.write(0, `HealthCheck NodePort:\t${service.spec.healthCheckNodePort}\n`);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

function describeEndpoints(endpoints: Endpoints, events: boolean): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${endpoints.metadata.name}\n`);
  w.write(0, `Namespace:\t${endpoints.metadata.namespace ?? 'default'}\n`);
  printLabelsMultiline(w, 'Labels', endpoints.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', endpoints.metadata.annotations);
  w.write(0, 'Subsets:\n');
  for (const subset of endpoints.subsets ?? []) {
    const ready = (subset.addresses ?? []).map((address) => address.ip).join(',');
    const notReady = (subset.notReadyAddresses ?? []).map((address) => address.ip).join(',');
    w.write(1, `Addresses:\t${ready || '<none>'}\n`);
    w.write(1, `NotReadyAddresses:\t${notReady || '<none>'}\n`);
    if ((subset.ports ?? []).length > 0) {
      w.write(1, 'Ports:\n');
      w.write(2, 'Name\tPort\tProtocol\n');
      w.write(2, '----\t----\t--------\n');
      for (const port of subset.ports ?? [])
        w.write(2, `${port.name ?? '<unset>'}\t${port.port}\t${port.protocol}\n`);
    }
    w.write(0, '\n');
  }
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

function describeNode(cluster: Cluster, node: Node, nowMs: number, events: boolean): string {
  const w = new PrefixWriter();
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((key) => key.startsWith('node-role.kubernetes.io/'))
    .map((key) => key.slice('node-role.kubernetes.io/'.length))
    .sort();
  w.write(0, `Name:\t${node.metadata.name}\n`);
  w.write(0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
  printLabelsMultiline(w, 'Labels', node.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  w.write(0, 'Taints:\t');
  const taints = [...(node.spec.taints ?? [])].sort((a, b) =>
    `${a.effect},${a.key}` < `${b.effect},${b.key}` ? -1 : 1,
  );
  if (taints.length === 0) w.write(0, '<none>\n');
  taints.forEach((taint, index) => {
    if (index > 0) w.write(0, '\t');
    w.write(0, `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ''}:${taint.effect}\n`);
  });
  w.write(0, `Unschedulable:\t${node.spec.unschedulable === true ? 'true' : 'false'}\n`);
  const runtime = cluster.nodes[node.metadata.name];
  w.write(0, 'Lease:\n');
  w.write(1, `HolderIdentity:\t${node.metadata.name}\n`);
  w.write(1, 'AcquireTime:\t<unset>\n');
  w.write(
    1,
    `RenewTime:\t${runtime === undefined ? '<unset>' : rfc1123zAt(runtime.kubelet.lastLeaseRenewMs)}\n`,
  );
  if (node.status.conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const condition of node.status.conditions)
      w.write(
        1,
        `${condition.type} \t${condition.status} \t${rfc1123z(condition.lastHeartbeatTime)} \t${rfc1123z(condition.lastTransitionTime)} \t${condition.reason} \t${condition.message}\n`,
      );
  }
  w.write(0, 'Addresses:\n');
  for (const address of node.status.addresses) w.write(1, `${address.type}:\t${address.address}\n`);
  const info = node.status.nodeInfo;
  w.write(0, 'System Info:\n');
  w.write(0, '  Machine ID:\t\n');
  w.write(0, '  System UUID:\t\n');
  w.write(0, '  Boot ID:\t\n');
  w.write(0, `  Kernel Version:\t${info.kernelVersion}\n`);
  w.write(0, `  OS Image:\t${info.osImage}\n`);
  w.write(0, `  Operating System:\t${info.operatingSystem}\n`);
  w.write(0, `  Architecture:\t${info.architecture}\n`);
  w.write(0, `  Container Runtime Version:\t${info.containerRuntimeVersion}\n`);
  w.write(0, `  Kubelet Version:\t${info.kubeletVersion}\n`);
  if (node.spec.podCIDR !== undefined) w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if ((node.spec.podCIDRs ?? []).length > 0)
    w.write(0, `PodCIDRs:\t${(node.spec.podCIDRs ?? []).join(',')}\n`);
  w.write(0, `ProviderID:\tkind://docker/${cluster.name}/${node.metadata.name}\n`);
  const pods = listObjects(cluster.api, 'Pod').filter(
    (pod) =>
      pod.spec.nodeName === node.metadata.name &&
      pod.status.phase !== 'Succeeded' &&
      pod.status.phase !== 'Failed',
  );
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  for (const pod of pods)
    w.write(
      1,
      `${pod.metadata.namespace ?? 'default'}\t${pod.metadata.name}\t\t0 (0%)\t0 (0%)\t0 (0%)\t0 (0%)\t${formatAge(nowMs - virtualMs(pod.metadata.creationTimestamp))}\n`,
    );
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  for (const resource of ['cpu', 'memory', 'ephemeral-storage']) w.write(1, `${resource}\t0 (0%)\t0 (0%)\n`);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

function rfc1123zAt(timeMs: number): string {
  return toRfc1123z(timeMs);
}

function describeNamespace(namespace: Namespace): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${namespace.metadata.name}\n`);
  printLabelsMultiline(w, 'Labels', namespace.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', namespace.metadata.annotations);
  w.write(0, `Status:\t${namespace.status.phase}\n`);
  w.write(0, '\nNo resource quota.\n');
  w.write(0, '\nNo LimitRange resource.\n');
  return w.toString();
}

/**
 * describeSecret: the keys and their sizes, never the values. Go ranges over the data map in random
 * order; the model sorts the keys so the output is the same every time.
 */
function describeSecret(secret: Secret): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${secret.metadata.name}\n`);
  w.write(0, `Namespace:\t${secret.metadata.namespace ?? 'default'}\n`);
  printLabelsMultiline(w, 'Labels', secret.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', secret.metadata.annotations);
  w.write(0, `\nType:\t${secret.type}\n`);
  w.write(0, '\nData\n====\n');
  const data = secret.data ?? {};
  for (const key of Object.keys(data).sort())
    w.write(0, `${key}:\t${secretValueBytes(data[key] ?? '')} bytes\n`);
  return w.toString();
}

/**
 * describeConfigMap: every key with its value under a dashed line, then binary keys by size. Go
 * ranges over the maps in random order; the model sorts the keys.
 */
function describeConfigMap(configMap: ConfigMap, events: boolean): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${configMap.metadata.name}\n`);
  w.write(0, `Namespace:\t${configMap.metadata.namespace ?? 'default'}\n`);
  printLabelsMultiline(w, 'Labels', configMap.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', configMap.metadata.annotations);
  w.write(0, '\nData\n====\n');
  for (const key of Object.keys(configMap.data ?? {}).sort())
    w.write(0, `${key}:\n----\n${configMap.data?.[key] ?? ''}\n\n`);
  w.write(0, '\nBinaryData\n====\n');
  for (const key of Object.keys(configMap.binaryData ?? {}).sort())
    w.write(0, `${key}: ${secretValueBytes(configMap.binaryData?.[key] ?? '')} bytes\n`);
  w.write(0, '\n');
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

/** describeServiceAccount: its secrets by role (none since Kubernetes 1.24 creates token Secrets no more). */
function describeServiceAccount(account: ServiceAccount, events: boolean): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${account.metadata.name}\n`);
  w.write(0, `Namespace:\t${account.metadata.namespace ?? 'default'}\n`);
  printLabelsMultiline(w, 'Labels', account.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', account.metadata.annotations);
  w.write(0, 'Image pull secrets:\t<none>\n');
  w.write(0, 'Mountable secrets: \t<none>\n');
  w.write(0, 'Tokens:            \t<none>\n');
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

/** The Role and ClusterRole describers: the rules as kubectl compacts and sorts them. */
function describeRole(role: Role | ClusterRole): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${role.metadata.name}\n`);
  printLabelsMultiline(w, 'Labels', role.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', role.metadata.annotations);
  w.write(0, 'PolicyRule:\n');
  w.write(1, 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n');
  w.write(1, '---------\t-----------------\t--------------\t-----\n');
  for (const rule of compactSortedRules(role.rules ?? []))
    w.write(
      1,
      `${combineResourceGroup(rule)}\t${goList(rule.nonResourceURLs)}\t${goList(rule.resourceNames)}\t${goList(rule.verbs)}\n`,
    );
  return w.toString();
}

/** The RoleBinding and ClusterRoleBinding describers: the role, then one row per subject. */
function describeBinding(binding: RoleBinding | ClusterRoleBinding): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${binding.metadata.name}\n`);
  printLabelsMultiline(w, 'Labels', binding.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', binding.metadata.annotations);
  w.write(0, 'Role:\n');
  w.write(1, `Kind:\t${binding.roleRef.kind}\n`);
  w.write(1, `Name:\t${binding.roleRef.name}\n`);
  w.write(0, 'Subjects:\n');
  w.write(1, 'Kind\tName\tNamespace\n');
  w.write(1, '----\t----\t---------\n');
  for (const subject of binding.subjects ?? [])
    w.write(1, `${subject.kind}\t${subject.name}\t${subject.namespace ?? ''}\n`);
  return w.toString();
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** A selector as a NetworkPolicy's raw spec writes it. */
function rawSelector(value: unknown): LabelSelector | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const selector: LabelSelector = value;
  return selector;
}

function describeNetworkPolicy(policy: PolicyObject): string {
  const w = new PrefixWriter();
  const spec = asRecord(policy.spec);
  w.write(0, `Name:\t${policy.metadata.name}\n`);
  w.write(0, `Namespace:\t${policy.metadata.namespace ?? 'default'}\n`);
  w.write(0, `Created on:\t${goTimeString(policy.metadata.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', policy.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', policy.metadata.annotations);
  w.write(0, 'Spec:\n');
  w.write(1, 'PodSelector: ');
  const podSelector = rawSelector(spec.podSelector) ?? {};
  const selectorText = formatLabelSelector(podSelector);
  w.write(
    2,
    selectorText === '<none>'
      ? '<none> (Allowing the specific traffic to all pods in this namespace)\n'
      : `${selectorText}\n`,
  );
  const ingress = Array.isArray(spec.ingress) ? (spec.ingress as unknown[]) : [];
  const egress = Array.isArray(spec.egress) ? (spec.egress as unknown[]) : [];
  const declared = Array.isArray(spec.policyTypes) ? (spec.policyTypes as unknown[]).map(String) : undefined;
  // The API server defaults policyTypes: Ingress always, Egress when egress rules exist.
  const policyTypes = declared ?? (egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
  const rules = (list: unknown[], peerKey: 'from' | 'to', direction: 'ingress' | 'egress'): void => {
    const indent = '    ';
    if (list.length === 0) {
      w.write(0, `${indent}<none> (Selected pods are isolated for ${direction} connectivity)\n`);
      return;
    }
    list.forEach((item, index) => {
      const rule = asRecord(item);
      const ports = Array.isArray(rule.ports) ? (rule.ports as unknown[]).map(asRecord) : [];
      if (ports.length === 0) w.write(0, `${indent}To Port: <any> (traffic allowed to all ports)\n`);
      for (const port of ports) {
        const protocol = typeof port.protocol === 'string' ? port.protocol : 'TCP';
        const value = typeof port.port === 'number' || typeof port.port === 'string' ? String(port.port) : '';
        w.write(
          0,
          port.endPort === undefined
            ? `${indent}To Port: ${value}/${protocol}\n`
            : `${indent}To Port Range: ${value}-${typeof port.endPort === 'number' ? port.endPort : ''}/${protocol}\n`,
        );
      }
      const peers = Array.isArray(rule[peerKey]) ? (rule[peerKey] as unknown[]).map(asRecord) : [];
      const word = peerKey === 'from' ? 'From' : 'To';
      if (peers.length === 0)
        w.write(
          0,
          `${indent}${word}: <any> (traffic not restricted by ${peerKey === 'from' ? 'source' : 'destination'})\n`,
        );
      for (const peer of peers) {
        w.write(0, `${indent}${word}:\n`);
        const pods = rawSelector(peer.podSelector);
        const namespaces = rawSelector(peer.namespaceSelector);
        if (pods !== undefined && namespaces !== undefined) {
          w.write(1, `${indent}NamespaceSelector: ${formatLabelSelector(namespaces)}\n`);
          w.write(1, `${indent}PodSelector: ${formatLabelSelector(pods)}\n`);
        } else if (pods !== undefined) w.write(1, `${indent}PodSelector: ${formatLabelSelector(pods)}\n`);
        else if (namespaces !== undefined)
          w.write(1, `${indent}NamespaceSelector: ${formatLabelSelector(namespaces)}\n`);
        else if (peer.ipBlock !== undefined) {
          const block = asRecord(peer.ipBlock);
          w.write(1, `${indent}IPBlock:\n`);
          w.write(2, `${indent}CIDR: ${String(block.cidr)}\n`);
          w.write(
            2,
            `${indent}Except: ${(Array.isArray(block.except) ? (block.except as unknown[]) : []).map(String).join(', ')}\n`,
          );
        }
      }
      if (index !== list.length - 1) w.write(0, `${indent}----------\n`);
    });
  };
  if (policyTypes.includes('Ingress')) {
    w.write(1, 'Allowing ingress traffic:\n');
    rules(ingress, 'from', 'ingress');
  } else w.write(1, 'Not affecting ingress traffic\n');
  if (policyTypes.includes('Egress')) {
    w.write(1, 'Allowing egress traffic:\n');
    rules(egress, 'to', 'egress');
  } else w.write(1, 'Not affecting egress traffic\n');
  w.write(1, `Policy Types: ${policyTypes.join(', ') || '<none>'}\n`);
  return w.toString();
}

/** fatih/camelcase.Split: runs of lower case, upper case, digits and other characters. */
function camelSplit(text: string): string[] {
  const kind = (char: string): number =>
    /[a-z]/.test(char) ? 1 : /[A-Z]/.test(char) ? 2 : /[0-9]/.test(char) ? 3 : 4;
  const runs: string[][] = [];
  let last = 0;
  for (const char of text) {
    const current = kind(char);
    if (current === last && runs.length > 0) runs[runs.length - 1]?.push(char);
    else runs.push([char]);
    last = current;
  }
  // An upper-case run followed by a lower-case one gives its last letter to the next word.
  for (let index = 0; index < runs.length - 1; index++) {
    const run = runs[index] ?? [];
    const next = runs[index + 1] ?? [];
    if (kind(run[0] ?? '') === 2 && kind(next[0] ?? '') === 1) {
      const moved = run.pop();
      if (moved !== undefined) next.unshift(moved);
    }
  }
  return runs.map((run) => run.join('')).filter((part) => part !== '');
}

/** kubectl's smartLabelFor: `creationTimestamp` → `Creation Timestamp`, `apiVersion` → `API Version`. */
export function smartLabelFor(field: string): string {
  if (/[^A-Za-z-]/.test(field)) return field;
  const parts = camelSplit(field);
  const merged: string[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] ?? '';
    const next = parts[index + 1];
    if (part.length >= 2 && /^[A-Z]+$/.test(part) && next !== undefined && /^[A-Z]/.test(next)) {
      merged.push(part + next);
      index += 1;
    } else merged.push(part);
  }
  return merged
    .filter((part) => part !== '_')
    .map((part) =>
      ['API', 'URL', 'UID', 'GUID'].includes(part.toUpperCase())
        ? part.toUpperCase()
        : part.toLowerCase() === part
          ? part.charAt(0).toUpperCase() + part.slice(1)
          : part,
    )
    .join(' ');
}

function printValue(value: Json): string {
  if (value === null) return '<nil>';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** kubectl's printUnstructuredContent: every field, sorted, nested maps and lists indented. */
function printUnstructured(
  w: PrefixWriter,
  level: number,
  content: { [key: string]: Json },
  skipPrefix: string,
  skip: readonly string[],
): void {
  for (const field of Object.keys(content).sort()) {
    const value = content[field] ?? null;
    const path = `${skipPrefix}.${field}`;
    if (skip.includes(path)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      printUnstructured(w, level + 1, value, path, skip);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child))
          printUnstructured(w, level + 1, child, path, skip);
        else w.write(level + 1, `${printValue(child)}\n`);
      }
    } else w.write(level, `${smartLabelFor(field)}:\t${printValue(value)}\n`);
  }
}

/** kubectl's generic describer, used for custom resources such as Cilium's. */
function describeGeneric(object: ApiObject, events: boolean): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${object.metadata.name}\n`);
  w.write(0, `Namespace:\t${object.metadata.namespace ?? ''}\n`);
  printLabelsMultiline(w, 'Labels', object.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', object.metadata.annotations);
  printUnstructured(w, 0, JSON.parse(JSON.stringify(object)) as { [key: string]: Json }, '', [
    '.metadata.managedFields',
    '.metadata.name',
    '.metadata.namespace',
    '.metadata.labels',
    '.metadata.annotations',
  ]);
  if (events) w.write(0, 'Events:\t<none>\n');
  return w.toString();
}

/**
 * Describes one object as `kubectl describe` does, but for the workload controllers
 * (kubectl-describe-command.ts hands those to kubectl-describe-workloads.ts, which prints with this
 * module's writers); `events` is false when several are described.
 */
export function describeObject(cluster: Cluster, object: ApiObject, nowMs: number, events: boolean): string {
  switch (object.kind) {
    case 'Pod':
      return describePod(cluster, object, nowMs, events);
    case 'Deployment':
      return describeDeployment(cluster, object, events);
    case 'Service':
      return describeService(cluster, object, events);
    case 'Endpoints':
      return describeEndpoints(object, events);
    case 'Node':
      return describeNode(cluster, object, nowMs, events);
    case 'Namespace':
      return describeNamespace(object);
    case 'NetworkPolicy':
      return describeNetworkPolicy(object);
    case 'Secret':
      return describeSecret(object);
    case 'ConfigMap':
      return describeConfigMap(object, events);
    case 'ServiceAccount':
      return describeServiceAccount(object, events);
    case 'Role':
    case 'ClusterRole':
      return describeRole(object);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return describeBinding(object);
    default:
      return describeGeneric(withPolicyStatus(cluster, object, nowMs), events);
  }
}
