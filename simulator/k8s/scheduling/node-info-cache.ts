/**
 * kube-scheduler's view of the cluster, derived from the API store: per node, the pods bound there
 * and the resources they request (framework.NodeInfo in pkg/scheduler/framework/types.go, v1.24.0),
 * and per namespace and label set, how many pods each node runs (what PodTopologySpread and
 * InterPodAffinity count, without walking every pod of every node each cycle).
 *
 * Like the real scheduler cache, it counts every pod bound to a node until the pod is deleted from
 * the API, Terminating pods included, except pods that have finished (the scheduler's informer
 * ignores phases Succeeded and Failed). It lives beside the store (never cloned or hashed), every
 * write keeps it current, and it is rebuilt from the stored objects when missing (after a clone).
 */
import type { ApiKind, ApiObject, LabelSelector, Node, Pod, Taint } from '../objects';
import { nodeAllocatable, podRequests, type NodeAllocatable, type PodRequests } from './resources';

/** One node as the scheduler sees it. */
export interface NodeInfo {
  readonly name: string;
  /** The Node object; undefined while pods name a node the API does not hold. */
  node: Node | undefined;
  /** The Node's allocatable resources, read when the Node is written. */
  allocatable: NodeAllocatable;
  /** Its CPU (millicores), memory and pod count, kept on this object for the hot loops' sake. */
  allocatableMilliCpu: number;
  allocatableMemory: number;
  allocatablePods: number;
  /**
   * The Node's spec.unschedulable and spec.taints, copied here when it is written: a cycle reads
   * them on hundreds of nodes, and one object is quicker to reach than the Node's nested ones.
   */
  unschedulable: boolean;
  taints: readonly Taint[] | undefined;
  /**
   * The TaintToleration filter's verdict on `taints` for the tolerations it last checked (kept by
   * filter-nodes.ts): a tainted control-plane node fails every pod of a ReplicaSet the same way.
   */
  taintVerdict: unknown;
  /** Pods bound to the node (Terminating included, finished pods not). */
  podCount: number;
  /** Sum of those pods' requests by resource (CPU in millicores). */
  readonly requested: Record<string, number>;
  /** The CPU and memory of `requested`, kept on this object for the scores' sake. */
  requestedMilliCpu: number;
  requestedMemory: number;
  /** Sum of their requests with the scheduler's defaults for a missing CPU or memory request. */
  nonZeroMilliCpu: number;
  nonZeroMemory: number;
}

/** Pods of one namespace with one set of labels, counted per node. */
export interface LabelSetCounts {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Node name → pods bound there (Terminating included). */
  readonly all: Map<string, number>;
  /** Node name → of those, the pods not being deleted. */
  readonly active: Map<string, number>;
  /**
   * What PodTopologySpread (its default constraints) and InterPodAffinity (whether placed pods'
   * terms pick these pods) derived for pods with this label set, kept here rather than in tables of
   * their own: a ReplicaSet's pods share one labels object, so the one lookup that finds their label
   * set finds these too, and a new ReplicaSet adds an entry to no other table (a WeakMap insert costs
   * microseconds). Typed by the plugin that owns each, as this module imports neither.
   */
  spreadMemo: unknown;
  affinityVerdict: unknown;
  /** What a cycle reads from the spec of the last pending pod scheduled with this label set (pod-spec-facts.ts). */
  specFacts: unknown;
  /** The requests of the last pod read with this label set (labelSetRequests). */
  requests: LabelSetRequests | undefined;
}

/** A pod's requests, and the containers they were read from. */
interface LabelSetRequests {
  readonly containers: unknown;
  readonly initContainers: unknown;
  readonly requests: PodRequests;
}

/**
 * Placed pods whose affinity terms are the same (equal podAffinity and podAntiAffinity in one
 * namespace, as a ReplicaSet's or a DaemonSet's pods have), counted per node: InterPodAffinity
 * matches each group's terms once per cycle instead of each pod's, which is what keeps a cluster
 * with a DaemonSet pod with anti-affinity on every node schedulable at 5,000 nodes.
 */
export interface AffinityGroup {
  /** One pod of the group: its terms are every member's. */
  readonly pod: Pod;
  /** Node name → members bound there. */
  readonly nodes: Map<string, number>;
}

