/**
 * The Cilium CNI plugin and the agent's endpoint manager: CNI ADD allocates the pod's address from
 * the node's pool and creates an endpoint, which resolves its identity, regenerates, and only then
 * lets the kubelet finish the sandbox; CNI DEL deletes the endpoint and frees the address at once.
 */
import { nextIntBetween } from '../engine/prng';
import { getObject } from '../k8s/api-store';
import { apiPut, apiRemove } from '../k8s/api-writes';
import { allocateNext, releaseAddress } from '../k8s/ipam';
import { newMetadata } from '../k8s/metadata';
import type { ObjectMeta, Pod } from '../k8s/objects';
import type { CiliumEndpoint } from './objects';
import { requireNextState } from '../machines/step';
import { endpointLifecycleMachine, type EndpointLifecycleEvent } from '../machines/endpoint-lifecycle';
import type { EndpointStep } from '../events';
import type { Cluster, NodeRuntime, Sandbox, World } from '../world';
import { requireCluster, schedule } from '../world';
import { endpointShareOf } from './daemon-options';
import { allocateIdentity } from './identity-allocation';
import {
  identityRelevantLabels,
  isIdentityRelevant,
  labelSetToStrings,
  podSecurityLabels,
  type LabelSet,
} from './labels';
import { ReservedIdentity } from './reserved-identities';
import type { AgentState, LocalEndpoint } from './state';
import {
  currentRegenerationReason,
  labelsRegenerationMessages,
  labelsRegenerationReason,
  logEndpointStatus,
  restoreRegenerationReason,
  statusMessages,
} from './endpoint-status-log';

/** Time the agent takes to resolve an endpoint's labels and identity. */
export const identityResolutionMs = 30;
/** Time between a regeneration's trigger and the start of the build (the endpoint's event queue). */
export const regenerationQueueMs = 5;
/** Time a regeneration takes (compile policy, write the policy map). */
export const regenerationMs = 120;

/**
 * A restarted agent regenerates the endpoints it restored only once its Kubernetes caches synced
 * and the ipcache has its first revision (startDaemon → initRestore in daemon/cmd/daemon_main.go
 * at v1.18): the model's wait for that.
 */
export const restoreWaitMs = 1_000;

/**
 * The first regeneration after a start rebuilds every restored endpoint's datapath
 * (RegenerateWithDatapath in pkg/endpoint/restore.go at v1.18), compiling the endpoint program's
 * template with clang once for all of them. Cilium has no setting for this; it is the model's
 * figure for a kind node, where it takes seconds.
 */
export const templateCompileMs = 12_000;

/**
 * A started agent takes back the endpoints of its node that an earlier agent left (restoreOldEndpoints,
 * then regenerateRestoredEndpoints in daemon/cmd/state.go at v1.18): each goes to `restoring`, and
 * after the restore wait to `regenerating`, in the background; the datapath keeps enforcing what
 * the old agent loaded until each is rebuilt. Returns how many were restored.
 */
export function restoreEndpoints(world: World, agent: AgentState): number {
  const restorable = ['ready', 'waiting-to-regenerate', 'regenerating', 'restoring'];
  const restored = Object.values(agent.endpoints)
    .filter((endpoint) => restorable.includes(endpoint.state))
    .sort((a, b) => a.id - b.id);
  for (const endpoint of restored) {
    moveEndpoint(world, endpoint, 'endpoint.restore', statusMessages.restoring);
    schedule(world, restoreWaitMs, {
      type: 'agent.endpoint.step',
      node: agent.node,
      endpointId: endpoint.id,
      step: 'restore-regenerate',
    });
  }
  return restored.length;
}

/** Whether Cilium's CNI plugin is the cluster's: its agents write 05-cilium.conflist once installed. */
export function cniInstalled(cluster: Readonly<Cluster>): boolean {
  return cluster.cilium !== undefined;
}

/** Whether Cilium's CNI plugin can serve CNI ADD on the node: its agent runs there. */
export function cniReady(world: World, nodeName: string): boolean {
  return requireCluster(world).cilium?.agents[nodeName]?.running === true;
}

function requireAgent(world: World, nodeName: string): AgentState {
  const agent = requireCluster(world).cilium?.agents[nodeName];
  if (agent === undefined) throw new Error(`no cilium agent on ${nodeName}`);
  return agent;
}

