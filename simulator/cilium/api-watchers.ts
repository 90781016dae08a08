/**
 * What Cilium watches in the API server, registered as watchers in k8s/extension-points.ts: the
 * operator's Secret sync and policy validation, and the agents' informers, which receive a change
 * after the watch latency while their connection to the API server holds.
 */
import type { WatchChange } from '../k8s/api-store';
import { enqueueSync } from '../k8s/api-writes';
import type { ApiKind } from '../k8s/objects';
import { schedule, type Cluster, type World } from '../world';
import { agentsWatchSecret, secretSyncConcerns } from './policy-secrets-mode';
import { notifyPolicyValidator } from './policy-validator';
import { notifyToGroupsOperator } from './to-groups';
import type { CiliumState } from './state';

/**
 * Whether Cilium agents watch a kind (CRD mode): the ones their caches are built from. A switch on
 * the kind's name, which compares interned strings, where a Set would hash the name of every
 * change the API server makes.
 */
function agentsWatch(kind: ApiKind): boolean {
  switch (kind) {
    case 'CiliumEndpoint':
    case 'CiliumIdentity':
    case 'Service':
    case 'Endpoints':
    case 'Node':
    case 'Namespace':
    case 'CiliumNetworkPolicy':
    case 'CiliumClusterwideNetworkPolicy':
    case 'NetworkPolicy':
      return true;
    default:
      return false;
  }
}

/** Delivers an API change to Cilium's operator and agents, when Cilium is installed. */
export function ciliumWatchesChange(world: World, cluster: Cluster, change: WatchChange): void {
  const cilium = cluster.cilium;
  if (cilium === undefined) return;
  // Each helper first asks the change's kind, which every change carries in one shape; the objects'
  // own kind fields would be read through megamorphic lookups (k8s/api-store.ts, putObject).
  const { kind, object } = change;
  // Most changes are pods': of what follows only the toGroups operator looks at them (an operator
  // pod that starts), and no agent view holds pods.
  if (kind === 'Pod') {
    if (change.type !== 'DELETED') notifyToGroupsOperator(world, kind, object, change.key);
    return;
  }
  // The operator reconciles the Secrets policies name (SDS mode, cilium/policy-secrets.ts).
  if (secretSyncConcerns(cluster, kind, object))
    enqueueSync(world, 'operator.secretsync.sync', 'policy-secrets');
  // From 1.16 the operator validates every Cilium policy it sees (cilium/policy-validator.ts).
  if (change.type !== 'DELETED') notifyPolicyValidator(world, kind, object, change.key);
  // The operator derives the addresses of a policy's toGroups (cilium/to-groups.ts).
  if (change.type !== 'DELETED') notifyToGroupsOperator(world, kind, object, change.key);
  if (agentsWatch(kind) || (kind === 'Secret' && agentsWatchSecret(cluster, object)))
    deliverToViews(world, cluster, cilium.views, change);
}

/** Schedules a change's delivery to every receiving view, in view id order. */
function deliverToViews(
  world: World,
  cluster: Cluster,
  views: CiliumState['views'],
  change: WatchChange,
): void {
  // Usually the shared view alone (every agent connected): found without listing the ids.
  let first: string | undefined;
  for (const viewId in views) {
    if (first === undefined) {
      first = viewId;
      continue;
    }
    for (const id of Object.keys(views).sort()) scheduleDelivery(world, cluster, views, id, change);
    return;
  }
  if (first !== undefined) scheduleDelivery(world, cluster, views, first, change);
}

function scheduleDelivery(
  world: World,
  cluster: Cluster,
  views: CiliumState['views'],
  viewId: string,
  change: WatchChange,
): void {
  if (views[viewId]?.receiving === true)
    schedule(world, cluster.timings.watchLatencyMs, { type: 'watch.deliver', viewId, change });
}
