/**
 * The agent's selector cache as `cilium-dbg policy selectors` shows it: one entry per peer selector
 * that some rule selecting a local endpoint uses, with how many users hold it, the policies it comes
 * from, and the identities it selects now. Upstream at v1.18: pkg/policy/selectorcache.go (a
 * selector stays cached while it has users; each L4 filter of a computed selector policy is one)
 * and `GetModel` there, which the CLI sorts by selector.
 */
import type { LabelSet } from '../cilium/labels';
import type { PolicyEndpoint, PolicyEngineConfig } from './endpoint-policy';
import { selectRules } from './enforcement';
import type { RuleOrigin } from './normalize';
import type { PolicyRepository } from './repository';
import { indexLabels } from './selector-match';

/** One cached selector. */
export interface SelectorCacheEntry {
  readonly selector: string;
  readonly users: number;
  /** Identities the selector selects, ascending. */
  readonly identities: readonly number[];
  /** The policies whose rules use the selector, in the order first seen. */
  readonly origins: readonly RuleOrigin[];
}

interface Building {
  users: number;
  identities: number[];
  origins: RuleOrigin[];
}

/**
 * Builds the cache for the local endpoints' subjects: a policy is computed once per identity, so
 * each distinct identity's rules add one user per peer selector they hold.
 */
export function selectorCache(
  repository: PolicyRepository,
  subjects: readonly PolicyEndpoint[],
  identities: readonly (readonly [number, LabelSet])[],
  config: PolicyEngineConfig,
): SelectorCacheEntry[] {
  const entries = new Map<string, Building>();
  const seen = new Set<number>();
  for (const subject of subjects) {
    if (seen.has(subject.identity)) continue;
    seen.add(subject.identity);
    for (const rule of selectRules(repository, subject, config).selecting)
      for (const statement of rule.statements)
        for (const peer of statement.peers) {
          if (peer.agentSelector === undefined) continue;
          let entry = entries.get(peer.agentSelector);
          if (entry === undefined) {
            const selected = identities
              .filter(([id, labels]) => peer.matches(id, indexLabels(labels)))
              .map(([id]) => id);
            entry = { users: 0, identities: selected, origins: [] };
            entries.set(peer.agentSelector, entry);
          }
          entry.users += 1;
          if (!entry.origins.some((origin) => sameSource(origin, statement.origin)))
            entry.origins.push(statement.origin);
        }
  }
  return [...entries]
    .map(([selector, entry]) => ({
      selector,
      ...entry,
      identities: [...entry.identities].sort((a, b) => a - b),
    }))
    .sort((a, b) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0));
}

function sameSource(a: RuleOrigin, b: RuleOrigin): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}
