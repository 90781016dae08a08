/**
 * Agents' views of the API server. A view is built by listing and then kept current by watch
 * events; connected agents share one, a cut-off agent forks its own, frozen copy, and a re-list
 * after the link heals turns the differences into synthetic deletes and upserts.
 */
import { listObjects, type WatchChange } from '../k8s/api-store';
import type { ApiObject } from '../k8s/objects';
import type { CiliumEndpoint } from './objects';
import type { World } from '../world';
import { requireCluster } from '../world';
import { ipcacheDeleteOnMetadataMatch, ipcacheUpsert } from './ipcache';
import type { AgentState, CachedCiliumEndpoint, CiliumState, ClusterView } from './state';
import { agentsWatchSecret } from './policy-secrets-mode';
import { noteHostPolicyUpdate } from './host-policy-updates';

/** The id of the view that every connected, current agent shares. */
export const sharedViewId = 'shared';

/** An empty view. */
function emptyView(id: string, resourceVersion: number): ClusterView {
  // The caches are keyed by addresses, pod keys and identities the run makes up: hash tables without
  // a prototype from the start (k8s/api-store.ts, createApiStore, says why).
  return {
    id,
    members: [],
    receiving: true,
    syncedResourceVersion: resourceVersion,
    ipcache: Object.create(null) as ClusterView['ipcache'],
    ciliumEndpoints: Object.create(null) as ClusterView['ciliumEndpoints'],
    identities: Object.create(null) as ClusterView['identities'],
    services: Object.create(null) as ClusterView['services'],
    serviceBackends: Object.create(null) as ClusterView['serviceBackends'],
    policies: Object.create(null) as ClusterView['policies'],
    nodes: Object.create(null) as ClusterView['nodes'],
    namespaceLabels: Object.create(null) as ClusterView['namespaceLabels'],
    policyRevision: 0,
    identityRevision: 0,
  };
}

function cachedEndpointFrom(endpoint: CiliumEndpoint): CachedCiliumEndpoint | undefined {
  const identity = endpoint.status.identity?.id;
  const nodeIP = endpoint.status.networking.node;
  // A CEP without a node IP is skipped by the agent (pkg/k8s/watchers/cilium_endpoint.go).
  if (nodeIP === '') return undefined;
  const ips = ipv4Addresses(endpoint.status.networking.addressing);
  return {
    namespace: endpoint.metadata.namespace ?? 'default',
    name: endpoint.metadata.name,
    ips,
    // A CEP with no identity maps to reserved:unmanaged (3).
    identity: identity ?? 3,
    nodeIP,
  };
}

/**
 * The IPv4 addresses of a CiliumEndpoint. The agent writes one (cni.ts): its list is a literal of
 * one, without the spare room a push into an empty list makes (a view keeps it while the pod
 * lives); both ways give lists of one elements kind.
 */
function ipv4Addresses(addressing: CiliumEndpoint['status']['networking']['addressing']): string[] {
  const only = addressing.length === 1 ? addressing[0]!.ipv4 : undefined;
  if (only !== undefined) return [only];
  const ips: string[] = [];
  for (const address of addressing) if (address.ipv4 !== undefined) ips.push(address.ipv4);
  return ips;
}

/** Statistics of one application of changes, for the transcript. */
export interface ViewDelta {
  upserts: number;
  deletes: number;
}

function removeEndpoint(view: ClusterView, key: string, delta: ViewDelta): void {
  const cached = view.ciliumEndpoints[key];
  if (cached === undefined) return;
  for (const ip of cached.ips) {
    if (ipcacheDeleteOnMetadataMatch(view.ipcache, ip, 'custom-resource', cached.namespace, cached.name))
      delta.deletes += 1;
  }
  delete view.ciliumEndpoints[key];
}

function upsertEndpoint(view: ClusterView, key: string, endpoint: CiliumEndpoint, delta: ViewDelta): void {
  const next = cachedEndpointFrom(endpoint);
  const previous = view.ciliumEndpoints[key];
  if (previous !== undefined) {
    // An address the CEP no longer has is deleted, still only if the entry names this pod.
    for (const ip of previous.ips) {
      if (next === undefined || !next.ips.includes(ip)) {
        if (
          ipcacheDeleteOnMetadataMatch(view.ipcache, ip, 'custom-resource', previous.namespace, previous.name)
        )
          delta.deletes += 1;
      }
    }
  }
  if (next === undefined) {
    delete view.ciliumEndpoints[key];
    return;
  }
  view.ciliumEndpoints[key] = next;
  for (const ip of next.ips) {
    const changed = ipcacheUpsert(view.ipcache, ip, {
      identity: next.identity,
      source: 'custom-resource',
      hostIP: next.nodeIP,
      encryptKey: 0,
      namespace: next.namespace,
      podName: next.name,
    });
    if (changed) delta.upserts += 1;
  }
}