/** The derived view of one API store. */
export interface NodeInfoCache {
  readonly nodes: Map<string, NodeInfo>;
  /** Every label set seen so far, in first-seen order (append-only: its length dates memos). */
  readonly labelSets: LabelSetCounts[];
  /**
   * Label name → value → the label sets carrying that label, in any namespace, in first-seen order
   * (an inverted index). Nested rather than keyed by `name=value` text: a lookup then hashes the
   * stored strings (V8 keeps a string's hash) instead of building and hashing a new one.
   */
  readonly labelSetsByLabel: Map<string, Map<string, LabelSetCounts[]>>;
  /** Namespace → its label set of pods without labels (which the inverted index cannot find). */
  readonly unlabelledSets: Map<string, LabelSetCounts>;
  /**
   * Labels object (shared by a ReplicaSet's pods) → its label set in the namespace it was first
   * seen in (one lookup for nearly every pod), and in any other namespace by labelSetElsewhere.
   */
  readonly labelSetByObject: WeakMap<object, LabelSetCounts>;
  readonly labelSetElsewhere: WeakMap<object, Map<string, LabelSetCounts>>;
  /**
   * The labels objects and label sets labelSetOf found last and the time before: a scheduled pod's
   * binding counts it right after its cycle found its label set, and during a rollout the new
   * ReplicaSet's pods are scheduled between deletions of the old one's, so that nearly every call
   * needs no lookup in labelSetByObject.
   */
  lastLabels: object | undefined;
  lastLabelSet: LabelSetCounts | undefined;
  previousLabels: object | undefined;
  previousLabelSet: LabelSetCounts | undefined;
  /** Bound pods with pod affinity or anti-affinity terms (NodeInfo.PodsWithAffinity), by key. */
  readonly podsWithAffinity: Map<string, Pod>;
  /** Of those, the pods with required anti-affinity terms (NodeInfo.PodsWithRequiredAntiAffinity). */
  readonly podsWithRequiredAntiAffinity: Map<string, Pod>;
  /** The pods of podsWithAffinity grouped by their terms, in first-seen order. */
  readonly affinityGroups: Map<string, AffinityGroup>;
  /** Bumped by every Node write, so views derived from the Node objects know when to refresh. */
  nodeGeneration: number;
  /** Bumped by every Service write (the default spreading selector depends on Services). */
  serviceGeneration: number;
  /**
   * Bumped when an affinity group comes or goes and by every Namespace write (namespaceSelector
   * reads namespace labels): whether any placed pod's term picks a given pod depends on nothing else.
   */
  affinityGeneration: number;
  /** Label key → how many Nodes carry it (a spread over a key no node has can skip counting). */
  readonly nodeLabelKeys: Map<string, number>;
  /** How many Node objects there are. */
  nodeCount: number;
  /** The scheduler's reader of namespace labels for this store (scheduler.ts), made once. */
  namespaceLabels: unknown;
  /** The NodeInfos of a node key list, in its order, and that list (filter-nodes.ts). */
  nodeOrderKeys: readonly string[] | undefined;
  nodeOrderInfos: readonly (NodeInfo | undefined)[];
  /** The images the Nodes hold, as of a nodeGeneration (score-nodes.ts). */
  imageStates: unknown;
  imageStatesGeneration: number;
}

/**
 * The part of api-store.ts's ApiStore the view reads: named here because the store calls this
 * module on every write, so this module does not import the store back.
 */
interface StoredObjects {
  objects: Partial<Record<ApiKind, Record<string, ApiObject>>>;
}

const caches = new WeakMap<StoredObjects, NodeInfoCache>();