/** Moves an endpoint along its lifecycle and logs the move with the agent's reason (endpoint-status-log.ts). */
function moveEndpoint(
  world: World,
  endpoint: LocalEndpoint,
  eventType: EndpointLifecycleEvent['type'],
  reason: string,
): void {
  endpoint.state = requireNextState(endpointLifecycleMachine, endpoint.state, eventType);
  logEndpointStatus(endpoint, world.timeMs, reason);
}

/** Cilium endpoint ids are leased at random from 1-4095 on each node (idpool). */
function leaseEndpointId(world: World, agent: AgentState): number {
  // A taken id is one with an entry in the agent's endpoints.
  let id = nextIntBetween(world.random, 1, 4095);
  while (agent.endpoints[id] !== undefined) id = (id % 4095) + 1;
  return id;
}

/**
 * The labels of an endpoint at reserved:init. Label lists are replaced whole and never changed in
 * place (resolveIdentity, podLabelsChanged), so endpoints and the CiliumEndpoints written from them
 * may share one list; a clone of the world copies it like any other.
 */
const initLabels: string[] = ['reserved:init'];

/** CNI ADD for a pod sandbox. */
export function cniAdd(world: World, node: NodeRuntime, sandbox: Sandbox, pod: Pod): void {
  const cluster = requireCluster(world);
  const nodeName = node.name;
  const agent = requireAgent(world, nodeName);
  const ip = allocateNext(node.ipam, world.random, sandbox.podKey);
  if (ip === undefined) return; // pool exhausted: the sandbox stays in creating, as with a real IPAM error
  sandbox.ip = ip;
  const id = leaseEndpointId(world, agent);
  sandbox.endpointId = id;
  const endpoint: LocalEndpoint = {
    id,
    podKey: sandbox.podKey,
    namespace: pod.metadata.namespace ?? 'default',
    podName: pod.metadata.name,
    podUid: pod.metadata.uid,
    ip,
    state: 'none',
    identity: ReservedIdentity.init,
    labels: initLabels,
    containerId: sandbox.containerId,
    // Made with its log, which gets its first entry at once: endpoints then keep one shape.
    statusLog: [],
  };
  // A new endpoint starts from the agent's options, changed at runtime or not (cilium/daemon-options.ts).
  if (agent.daemonOptions !== undefined)
    endpoint.options = endpointShareOf(agent.config ?? cluster.cilium?.config, agent.daemonOptions);
  moveEndpoint(world, endpoint, 'endpoint.create', statusMessages.created);
  agent.endpoints[id] = endpoint;
  agent.ipToEndpoint[ip] = id;
  schedule(world, identityResolutionMs, {
    type: 'agent.endpoint.step',
    node: nodeName,
    endpointId: id,
    step: 'resolve-identity',
  });
}

