/**
 * Routes each event to the part of the model that handles it. Handlers change the world in place
 * and schedule follow-up events; they never read the wall clock or global randomness.
 */
import { applyWaypoint, type WaypointApplyResult } from './mesh/waypoint';
import { applyGatewayApiCrds } from './k8s/gateway-api-crds';
import type { InputEvent, SimEvent, SyncEventType } from './events';
import type { World } from './world';
import { requireCluster, schedule } from './world';
import { createCluster, deleteCluster, exportKubeconfig, useContext } from './k8s/kind-clusters';
import { activateCluster, activateHome, clusterNamed } from './k8s/clusters';
import { applyObjects, type ApplyOutcome } from './k8s/apply';
import { refusalText, type ApiRefusal } from './k8s/api-errors';
import { objectMetaCauses } from './k8s/object-meta-validation';
import { getObject, keyOf, listObjects } from './k8s/api-store';
import type { ApiKind, ApiObject, Deployment, Taint } from './k8s/objects';
import { apiPut, apiRemove, dequeueSync } from './k8s/api-writes';
import {
  requestPodDeletion,
  syncDeployment,
  syncReplicaSet,
  syncReplicationController,
} from './k8s/workloads';
import { syncDaemonSet } from './k8s/daemonset-controller';
import { syncJob } from './k8s/job-controller';
import { restartWorkload, rollbackWorkload, type RolloutChange } from './k8s/rollout';
import { schedulePod } from './k8s/scheduler';
import { syncEndpoints } from './k8s/endpoints-controller';
import {
  backOffContainer,
  processExited,
  relistKubelet,
  renewLease,
  restartContainers,
  stepSandbox,
  syncPod,
} from './k8s/kubelet';
import { evictPod, monitorNodes } from './k8s/node-lifecycle';
import { relistAgent, updateApiLink } from './cilium/agent';
import { bootAgent, finishRestore } from './cilium/agent-pod';
import {
  helmInstall,
  helmUninstall,
  helmUpgrade,
  recordIstioRelease,
  type HelmOutcome,
} from './helm/operations';
import { valuesFromFlat } from './helm/values';
import { podLabelsChanged, stepEndpoint } from './cilium/cni';
import { deliverToView } from './cilium/views';
import { nodeIdsObserveNode } from './cilium/node-ids';
import { collectIdentityGarbage } from './cilium/identity-allocation';
import { syncPolicySecrets } from './cilium/policy-secrets';
import { validatePolicyStatus } from './cilium/policy-validator';
import { pollToGroups, syncToGroups } from './cilium/to-groups';
import { runInstances, terminateInstances, type Ec2Instance } from './cilium/aws-ec2';
import { toTimestamp } from './engine/virtual-time';
import { nextUint32 } from './engine/prng';
import { canonicalJson } from './engine/state-hash';
import { requireNextState } from './machines/step';
import { apiConnectionMachine } from './machines/api-connection';
import { openConnection } from './cilium/connection';
import type { ConnectionOutcome } from './cilium/datapath-types';
import { handleTraffic, type TrafficOutcome } from './cilium/traffic';
import { restartEnvoy } from './cilium/envoy';
import { applyEnvoyConfig, deleteEnvoyConfig } from './cilium/envoy-config-resources';
import { configureAgent, configureEndpoint } from './cilium/endpoint-config';
import {
  dropSvid,
  issueSvid,
  renewSvid,
  rotateSpireCa,
  spireIdentityChanged,
  startSpireServer,
} from './cilium/spire-model';
import {
  authCertificateDeleted,
  authCertificateRotated,
  collectAuthGarbage,
  completeHandshake,
  handleAuthSignals,
} from './cilium/auth-manager';
import { sharedViewId } from './cilium/views';
import {
  syncDefaultServiceAccount,
  syncRootCaConfigMap,
  syncTerminatingNamespace,
} from './k8s/namespace-controllers';
import { collectDependents, orphanDependents } from './k8s/garbage-collector';
import { writeContainerFile } from './k8s/container-files';
import { attachedProcessEnded } from './k8s/container-lifecycle';
import { syncClusterRoleAggregation } from './k8s/rbac-aggregation';
import { missingIstioCrds, processMeshEvent, processMeshInput } from './mesh/dispatch';
import type { IstioInstallResult } from './mesh/install';