function applyEndpoint(
  view: ClusterView,
  type: WatchChange['type'],
  key: string,
  endpoint: CiliumEndpoint,
  delta: ViewDelta,
): void {
  if (type === 'DELETED') removeEndpoint(view, key, delta);
  else upsertEndpoint(view, key, endpoint, delta);
}

/** How many earlier versions of a policy a view remembers. */
const policyHistoryDepth = 8;

/** Applies one object (as listed or watched) to a view. */
function applyObject(
  view: ClusterView,
  type: WatchChange['type'],
  key: string,
  object: ApiObject,
  delta: ViewDelta,
): void {
  switch (object.kind) {
    case 'CiliumEndpoint':
      applyEndpoint(view, type, key, object, delta);
      return;
    case 'CiliumIdentity':
      if (type === 'DELETED') delete view.identities[key];
      else view.identities[key] = { ...object['security-labels'] };
      view.identityRevision += 1;
      return;
    case 'Service':
      if (type === 'DELETED') delete view.services[key];
      else
        view.services[key] = {
          clusterIP: object.spec.clusterIP,
          ports: structuredClone(object.spec.ports),
          ...(object.spec.type !== 'ClusterIP' ? { type: object.spec.type } : {}),
          ...(object.spec.externalTrafficPolicy !== undefined
            ? { externalTrafficPolicy: object.spec.externalTrafficPolicy }
            : {}),
        };
      return;
    case 'Endpoints':
      if (type === 'DELETED') delete view.serviceBackends[key];
      else {
        view.serviceBackends[key] = (object.subsets ?? []).flatMap((subset) =>
          (subset.addresses ?? []).map((address) => ({
            ip: address.ip,
            ports: structuredClone(subset.ports ?? []),
            // Which backends are node-local, for externalTrafficPolicy=Local.
            ...(address.nodeName !== undefined ? { nodeName: address.nodeName } : {}),
          })),
        );
      }
      return;
    case 'Node':
      if (type === 'DELETED') delete view.nodes[key];
      else {
        view.nodes[key] = {
          internalIP: object.status.addresses.find((address) => address.type === 'InternalIP')?.address ?? '',
          podCIDR: object.spec.podCIDR ?? '',
          isControlPlane: object.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined,
          labels: { ...object.metadata.labels },
        };
      }
      return;
    case 'Secret':
      // Only the secrets namespace is watched (SDS mode); the data is what the agent serves Envoy.
      if (type === 'DELETED') {
        if (view.secrets !== undefined) delete view.secrets[key];
      } else (view.secrets ??= {})[key] = { ...object.data };
      return;
    case 'Namespace':
      if (type === 'DELETED') delete view.namespaceLabels[key];
      else view.namespaceLabels[key] = { ...object.metadata.labels };
      return;
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
    case 'NetworkPolicy': {
      const policyKey = `${object.kind}/${key}`;
      if (type === 'DELETED') {
        delete view.policies[policyKey];
        if (view.policyHistory !== undefined) delete view.policyHistory[policyKey];
      } else {
        // Earlier versions are kept because an agent that refuses an update keeps enforcing the
        // version it had imported (endpoint-policy-cache.ts picks it).
        const previous = view.policies[policyKey];
        // The policy watcher skips an update that changed only the status (the operator's Valid
        // condition, 1.12's node status): the agent's policy is unchanged.
        if (previous !== undefined && onlyStatusChanged(previous, object)) {
          view.policies[policyKey] = object;
          return;
        }
        if (previous !== undefined) {
          const history = ((view.policyHistory ??= {})[policyKey] ??= []);
          history.push(previous);
          if (history.length > policyHistoryDepth) history.shift();
        }
        view.policies[policyKey] = object;
      }
      view.policyRevision += 1;
      return;
    }
    default:
      return;
  }
}

/** Whether two versions of a policy object differ in their status alone. */
function onlyStatusChanged(previous: unknown, next: ApiObject): boolean {
  const withoutStatus = (value: unknown): string => {
    const { metadata, ...rest } = value as { status?: unknown; metadata?: { labels?: unknown } };
    return JSON.stringify({ ...rest, status: undefined, labels: metadata?.labels });
  };
  return withoutStatus(previous) === withoutStatus(next);
}

/** Every object an agent lists at start-up, as (key, object) pairs per kind. */
function listForAgent(world: World): { key: string; object: ApiObject }[] {
  const cluster = requireCluster(world);
  const kinds = [
    'Namespace',
    'Node',
    'CiliumIdentity',
    'CiliumEndpoint',
    'Service',
    'Endpoints',
    'CiliumNetworkPolicy',
    'CiliumClusterwideNetworkPolicy',
    'NetworkPolicy',
    'Secret',
  ] as const;
  return kinds.flatMap((kind) =>
    listObjects(cluster.api, kind)
      .filter((object) => object.kind !== 'Secret' || agentsWatchSecret(cluster, object))
      .map((object) => ({
        key:
          object.metadata.namespace !== undefined &&
          kind !== 'Namespace' &&
          kind !== 'Node' &&
          kind !== 'CiliumIdentity' &&
          kind !== 'CiliumClusterwideNetworkPolicy'
            ? `${object.metadata.namespace}/${object.metadata.name}`
            : object.metadata.name,
        object,
      })),
  );
}

