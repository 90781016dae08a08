/**
 * Istio AuthorizationPolicy evaluation as the server-side proxy's RBAC filter performs it
 * (https://istio.io/v1.24/docs/reference/config/security/authorization-policy/; principals as
 * istio/istio pilot/pkg/security/authz/model/generator.go builds them):
 *
 * - A policy applies to a workload when it lives in the workload's namespace (or in the root
 *   namespace, mesh-wide) and its selector matches the workload's labels. A policy with `targetRefs`
 *   attaches to a waypoint (its Gateway, or a Service bound to it) instead, and only that waypoint
 *   enforces it (ambient mode).
 * - Order: DENY first (any match denies), then ALLOW: with no ALLOW policy the request is allowed;
 *   with ALLOW policies, a request that matches none is denied. AUDIT policies only mark a request as
 *   audited. CUSTOM (external authorizers) is not modelled: such policies are reported and skipped.
 * - A policy with no rules matches nothing (an ALLOW policy with `spec: {}` allows nothing); an empty
 *   rule `{}` matches everything.
 * - Within a rule, `from`, `to` and `when` must all match; a list matches when any element does; the
 *   fields of one source or operation must all match.
 * - `source.principals` and `source.namespaces` are matched against the authenticated peer
 *   certificate's URI SAN, written without `spiffe://` (istiod adds the prefix when it builds Envoy's
 *   RBAC config). Without mTLS there is no principal, so those fields never match.
 * - Strings match exactly, by prefix (`abc*`), by suffix (`*abc`), or `*` for any non-empty value.
 * - For a TCP connection, an ALLOW rule that uses HTTP-only fields (methods, paths, hosts) matches
 *   nothing, and a DENY rule's HTTP-only fields are dropped (the rule becomes stricter).
 * - A denied HTTP request gets 403 with the body `RBAC: access denied`; a denied TCP connection is
 *   closed.
 */
import { parseIPv4, parsePrefix, prefixContains } from '../net/ipv4';
import { parseIstioSpiffeId, principalOf } from './identity';
import { istioRootNamespace, selectorMatches, type IstioWorkload } from './peer-authentication';

/** The action of a policy. */
export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** `rules[].from[].source`. */
export interface AuthorizationSource {
  principals?: readonly string[];
  notPrincipals?: readonly string[];
  namespaces?: readonly string[];
  notNamespaces?: readonly string[];
  ipBlocks?: readonly string[];
  notIpBlocks?: readonly string[];
}

/** `rules[].to[].operation`. */
export interface AuthorizationOperation {
  methods?: readonly string[];
  notMethods?: readonly string[];
  paths?: readonly string[];
  notPaths?: readonly string[];
  ports?: readonly string[];
  notPorts?: readonly string[];
  hosts?: readonly string[];
  notHosts?: readonly string[];
}

/** `rules[].when[]`, for the keys the simulator knows. */
export interface AuthorizationCondition {
  key:
    'source.principal' | 'source.namespace' | 'source.ip' | 'destination.port' | `request.headers[${string}]`;
  values?: readonly string[];
  notValues?: readonly string[];
}

/** One rule. */
export interface AuthorizationRule {
  from?: readonly { source: AuthorizationSource }[];
  to?: readonly { operation: AuthorizationOperation }[];
  when?: readonly AuthorizationCondition[];
}

/** `spec.targetRefs[]`: what a policy attaches to instead of a selector (a waypoint Gateway, a Service). */
export interface AuthorizationTargetRef {
  group?: string;
  kind: string;
  name: string;
}

/** An AuthorizationPolicy resource (security.istio.io/v1). */
export interface AuthorizationPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    selector?: { matchLabels: Readonly<Record<string, string>> };
    /** Set: the policy is enforced by the waypoint it names (or a Service's waypoint), never by ztunnel or a sidecar. */
    targetRefs?: readonly AuthorizationTargetRef[];
    action?: AuthorizationAction;
    rules?: readonly AuthorizationRule[];
  };
}

/** What the RBAC filter knows about one request or connection. */
export interface AuthorizationRequest {
  /** The verified peer certificate's URI SAN (`spiffe://…`), or undefined without mTLS. */
  peerSpiffeId: string | undefined;
  /** The downstream address the proxy sees (used only by ipBlocks and `source.ip`). */
  sourceIp?: string;
  protocol: 'http' | 'tcp';
  method?: string;
  path?: string;
  host?: string;
  port?: number;
  headers?: Readonly<Record<string, string>>;
}

/** The verdict of the RBAC filter. */
export interface AuthorizationVerdict {
  allowed: boolean;
  /** 403 for a denied HTTP request; undefined when allowed or for TCP. */
  httpStatus: 403 | undefined;
  /** `RBAC: access denied` for denied HTTP, `connection closed` for denied TCP. */
  response: string | undefined;
  /** `ns/name` of the deciding policy, when a policy decided. */
  policy: string | undefined;
  reason: string;
  /** Whether an AUDIT policy matched. */
  audited: boolean;
  /** CUSTOM policies that applied and were skipped. */
  skippedCustom: string[];
  /** Where the decision is made. */
  layer: 'Envoy RBAC filter (L7)' | 'Envoy RBAC network filter (L4)';
}