/** Advances an endpoint through identity resolution and regeneration. */
export function stepEndpoint(
  world: World,
  nodeName: string,
  endpointId: number,
  step: EndpointStep,
  failures = 0,
): void {
  const agent = requireAgent(world, nodeName);
  const endpoint = agent.endpoints[endpointId];
  if (endpoint === undefined) return;
  switch (step) {
    case 'resolve-labels':
      retryLabelResolution(world, agent, endpoint, failures);
      return;
    case 'resolve-identity':
      if (endpoint.state !== 'waiting-for-identity') return;
      resolveIdentity(world, agent, endpoint);
      moveEndpoint(world, endpoint, 'identity.resolved', statusMessages.identitySet);
      moveEndpoint(world, endpoint, 'regeneration.queued', labelsRegenerationMessages.queued);
      schedule(world, regenerationQueueMs, {
        type: 'agent.endpoint.step',
        node: nodeName,
        endpointId,
        step: 'regenerate',
      });
      return;
    case 'restore-regenerate':
      if (endpoint.state !== 'restoring') return;
      logEndpointStatus(endpoint, world.timeMs, statusMessages.restoredFromPrevious);
      logEndpointStatus(endpoint, world.timeMs, statusMessages.labelsSynchronized);
      moveEndpoint(
        world,
        endpoint,
        'regeneration.started',
        statusMessages.regenerating(restoreRegenerationReason),
      );
      schedule(world, templateCompileMs, {
        type: 'agent.endpoint.step',
        node: nodeName,
        endpointId,
        step: 'regenerated',
      });
      return;
    case 'regenerate':
      if (endpoint.state !== 'waiting-to-regenerate') return;
      moveEndpoint(world, endpoint, 'regeneration.started', labelsRegenerationMessages.regenerating);
      schedule(world, regenerationMs, {
        type: 'agent.endpoint.step',
        node: nodeName,
        endpointId,
        step: 'regenerated',
      });
      return;
    case 'regenerated': {
      if (endpoint.state !== 'regenerating') return;
      const reason = currentRegenerationReason(endpoint);
      moveEndpoint(world, endpoint, 'regeneration.completed', statusMessages.regenerationCompleted);
      logEndpointStatus(
        endpoint,
        world.timeMs,
        reason === labelsRegenerationReason
          ? labelsRegenerationMessages.regenerated
          : statusMessages.regenerated(reason),
      );
      // The node is looked up once, for the CiliumEndpoint's node address and the sandbox.
      const node = requireCluster(world).nodes[nodeName];
      writeEndpointObject(world, agent, endpoint, node);
      const sandbox = node?.kubelet.sandboxes[endpoint.podUid];
      if (sandbox?.state === 'creating') {
        schedule(world, requireCluster(world).timings.sandboxCreateMs, {
          type: 'kubelet.sandbox.step',
          node: nodeName,
          podUid: endpoint.podUid,
          step: 'sandbox.created',
        });
      }
      return;
    }
    case 'disconnected':
      if (endpoint.state !== 'disconnecting') return;
      moveEndpoint(world, endpoint, 'endpoint.disconnected', statusMessages.deleting);
      delete agent.endpoints[endpointId];
      return;
  }
}

/**
 * Resolves an endpoint's identity from its pod's labels, read from the agent's pod store
 * (FetchK8sMetadataForEndpoint, pkg/endpoint/metadata/k8s_metadatafetcher.go at v1.18.5). An agent
 * cut off from the API server has not seen a pod created since, so the lookup fails and the
 * endpoint gets the labels `reserved:init` and identity 5 instead (metadataResolver in
 * pkg/endpoint/endpoint.go; the init case of CreateEndpoint in
 * pkg/endpoint/api/endpoint_api_manager.go at v1.18.5); the resolver then retries
 * (retryLabelResolution). Known gap: a pod the agent saw before the cut is still in its table of
 * local pods (the reflector keeps the last objects while the API server is unreachable; a UID
 * mismatch is refused), so the real agent would resolve the pod's labels as of the cut; the
 * agents' views hold no pods, so the model gives it the init identity too (cilium/README.md).
 */
function resolveIdentity(world: World, agent: AgentState, endpoint: LocalEndpoint): void {
  if (agent.connection !== 'connected') {
    endpoint.identity = ReservedIdentity.init;
    endpoint.labels = initLabels;
    if (agent.pendingLabelResolution[endpoint.id] !== true) {
      agent.pendingLabelResolution[endpoint.id] = true;
      scheduleLabelRetry(world, agent, endpoint, 1);
    }
    return;
  }
  const derived = endpointSecurityLabels(world, endpoint);
  endpoint.identity = allocateIdentity(world, derived.labels, derived.key);
  // The derivation's own list, shared (see initLabels): no endpoint changes its list in place.
  endpoint.labels = derived.strings;
  if (agent.pendingLabelResolution[endpoint.id] !== undefined)
    delete agent.pendingLabelResolution[endpoint.id];
}

/**
 * The label resolver runs as the endpoint's `resolve-labels-<namespace>/<pod>` controller with no
 * run interval: after its n-th failed run in a row it runs again n seconds later, with no cap
 * (RunMetadataResolver in pkg/endpoint/endpoint.go; errorRetries × 1 s in
 * pkg/controller/controller.go at v1.18.5), and stops after its first success.
 */
function scheduleLabelRetry(
  world: World,
  agent: AgentState,
  endpoint: LocalEndpoint,
  failures: number,
): void {
  schedule(world, failures * 1000, {
    type: 'agent.endpoint.step',
    node: agent.node,
    endpointId: endpoint.id,
    step: 'resolve-labels',
    failures,
  });
}

