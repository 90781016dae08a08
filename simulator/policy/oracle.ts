/**
 * The reference evaluator. It reads the selecting rules directly for one connection: which
 * statements match this peer and port, what keys they would own, which denies overlap them, and
 * which key the version's lookup order reaches first. It never expands selectors over the identity
 * directory nor builds a map, so agreement with the compiled map checks the compiler and the lookup.
 */
import {
  resolveIdentityLabels,
  type IdentityDirectory,
  type PolicyEndpoint,
  type PolicyEngineConfig,
  type PolicyMapEntry,
  type PolicyQuery,
  type PolicyVerdict,
  type RuleReference,
} from './endpoint-policy';
import {
  l7PortKeys,
  namedPortResolver,
  referenceFor,
  statementPortKeys,
  strictlyBroader,
  unionL7,
} from './compile';
import { agentAllowances, selectRules } from './enforcement';
import { withRequirements } from './requirements';
import { lookupPort, verdictFromHit } from './lookup';
import { protocolNumbers, type AuthType } from './normalize';
import {
  anyPortKey,
  layoutFor,
  matchTypeOf,
  portKeyCovers,
  type MapLayout,
  type MatchType,
  type PortKey,
} from './policy-key';
import type { PolicyRepository } from './repository';
import { indexLabels } from './selector-match';

interface Candidate {
  readonly identity: number;
  readonly key: PortKey;
  readonly allows: RuleReference[];
  readonly denies: RuleReference[];
}

function sameKey(a: PortKey, b: PortKey): boolean {
  return a.protocol === b.protocol && a.prefix === b.prefix && a.port === b.port;
}

/** Position in the ≤1.15 probe order, or undefined for keys that layout cannot hold. */
function hashRank(candidate: Candidate): { rank: number; matchType: MatchType } | undefined {
  const specific = candidate.identity !== 0;
  if (candidate.key.protocol === 0)
    return specific ? { rank: 2, matchType: 'L3-Only' } : { rank: 3, matchType: 'all' };
  if (candidate.key.prefix !== 16) return undefined;
  return specific ? { rank: 0, matchType: 'L3-L4' } : { rank: 1, matchType: 'L4-Only' };
}

/** LPM preference: more covered bits first, then the identity-specific trie. */
function lpmRank(candidate: Candidate): { rank: number; matchType: MatchType } {
  const bits = candidate.key.protocol === 0 ? 0 : 8 + candidate.key.prefix;
  return {
    rank: (24 - bits) * 2 + (candidate.identity !== 0 ? 0 : 1),
    matchType: matchTypeOf(candidate.identity !== 0, candidate.key),
  };
}

function pickFirst(
  candidates: readonly Candidate[],
  layout: MapLayout,
): { candidate: Candidate; matchType: MatchType } | undefined {
  let best: { candidate: Candidate; matchType: MatchType; rank: number } | undefined;
  for (const candidate of candidates) {
    const ranked = layout === 'hash' ? hashRank(candidate) : lpmRank(candidate);
    if (ranked && (!best || ranked.rank < best.rank)) best = { candidate, ...ranked };
  }
  return best;
}

/** The candidate for an identity and key, created (in order of first use) when missing. */
function candidateIn(candidates: Candidate[], identity: number, key: PortKey): Candidate {
  const found = candidates.find((existing) => existing.identity === identity && sameKey(existing.key, key));
  if (found) return found;
  const created: Candidate = { identity, key, allows: [], denies: [] };
  candidates.push(created);
  return created;
}

/** The connection as the selecting rules see it: the peer's labels, protocol and port. */
interface Connection {
  query: PolicyQuery;
  layout: MapLayout;
  protocol: number;
  port: number;
  indexed: ReturnType<typeof indexLabels> | undefined;
}

/** Evaluates one connection straight from the rules; same result shape as lookupPolicy. */
export function evaluatePolicyOracle(
  repo: PolicyRepository,
  endpoint: PolicyEndpoint,
  identities: IdentityDirectory,
  config: PolicyEngineConfig,
  query: PolicyQuery,
): PolicyVerdict {
  const layout = layoutFor(config.ciliumVersion);
  const selection = selectRules(repo, endpoint, config);
  const state = selection[query.direction];
  const remote = query.remoteIdentity;
  const labels = remote === 0 ? undefined : resolveIdentityLabels(identities, remote);
  const indexed = labels ? indexLabels(labels) : undefined;
  const connection: Connection = {
    query,
    layout,
    protocol: protocolNumbers[query.protocol],
    port: lookupPort(query),
    indexed,
  };
  const candidates: Candidate[] = [];
  for (const allowance of agentAllowances(query.direction, state, endpoint, config)) {
    if (allowance.identity === 0 || (allowance.identity === remote && indexed)) {
      candidateIn(candidates, allowance.identity, anyPortKey).allows.push(allowance.reference);
    }
  }
  if (state.enforced) {
    const resolve = namedPortResolver(query.direction, endpoint, config);
    const selected = withRequirements(selection.selecting.flatMap((subject) => subject.statements));
    addRuleCandidates(candidates, connection, selected, resolve);
    widenIntoL7Ports(candidates, connection, selected, resolve);
    spreadDenies(candidates);
  }
  const first = pickFirst(candidates, layout);
  const identityKnown = indexed !== undefined;
  if (!first) return verdictFromHit(undefined, { auditMode: config.auditMode }, state, identityKnown);
  const deny = first.candidate.denies.length > 0;
  return verdictFromHit(
    { deny, matchType: first.matchType, entry: entryOf(first.candidate, candidates, query.direction) },
    { auditMode: config.auditMode },
    state,
    identityKnown,
  );
}