/** Istio's string match: exact, `prefix*`, `*suffix`, or `*` for any non-empty value. */
export function istioStringMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value.length > 0;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

function anyMatch(patterns: readonly string[], value: string | undefined): boolean {
  return patterns.some((pattern) => istioStringMatch(pattern, value));
}

function ipMatch(blocks: readonly string[], ip: string | undefined): boolean {
  const address = ip === undefined ? undefined : parseIPv4(ip);
  if (address === undefined) return false;
  return blocks.some((block) => {
    const prefix = parsePrefix(block.includes('/') ? block : `${block}/32`, true);
    return prefix !== undefined && prefixContains(prefix, address);
  });
}

/** The namespace part of a peer's SPIFFE ID. */
function peerNamespace(request: AuthorizationRequest): string | undefined {
  return request.peerSpiffeId === undefined ? undefined : parseIstioSpiffeId(request.peerSpiffeId)?.namespace;
}

function sourceMatches(source: AuthorizationSource, request: AuthorizationRequest): boolean {
  const principal = request.peerSpiffeId === undefined ? undefined : principalOf(request.peerSpiffeId);
  const namespace = peerNamespace(request);
  if (source.principals !== undefined && !anyMatch(source.principals, principal)) return false;
  if (source.notPrincipals !== undefined && anyMatch(source.notPrincipals, principal)) return false;
  if (source.namespaces !== undefined && !anyMatch(source.namespaces, namespace)) return false;
  if (source.notNamespaces !== undefined && anyMatch(source.notNamespaces, namespace)) return false;
  if (source.ipBlocks !== undefined && !ipMatch(source.ipBlocks, request.sourceIp)) return false;
  if (source.notIpBlocks !== undefined && ipMatch(source.notIpBlocks, request.sourceIp)) return false;
  return true;
}

const httpOnlyOperationFields = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'] as const;

function usesHttpFields(rule: AuthorizationRule): boolean {
  return (
    (rule.to ?? []).some(({ operation }) =>
      httpOnlyOperationFields.some((field) => operation[field] !== undefined),
    ) || (rule.when ?? []).some((condition) => condition.key.startsWith('request.'))
  );
}

function operationMatches(
  operation: AuthorizationOperation,
  request: AuthorizationRequest,
  ignoreHttp: boolean,
): boolean {
  const port = request.port === undefined ? undefined : String(request.port);
  if (operation.ports !== undefined && !operation.ports.includes(port ?? '')) return false;
  if (operation.notPorts !== undefined && operation.notPorts.includes(port ?? '')) return false;
  if (ignoreHttp) return true;
  if (operation.methods !== undefined && !anyMatch(operation.methods, request.method)) return false;
  if (operation.notMethods !== undefined && anyMatch(operation.notMethods, request.method)) return false;
  if (operation.paths !== undefined && !anyMatch(operation.paths, request.path)) return false;
  if (operation.notPaths !== undefined && anyMatch(operation.notPaths, request.path)) return false;
  if (operation.hosts !== undefined && !anyMatch(operation.hosts, request.host)) return false;
  if (operation.notHosts !== undefined && anyMatch(operation.notHosts, request.host)) return false;
  return true;
}

function conditionValue(
  key: AuthorizationCondition['key'],
  request: AuthorizationRequest,
): string | undefined {
  if (key === 'source.principal')
    return request.peerSpiffeId === undefined ? undefined : principalOf(request.peerSpiffeId);
  if (key === 'source.namespace') return peerNamespace(request);
  if (key === 'source.ip') return request.sourceIp;
  if (key === 'destination.port') return request.port === undefined ? undefined : String(request.port);
  const header = /^request\.headers\[(.+)\]$/.exec(key)?.[1];
  return header === undefined ? undefined : request.headers?.[header.toLowerCase()];
}

function conditionMatches(
  condition: AuthorizationCondition,
  request: AuthorizationRequest,
  ignoreHttp: boolean,
): boolean {
  if (ignoreHttp && condition.key.startsWith('request.')) return true;
  const value = conditionValue(condition.key, request);
  if (condition.key === 'source.ip') {
    if (condition.values !== undefined && !ipMatch(condition.values, value)) return false;
    if (condition.notValues !== undefined && ipMatch(condition.notValues, value)) return false;
    return true;
  }
  if (condition.values !== undefined && !anyMatch(condition.values, value)) return false;
  if (condition.notValues !== undefined && anyMatch(condition.notValues, value)) return false;
  return true;
}