/**
 * A run of the label resolver for an endpoint at reserved:init. The pod reaches the agent's store
 * only once the agent re-listed after the link healed (`connected`); until then the run fails and
 * the next is scheduled. On success the pod's labels replace reserved:init: the endpoint goes back
 * to waiting-for-identity, gets the identity of its labels and regenerates for that identity's
 * policy (UpdateLabels, pkg/endpoint/endpoint.go at v1.18.5).
 */
function retryLabelResolution(
  world: World,
  agent: AgentState,
  endpoint: LocalEndpoint,
  failures: number,
): void {
  if (agent.pendingLabelResolution[endpoint.id] !== true) return;
  const relabelable = ['ready', 'waiting-to-regenerate', 'regenerating'];
  if (agent.connection !== 'connected' || !relabelable.includes(endpoint.state)) {
    scheduleLabelRetry(world, agent, endpoint, failures + 1);
    return;
  }
  // resolveIdentity marks the endpoint again (and restarts the retries) if the link is lost meanwhile.
  delete agent.pendingLabelResolution[endpoint.id];
  moveEndpoint(world, endpoint, 'labels.changed', statusMessages.labelsChanged);
  schedule(world, 0, {
    type: 'agent.endpoint.step',
    node: agent.node,
    endpointId: endpoint.id,
    step: 'resolve-identity',
  });
}

/** An endpoint's identity-relevant labels, with their CLI strings and the allocator's key. */
interface EndpointLabels {
  readonly labels: LabelSet;
  /** Never changed once made: endpoints and their CiliumEndpoints share it. */
  readonly strings: string[];
  readonly key: string;
}

/**
 * Derived labels by the namespace's labels object (stored objects are never mutated), then by the
 * text of the other inputs: the pod's identity-relevant labels, the namespace, service account and
 * cluster names. The derivation keeps only identity-relevant labels and sorts them, so that text
 * decides it. Each rollout gives its pods a new pod-template-hash, which is not an identity label,
 * so the text finds what an earlier rollout of the same workload derived.
 */
const derivedLabels = new WeakMap<object, Map<string, EndpointLabels>>();

/** The text key of endpointSecurityLabels' inputs besides the namespace's labels. */
function derivationKey(podLabels: Readonly<Record<string, string>>, rest: string): string {
  let text = rest;
  // Label keys and values never hold control characters (apimachinery's validation).
  for (const key in podLabels) if (relevantPodLabel(key)) text += `\u0001${key}\u0000${podLabels[key]}`;
  return text;
}

/** Pod label key → whether its `k8s:` label is identity-relevant (isIdentityRelevant, by the bare key). */
const relevantPodLabelKeys = new Map<string, boolean>();

function relevantPodLabel(key: string): boolean {
  let relevant = relevantPodLabelKeys.get(key);
  if (relevant === undefined) {
    if (relevantPodLabelKeys.size >= 10_000) relevantPodLabelKeys.clear();
    relevant = isIdentityRelevant(`k8s:${key}`);
    relevantPodLabelKeys.set(key, relevant);
  }
  return relevant;
}

/** The identity-relevant labels of an endpoint's pod as the API server has them now. */
function endpointSecurityLabels(world: World, endpoint: LocalEndpoint): EndpointLabels {
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', endpoint.podKey);
  const namespace = getObject(cluster.api, 'Namespace', endpoint.namespace);
  const podLabels = pod?.metadata.labels ?? noLabels;
  const namespaceLabels = namespace?.metadata.labels ?? noLabels;
  const serviceAccount = pod?.spec.serviceAccountName ?? 'default';
  const clusterName = cluster.cilium?.config.clusterName ?? 'default';
  const last = lastDerived;
  if (
    last !== undefined &&
    sameLabels(last.podLabels, podLabels) &&
    last.namespaceLabels === namespaceLabels &&
    last.namespace === endpoint.namespace &&
    last.serviceAccount === serviceAccount &&
    last.clusterName === clusterName
  )
    return last.derived;
  let byText = derivedLabels.get(namespaceLabels);
  if (byText === undefined) {
    byText = new Map();
    derivedLabels.set(namespaceLabels, byText);
  }
  const textKey = derivationKey(podLabels, `${endpoint.namespace}\n${serviceAccount}\n${clusterName}`);
  let derived = byText.get(textKey);
  if (derived === undefined) {
    const labels = identityRelevantLabels(
      podSecurityLabels({
        podLabels,
        namespace: endpoint.namespace,
        namespaceLabels,
        serviceAccount,
        clusterName,
      }),
    );
    const strings = labelSetToStrings(labels);
    derived = { labels, strings, key: strings.join(';') };
    // Every rollout adds a key: a long run starts over now and then.
    if (byText.size >= 1000) byText.clear();
    byText.set(textKey, derived);
  }
  lastDerived = {
    podLabels,
    namespaceLabels,
    namespace: endpoint.namespace,
    serviceAccount,
    clusterName,
    derived,
  };
  return derived;
}

