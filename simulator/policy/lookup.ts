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
import { anyPortKey, matchTypeOf, portKeyToString, subKeyOf, type MatchType } from './policy-key';

const l3OnlySubKey = subKeyOf(anyPortKey);

function exactSubKey(protocol: number, port: number): number {
  return (protocol * 17 + 16) * 65536 + port;
}

/** The entry the four probes of the ≤1.15 hash map reach first. */
function hashEntry(
  state: DirectionPolicy,
  identity: number,
  protocol: number,
  port: number,
): PolicyMapEntry | undefined {
  const exact = exactSubKey(protocol, port);
  const own = identity !== 0 ? state.entries.get(identity) : undefined;
  const wildcard = state.entries.get(0);
  return own?.get(exact) ?? wildcard?.get(exact) ?? own?.get(l3OnlySubKey) ?? wildcard?.get(l3OnlySubKey);
}

/** Longest-prefix match within one identity's entries; returns the entry and the bits it covers. */
function longestMatch(
  entries: ReadonlyMap<number, PolicyMapEntry> | undefined,
  rangePrefixes: readonly number[],
  protocol: number,
  port: number,
): PolicyMapEntry | undefined {
  if (!entries) return undefined;
  // Sub-keys are computed as numbers here (see subKeyOf): this runs once per new connection.
  const exact = entries.get(exactSubKey(protocol, port));
  if (exact) return exact;
  for (const prefix of rangePrefixes) {
    const mask = (0xffff << (16 - prefix)) & 0xffff;
    const entry = entries.get((protocol * 17 + prefix) * 65536 + (port & mask));
    if (entry) return entry;
  }
  return entries.get(protocol * 17 * 65536) ?? entries.get(l3OnlySubKey);
}

function coveredBits(entry: PolicyMapEntry): number {
  return entry.key.protocol === 0 ? 0 : 8 + entry.key.prefix;
}

/** The entry the ≥1.16 LPM lookup reaches: the longer of the identity's and the wildcard's matches; ties go to the identity. */
function lpmEntry(
  state: DirectionPolicy,
  identity: number,
  protocol: number,
  port: number,
): PolicyMapEntry | undefined {
  const own =
    identity !== 0
      ? longestMatch(state.entries.get(identity), state.rangePrefixes, protocol, port)
      : undefined;
  const wildcard = longestMatch(state.entries.get(0), state.rangePrefixes, protocol, port);
  if (own && (!wildcard || coveredBits(own) >= coveredBits(wildcard))) return own;
  return wildcard;
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
  const mapKey = entry ? { mapKey: { identity: entry.identity, port: portKeyToString(entry.key) } } : {};
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
      ...mapKey,
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
    ...mapKey,
    ...(entry && entry.proxyPort !== 0 ? { proxyPort: entry.proxyPort } : {}),
    ...(entry?.l7 ? { l7: entry.l7 } : {}),
  };
}

// Verdicts are immutable and depend only on the hit, so each is built once per entry.
// Slot 0 when the remote identity is known to the agent, 1 when it is not.
const verdictCache = new WeakMap<object, (PolicyVerdict | undefined)[]>();

function cachedVerdict(owner: object, slot: number, build: () => PolicyVerdict): PolicyVerdict {
  let slots = verdictCache.get(owner);
  if (!slots) {
    slots = [];
    verdictCache.set(owner, slots);
  }
  let verdict = slots[slot];
  if (!verdict) {
    verdict = build();
    slots[slot] = verdict;
  }
  return verdict;
}

/** What the datapath decides for a new connection of this endpoint (`__policy_can_access`). */
export function lookupPolicy(policy: EndpointPolicy, query: PolicyQuery): PolicyVerdict {
  const identityKnown = policy.knownIdentities.has(query.remoteIdentity);
  const state = policy[query.direction];
  const protocol = protocolNumbers[query.protocol];
  const port = lookupPort(query);
  const entry =
    policy.layout === 'hash'
      ? hashEntry(state, query.remoteIdentity, protocol, port)
      : lpmEntry(state, query.remoteIdentity, protocol, port);
  // An entry's match type follows from its own key, so one cached verdict per entry (and per known/unknown) suffices.
  return cachedVerdict(entry ?? state, identityKnown ? 0 : 1, () =>
    verdictFromHit(
      entry
        ? { deny: entry.deny, matchType: matchTypeOf(entry.identity !== 0, entry.key), entry }
        : undefined,
      policy,
      state,
      identityKnown,
    ),
  );
}
