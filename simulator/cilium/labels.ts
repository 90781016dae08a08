/**
 * Cilium labels: every label carries a source (`k8s`, `reserved`, `container`, `unspec`, ...).
 * A label set is a plain record keyed by `source:key`, so it serialises and hashes stably.
 */

/** A set of source-qualified labels, e.g. `{ 'k8s:app': 'sleep', 'reserved:world': '' }`. */
export type LabelSet = Readonly<Record<string, string>>;

/** The parts of a source-qualified label. */
export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** Label keys that Cilium derives from Kubernetes metadata rather than from pod labels. */
export const specialLabelKeys = {
  namespace: 'io.kubernetes.pod.namespace',
  serviceAccount: 'io.cilium.k8s.policy.serviceaccount',
  cluster: 'io.cilium.k8s.policy.cluster',
  namespaceLabelPrefix: 'io.cilium.k8s.namespace.labels.',
} as const;

/**
 * Splits `source:key` into its parts. Kubernetes label keys cannot contain `:`, so the first colon
 * separates the source; a key without one has the `unspec` source, as in Cilium.
 */
export function splitSourceKey(sourceKey: string): { source: string; key: string } {
  const colon = sourceKey.indexOf(':');
  if (colon < 0) return { source: 'unspec', key: sourceKey };
  return { source: sourceKey.slice(0, colon), key: sourceKey.slice(colon + 1) };
}

/** Parses `source:key=value` (the form `cilium endpoint list` prints) into a label. */
function labelFromString(text: string): Label {
  const equals = text.indexOf('=');
  const sourceKey = equals < 0 ? text : text.slice(0, equals);
  const value = equals < 0 ? '' : text.slice(equals + 1);
  return { ...splitSourceKey(sourceKey), value };
}

/** Formats one label the way Cilium's CLI does: `k8s:app=sleep`, or `reserved:world` without a value. */
function labelToString(sourceKey: string, value: string): string {
  return value === '' ? sourceKey : `${sourceKey}=${value}`;
}

/** All labels of a set as CLI strings, sorted as Cilium sorts them (by source:key). */
export function labelSetToStrings(labels: LabelSet): string[] {
  return Object.keys(labels)
    .sort()
    .map((sourceKey) => labelToString(sourceKey, labels[sourceKey] ?? ''));
}

/** Builds a label set from CLI strings such as `k8s:app=sleep`. */
export function labelSetFromStrings(texts: readonly string[]): LabelSet {
  const labels: Record<string, string> = {};
  for (const text of texts) {
    const label = labelFromString(text);
    labels[`${label.source}:${label.key}`] = label.value;
  }
  return labels;
}

/**
 * A canonical string for a label set, equal for equal sets: the key the identity allocator
 * indexes CiliumIdentities by.
 */
export function labelSetKey(labels: LabelSet): string {
  return labelSetToStrings(labels).join(';');
}

/**
 * Looks a selector key up in a label set. A key with a source (`k8s:app`) matches only that source;
 * a key without one, or with `any:`, matches the key under every source, as Cilium selectors do.
 * Returns the value found, or undefined.
 */
export function lookupSelectorKey(labels: LabelSet, selectorKey: string): string | undefined {
  const { source, key } = selectorKey.includes(':')
    ? splitSourceKey(selectorKey)
    : { source: 'any', key: selectorKey };
  if (source !== 'any') return labels[`${source}:${key}`];
  for (const sourceKey of Object.keys(labels)) {
    if (splitSourceKey(sourceKey).key === key) return labels[sourceKey];
  }
  return undefined;
}

/** Kubernetes metadata from which Cilium derives a pod's labels. */
export interface PodLabelInput {
  readonly podLabels: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly clusterName: string;
}

/**
 * All `k8s:` labels Cilium derives for a pod: its own labels, the namespace, the namespace's
 * labels, the service account and the cluster name.
 */
export function podSecurityLabels(input: PodLabelInput): LabelSet {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.podLabels)) labels[`k8s:${key}`] = value;
  for (const [key, value] of Object.entries(input.namespaceLabels)) {
    labels[`k8s:${specialLabelKeys.namespaceLabelPrefix}${key}`] = value;
  }
  labels[`k8s:${specialLabelKeys.namespace}`] = input.namespace;
  labels[`k8s:${specialLabelKeys.serviceAccount}`] = input.serviceAccount;
  labels[`k8s:${specialLabelKeys.cluster}`] = input.clusterName;
  return labels;
}

/**
 * Patterns of Cilium's default identity-relevant label filter (pkg/labelsfilter). Each entry is a
 * regular expression on the key; where an include and an exclude both match, the longer match wins.
 */
const includePatterns: readonly RegExp[] = [
  /^reserved:.*/,
  /^io\.kubernetes\.pod\.namespace/,
  /^io\.cilium\.k8s\.namespace\.labels/,
  /^app\.kubernetes\.io/,
  /^io\.cilium\.k8s\.policy/,
];
const excludePatterns: readonly RegExp[] = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^annotation\..*/,
  /^etcd_node/,
];

function longestMatch(patterns: readonly RegExp[], text: string): number {
  let longest = -1;
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match && match[0].length > longest) longest = match[0].length;
  }
  return longest;
}

/** Answers of isIdentityRelevant, a pure function of its argument; cleared if it ever grows large. */
const relevanceMemo = new Map<string, boolean>();

/** Whether Cilium's default filter keeps this label for the security identity. */
export function isIdentityRelevant(sourceKey: string): boolean {
  let relevant = relevanceMemo.get(sourceKey);
  if (relevant === undefined) {
    if (relevanceMemo.size >= 10_000) relevanceMemo.clear();
    relevant = computeIdentityRelevance(sourceKey);
    relevanceMemo.set(sourceKey, relevant);
  }
  return relevant;
}

function computeIdentityRelevance(sourceKey: string): boolean {
  const { source, key } = splitSourceKey(sourceKey);
  if (source === 'reserved') return true;
  const included = longestMatch(includePatterns, key);
  const excluded = longestMatch(excludePatterns, key);
  if (excluded < 0) return true;
  return included >= excluded;
}

/** The identity-relevant subset of a label set. */
export function identityRelevantLabels(labels: LabelSet): LabelSet {
  const kept: Record<string, string> = {};
  for (const sourceKey of Object.keys(labels).sort()) {
    if (isIdentityRelevant(sourceKey)) kept[sourceKey] = labels[sourceKey] ?? '';
  }
  return kept;
}