/** The last answer of endpointSecurityLabels: the pods of one rollout come one after another. */
let lastDerived:
  | {
      podLabels: Readonly<Record<string, string>>;
      namespaceLabels: object;
      namespace: string;
      serviceAccount: string;
      clusterName: string;
      derived: EndpointLabels;
    }
  | undefined;

const noLabels: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Whether two label records hold the same labels: the same object for the pods of one ReplicaSet
 * (k8s/controlled-pods.ts shares the template's), equal copies for pods whose controller adds
 * labels of its own; comparing the few entries spares building the cache's text key.
 */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  let count = 0;
  for (const key in a) {
    if (b[key] !== a[key]) return false;
    count += 1;
  }
  for (const key in b) if (--count < 0 || a[key] === undefined) return false;
  return count === 0;
}

/**
 * The agent's pod watcher saw new labels on a local pod (or on its namespace). When the
 * identity-relevant labels differ from the endpoint's, the endpoint goes back to
 * waiting-for-identity (pkg/endpoint/endpoint.go setState), resolves or allocates the identity of the new label set and
 * regenerates; the CiliumEndpoint written at the end carries the new identity, so every other
 * agent's ipcache learns it through its CiliumEndpoint watch. Until then the old identity stays.
 */
export function podLabelsChanged(world: World, nodeName: string, podKey: string): void {
  const agent = requireCluster(world).cilium?.agents[nodeName];
  if (agent === undefined || agent.connection !== 'connected') return;
  const endpoint = Object.values(agent.endpoints).find(
    (candidate) =>
      candidate.podKey === podKey &&
      (candidate.state === 'ready' ||
        candidate.state === 'waiting-to-regenerate' ||
        candidate.state === 'regenerating'),
  );
  // An endpoint still waiting for its identity reads the labels when it resolves them.
  if (endpoint === undefined || agent.pendingLabelResolution[endpoint.id] === true) return;
  const labels = endpointSecurityLabels(world, endpoint).strings;
  if (labels.join('\n') === endpoint.labels.join('\n')) return;
  moveEndpoint(world, endpoint, 'labels.changed', statusMessages.labelsChanged);
  schedule(world, identityResolutionMs, {
    type: 'agent.endpoint.step',
    node: nodeName,
    endpointId: endpoint.id,
    step: 'resolve-identity',
  });
}

/** Creates or updates the CiliumEndpoint object for an endpoint (only possible while connected). */
export function writeCiliumEndpoint(world: World, agent: AgentState, endpoint: LocalEndpoint): void {
  writeEndpointObject(world, agent, endpoint, requireCluster(world).nodes[agent.node]);
}

