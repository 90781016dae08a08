/**
 * Label selectors evaluated the Cilium way: a key with a source (`k8s:app`) looks at that source only;
 * a bare key or `any:` looks at every source. Each label set is indexed once, since the selector
 * cache evaluates many selectors against the same identities.
 */
import { splitSourceKey, type LabelSet } from '../cilium/labels';
import type { LabelSelector, SelectorRequirement } from './model';

/** A label set indexed by source:key and by bare key. */
export interface IndexedLabels {
  readonly labels: LabelSet;
  readonly bySourceKey: ReadonlyMap<string, string>;
  readonly byKey: ReadonlyMap<string, readonly string[]>;
}

const indexCache = new WeakMap<LabelSet, IndexedLabels>();

/** Indexes a label set (cached per object). */
export function indexLabels(labels: LabelSet): IndexedLabels {
  const cached = indexCache.get(labels);
  if (cached) return cached;
  const bySourceKey = new Map<string, string>();
  const byKey = new Map<string, string[]>();
  for (const sourceKey of Object.keys(labels)) {
    const value = labels[sourceKey] ?? '';
    bySourceKey.set(sourceKey, value);
    const { key } = splitSourceKey(sourceKey);
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const indexed = { labels, bySourceKey, byKey };
  indexCache.set(labels, indexed);
  return indexed;
}

/** The values a selector key finds in a label set (several when `any:` hits several sources). */
function valuesFor(indexed: IndexedLabels, selectorKey: string): readonly string[] {
  const colon = selectorKey.indexOf(':');
  if (colon < 0) return indexed.byKey.get(selectorKey) ?? [];
  const source = selectorKey.slice(0, colon);
  const key = selectorKey.slice(colon + 1);
  if (source === 'any') return indexed.byKey.get(key) ?? [];
  const value = indexed.bySourceKey.get(selectorKey);
  return value === undefined ? [] : [value];
}

function requirementHolds(indexed: IndexedLabels, requirement: SelectorRequirement): boolean {
  const values = valuesFor(indexed, requirement.key);
  switch (requirement.operator) {
    case 'Exists':
      return values.length > 0;
    case 'DoesNotExist':
      return values.length === 0;
    case 'In':
      return values.some((value) => requirement.values.includes(value));
    case 'NotIn':
      // As in Kubernetes, NotIn also holds when the key is absent.
      return !values.some((value) => requirement.values.includes(value));
  }
}

/** Whether a selector (matchLabels AND matchExpressions) matches a label set. */
export function selectorMatches(selector: LabelSelector, indexed: IndexedLabels): boolean {
  for (const [key, expected] of selector.matchLabels) {
    if (!valuesFor(indexed, key).includes(expected)) return false;
  }
  for (const requirement of selector.matchExpressions) {
    if (!requirementHolds(indexed, requirement)) return false;
  }
  return true;
}

/** Whether a selector names any key under the given bare key or key prefix (any source). */
export function selectorMentions(
  selector: LabelSelector,
  test: (bareKey: string, source: string) => boolean,
): boolean {
  const keys = [
    ...selector.matchLabels.map(([key]) => key),
    ...selector.matchExpressions.map((requirement) => requirement.key),
  ];
  return keys.some((selectorKey) => {
    const colon = selectorKey.indexOf(':');
    const source = colon < 0 ? 'any' : selectorKey.slice(0, colon);
    return test(colon < 0 ? selectorKey : selectorKey.slice(colon + 1), source);
  });
}

/** A stable text form of a selector, used in explanations and as a selector-cache key. */
export function selectorToString(selector: LabelSelector): string {
  const parts = [
    ...selector.matchLabels.map(([key, value]) => `${key}=${value}`),
    ...selector.matchExpressions.map(
      (requirement) =>
        `${requirement.key} ${requirement.operator}${requirement.values.length > 0 ? ` (${requirement.values.join(',')})` : ''}`,
    ),
  ];
  return parts.length === 0 ? '{}' : `{${parts.join(', ')}}`;
}