type Statements = ReturnType<typeof withRequirements>;
type PortResolver = ReturnType<typeof namedPortResolver>;

/** The statements of the connection's direction that match its peer and port, at the keys they own. */
function addRuleCandidates(
  candidates: Candidate[],
  connection: Connection,
  selected: Statements,
  resolve: PortResolver,
): void {
  const { query, layout, protocol, port, indexed } = connection;
  const remote = query.remoteIdentity;
  for (const rule of selected) {
    if (rule.direction !== query.direction) continue;
    const keys = statementPortKeys(rule, layout, resolve).filter(({ key }) =>
      portKeyCovers(key, protocol, port),
    );
    if (keys.length === 0) continue;
    for (const peer of rule.peers) {
      const identity = peer.wildcard ? 0 : indexed && peer.matches(remote, indexed) ? remote : undefined;
      if (identity === undefined) continue;
      for (const { key, spec } of keys) {
        const reference = referenceFor(rule, peer, spec?.text ?? 'all ports');
        const target = candidateIn(candidates, identity, key);
        const list = rule.deny ? target.denies : target.allows;
        if (!list.includes(reference)) list.push(reference);
      }
    }
  }
}

/** Broader allows of the same peer are copied into ports that carry L7 rules, as compile.ts widens them. */
function widenIntoL7Ports(
  candidates: Candidate[],
  connection: Connection,
  selected: Statements,
  resolve: PortResolver,
): void {
  const { query, layout, protocol, port } = connection;
  const l7Keys = l7PortKeys(
    selected.filter((rule) => rule.direction === query.direction),
    layout,
    resolve,
  ).filter((key) => portKeyCovers(key, protocol, port));
  const originals = candidates.map((entry) => ({
    identity: entry.identity,
    key: entry.key,
    references: entry.allows.filter((reference) => reference.origin.kind !== 'agent'),
  }));
  for (const original of originals) {
    if (original.references.length === 0) continue;
    for (const key of l7Keys) {
      if (!strictlyBroader(original.key, key)) continue;
      const target = candidateIn(candidates, original.identity, key);
      for (const reference of original.references)
        if (!target.allows.includes(reference)) target.allows.push(reference);
    }
  }
}

/** A deny that covers this connection wins over every allow that covers it, at the allow's key or a narrower one. */
function spreadDenies(candidates: Candidate[]): void {
  const denies = candidates.filter((entry) => entry.denies.length > 0);
  const allows = candidates.filter((entry) => entry.denies.length === 0 && entry.allows.length > 0);
  for (const allow of allows) {
    for (const deny of denies) {
      const key =
        allow.key.protocol === 0
          ? deny.key
          : deny.key.protocol === 0
            ? allow.key
            : allow.key.prefix >= deny.key.prefix
              ? allow.key
              : deny.key;
      const target = candidateIn(candidates, allow.identity === 0 ? deny.identity : allow.identity, key);
      for (const reference of deny.denies)
        if (!target.denies.includes(reference)) target.denies.push(reference);
    }
  }
}

/** The map entry the lookup reaches: a deny, or an allow with its L7 rules and auth type. */
function entryOf(
  chosen: Candidate,
  candidates: readonly Candidate[],
  direction: PolicyQuery['direction'],
): PolicyMapEntry {
  if (chosen.denies.length > 0)
    return {
      direction,
      identity: chosen.identity,
      key: chosen.key,
      deny: true,
      proxyPort: 0,
      authType: 0,
      derivedFrom: chosen.denies,
      overriddenAllows: chosen.allows,
    };
  const wildcard =
    chosen.identity !== 0 && chosen.key.protocol !== 0
      ? candidates.find(
          (other) => other.identity === 0 && sameKey(other.key, chosen.key) && other.denies.length === 0,
        )
      : undefined;
  const { l7, proxyPort } = unionL7(
    wildcard ? [...chosen.allows, ...wildcard.allows] : chosen.allows,
    direction,
    [],
  );
  const authType = chosen.allows.reduce<AuthType>(
    (max, reference) => (reference.authType > max ? reference.authType : max),
    0,
  );
  return {
    direction,
    identity: chosen.identity,
    key: chosen.key,
    deny: false,
    proxyPort,
    authType,
    derivedFrom: chosen.allows,
    overriddenAllows: [],
    ...(l7 ? { l7 } : {}),
  };
}
