/**
 * fromRequires and toRequires. A requirement grants nothing by itself: the requirements of every
 * rule that selects an endpoint are gathered per direction (allow and deny sections apart) and
 * added to each endpoint selector of every rule's section in that direction, so a peer must match
 * both. A section that gets requirements keeps its entities and CIDRs but loses its node selectors
 * (resolveL4IngressPolicy/resolveL4EgressPolicy in pkg/policy/rules.go and
 * GetSourceEndpointSelectorsWithRequirements in pkg/policy/api/ingress.go, v1.12–v1.18).
 */
import type { Direction, NormalizedRule } from './normalize';
import type { PeerMatcher } from './peer-matchers';

/** The selected rules' statements with requirements folded into their endpoint peers. */
export function withRequirements(statements: readonly NormalizedRule[]): readonly NormalizedRule[] {
  const gathered = new Map<string, PeerMatcher[]>();
  const slot = (direction: Direction, deny: boolean): string => `${direction}|${deny ? 'deny' : 'allow'}`;
  for (const statement of statements) {
    if (statement.requires === undefined) continue;
    const key = slot(statement.direction, statement.deny);
    const list = gathered.get(key) ?? [];
    for (const requirement of statement.requires)
      if (!list.some((known) => known.cacheKey === requirement.cacheKey)) list.push(requirement);
    gathered.set(key, list);
  }
  if (gathered.size === 0) return statements;
  return statements.map((statement) => {
    const requirements = gathered.get(slot(statement.direction, statement.deny));
    if (requirements === undefined || !statement.peers.some((peer) => peer.source === 'endpoints'))
      return statement;
    const peers = statement.peers
      .filter((peer) => peer.source !== 'nodes')
      .map((peer) => (peer.source === 'endpoints' ? restricted(peer, requirements) : peer));
    return { ...statement, peers };
  });
}

/** An endpoint peer that a remote identity matches only if it meets every requirement too. */
function restricted(peer: PeerMatcher, requirements: readonly PeerMatcher[]): PeerMatcher {
  return {
    wildcard: false,
    source: 'endpoints',
    description: `${peer.description} and ${requirements.map((requirement) => requirement.description).join(' and ')}`,
    cacheKey: `${peer.cacheKey}&${requirements.map((requirement) => requirement.cacheKey).join('&')}`,
    matches: (identity, labels) =>
      peer.matches(identity, labels) &&
      requirements.every((requirement) => requirement.matches(identity, labels)),
  };
}