/** What an input event reports back to whoever sent it (a terminal command prints it). */
export type InputResult =
  | {
      ok: true;
      applied?: ApplyOutcome[];
      warnings?: string[];
      connection?: ConnectionOutcome;
      traffic?: TrafficOutcome;
      /** What `istioctl install` / `helm install` of Istio did (mesh/install.ts formats it). */
      istio?: IstioInstallResult;
      /** What `istioctl waypoint apply` did (mesh/waypoint.ts formats it). */
      waypoint?: WaypointApplyResult;
      /** kubectl's line for each CRD a Gateway API bundle applied. */
      crds?: string[];
      /** What a Helm operation did (helm/operations.ts). */
      helm?: Extract<HelmOutcome, { ok: true }>;
      /** kubectl's word for a rollout change: `restarted`, `rolled back`, `skipped rollback (…)`. */
      rollout?: string;
      /** The EC2 instances an `aws ec2` command launched or terminated (cilium/aws-ec2.ts). */
      ec2?: Ec2Instance[];
      /** An unsigned 32-bit draw from the world's generator (`shell.random`). */
      random?: number;
    }
  | { ok: false; error: string; refusal?: ApiRefusal };

const ok: InputResult = { ok: true };

/**
 * Applies a change to a Deployment's spec as a new generation, or reports that it does not exist.
 * The change returns a new spec and shares whatever it leaves alone (stored objects are never
 * mutated), so scaling keeps the pod template, and its memoised hash, as it was.
 */
function changeDeploymentSpec(
  world: World,
  key: string,
  change: (spec: Deployment['spec']) => Deployment['spec'],
): InputResult {
  const deployment = getObject(requireCluster(world).api, 'Deployment', key);
  if (deployment === undefined)
    return { ok: false, error: `deployments.apps "${key.split('/').pop() ?? ''}" not found` };
  apiPut(
    world,
    {
      ...deployment,
      metadata: { ...deployment.metadata, generation: (deployment.metadata.generation ?? 1) + 1 },
      spec: change(deployment.spec),
    },
    key,
  );
  return ok;
}

/** The taint the node lifecycle controller keeps on a cordoned node (TaintNodesByCondition). */
const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/**
 * Replaces a Node's taints and/or its unschedulable flag. Cordoning also adds the unschedulable
 * taint, which the node lifecycle controller adds within moments of the flag in a real cluster.
 */
function updateNodeSpec(
  world: World,
  name: string,
  taints: readonly Taint[] | undefined,
  unschedulable: boolean | undefined,
): InputResult {
  const node = getObject(requireCluster(world).api, 'Node', name);
  if (node === undefined) return { ok: false, error: `nodes "${name}" not found` };
  const spec = { ...node.spec };
  if (taints !== undefined) spec.taints = [...taints];
  if (unschedulable !== undefined) {
    const others = (spec.taints ?? []).filter((taint) => taint.key !== unschedulableTaint.key);
    spec.taints = unschedulable
      ? [...others, { ...unschedulableTaint, timeAdded: toTimestamp(world.timeMs) }]
      : others;
    if (unschedulable) spec.unschedulable = true;
    else delete spec.unschedulable;
  }
  if (spec.taints?.length === 0) delete spec.taints;
  apiPut(world, { ...node, spec }, name);
  return ok;
}