/** The scheduler's view of a store, built from its objects the first time it is asked for. */
export function nodeInfoCacheOf(store: StoredObjects): NodeInfoCache {
  let cache = caches.get(store);
  if (cache !== undefined) return cache;
  cache = {
    nodes: new Map(),
    labelSets: [],
    labelSetsByLabel: new Map(),
    unlabelledSets: new Map(),
    labelSetByObject: new WeakMap(),
    labelSetElsewhere: new WeakMap(),
    lastLabels: undefined,
    lastLabelSet: undefined,
    previousLabels: undefined,
    previousLabelSet: undefined,
    podsWithAffinity: new Map(),
    podsWithRequiredAntiAffinity: new Map(),
    affinityGroups: new Map(),
    nodeGeneration: 0,
    serviceGeneration: 0,
    affinityGeneration: 0,
    nodeLabelKeys: new Map(),
    nodeCount: 0,
    namespaceLabels: undefined,
    nodeOrderKeys: undefined,
    nodeOrderInfos: [],
    imageStates: undefined,
    imageStatesGeneration: -1,
  };
  const nodes = store.objects.Node;
  for (const key in nodes) {
    const node = nodes[key];
    if (node?.kind === 'Node') setNode(cache, node.metadata.name, node);
  }
  const pods = store.objects.Pod;
  for (const key in pods) {
    const pod = pods[key];
    if (pod?.kind === 'Pod') countPod(cache, pod, key, 1);
  }
  caches.set(store, cache);
  return cache;
}

/**
 * Keeps the view current after a write: `previous` is the stored object before it (undefined on a
 * create), `next` the one after it (undefined on a delete). Does nothing until the view is built.
 */
export function nodeInfoCacheWritten(
  store: StoredObjects,
  kind: ApiKind,
  key: string,
  previous: ApiObject | undefined,
  next: ApiObject | undefined,
): void {
  // Most writes concern other kinds, a pod's status, or a pod no node has: decided before looking
  // the cache up. The kind comes from the writer, which read it once (api-store.ts, putObject).
  if (kind === 'Pod') {
    podWritten(store, key, previous as Pod | undefined, next as Pod | undefined);
    return;
  }
  if (kind !== 'Node' && kind !== 'Service' && kind !== 'Namespace') return;
  const cache = caches.get(store);
  if (cache === undefined) return;
  if (kind === 'Service') {
    cache.serviceGeneration += 1;
    return;
  }
  if (kind === 'Namespace') {
    cache.affinityGeneration += 1;
    return;
  }
  if (kind === 'Node') {
    cache.nodeGeneration += 1;
    const object = next ?? previous;
    if (object === undefined) return;
    if (next?.kind === 'Node') setNode(cache, object.metadata.name, next);
    else forgetNode(cache, object.metadata.name);
  }
}

function podWritten(
  store: StoredObjects,
  key: string,
  before: Pod | undefined,
  after: Pod | undefined,
): void {
  const beforeSpec = before?.spec;
  const afterSpec = after?.spec;
  // A status or metadata write keeps the spec object, whose nodeName is then read once: pod specs
  // come in many shapes, and each read of one of their fields is a slow (megamorphic) one.
  const unbound =
    beforeSpec === afterSpec
      ? beforeSpec?.nodeName === undefined
      : beforeSpec?.nodeName === undefined && afterSpec?.nodeName === undefined;
  if (unbound) return;
  if (before !== undefined && after !== undefined && countsTheSame(before, after)) return;
  const cache = caches.get(store);
  if (cache === undefined) return;
  if (before !== undefined && after !== undefined && onlyDeletionChanged(before, after)) {
    // Graceful deletion: the pod stays counted on its node, only no longer among the active ones.
    const nodeName = after.spec.nodeName;
    if (nodeName !== undefined && !finished(after))
      addCount(
        labelSetOf(cache, after).active,
        nodeName,
        after.metadata.deletionTimestamp === undefined ? 1 : -1,
      );
    return;
  }
  if (before !== undefined) countPod(cache, before, key, -1);
  if (after !== undefined) countPod(cache, after, key, 1);
}

/** Whether two versions of a pod count the same here (most writes are status updates). */
function countsTheSame(a: Pod, b: Pod): boolean {
  const spec = a.spec;
  const other = b.spec;
  // A status write keeps the spec and metadata objects, whose fields then need no reading.
  if (spec === other && a.metadata === b.metadata) return finished(a) === finished(b);
  return (
    (spec === other ||
      (spec.nodeName === other.nodeName &&
        spec.containers === other.containers &&
        spec.initContainers === other.initContainers &&
        spec.affinity === other.affinity)) &&
    a.metadata.labels === b.metadata.labels &&
    a.metadata.namespace === b.metadata.namespace &&
    (a.metadata.deletionTimestamp === undefined) === (b.metadata.deletionTimestamp === undefined) &&
    finished(a) === finished(b)
  );
}

