/**
 * The NPDS resource (`type.googleapis.com/cilium.NetworkPolicy`, cilium/proxy's cilium/api/npds.proto)
 * the agent pushes to its node's Envoy for one endpoint, built from the endpoint's compiled policy
 * the way the agent's xDS server converts an L4 policy (pkg/envoy/server.go):
 *
 * - a direction the datapath does not enforce becomes one allow-all port policy (`[{}]`);
 * - otherwise one port policy per TCP port (UDP is not sent to Envoy), with one rule per cached
 *   selector (rules of several policies that write the same selector merge): its identities in
 *   `remotePolicies`, left out when the port has a single selector (the datapath already admitted
 *   only that selector's identities) or the selector is a wildcard, so that Envoy then checks no
 *   identity at all (getDirectionNetworkPolicy, cilium/cilium v1.12.0 pkg/envoy/server.go);
 * - an HTTP rule becomes header matchers on `:path`, `:method` and `:authority` (RE2 regexes, sorted
 *   by name) plus exact or presence matchers for `headers`;
 * - a rule that allows everything on the port makes the others moot, and the port keeps no rules.
 *
 * The endpoint is named by its IPv4 address (`name`) up to 1.13; from 1.14 the resource lists
 * `endpointIps` instead *(version of that switch: medium confidence)*. Entries the agent adds itself
 * (allow-localhost) are not rules and do not appear. JSON follows proto3's mapping: uint64 as strings,
 * zero values (port 0, protocol TCP) left out, keys in field-name order as the article prints them.
 */
import type { Cluster } from '../world';
import type { AgentState, LocalEndpoint } from './state';
import { policyForEndpoint } from './local-identities';
import type { EndpointPolicy, HttpRule } from '../policy/index';
import { versionAtLeast } from '../policy/policy-key';

/** An Envoy HeaderMatcher as NPDS carries it. */
export interface NpdsHeaderMatcher {
  name: string;
  exactMatch?: string;
  presentMatch?: boolean;
  safeRegexMatch?: { googleRe2: Record<string, never>; regex: string };
}

/** A cilium.HeaderMatch (headerMatches with a mismatch action). */
export interface NpdsHeaderMatch {
  mismatchAction?: 'CONTINUE_ON_MISMATCH' | 'ADD_ON_MISMATCH' | 'DELETE_ON_MISMATCH' | 'REPLACE_ON_MISMATCH';
  name: string;
  value?: string;
}

/** One HttpNetworkPolicyRule. */
export interface NpdsHttpRule {
  headerMatches?: NpdsHeaderMatch[];
  headers?: NpdsHeaderMatcher[];
}

/** One PortNetworkPolicyRule. */
export interface NpdsPortRule {
  httpRules?: { httpRules: NpdsHttpRule[] };
  /** Numeric identities as proto3 JSON writes uint64: strings. */
  remotePolicies?: string[];
}

/** One PortNetworkPolicy. */
export interface NpdsPortPolicy {
  port?: number;
  rules?: NpdsPortRule[];
}

/** One cilium.NetworkPolicy resource. */
export interface NetworkPolicyResource {
  '@type': 'type.googleapis.com/cilium.NetworkPolicy';
  conntrackMapName: string;
  egressPerPortPolicies?: NpdsPortPolicy[];
  endpointId: string;
  endpointIps?: string[];
  ingressPerPortPolicies?: NpdsPortPolicy[];
  name?: string;
}

const googleRe2 = (regex: string) => ({ googleRe2: {} as Record<string, never>, regex });

const mismatchActions = {
  LOG: 'CONTINUE_ON_MISMATCH',
  ADD: 'ADD_ON_MISMATCH',
  DELETE: 'DELETE_ON_MISMATCH',
  REPLACE: 'REPLACE_ON_MISMATCH',
} as const;

/** One HTTP rule of a policy as Envoy's header matchers. */
function httpRuleToNpds(rule: HttpRule): NpdsHttpRule {
  const headers: NpdsHeaderMatcher[] = [];
  if (rule.path !== undefined && rule.path !== '')
    headers.push({ name: ':path', safeRegexMatch: googleRe2(rule.path) });
  if (rule.method !== undefined && rule.method !== '')
    headers.push({ name: ':method', safeRegexMatch: googleRe2(rule.method) });
  if (rule.host !== undefined && rule.host !== '')
    headers.push({ name: ':authority', safeRegexMatch: googleRe2(rule.host) });
  for (const header of rule.headers) {
    // `X-Key: value` needs the value; a bare name only needs the header to be present.
    const space = header.indexOf(' ');
    if (space > 0)
      headers.push({ name: header.slice(0, space).replace(/:+$/, ''), exactMatch: header.slice(space + 1) });
    else headers.push({ name: header, presentMatch: true });
  }
  const headerMatches: NpdsHeaderMatch[] = [];
  for (const match of rule.headerMatches) {
    if (match.mismatch === undefined) {
      headers.push(
        match.value !== undefined && match.value !== ''
          ? { name: match.name, exactMatch: match.value }
          : { name: match.name, presentMatch: true },
      );
    } else {
      headerMatches.push({
        mismatchAction: mismatchActions[match.mismatch],
        name: match.name,
        ...(match.value !== undefined ? { value: match.value } : {}),
      });
    }
  }
  headers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    ...(headerMatches.length > 0 ? { headerMatches } : {}),
    ...(headers.length > 0 ? { headers } : {}),
  };
}