/**
 * Cilium agents watch the pods of their own node and every namespace: a label change on a pod
 * (or on a pod's namespace, whose labels are identity labels too) reaches the agent that manages
 * the endpoint after the watch latency, unless that agent is cut off from the API server.
 * A Deployment's or a Node's own labels do not touch any endpoint.
 */
function notifyAgentsOfLabels(world: World, before: ApiObject, after: ApiObject): void {
  const cluster = requireCluster(world);
  if (cluster.cilium === undefined) return;
  if (canonicalJson(before.metadata.labels ?? {}) === canonicalJson(after.metadata.labels ?? {})) return;
  const pods =
    after.kind === 'Pod'
      ? [after]
      : after.kind === 'Namespace'
        ? listObjects(cluster.api, 'Pod').filter(
            (pod) => (pod.metadata.namespace ?? 'default') === after.metadata.name,
          )
        : [];
  for (const pod of pods) {
    const node = pod.spec.nodeName;
    const agent = node === undefined ? undefined : cluster.cilium.agents[node];
    if (node === undefined || agent === undefined || agent.connection !== 'connected') continue;
    schedule(world, cluster.timings.watchLatencyMs, { type: 'agent.pod.labels', node, podKey: keyOf(pod) });
  }
}

/**
 * Processes one event in the cluster it belongs to (k8s/clusters.ts): a scheduled event in the
 * cluster that scheduled it, an input in the cluster it names or else the current context's. An
 * event of a deleted cluster is dropped, as the processes it was for died with their containers.
 */
export function processEventFor(
  world: World,
  event: SimEvent,
  cluster: string | undefined,
  input: boolean,
): InputResult | undefined {
  // One cluster, or none: nothing to move (the common case, on every event).
  if (world.otherClusters === undefined && (cluster === undefined || cluster === world.cluster?.name))
    return processEvent(world, event);
  if (cluster !== undefined && clusterNamed(world, cluster) === undefined) {
    if (!input) return undefined;
    return { ok: false, error: `cluster "${cluster}" does not exist` };
  }
  if (cluster !== undefined) activateCluster(world, cluster);
  try {
    return processEvent(world, event);
  } finally {
    activateHome(world);
  }
}

/**
 * The namespaces the NamespaceLifecycle admission plugin never lets go (kubernetes
 * plugin/pkg/admission/namespace/lifecycle).
 */
const immortalNamespaces: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

/**
 * A delete as the API server performs it: a pod is deleted gracefully (or at once with a grace
 * period of 0), a namespace turns Terminating until the namespace controller has emptied it, and
 * anything else goes at once (its dependents follow through the garbage collector).
 */
function deleteObject(world: World, kind: ApiKind, key: string, gracePeriodSeconds?: number): InputResult {
  const cluster = requireCluster(world);
  const name = key.split('/').pop() ?? '';
  if (kind === 'Pod') {
    const pod = getObject(cluster.api, 'Pod', key);
    if (pod === undefined) return { ok: false, error: `pods "${name}" not found` };
    if (gracePeriodSeconds === 0) apiRemove(world, 'Pod', key);
    else requestPodDeletion(world, pod, gracePeriodSeconds, key);
    return ok;
  }
  if (kind === 'Namespace') {
    const namespace = getObject(cluster.api, 'Namespace', key);
    if (namespace === undefined) return { ok: false, error: `namespaces "${name}" not found` };
    if (immortalNamespaces.has(name))
      return { ok: false, error: `namespaces "${name}" is forbidden: this namespace may not be deleted` };
    if (namespace.status.phase !== 'Terminating')
      apiPut(world, {
        ...namespace,
        metadata: { ...namespace.metadata, deletionTimestamp: toTimestamp(world.timeMs) },
        status: { phase: 'Terminating' },
      });
    return ok;
  }
  return apiRemove(world, kind, key) === undefined ? { ok: false, error: `${kind} "${key}" not found` } : ok;
}

/** A rollout change as an input's result. */
function rolloutResult(change: RolloutChange): InputResult {
  return change.ok ? { ok: true, rollout: change.message } : change;
}