/**
 * Whether two versions of a pod without pod affinity terms differ here only in being deleted: then
 * removing one and counting the other would change nothing but the active count.
 */
function onlyDeletionChanged(a: Pod, b: Pod): boolean {
  const affinity = b.spec.affinity;
  return (
    a.spec.nodeName === b.spec.nodeName &&
    a.spec.containers === b.spec.containers &&
    a.spec.initContainers === b.spec.initContainers &&
    a.spec.affinity === affinity &&
    affinity?.podAffinity === undefined &&
    affinity?.podAntiAffinity === undefined &&
    a.metadata.labels === b.metadata.labels &&
    a.metadata.namespace === b.metadata.namespace &&
    finished(a) === finished(b)
  );
}

function finished(pod: Pod): boolean {
  return pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
}

const nothingAllocatable: NodeAllocatable = { resources: {}, milliCpu: 0, memory: 0, pods: 0 };

function nodeInfoOf(cache: NodeInfoCache, name: string): NodeInfo {
  let info = cache.nodes.get(name);
  if (info === undefined) {
    info = {
      name,
      node: undefined,
      allocatable: nothingAllocatable,
      allocatableMilliCpu: 0,
      allocatableMemory: 0,
      allocatablePods: 0,
      unschedulable: false,
      taints: undefined,
      taintVerdict: undefined,
      podCount: 0,
      requested: {},
      requestedMilliCpu: 0,
      requestedMemory: 0,
      nonZeroMilliCpu: 0,
      nonZeroMemory: 0,
    };
    cache.nodes.set(name, info);
  }
  return info;
}

function countLabelKeys(cache: NodeInfoCache, node: Node | undefined, delta: number): void {
  for (const key in node?.metadata.labels) {
    const count = (cache.nodeLabelKeys.get(key) ?? 0) + delta;
    if (count === 0) cache.nodeLabelKeys.delete(key);
    else cache.nodeLabelKeys.set(key, count);
  }
}

function setNode(cache: NodeInfoCache, name: string, node: Node): void {
  const info = nodeInfoOf(cache, name);
  if (info.node === undefined) cache.nodeCount += 1;
  countLabelKeys(cache, info.node, -1);
  countLabelKeys(cache, node, 1);
  info.node = node;
  info.allocatable = nodeAllocatable(node);
  info.allocatableMilliCpu = info.allocatable.milliCpu;
  info.allocatableMemory = info.allocatable.memory;
  info.allocatablePods = info.allocatable.pods;
  info.unschedulable = node.spec.unschedulable === true;
  info.taints = node.spec.taints;
}

/** Drops a deleted Node, unless pods still name it (their counts stay with the name). */
function forgetNode(cache: NodeInfoCache, name: string): void {
  const info = cache.nodes.get(name);
  if (info?.node === undefined) return;
  cache.nodeCount -= 1;
  countLabelKeys(cache, info.node, -1);
  info.node = undefined;
  info.allocatable = nothingAllocatable;
  info.allocatableMilliCpu = 0;
  info.allocatableMemory = 0;
  info.allocatablePods = 0;
  info.unschedulable = false;
  info.taints = undefined;
  if (info.podCount === 0) cache.nodes.delete(name);
}

