/**
 * Security identity allocation in CRD mode (cilium/cilium pkg/k8s/identitybackend/identity.go,
 * pkg/idpool/idpool.go): an endpoint's identity-relevant labels
 * are looked up among the CiliumIdentity objects; if none matches, a number is drawn at random
 * from 256-65535 and a new CiliumIdentity is created. Only a CiliumEndpoint referring to an
 * identity keeps it alive; the operator garbage-collects the rest in two passes.
 */
import { nextIntBetween } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import { listObjects, sortedKeysOf, type ApiStore } from '../k8s/api-store';
import { apiPut, apiRemove } from '../k8s/api-writes';
import { newMetadata } from '../k8s/metadata';
import type { CiliumIdentity } from './objects';
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import { labelSetKey, type LabelSet } from './labels';
import { maximalAllocationIdentity, minimalAllocationIdentity } from './reserved-identities';

/** The operator's garbage-collection interval (identity-gc-interval, 15 minutes). */
export const identityGcIntervalMs = 15 * 60 * 1000;
const heartbeatAnnotation = 'io.cilium.heartbeat';

/** labelSetKey of each stored identity's labels; stored objects are never mutated. */
const identityKeys = new WeakMap<CiliumIdentity, string>();

function identityLabelKey(identity: CiliumIdentity): string {
  let key = identityKeys.get(identity);
  if (key === undefined) {
    key = labelSetKey(identity['security-labels']);
    identityKeys.set(identity, key);
  }
  return key;
}

/**
 * The Kubernetes labels the agent gives a new CiliumIdentity (SanitizeK8sLabels in
 * pkg/k8s/identitybackend/identity.go): the identity's `k8s:` labels without that prefix, leaving
 * out the synthesized namespace labels (`io.cilium.k8s.namespace.labels.*`, which may be too long
 * for a label name) and every other source. The security labels keep all of them.
 */
function identityObjectLabels(labels: LabelSet): Record<string, string> {
  const selected: Record<string, string> = {};
  for (const [sourceKey, value] of Object.entries(labels)) {
    if (!sourceKey.startsWith('k8s:') || sourceKey.startsWith('k8s:io.cilium.k8s.namespace.labels.'))
      continue;
    selected[sourceKey.slice('k8s:'.length)] = value;
  }
  return selected;
}

/**
 * The oldest identity whose labels have this key, the first in key order among equally old ones
 * (what a stable sort of the matches by creation time puts first), found in one walk: every new
 * endpoint asks, and most ask for an identity that exists.
 */
function oldestIdentityWithKey(store: ApiStore, wanted: string): CiliumIdentity | undefined {
  const bucket = store.objects.CiliumIdentity;
  if (bucket === undefined) return undefined;
  let oldest: CiliumIdentity | undefined;
  for (const key of sortedKeysOf(store, 'CiliumIdentity')) {
    const identity = bucket[key] as CiliumIdentity | undefined;
    if (identity === undefined || identityLabelKey(identity) !== wanted) continue;
    if (
      oldest === undefined ||
      identity.metadata.creationTimestamp.localeCompare(oldest.metadata.creationTimestamp) < 0
    )
      oldest = identity;
  }
  return oldest;
}

/** Finds or creates the CiliumIdentity for a label set; returns its number. Needs the API server. */
export function allocateIdentity(world: World, labels: LabelSet, wanted = labelSetKey(labels)): number {
  const cluster = requireCluster(world);
  const existing = oldestIdentityWithKey(cluster.api, wanted);
  if (existing !== undefined) {
    if (existing.metadata.annotations?.[heartbeatAnnotation] !== undefined) {
      // Using an identity marked for deletion cancels the deletion.
      const next = structuredClone(existing);
      delete next.metadata.annotations?.[heartbeatAnnotation];
      apiPut(world, next);
    }
    return Number(existing.metadata.name);
  }
  const used = new Set(
    listObjects(cluster.api, 'CiliumIdentity').map((identity) => Number(identity.metadata.name)),
  );
  let id = nextIntBetween(world.random, minimalAllocationIdentity, maximalAllocationIdentity);
  while (used.has(id)) id = id === maximalAllocationIdentity ? minimalAllocationIdentity : id + 1;
  const metadata = {
    ...newMetadata(world, String(id), undefined, identityObjectLabels(labels)),
    generation: 1,
  };
  const identity: CiliumIdentity = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumIdentity',
    metadata,
    'security-labels': { ...labels },
  };
  apiPut(world, identity);
  return id;
}

/**
 * One pass of the operator's identity GC: identities no CiliumEndpoint uses are first annotated
 * with a heartbeat timestamp, and deleted on a later pass if still unused.
 */
export function collectIdentityGarbage(world: World): void {
  const cluster = requireCluster(world);
  const inUse = new Set<number>();
  for (const endpoint of listObjects(cluster.api, 'CiliumEndpoint')) {
    if (endpoint.status.identity !== undefined) inUse.add(endpoint.status.identity.id);
  }
  for (const identity of listObjects(cluster.api, 'CiliumIdentity')) {
    const id = Number(identity.metadata.name);
    const marked = identity.metadata.annotations?.[heartbeatAnnotation] !== undefined;
    if (inUse.has(id)) continue;
    if (marked) {
      apiRemove(world, 'CiliumIdentity', identity.metadata.name);
    } else {
      const next = structuredClone(identity);
      next.metadata.annotations = {
        ...next.metadata.annotations,
        [heartbeatAnnotation]: toTimestamp(world.timeMs),
      };
      apiPut(world, next);
    }
  }
  schedule(world, identityGcIntervalMs, { type: 'operator.identity.gc' });
}