/**
 * Runs a work-queue sync (SyncEventType); its event has dequeued the key before. A switch, the
 * busiest first, rather than a table of handlers: a lookup keyed by fourteen names at one site is a
 * megamorphic keyed load in V8, several times slower in a long run than the switch's comparisons of
 * internalized strings, and syncs are a fifth of all events.
 */
function runSync(world: World, type: SyncEventType, key: string): void {
  switch (type) {
    case 'controller.replicaset.sync':
      return syncReplicaSet(world, key);
    case 'controller.deployment.sync':
      return syncDeployment(world, key);
    case 'controller.endpoints.sync':
      return syncEndpoints(world, key);
    case 'controller.daemonset.sync':
      return syncDaemonSet(world, key);
    case 'controller.serviceaccount.sync':
      return syncDefaultServiceAccount(world, key);
    case 'controller.rootcacert.sync':
      return syncRootCaConfigMap(world, key);
    case 'controller.namespace.sync':
      return syncTerminatingNamespace(world, key);
    case 'controller.clusterroleaggregation.sync':
      return syncClusterRoleAggregation(world);
    case 'controller.garbagecollector.sync':
      return collectDependents(world, key);
    case 'controller.replicationcontroller.sync':
      return syncReplicationController(world, key);
    case 'controller.job.sync':
      return syncJob(world, key);
    case 'operator.secretsync.sync':
      return syncPolicySecrets(world);
    case 'operator.policyvalidation.sync':
      return validatePolicyStatus(world, key);
    case 'operator.togroups.sync':
      return syncToGroups(world, key);
    default:
      return type satisfies never;
  }
}

/** The kubelet's relist after its API connection came back: the connection is ready again. */
function relistCompleted(world: World, nodeName: string): void {
  const node = requireCluster(world).nodes[nodeName];
  if (node !== undefined && node.kubelet.connection === 'relisting') {
    node.kubelet.connection = requireNextState(
      apiConnectionMachine,
      node.kubelet.connection,
      'relist.completed',
    );
  }
  relistKubelet(world, nodeName);
}

/** `cilium install`: Helm installs the chart into kube-system, as cilium-cli does. */
function installCilium(world: World, event: Extract<InputEvent, { type: 'cilium.install' }>): InputResult {
  if (world.cluster === undefined)
    return {
      ok: false,
      error: 'Kubernetes cluster unreachable: no cluster exists; run kind create cluster first',
    };
  const outcome = helmInstall(world, {
    release: 'cilium',
    namespace: 'kube-system',
    chart: 'cilium/cilium',
    version: event.request.version,
    values: valuesFromFlat(event.request.values),
    valuesGiven: Object.keys(event.request.values).length > 0,
  });
  return outcome.ok ? { ok: true, warnings: outcome.warnings, helm: outcome } : outcome;
}

/** A Helm install, upgrade or uninstall of a release. */
function runHelm(
  world: World,
  event: Extract<InputEvent, { type: 'helm.install' | 'helm.upgrade' | 'helm.uninstall' }>,
): InputResult {
  if (world.cluster === undefined)
    return {
      ok: false,
      error: 'Kubernetes cluster unreachable: no cluster exists; run kind create cluster first',
    };
  const outcome =
    event.type === 'helm.install'
      ? helmInstall(world, event.request)
      : event.type === 'helm.upgrade'
        ? helmUpgrade(world, event.request)
        : helmUninstall(world, event.release, event.namespace, event.keepHistory);
  return outcome.ok ? { ok: true, warnings: outcome.warnings, helm: outcome } : outcome;
}

