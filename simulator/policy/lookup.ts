/**
 * The datapath's policy lookup for a new connection, per map generation. ≤1.15 probes the hash map
 * in four fixed steps (L3+L4, L4-only, L3-only, allow-all) and takes the first hit. ≥1.16 takes the
 * longest match in the identity's LPM trie and in the wildcard trie, and prefers the identity's when
 * both cover the same number of bits. The first hit decides; deny was settled when the map was built.
 */
import {
  dropReasonText,
  type DirectionPolicy,
  type EndpointPolicy,
  type PolicyExplanation,
  type PolicyMapEntry,
  type PolicyQuery,
  type PolicyVerdict,
  type RuleReference,
} from './endpoint-policy';
import { protocolNumbers } from './normalize';
import {
  anyPortKey,
  maskedPortKey,
  matchTypeOf,
  portKeyToString,
  subKeyOf,
  type MatchType,
} from './policy-key';

/** The entry a lookup hit and how specific it was. */
export interface MapHit {
  readonly entry: PolicyMapEntry;
  readonly matchType: MatchType;
}

const l3OnlySubKey = subKeyOf(anyPortKey);

function exactSubKey(protocol: number, port: number): number {
  return (protocol * 17 + 16) * 65536 + port;
}

/** The four probes of the ≤1.15 hash map. */
export function hashLookup(
  state: DirectionPolicy,
  identity: number,
  protocol: number,
  port: number,
): MapHit | undefined {
  const exact = exactSubKey(protocol, port);
  const own = state.entries.get(identity);
  const wildcard = state.entries.get(0);
  const l3l4 = identity !== 0 ? own?.get(exact) : undefined;
  if (l3l4) return { entry: l3l4, matchType: 'L3-L4' };
  const l4 = wildcard?.get(exact);
  if (l4) return { entry: l4, matchType: 'L4-Only' };
  const l3 = identity !== 0 ? own?.get(l3OnlySubKey) : undefined;
  if (l3) return { entry: l3, matchType: 'L3-Only' };
  const all = wildcard?.get(l3OnlySubKey);
  if (all) return { entry: all, matchType: 'all' };
  return undefined;
}

/** Longest-prefix match within one identity's entries; returns the entry and the bits it covers. */
function longestMatch(
  entries: ReadonlyMap<number, PolicyMapEntry> | undefined,
  rangePrefixes: readonly number[],
  protocol: number,
  port: number,
): { entry: PolicyMapEntry; bits: number } | undefined {
  if (!entries) return undefined;
  const exact = entries.get(exactSubKey(protocol, port));
  if (exact) return { entry: exact, bits: 24 };
  for (const prefix of rangePrefixes) {
    const entry = entries.get(subKeyOf(maskedPortKey(protocol, port, prefix)));
    if (entry) return { entry, bits: 8 + prefix };
  }
  const protocolOnly = entries.get(subKeyOf({ protocol, prefix: 0, port: 0 }));
  if (protocolOnly) return { entry: protocolOnly, bits: 8 };
  const l3 = entries.get(l3OnlySubKey);
  if (l3) return { entry: l3, bits: 0 };
  return undefined;
}

/** The ≥1.16 LPM lookup: the longer of the identity's and the wildcard's best matches; ties go to the identity. */
export function lpmLookup(
  state: DirectionPolicy,
  identity: number,
  protocol: number,
  port: number,
): MapHit | undefined {
  const own =
    identity !== 0
      ? longestMatch(state.entries.get(identity), state.rangePrefixes, protocol, port)
      : undefined;
  const wildcard = longestMatch(state.entries.get(0), state.rangePrefixes, protocol, port);
  const chosen = own && (!wildcard || own.bits >= wildcard.bits) ? own : wildcard;
  if (!chosen) return undefined;
  return { entry: chosen.entry, matchType: matchTypeOf(chosen.entry.identity !== 0, chosen.entry.key) };
}

/** The port a flow is looked up with: the destination port, or the ICMP type for ICMP. */
export function lookupPort(query: PolicyQuery): number {
  if (query.protocol === 'ICMP' || query.protocol === 'ICMPv6') return query.icmpType ?? 0;
  return query.port;
}

/** Names at most three rules; the full list stays in `rules` (a wildcard entry can carry thousands). */
function listRules(rules: readonly RuleReference[], format: (rule: RuleReference) => string): string {
  const shown = rules.slice(0, 3).map(format).join('; ');
  return rules.length > 3 ? `${shown}; and ${rules.length - 3} more` : shown;
}