/** Builds the shared view from a full list of the API server. */
export function createSharedView(world: World): ClusterView {
  const cluster = requireCluster(world);
  const view = emptyView(sharedViewId, cluster.api.resourceVersion);
  const delta: ViewDelta = { upserts: 0, deletes: 0 };
  for (const { key, object } of listForAgent(world)) applyObject(view, 'ADDED', key, object, delta);
  return view;
}

/** The kinds applyObject keeps in a view's policies. */
const policyKinds: ReadonlySet<string> = new Set([
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'NetworkPolicy',
]);

/** The statistics of a delivery, which nobody reads: one object counts them all. */
const deliveryDelta: ViewDelta = { upserts: 0, deletes: 0 };

/** Applies a delivered watch event to a view. */
export function deliverToView(world: World, viewId: string, change: WatchChange): void {
  const cilium = requireCluster(world).cilium;
  const view = cilium?.views[viewId];
  if (view === undefined || !view.receiving) return;
  // Only a policy has a previous version to compare: building the key of every other change (a
  // fresh string the engine would hash before the lookup) would cost more than its delivery.
  // The change's kind, read from one shape; the object's would be read from any kind's shape.
  const kind = change.kind;
  if (kind === 'CiliumEndpoint') {
    // Most deliveries: an endpoint is no policy, and its delivery needs no kind switch.
    applyEndpoint(view, change.type, change.key, change.object as CiliumEndpoint, deliveryDelta);
    view.syncedResourceVersion = Math.max(view.syncedResourceVersion, change.resourceVersion);
    return;
  }
  const previous = policyKinds.has(kind) ? view.policies[`${kind}/${change.key}`] : undefined;
  const revision = view.policyRevision;
  applyObject(view, change.type, change.key, change.object, deliveryDelta);
  // A policy change that is not one of status alone may regenerate the members' host endpoints.
  if (view.policyRevision !== revision)
    noteHostPolicyUpdate(
      requireCluster(world),
      view,
      previous as ApiObject | undefined,
      change.type === 'DELETED' ? undefined : change.object,
      world.timeMs,
    );
  view.syncedResourceVersion = Math.max(view.syncedResourceVersion, change.resourceVersion);
}

/** Gives a cut-off agent its own frozen copy of the view it had. */
export function forkView(cilium: CiliumState, agent: AgentState): ClusterView {
  const current = cilium.views[agent.viewId];
  if (current === undefined) throw new Error(`agent ${agent.node} has no view`);
  current.members = current.members.filter((member) => member !== agent.node);
  const fork: ClusterView = {
    ...structuredClone(current),
    id: `frozen-${cilium.nextViewNumber++}-${agent.node}`,
    members: [agent.node],
    receiving: false,
  };
  cilium.views[fork.id] = fork;
  agent.viewId = fork.id;
  return fork;
}

/**
 * Re-lists for an agent whose link healed: objects it cached that no longer exist get synthetic
 * deletes, every current object an upsert; then the agent rejoins the shared view, which the
 * re-listed copy now equals.
 */
export function relistView(world: World, agent: AgentState): ViewDelta {
  const cilium = requireCluster(world).cilium;
  if (cilium === undefined) return { upserts: 0, deletes: 0 };
  const view = cilium.views[agent.viewId];
  const delta: ViewDelta = { upserts: 0, deletes: 0 };
  if (view === undefined || view.id === sharedViewId) return delta;
  const listed = listForAgent(world);
  const listedKeys = new Set(
    listed.filter(({ object }) => object.kind === 'CiliumEndpoint').map(({ key }) => key),
  );
  for (const key of Object.keys(view.ciliumEndpoints).sort()) {
    if (!listedKeys.has(key)) removeEndpoint(view, key, delta);
  }
  // A Secret deleted while the agent was cut off is forgotten too (it stops serving it to Envoy).
  const listedSecrets = new Set(
    listed.filter(({ object }) => object.kind === 'Secret').map(({ key }) => key),
  );
  for (const key of Object.keys(view.secrets ?? {})) {
    if (!listedSecrets.has(key) && view.secrets !== undefined) delete view.secrets[key];
  }
  for (const { key, object } of listed) applyObject(view, 'MODIFIED', key, object, delta);
  delete cilium.views[view.id];
  const shared = cilium.views[sharedViewId];
  if (shared !== undefined) {
    shared.members = [...shared.members, agent.node].sort();
    agent.viewId = sharedViewId;
  }
  return delta;
}
