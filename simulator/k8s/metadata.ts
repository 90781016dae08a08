/** Helpers that stamp Kubernetes metadata from the virtual clock and the seeded generator. */
import { writeRandomHexCodes } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import { hashString64 } from '../engine/state-hash';
import type { World } from '../world';
import type { LabelSelector, ObjectMeta, OwnerReference } from './objects';

/** A version-4-shaped UUID drawn from the world's generator. */
function newUid(world: World): string {
  const random = world.random;
  const codes = uidCodes;
  let at = writeRandomHexCodes(random, 8, codes, 0);
  codes[at++] = dash;
  at = writeRandomHexCodes(random, 4, codes, at);
  codes[at++] = dash;
  codes[at++] = 0x34; // '4': version 4
  at = writeRandomHexCodes(random, 3, codes, at);
  codes[at++] = dash;
  codes[at++] = 0x61; // 'a': the RFC 4122 variant
  at = writeRandomHexCodes(random, 3, codes, at);
  codes[at++] = dash;
  writeRandomHexCodes(random, 12, codes, at);
  return String.fromCharCode.apply(null, codes);
}

const dash = 0x2d;
/** Scratch space for newUid: exactly the 36 character codes of a uid, rewritten by every call. */
const uidCodes: number[] = new Array<number>(36).fill(0);

/**
 * A uid derived from the world's seed and a label instead of drawn from its generator, for the
 * objects the control plane writes on its own (bootstrap RBAC, the per-namespace CA ConfigMap):
 * they look as random as any uid, and adding them leaves every later draw (pod names, addresses)
 * of existing scenarios where it was.
 */
export function derivedUid(world: Readonly<World>, label: string): string {
  const hex = hashString64(`${world.seed}/${label}`) + hashString64(`${label}/${world.seed}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Fresh metadata with a derived uid (see derivedUid), for objects the control plane creates itself. */
export function controlPlaneMetadata(
  world: Readonly<World>,
  kind: string,
  name: string,
  namespace?: string,
  labels?: Record<string, string>,
): ObjectMeta {
  const metadata: ObjectMeta = {
    name,
    uid: derivedUid(world, `${kind}/${namespace ?? ''}/${name}/${world.timeMs}`),
    resourceVersion: '0',
    creationTimestamp: toTimestamp(world.timeMs),
  };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (labels !== undefined) metadata.labels = { ...labels };
  return metadata;
}

/**
 * Fresh metadata for an object created now. A namespaced object's is built as one literal, the
 * namespace (and labels) included, rather than grown by a field after the literal: an object grown
 * past its literal's fields gets a separate store for the extra ones, and a network plugin's
 * endpoint (one per pod) grows its metadata by three more fields.
 */
export function newMetadata(
  world: World,
  name: string,
  namespace?: string,
  labels?: Record<string, string>,
): ObjectMeta {
  const uid = newUid(world);
  const creationTimestamp = toTimestamp(world.timeMs);
  if (namespace !== undefined) {
    if (labels !== undefined)
      return { name, uid, resourceVersion: '0', creationTimestamp, namespace, labels: { ...labels } };
    return { name, uid, resourceVersion: '0', creationTimestamp, namespace };
  }
  const metadata: ObjectMeta = { name, uid, resourceVersion: '0', creationTimestamp };
  if (labels !== undefined) metadata.labels = { ...labels };
  return metadata;
}

/**
 * Fresh metadata for a pod a controller creates: newMetadata's fields followed by labels (when
 * any), generateName, annotations (when any) and ownerReferences, which a controller writes on
 * its pods besides the fields every new object gets. The usual combinations are built as one
 * literal in that order, which spares the engine growing the object field by field (one new pod
 * in five events of a churn); the labels, annotations and ownerReferences are the caller's, shared
 * (stored objects are never mutated). The parts are passed one by one rather than in a record,
 * which would be made for every pod.
 */
export function newControlledPodMetadata(
  world: World,
  name: string,
  namespace: string,
  labels: Record<string, string> | undefined,
  generateName: string,
  annotations: Record<string, string> | undefined,
  ownerReferences: OwnerReference[],
): ObjectMeta {
  const uid = newUid(world);
  const creationTimestamp = toTimestamp(world.timeMs);
  if (labels !== undefined && annotations !== undefined)
    return {
      name,
      uid,
      resourceVersion: '0',
      creationTimestamp,
      namespace,
      labels,
      generateName,
      annotations,
      ownerReferences,
    };
  if (labels !== undefined)
    return {
      name,
      uid,
      resourceVersion: '0',
      creationTimestamp,
      namespace,
      labels,
      generateName,
      ownerReferences,
    };
  const metadata: ObjectMeta = { name, uid, resourceVersion: '0', creationTimestamp, namespace };
  metadata.generateName = generateName;
  if (annotations !== undefined) metadata.annotations = annotations;
  metadata.ownerReferences = ownerReferences;
  return metadata;
}

/** Whether labels satisfy a Kubernetes label selector (matchLabels AND matchExpressions). */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (selector === undefined) return false;
  const actual = labels ?? {};
  // for-in rather than Object.entries: selectors are matched against every pod in busy loops, and
  // the entries' arrays would be garbage at once.
  const matchLabels = selector.matchLabels;
  for (const key in matchLabels) {
    if (Object.hasOwn(matchLabels, key) && actual[key] !== matchLabels[key]) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(actual, expression.key);
    const value = actual[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!present || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (present && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** Whether a plain map selector (Service.spec.selector) matches labels. */
export function mapSelectorMatches(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (selector === undefined) return false;
  const actual = labels ?? {};
  let empty = true;
  for (const key in selector) {
    if (!Object.hasOwn(selector, key)) continue;
    empty = false;
    if (actual[key] !== selector[key]) return false;
  }
  return !empty;
}
