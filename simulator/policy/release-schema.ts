/**
 * What each Cilium release's CiliumNetworkPolicy CRD schema and its agent's rule sanitising accept.
 * The two stages differ by release, so every check that varies asks this record rather than a
 * version number. Sources, per tag (v1.12.0, v1.14.5, v1.15.0, v1.16.0, v1.17.0, v1.18.3):
 * - API server: pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml (and
 *   ciliumclusterwidenetworkpolicies.yaml, whose rule schema is the same);
 * - agent: pkg/policy/api/rule_validation.go (Rule.Sanitize and the per-section sanitize methods),
 *   http.go (PortRuleHTTP.Sanitize), pkg/iana/svcname.go, and the wrapping in
 *   pkg/k8s/apis/cilium.io/v2/cnp_types.go (CiliumNetworkPolicy.Parse).
 */
import { parseVersion } from './policy-key';

/** Schema and sanitising differences between Cilium releases that change what is accepted. */
export interface SchemaFeatures {
  /** The release's minor number (12 for 1.12.x); the newest modelled release is 18. */
  readonly minor: number;
  /** `enableDefaultDeny` exists (1.16+). */
  readonly enableDefaultDeny: boolean;
  /** `authentication` exists in ingress/egress rules (1.14+). */
  readonly authentication: boolean;
  /** `endPort` exists in CNP ports (1.16+, with the LPM policy map). */
  readonly endPort: boolean;
  /** At least one ingress/egress section is required (1.17+: CRD anyOf and agent). */
  readonly sectionsRequired: boolean;
  /** `toPorts[].listener`, `serverNames` and `cidrGroupRef` exist (1.14+). */
  readonly listener: boolean;
  /** `fromNodes`/`toNodes` exist (1.16+); the agent refuses them unless enable-node-selector-labels is set. */
  readonly nodePeers: boolean;
  /** `cidrGroupSelector` (1.17+) and `spec.log` (1.18+). */
  readonly cidrGroupSelector: boolean;
  readonly policyLog: boolean;
  /** The protocol enum of `ports[].protocol` (SCTP from 1.14; VRRP and IGMP only after 1.18). */
  readonly protocols: readonly string[];
  /** How the CRD checks a CIDR string: a regular expression up to 1.15, `format: cidr` from 1.16. */
  readonly cidrCheck: 'pattern' | 'format';
  /** ICMP `type` takes names as well as numbers (int-or-string with a pattern) from 1.16. */
  readonly icmpTypeNames: boolean;
  /** `serverNames` entries must match a DNS-name pattern (1.18+). */
  readonly serverNamePattern: boolean;
  /** The agent's error wording changed in 1.17 (lower-case first words, per-direction host L7 errors). */
  readonly modernWording: boolean;
  /** The agent refuses `toServices` together with `toPorts` (1.14 to 1.16, cilium/cilium#20067). */
  readonly servicesWithoutPorts: boolean;
  /** Go's regexp accepts `(?<name>…)` as well as `(?P<name>…)` (Go 1.22, Cilium 1.16+). */
  readonly angleNamedGroups: boolean;
  /** The agent sanitises deny sections too (1.14+; 1.12's Rule.Sanitize skips them). */
  readonly sanitizesDeny: boolean;
  /**
   * The agent runs its L7 proxy (Helm `l7Proxy`, default true). Not a schema feature of the CRD but
   * of the importing agent: without the proxy it refuses every policy with L7 rules.
   */
  readonly l7Proxy?: boolean;
  /** Helm `nodeSelectorLabels` (enable-node-selector-labels, default false): fromNodes/toNodes allowed. */
  readonly nodeSelectorLabels?: boolean;
}

/** The schema of a Cilium minor release. */
function schemaForMinor(minor: number): SchemaFeatures {
  return {
    minor,
    enableDefaultDeny: minor >= 16,
    authentication: minor >= 14,
    endPort: minor >= 16,
    sectionsRequired: minor >= 17,
    listener: minor >= 14,
    nodePeers: minor >= 16,
    cidrGroupSelector: minor >= 17,
    policyLog: minor >= 18,
    protocols: minor >= 14 ? ['TCP', 'UDP', 'SCTP', 'ANY'] : ['TCP', 'UDP', 'ANY'],
    cidrCheck: minor >= 16 ? 'format' : 'pattern',
    icmpTypeNames: minor >= 16,
    serverNamePattern: minor >= 18,
    modernWording: minor >= 17,
    servicesWithoutPorts: minor >= 14 && minor <= 16,
    angleNamedGroups: minor >= 16,
    sanitizesDeny: minor >= 14,
  };
}

/** The schema of the newest release modelled (1.18). */
export const latestSchema: SchemaFeatures = schemaForMinor(18);

/** The schema features of a Cilium release (`1.12.0`, `v1.18.5`); the newest when unknown. */
export function schemaFor(ciliumVersion: string | undefined): SchemaFeatures {
  if (ciliumVersion === undefined) return latestSchema;
  const [major, minor] = parseVersion(ciliumVersion);
  return major === 1 ? schemaForMinor(minor) : latestSchema;
}

/** The regular expression the CRDs of 1.12 to 1.15 put on every CIDR string (ciliumnetworkpolicies.yaml). */
export const legacyCidrPattern =
  '^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\/([0-9]|[1-2][0-9]|3[0-2])$|^s*((([0-9A-Fa-f]{1,4}:){7}(:|([0-9A-Fa-f]{1,4})))|(([0-9A-Fa-f]{1,4}:){6}:([0-9A-Fa-f]{1,4})?)|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){0,1}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa-f]{1,4}){0,2}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){0,3}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){0,4}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){0,5}):([0-9A-Fa-f]{1,4})?))|(:(:|((:[0-9A-Fa-f]{1,4}){1,7}))))(%.+)?s*/([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])$';

/** The 1.18 CRD pattern on `serverNames` entries. */
export const serverNamePattern = '^(\\*?\\*\\.)?([-a-zA-Z0-9_]+\\.?)+$';