/** writeCiliumEndpoint for a caller that has the agent's node at hand. */
function writeEndpointObject(
  world: World,
  agent: AgentState,
  endpoint: LocalEndpoint,
  node: NodeRuntime | undefined,
): void {
  if (agent.connection !== 'connected') return;
  // An endpoint at reserved:init has no pod metadata yet, and the CiliumEndpoint synchronizer skips
  // such endpoints (HaveK8sMetadata in pkg/endpointmanager/endpointsynchronizer.go at v1.18.5).
  if (agent.pendingLabelResolution[endpoint.id] === true) return;
  const cluster = requireCluster(world);
  const pod = getObject(cluster.api, 'Pod', endpoint.podKey);
  if (pod === undefined || node === undefined) return;
  const existing = getObject(cluster.api, 'CiliumEndpoint', endpoint.podKey);
  // The agent names the pod as owner without controller or blockOwnerDeletion (pkg/k8s/
  // watchers/endpointsynchronizer.go at v1.12.0); the API server gives a new custom resource
  // generation 1, and status writes leave it there.
  const ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }];
  // Made for this write, so the store keeps it as it is (below): an update's copy has the stored
  // version's shape; a new one is newMetadata's own object, which takes the pod's labels, then the
  // two fields of its own, in the order a copy would give them. The labels are the stored pod's
  // record itself: stored objects are never changed, so the two may share it.
  let metadata: ObjectMeta;
  if (existing !== undefined) metadata = { ...existing.metadata, ownerReferences };
  else {
    metadata = newMetadata(world, endpoint.podName, endpoint.namespace);
    if (pod.metadata.labels !== undefined) metadata.labels = pod.metadata.labels;
    metadata.generation = 1;
    metadata.ownerReferences = ownerReferences;
  }
  const ciliumEndpoint: CiliumEndpoint = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumEndpoint',
    metadata,
    status: {
      id: endpoint.id,
      identity: endpointIdentity(endpoint.identity, endpoint.labels),
      networking: { addressing: [{ ipv4: endpoint.ip }], node: node.internalIP },
      state: endpoint.state,
      encryption: noEncryption,
      'external-identifiers': {
        'container-id': endpoint.containerId,
        'k8s-namespace': endpoint.namespace,
        'k8s-pod-name': endpoint.podName,
        // `namespace/name`: the pod's store key.
        'pod-name': endpoint.podKey,
      },
    },
  };
  // A CiliumEndpoint is named and namespaced like its pod, so it shares the pod's store key.
  apiPut(world, ciliumEndpoint, endpoint.podKey, 'object-and-metadata');
}

/**
 * The encryption of every CiliumEndpoint the agent writes (no key: the model has no IPsec key
 * rotation), one object for all: stored objects are never mutated.
 */
const noEncryption: CiliumEndpoint['status']['encryption'] = Object.freeze({});

/** The identity object the agent last wrote, shared by the CiliumEndpoints of one workload. */
let lastIdentity: { id: number; labels: string[] } = { id: ReservedIdentity.init, labels: initLabels };

/**
 * A CiliumEndpoint's identity. The endpoints of one workload's pods have the same identity and
 * share its label list (endpointSecurityLabels), and their CiliumEndpoints are written one after
 * another: they share one object too (stored objects are never mutated). The list is the
 * endpoint's own: lists are replaced, never changed in place (initLabels).
 */
function endpointIdentity(id: number, labels: string[]): { id: number; labels: string[] } {
  if (lastIdentity.id !== id || lastIdentity.labels !== labels) lastIdentity = { id, labels };
  return lastIdentity;
}

/** CNI DEL: the endpoint goes, its CiliumEndpoint is deleted, and the address is free at once. */
export function cniDel(world: World, node: NodeRuntime, sandbox: Sandbox): void {
  const cluster = requireCluster(world);
  const nodeName = node.name;
  // A sandbox attached before Cilium was installed has no endpoint: only its address goes back.
  if (sandbox.endpointId === undefined) {
    if (sandbox.ip !== undefined) releaseAddress(node.ipam, sandbox.ip);
    return;
  }
  const agent = requireAgent(world, nodeName);
  const endpoint = agent.endpoints[sandbox.endpointId];
  if (sandbox.ip !== undefined) releaseAddress(node.ipam, sandbox.ip);
  if (endpoint === undefined) return;
  if (agent.ipToEndpoint[endpoint.ip] === endpoint.id) delete agent.ipToEndpoint[endpoint.ip];
  if (agent.pendingLabelResolution[endpoint.id] !== undefined)
    delete agent.pendingLabelResolution[endpoint.id];
  moveEndpoint(world, endpoint, 'endpoint.delete', statusMessages.deleting);
  if (agent.connection === 'connected') {
    const existing = getObject(cluster.api, 'CiliumEndpoint', endpoint.podKey);
    if (existing !== undefined && existing.status.id === endpoint.id)
      apiRemove(world, 'CiliumEndpoint', endpoint.podKey);
  } else {
    agent.orphanedCiliumEndpoints[endpoint.podKey] = endpoint.id;
  }
  schedule(world, 10, {
    type: 'agent.endpoint.step',
    node: nodeName,
    endpointId: endpoint.id,
    step: 'disconnected',
  });
}