/** `kubectl rollout restart`: it changes the template, so the controller rolls out a new ReplicaSet. */
function restartDeployment(
  world: World,
  event: Extract<InputEvent, { type: 'deployment.restart' }>,
): InputResult {
  return changeDeploymentSpec(world, event.key, (spec) => ({
    ...spec,
    template: {
      ...spec.template,
      metadata: {
        ...spec.template.metadata,
        annotations: {
          ...spec.template.metadata.annotations,
          'kubectl.kubernetes.io/restartedAt': toTimestamp(world.timeMs),
        },
      },
    },
  }));
}

/** A ReplicaSet or ReplicationController scaled through its scale subresource. */
function scaleWorkload(world: World, event: Extract<InputEvent, { type: 'workload.scale' }>): InputResult {
  const cluster = requireCluster(world);
  const existing = getObject(cluster.api, event.kind, event.key);
  if (existing === undefined)
    return {
      ok: false,
      error: `${event.kind === 'ReplicaSet' ? 'replicasets.apps' : 'replicationcontrollers'} "${event.key.split('/').pop() ?? ''}" not found`,
    };
  const metadata = { ...existing.metadata, generation: (existing.metadata.generation ?? 1) + 1 };
  if (existing.kind === 'ReplicaSet')
    apiPut(world, { ...existing, metadata, spec: { ...existing.spec, replicas: event.replicas } }, event.key);
  else
    apiPut(world, { ...existing, metadata, spec: { ...existing.spec, replicas: event.replicas } }, event.key);
  return ok;
}

/** `kubectl label`: the new labels are stored, and the agents hear of them. */
function labelObject(world: World, event: Extract<InputEvent, { type: 'object.label' }>): InputResult {
  const existing = getObject(requireCluster(world).api, event.kind, event.key);
  if (existing === undefined) return { ok: false, error: `${event.kind} "${event.key}" not found` };
  const next = structuredClone(existing);
  const labels = { ...next.metadata.labels };
  for (const [key, value] of Object.entries(event.labels)) {
    if (value === null) delete labels[key];
    else labels[key] = value;
  }
  // An empty map is not stored (the labels field is omitempty).
  if (Object.keys(labels).length > 0) next.metadata.labels = labels;
  else delete next.metadata.labels;
  // The update is validated as any other (ValidateObjectMeta): a label key or value the API server
  // does not accept refuses the whole change.
  const causes = objectMetaCauses(next.metadata);
  if (causes.length > 0) {
    const refusal: ApiRefusal = { reason: 'Invalid', kind: next.kind, name: next.metadata.name, causes };
    return { ok: false, error: refusalText(refusal), refusal };
  }
  apiPut(world, next);
  notifyAgentsOfLabels(world, existing, next);
  return ok;
}

/** `iptables -I` or `-D` in a node: a rule inserted at the top of its chain, or deleted from it. */
function changeFirewall(
  world: World,
  event: Extract<InputEvent, { type: 'node.firewall.insert' | 'node.firewall.delete' }>,
): InputResult {
  const node = requireCluster(world).nodes[event.node];
  if (node === undefined)
    return { ok: false, error: `Error response from daemon: No such container: ${event.node}` };
  if (event.type === 'node.firewall.insert') node.firewall.unshift(event.rule);
  else {
    const index = node.firewall.findIndex((rule) => JSON.stringify(rule) === JSON.stringify(event.rule));
    if (index < 0)
      return { ok: false, error: 'iptables: Bad rule (does a matching rule exist in that chain?).' };
    node.firewall.splice(index, 1);
  }
  updateApiLink(world, event.node);
  return ok;
}

/**
 * Processes one event in the active cluster. Inputs return a result; the events the model schedules
 * for itself (InternalEvent) return undefined.
 */