function countPod(cache: NodeInfoCache, pod: Pod, key: string, sign: 1 | -1): void {
  const nodeName = pod.spec.nodeName;
  if (nodeName === undefined || finished(pod)) return;
  const info = nodeInfoOf(cache, nodeName);
  info.podCount += sign;
  const labelSet = labelSetOf(cache, pod);
  const requests = labelSetRequests(labelSet, pod);
  for (const name in requests.requested)
    info.requested[name] = (info.requested[name] ?? 0) + sign * requests.requested[name]!;
  info.requestedMilliCpu += sign * requests.milliCpu;
  info.requestedMemory += sign * requests.memory;
  info.nonZeroMilliCpu += sign * requests.nonZeroMilliCpu;
  info.nonZeroMemory += sign * requests.nonZeroMemory;
  if (info.podCount === 0 && info.node === undefined) cache.nodes.delete(nodeName);
  addCount(labelSet.all, nodeName, sign);
  if (pod.metadata.deletionTimestamp === undefined) addCount(labelSet.active, nodeName, sign);
  const affinity = pod.spec.affinity;
  if (affinity?.podAffinity !== undefined || affinity?.podAntiAffinity !== undefined) {
    if (sign > 0) cache.podsWithAffinity.set(key, pod);
    else cache.podsWithAffinity.delete(key);
    countInGroup(cache, pod, nodeName, sign);
  }
  if ((affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0) {
    if (sign > 0) cache.podsWithRequiredAntiAffinity.set(key, pod);
    else cache.podsWithRequiredAntiAffinity.delete(key);
  }
}

/** JSON of an affinity part, memoised per object (a template's part is shared by its pods). */
const partJson = new WeakMap<object, string>();

function jsonOf(part: object | undefined): string {
  if (part === undefined) return '';
  let text = partJson.get(part);
  if (text === undefined) {
    text = JSON.stringify(part);
    partJson.set(part, text);
  }
  return text;
}

/** Counts a pod with affinity terms in the group of pods with the same terms. */
function countInGroup(cache: NodeInfoCache, pod: Pod, nodeName: string, sign: 1 | -1): void {
  const affinity = pod.spec.affinity;
  const key = `${pod.metadata.namespace ?? 'default'}\n${jsonOf(affinity?.podAffinity)}\n${jsonOf(affinity?.podAntiAffinity)}`;
  let group = cache.affinityGroups.get(key);
  if (group === undefined) {
    if (sign < 0) return;
    group = { pod, nodes: new Map() };
    cache.affinityGroups.set(key, group);
    cache.affinityGeneration += 1;
  }
  addCount(group.nodes, nodeName, sign);
  if (group.nodes.size === 0) {
    cache.affinityGroups.delete(key);
    cache.affinityGeneration += 1;
  }
}

function addCount(counts: Map<string, number>, nodeName: string, delta: number): void {
  const count = (counts.get(nodeName) ?? 0) + delta;
  if (count === 0) counts.delete(nodeName);
  else counts.set(nodeName, count);
}

const noLabels: Readonly<Record<string, string>> = {};

/**
 * Whether two names (namespaces, versions) are equal: the comparison of names on the scheduler's
 * hot paths. V8 compiles a `===` that has only met internalised strings to a pointer comparison,
 * and discards that code when a string that is not (a name cut from a manifest, or the ThinString
 * it becomes until the next GC) arrives, which may happen many replays later as GC timing decides.
 * Object.is (the same as `===` for strings) is compiled without such a guess, comparing pointers
 * first, so its code is never discarded.
 */
export function sameName(a: string, b: string): boolean {
  return Object.is(a, b);
}

/**
 * The label set of a pod's namespace and labels, made when first asked for: by the scheduler for a
 * pending pod (its plugins' memos live there) or when a pod is counted.
 */
export function labelSetOf(cache: NodeInfoCache, pod: Pod): LabelSetCounts {
  const labels = pod.metadata.labels ?? noLabels;
  const namespace = pod.metadata.namespace ?? 'default';
  const last = cache.lastLabelSet;
  if (cache.lastLabels === labels && last !== undefined && sameName(last.namespace, namespace)) return last;
  const previous = cache.previousLabelSet;
  const labelSet =
    cache.previousLabels === labels && previous !== undefined && sameName(previous.namespace, namespace)
      ? previous
      : storedLabelSet(cache, labels, namespace);
  cache.previousLabels = cache.lastLabels;
  cache.previousLabelSet = last;
  cache.lastLabels = labels;
  cache.lastLabelSet = labelSet;
  return labelSet;
}

function storedLabelSet(
  cache: NodeInfoCache,
  labels: Readonly<Record<string, string>>,
  namespace: string,
): LabelSetCounts {
  const first = cache.labelSetByObject.get(labels);
  if (first?.namespace === namespace) return first;
  let byNamespace = first === undefined ? undefined : cache.labelSetElsewhere.get(labels);
  const known = byNamespace?.get(namespace);
  if (known !== undefined) return known;
  // Once per labels object and store: an equal label set met under another labels object, or a new one.
  let labelSet = equalLabelSet(cache, labels, namespace);
  if (labelSet === undefined) {
    labelSet = {
      namespace,
      labels,
      all: new Map(),
      active: new Map(),
      spreadMemo: undefined,
      affinityVerdict: undefined,
      specFacts: undefined,
      requests: undefined,
    };
    cache.labelSets.push(labelSet);
    indexLabelSet(cache, labelSet);
  }
  if (first === undefined) cache.labelSetByObject.set(labels, labelSet);
  else {
    if (byNamespace === undefined) {
      byNamespace = new Map();
      cache.labelSetElsewhere.set(labels, byNamespace);
    }
    byNamespace.set(namespace, labelSet);
  }
  return labelSet;
}

/**
 * The stored label set with this namespace and exactly these labels, found through the inverted
 * index: among the sets carrying the labels' rarest label (a ReplicaSet's pod-template-hash makes
 * that list short), the one with as many labels and the same namespace.
 */
function equalLabelSet(
  cache: NodeInfoCache,
  labels: Readonly<Record<string, string>>,
  namespace: string,
): LabelSetCounts | undefined {
  let rarest: readonly LabelSetCounts[] | undefined;
  let size = 0;
  for (const name in labels) {
    const list = cache.labelSetsByLabel.get(name)?.get(labels[name]!);
    // A label no stored set carries: the set is new.
    if (list === undefined) return undefined;
    if (rarest === undefined || list.length < rarest.length) rarest = list;
    size += 1;
  }
  if (rarest === undefined) return cache.unlabelledSets.get(namespace);
  for (const labelSet of rarest)
    if (labelSet.namespace === namespace && labelCount(labelSet.labels) === size) return labelSet;
  return undefined;
}

/** How many labels a labels object has (each candidate already carries all of the sought ones). */
function labelCount(labels: Readonly<Record<string, string>>): number {
  let count = 0;
  for (const name in labels) if (Object.hasOwn(labels, name)) count += 1;
  return count;
}

function indexLabelSet(cache: NodeInfoCache, labelSet: LabelSetCounts): void {
  const labels = labelSet.labels;
  let labelled = false;
  for (const name in labels) {
    labelled = true;
    const value = labels[name]!;
    let byValue = cache.labelSetsByLabel.get(name);
    if (byValue === undefined) {
      byValue = new Map();
      cache.labelSetsByLabel.set(name, byValue);
    }
    const list = byValue.get(value);
    if (list === undefined) byValue.set(value, [labelSet]);
    else list.push(labelSet);
  }
  if (!labelled) cache.unlabelledSets.set(labelSet.namespace, labelSet);
}

/**
 * A pod's requests (`labelSet` is its labelSetOf), kept on its label set for the next pod with the
 * same containers: a ReplicaSet's pods share theirs, and the lookup that finds the label set spares
 * one of a table of their own. A new label set takes them from podRequests' memo by containers
 * (the ReplicaSets of a Deployment restarted without a change to its containers share them).
 */
export function labelSetRequests(labelSet: LabelSetCounts, pod: Pod): PodRequests {
  const spec = pod.spec;
  const kept = labelSet.requests;
  if (
    kept !== undefined &&
    kept.containers === spec.containers &&
    kept.initContainers === spec.initContainers
  )
    return kept.requests;
  const requests = podRequests(pod);
  labelSet.requests = { containers: spec.containers, initContainers: spec.initContainers, requests };
  return requests;
}

const none: readonly LabelSetCounts[] = [];

/**
 * The label sets that could match a selector: for one with matchLabels, those carrying its rarest
 * label (from the inverted index), otherwise every label set. Callers still check each candidate.
 */
export function candidateLabelSets(cache: NodeInfoCache, selector: LabelSelector): readonly LabelSetCounts[] {
  const matchLabels = selector.matchLabels;
  let best: readonly LabelSetCounts[] | undefined;
  for (const name in matchLabels) {
    const list = cache.labelSetsByLabel.get(name)?.get(matchLabels[name]!) ?? none;
    if (best === undefined || list.length < best.length) best = list;
  }
  return best ?? cache.labelSets;
}