function describeKey(entry: PolicyMapEntry): string {
  return `identity ${entry.identity}${entry.identity === 0 ? ' (any)' : ''}, ${portKeyToString(entry.key)}`;
}

/** Turns a hit (or a miss) into a verdict, applying audit mode. Shared wording with the oracle. */
export function verdictFromHit(
  hit: { deny: boolean; matchType: MatchType; entry?: PolicyMapEntry } | undefined,
  policy: Pick<EndpointPolicy, 'auditMode'>,
  state: Pick<DirectionPolicy, 'enforced' | 'defaultDeny' | 'selectedBy'>,
  identityKnown: boolean,
): PolicyVerdict {
  const audit = policy.auditMode;
  if (!hit) {
    const explanation: PolicyExplanation = {
      layer: identityKnown ? 'default-deny' : 'identity',
      summary: `no policy-map entry allows this traffic; default deny applies (selected by ${state.selectedBy.join('; ') || 'enforcement mode always'})${identityKnown ? '' : '; the remote identity is unknown to this agent, so only wildcard entries could have matched'}${audit ? '; audit mode lets it through' : ''}`,
      rules: [],
      identityKnown,
    };
    return {
      decision: audit ? 'audit' : 'denied',
      matchType: 'none',
      dropReason: 133,
      authType: 0,
      explanation,
    };
  }
  const entry = hit.entry;
  const rules = entry ? entry.derivedFrom : [];
  const matchedKey = entry ? describeKey(entry) : undefined;
  if (hit.deny) {
    const explanation: PolicyExplanation = {
      layer: 'deny',
      summary: `denied by ${listRules(rules, (rule) => rule.rule)} (${dropReasonText[181]})${audit ? '; audit mode lets it through' : ''}`,
      rules,
      identityKnown,
      ...(matchedKey ? { matchedKey } : {}),
    };
    return {
      decision: audit ? 'audit' : 'denied',
      matchType: hit.matchType,
      dropReason: 181,
      authType: 0,
      explanation,
    };
  }
  const enforcementOff = !state.enforced;
  const explanation: PolicyExplanation = {
    layer: enforcementOff ? 'enforcement' : 'l3-l4',
    summary: enforcementOff
      ? 'policy enforcement is disabled in this direction: everything is allowed'
      : `allowed by ${listRules(rules, (rule) => `${rule.rule} (${rule.peer}, ${rule.port})`)}${entry && entry.proxyPort !== 0 ? `; redirected to the ${entry.l7?.parser ?? ''} proxy on port ${entry.proxyPort}` : ''}`,
    rules,
    identityKnown,
    ...(matchedKey ? { matchedKey } : {}),
  };
  return {
    decision: 'allowed',
    matchType: hit.matchType,
    authType: entry?.authType ?? 0,
    explanation,
    ...(entry && entry.proxyPort !== 0 ? { proxyPort: entry.proxyPort } : {}),
    ...(entry?.l7 ? { l7: entry.l7 } : {}),
  };
}

// Verdicts are immutable and depend only on the hit, so each is built once per entry.
const verdictCache = new WeakMap<object, Map<string, PolicyVerdict>>();

function cachedVerdict(owner: object, variant: string, build: () => PolicyVerdict): PolicyVerdict {
  let byVariant = verdictCache.get(owner);
  if (!byVariant) {
    byVariant = new Map();
    verdictCache.set(owner, byVariant);
  }
  let verdict = byVariant.get(variant);
  if (!verdict) {
    verdict = build();
    byVariant.set(variant, verdict);
  }
  return verdict;
}

/** What the datapath decides for a new connection of this endpoint (`__policy_can_access`). */
export function lookupPolicy(policy: EndpointPolicy, query: PolicyQuery): PolicyVerdict {
  const identityKnown = policy.knownIdentities.has(query.remoteIdentity);
  const state = policy[query.direction];
  const protocol = protocolNumbers[query.protocol];
  const port = lookupPort(query);
  const hit =
    policy.layout === 'hash'
      ? hashLookup(state, query.remoteIdentity, protocol, port)
      : lpmLookup(state, query.remoteIdentity, protocol, port);
  const variant = `${hit?.matchType ?? 'none'}${identityKnown ? '' : '?'}`;
  return cachedVerdict(hit ? hit.entry : state, variant, () =>
    verdictFromHit(
      hit ? { deny: hit.entry.deny, matchType: hit.matchType, entry: hit.entry } : undefined,
      policy,
      state,
      identityKnown,
    ),
  );
}