function processEvent(world: World, event: SimEvent): InputResult | undefined {
  switch (event.type) {
    // The model's own events, the most frequent first (a string switch tests its cases in order),
    // except that the work-queue syncs, fourteen labels, come after the busy scheduler and lease.
    case 'agent.endpoint.step':
      stepEndpoint(world, event.node, event.endpointId, event.step, event.failures);
      return undefined;
    case 'kubelet.pod.sync':
      syncPod(world, event.node, event.podKey);
      return undefined;
    case 'kubelet.sandbox.step':
      stepSandbox(world, event.node, event.podUid, event.step);
      return undefined;
    case 'watch.deliver':
      deliverToView(world, event.viewId, event.change);
      if (event.change.kind === 'Node') nodeIdsObserveNode(world, event.viewId, event.change);
      // The operator watches identities too; it shares the connected agents' delivery timing.
      if (event.viewId === sharedViewId && event.change.kind === 'CiliumIdentity')
        spireIdentityChanged(world, event.change);
      return undefined;
    case 'scheduler.schedule':
      schedulePod(world, event.podKey);
      return undefined;
    case 'kubelet.lease.renew':
      renewLease(world, event.node);
      return undefined;
    case 'controller.replicaset.sync':
    case 'controller.deployment.sync':
    case 'controller.endpoints.sync':
    case 'controller.serviceaccount.sync':
    case 'controller.rootcacert.sync':
    case 'controller.namespace.sync':
    case 'controller.clusterroleaggregation.sync':
    case 'controller.garbagecollector.sync':
    case 'controller.daemonset.sync':
    case 'controller.replicationcontroller.sync':
    case 'controller.job.sync':
    case 'operator.secretsync.sync':
    case 'operator.policyvalidation.sync':
    case 'operator.togroups.sync':
      dequeueSync(world, event.type, event.key);
      runSync(world, event.type, event.key);
      return undefined;
    case 'kubelet.relist':
      relistCompleted(world, event.node);
      return undefined;
    case 'nodelifecycle.monitor':
      monitorNodes(world);
      return undefined;
    case 'nodelifecycle.evict':
      evictPod(world, event.podKey, event.podUid);
      return undefined;
    case 'agent.start':
      bootAgent(world, event.node, event.podUid);
      return undefined;
    case 'agent.restore.completed':
      finishRestore(world, event.node, event.podUid);
      return undefined;
    case 'kubelet.container.exited':
      processExited(world, event.node, event.podUid, event);
      return undefined;
    case 'kubelet.container.backoff':
      backOffContainer(world, event.node, event.podUid, event.restartCount);
      return undefined;
    case 'kubelet.container.restart':
      restartContainers(world, event.node, event.podUid, event.restartCount);
      return undefined;
    case 'agent.relist':
      relistAgent(world, event.node);
      return undefined;
    case 'agent.pod.labels':
      podLabelsChanged(world, event.node, event.podKey);
      return undefined;
    case 'operator.identity.gc':
      collectIdentityGarbage(world);
      return undefined;
    case 'operator.togroups.poll':
      pollToGroups(world);
      return undefined;
    case 'spire.server.start':
      startSpireServer(world);
      return undefined;
    case 'spire.ca.rotate':
      rotateSpireCa(world);
      return undefined;
    case 'spire.svid.issue':
      issueSvid(world, event.node, event.identity);
      return undefined;
    case 'spire.svid.rotate':
      if (renewSvid(world, event.node, event.identity, event.serialHex))
        authCertificateRotated(world, event.node, event.identity);
      return undefined;
    case 'spire.svid.drop':
      if (dropSvid(world, event.node, event.identity))
        authCertificateDeleted(world, event.node, event.identity);
      return undefined;
    case 'auth.signal':
      handleAuthSignals(world, event.node);
      return undefined;
    case 'auth.handshake':
      completeHandshake(world, event.node, event.key);
      return undefined;
    case 'auth.gc':
      collectAuthGarbage(world);
      return undefined;
    case 'mesh.sidecar.csr':
    case 'mesh.ztunnel.csr':
    case 'mesh.certificate.rotate':
      processMeshEvent(world, event);
      return undefined;
    default:
      return processInput(world, event);
  }
}