const byJson = <T>(a: T, b: T): number => {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
};

interface SelectorShare {
  identities: Set<number>;
  /** The HTTP rules every rule with this selector allows on the port. */
  http: HttpRule[];
}

/** The per-port policies of one direction, or undefined when there is nothing to send. */
function directionToNpds(
  policy: EndpointPolicy,
  direction: 'ingress' | 'egress',
): NpdsPortPolicy[] | undefined {
  const state = policy[direction];
  // Not enforced: Envoy gets an allow-all policy for TCP (protocol TCP is proto3's zero value).
  if (!state.enforced) return [{}];
  const ports = new Map<number, Map<string, SelectorShare>>();
  for (const [identity, byKey] of state.entries) {
    for (const entry of byKey.values()) {
      if (entry.deny) continue;
      const anyPort = entry.key.protocol === 0 && entry.key.prefix === 0;
      const tcpPort = entry.key.protocol === 6 && entry.key.prefix === 16;
      if (!anyPort && !tcpPort) continue;
      const port = anyPort ? 0 : entry.key.port;
      for (const reference of entry.derivedFrom) {
        if (reference.origin.kind === 'agent' || reference.deny) continue;
        const selectors = ports.get(port) ?? new Map<string, SelectorShare>();
        ports.set(port, selectors);
        // Cilium keys a port's L7 rules by cached selector (L4Filter.L7RulesPerSelector): rules of
        // several policies that write the same selector merge into one entry.
        const key = reference.selectorKey ?? `${reference.rule}|${reference.peer}`;
        const share = selectors.get(key) ?? { identities: new Set<number>(), http: [] };
        share.identities.add(identity);
        // Equal HTTP rules are kept once, as PerSelectorPolicy merges L7 rules.
        if (reference.l7?.type === 'http')
          for (const rule of reference.l7.http)
            if (!share.http.some((kept) => JSON.stringify(kept) === JSON.stringify(rule)))
              share.http.push(rule);
        selectors.set(key, share);
      }
    }
  }
  const policies: NpdsPortPolicy[] = [];
  for (const [port, selectors] of [...ports].sort((a, b) => a[0] - b[0])) {
    const rules: NpdsPortRule[] = [];
    let allowAll = false;
    let canShortCircuit = true;
    for (const share of selectors.values()) {
      const wildcard = selectors.size === 1 || share.identities.has(0);
      const rule: NpdsPortRule = {};
      if (!wildcard) rule.remotePolicies = [...share.identities].sort((a, b) => a - b).map(String);
      if (port !== 0 && share.http.length > 0) {
        const httpRules = share.http.map(httpRuleToNpds).sort(byJson);
        if (httpRules.some((httpRule) => httpRule.headerMatches !== undefined)) canShortCircuit = false;
        rule.httpRules = { httpRules };
      }
      if (rule.remotePolicies === undefined && rule.httpRules === undefined) allowAll = true;
      rules.push(rule);
    }
    const kept = allowAll && canShortCircuit ? [] : rules.sort(byJson);
    if (!allowAll && kept.length === 0) continue;
    policies.push({ ...(port !== 0 ? { port } : {}), ...(kept.length > 0 ? { rules: kept } : {}) });
  }
  return policies.length > 0 ? policies : undefined;
}

/** The NPDS resource for one endpoint from its compiled policy, or undefined without a policy. */
export function networkPolicyResource(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
): NetworkPolicyResource | undefined {
  const policy = policyForEndpoint(cluster, agent, endpoint);
  if (policy === undefined) return undefined;
  const version = cluster.cilium?.config.version ?? '1.12.0';
  const egress = directionToNpds(policy, 'egress');
  const ingress = directionToNpds(policy, 'ingress');
  const newer = versionAtLeast(version, 1, 14);
  return {
    '@type': 'type.googleapis.com/cilium.NetworkPolicy',
    conntrackMapName: 'global',
    ...(egress !== undefined ? { egressPerPortPolicies: egress } : {}),
    endpointId: String(endpoint.id),
    ...(newer ? { endpointIps: [endpoint.ip] } : {}),
    ...(ingress !== undefined ? { ingressPerPortPolicies: ingress } : {}),
    ...(newer ? {} : { name: endpoint.ip }),
  };
}