/** Whether one rule matches a request, given the action of its policy (for the TCP rules above). */
function ruleMatches(
  rule: AuthorizationRule,
  request: AuthorizationRequest,
  action: AuthorizationAction,
): boolean {
  const tcp = request.protocol === 'tcp';
  if (tcp && action === 'ALLOW' && usesHttpFields(rule)) return false;
  const ignoreHttp = tcp;
  if (rule.from !== undefined && !rule.from.some(({ source }) => sourceMatches(source, request)))
    return false;
  if (
    rule.to !== undefined &&
    !rule.to.some(({ operation }) => operationMatches(operation, request, ignoreHttp))
  )
    return false;
  if (
    rule.when !== undefined &&
    !rule.when.every((condition) => conditionMatches(condition, request, ignoreHttp))
  )
    return false;
  return true;
}

const hasTargetRefs = (policy: AuthorizationPolicy): boolean => (policy.spec.targetRefs ?? []).length > 0;

/** The policies that apply to a workload (selector-based; policies with targetRefs belong to waypoints). */
function policiesFor(
  policies: readonly AuthorizationPolicy[],
  workload: IstioWorkload,
  rootNamespace = istioRootNamespace,
): AuthorizationPolicy[] {
  return policies.filter(
    (policy) =>
      !hasTargetRefs(policy) &&
      (policy.metadata.namespace === workload.namespace || policy.metadata.namespace === rootNamespace) &&
      selectorMatches(policy.spec.selector, workload.labels),
  );
}

/** What a waypoint serves a request for: itself (a Gateway) and the Service the request was addressed to. */
export interface WaypointTarget {
  namespace: string;
  gateway: string;
  service?: string;
}

/**
 * The policies a waypoint enforces for a request: those in its namespace whose targetRefs name the
 * waypoint's Gateway (group gateway.networking.k8s.io) or the destination Service (core group).
 */
function policiesForWaypoint(
  policies: readonly AuthorizationPolicy[],
  target: WaypointTarget,
): AuthorizationPolicy[] {
  return policies.filter(
    (policy) =>
      policy.metadata.namespace === target.namespace &&
      (policy.spec.targetRefs ?? []).some(
        (ref) =>
          (ref.kind === 'Gateway' &&
            (ref.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' &&
            ref.name === target.gateway) ||
          (ref.kind === 'Service' &&
            (ref.group ?? '') === '' &&
            target.service !== undefined &&
            ref.name === target.service),
      ),
  );
}

/** Evaluates the policies attached to a waypoint (by targetRefs) for one request. */
export function evaluateWaypointAuthorization(
  policies: readonly AuthorizationPolicy[],
  target: WaypointTarget,
  request: AuthorizationRequest,
): AuthorizationVerdict {
  return evaluateApplicable(policiesForWaypoint(policies, target), request);
}

function policyMatches(policy: AuthorizationPolicy, request: AuthorizationRequest): boolean {
  const action = policy.spec.action ?? 'ALLOW';
  return (policy.spec.rules ?? []).some((rule) => ruleMatches(rule, request, action));
}

const policyName = (policy: AuthorizationPolicy): string =>
  `${policy.metadata.namespace}/${policy.metadata.name}`;

/** Evaluates the AuthorizationPolicies of a workload for one request. */
export function evaluateAuthorization(
  policies: readonly AuthorizationPolicy[],
  workload: IstioWorkload,
  request: AuthorizationRequest,
  rootNamespace = istioRootNamespace,
): AuthorizationVerdict {
  return evaluateApplicable(policiesFor(policies, workload, rootNamespace), request);
}

function evaluateApplicable(
  applicable: readonly AuthorizationPolicy[],
  request: AuthorizationRequest,
): AuthorizationVerdict {
  const byAction = (action: AuthorizationAction): AuthorizationPolicy[] =>
    applicable.filter((policy) => (policy.spec.action ?? 'ALLOW') === action);
  const audited = byAction('AUDIT').some((policy) => policyMatches(policy, request));
  const skippedCustom = byAction('CUSTOM').map(policyName);
  const layer = request.protocol === 'http' ? 'Envoy RBAC filter (L7)' : 'Envoy RBAC network filter (L4)';
  const deny = (policy: string | undefined, reason: string): AuthorizationVerdict => ({
    allowed: false,
    httpStatus: request.protocol === 'http' ? 403 : undefined,
    response: request.protocol === 'http' ? 'RBAC: access denied' : 'connection closed',
    policy,
    reason,
    audited,
    skippedCustom,
    layer,
  });
  const allow = (policy: string | undefined, reason: string): AuthorizationVerdict => ({
    allowed: true,
    httpStatus: undefined,
    response: undefined,
    policy,
    reason,
    audited,
    skippedCustom,
    layer,
  });

  const denying = byAction('DENY').find((policy) => policyMatches(policy, request));
  if (denying !== undefined) return deny(policyName(denying), 'a DENY policy matched');
  const allowPolicies = byAction('ALLOW');
  if (allowPolicies.length === 0) return allow(undefined, 'no ALLOW policy applies to the workload');
  const allowing = allowPolicies.find((policy) => policyMatches(policy, request));
  if (allowing !== undefined) return allow(policyName(allowing), 'an ALLOW policy matched');
  return deny(undefined, 'ALLOW policies apply to the workload and none matched');
}