/** Processes one input (InputEvent): what a reader, a scenario or a tool asks of the world. */
function processInput(world: World, event: InputEvent): InputResult {
  switch (event.type) {
    case 'kind.cluster.create':
      return createCluster(world, event.config);
    case 'kind.cluster.delete':
      return deleteCluster(world, event.name);
    case 'kind.kubeconfig.export':
      return exportKubeconfig(world, event.name);
    case 'aws.ec2.run-instances':
      return { ok: true, ec2: structuredClone(runInstances(world, event)) };
    case 'shell.random':
      return { ok: true, random: nextUint32(world.random) };
    case 'aws.ec2.terminate-instances':
      return { ok: true, ec2: structuredClone(terminateInstances(world, event.instanceIds)) };
    case 'kubeconfig.context.use':
      return useContext(world, event.context);
    case 'cilium.install':
      return installCilium(world, event);
    case 'helm.install':
    case 'helm.upgrade':
    case 'helm.uninstall':
      return runHelm(world, event);
    case 'api.apply': {
      const missingCrds = missingIstioCrds(world, event.objects);
      if (missingCrds !== undefined) return { ok: false, error: missingCrds };
      return { ok: true, applied: applyObjects(world, event.objects) };
    }
    case 'gateway-api.crds.apply':
      if (world.cluster === undefined)
        return {
          ok: false,
          error:
            'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
        };
      return { ok: true, crds: applyGatewayApiCrds(world, event.version) };
    case 'istio.install': {
      const istio = processMeshInput(world, event);
      if (istio.ok && event.request.tool === 'helm' && event.request.release !== undefined)
        recordIstioRelease(world, event.request.release, event.request.chart, event.request.values ?? {});
      return istio.ok ? { ok: true, istio } : { ok: false, error: istio.error };
    }
    case 'istio.waypoint.apply': {
      const waypoint = applyWaypoint(world, event.request);
      return waypoint.ok ? { ok: true, waypoint } : { ok: false, error: waypoint.error };
    }
    case 'pod.process.exit': {
      const error = attachedProcessEnded(world, event.podKey, event);
      return error === undefined ? ok : { ok: false, error };
    }
    case 'pod.file.write': {
      const error = writeContainerFile(world, event.podKey, event.container, event.path, event.content);
      return error === undefined ? ok : { ok: false, error };
    }
    case 'api.delete':
      if (event.orphan === true) orphanDependents(world, event.kind, event.key);
      return deleteObject(world, event.kind, event.key, event.gracePeriodSeconds);
    case 'deployment.scale':
      return changeDeploymentSpec(world, event.key, (spec) => ({ ...spec, replicas: event.replicas }));
    case 'deployment.restart':
      return restartDeployment(world, event);
    case 'workload.scale':
      return scaleWorkload(world, event);
    case 'workload.restart':
      return rolloutResult(restartWorkload(world, event.kind, event.key));
    case 'workload.rollback':
      return rolloutResult(rollbackWorkload(world, event.kind, event.key, event.toRevision));
    case 'object.label':
      return labelObject(world, event);
    case 'node.spec.update':
      return updateNodeSpec(world, event.node, event.taints, event.unschedulable);
    case 'node.firewall.insert':
    case 'node.firewall.delete':
      return changeFirewall(world, event);
    case 'pod.connect':
      return { ok: true, connection: openConnection(world, event.request) };
    case 'pod.traffic':
      return { ok: true, traffic: handleTraffic(world, event.request) };
    case 'envoy.config.apply':
      return applyEnvoyConfig(world, event.config);
    case 'envoy.config.delete':
      return deleteEnvoyConfig(world, event.namespace, event.name);
    case 'envoy.restart':
      return restartEnvoy(world, event.node);
    case 'cilium.endpoint.config':
      return configureEndpoint(world, event.node, event.endpointId, event.options);
    case 'cilium.agent.config':
      return configureAgent(world, event.node, event.options);
  }
}
