// Goal: for each document and each Cilium release the site uses, the refusal happens at the stage a
// real cluster refuses it (the API server checking the CRD's OpenAPI schema, or the agent's
// sanitising of a stored object) with the real message, and what either accepts is accepted.
// Expectations come from the upstream sources, per row group, not from this parser's output:
// - CRD: pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml at v1.12.0, v1.14.5,
//   v1.16.0 and v1.18.3 (patterns, enums, formats, required fields, which fields exist);
// - agent: pkg/policy/api/rule_validation.go (Rule.Sanitize, IngressRule/EgressRule.sanitize,
//   PortRule.sanitize, PortProtocol.sanitize), http.go (PortRuleHTTP.Sanitize), selector.go and
//   pkg/iana/svcname.go at the same tags, wrapped by CiliumNetworkPolicy.Parse (cnp_types.go);
// - documents: cilium/cilium examples/policies/** and the docs at those tags where one exists.
import { describe, expect, it } from 'vitest';
import { agentImportError, type ParseOptions } from '../../../simulator/policy';
import { parsePolicyDocuments } from '../../../simulator/cilium/policy-documents';
import { cloudCityGrpcPolicy } from '../docs-policies';

type Release = '1.12' | '1.14' | '1.16' | '1.18';
const releases: readonly Release[] = ['1.12', '1.14', '1.16', '1.18'];
const versions: Record<Release, string> = {
  '1.12': '1.12.0',
  '1.14': '1.14.5',
  '1.16': '1.16.0',
  '1.18': '1.18.5',
};

/** Where the document ends up, and the message a reader sees there. */
type Outcome = 'accepted' | { apiserver: string } | { agent: string };

interface ReleaseCase {
  readonly name: string;
  readonly yaml: string;
  /** The agent's flags (Helm values) where a row needs them. */
  readonly options?: Pick<ParseOptions, 'nodeSelectorLabels' | 'l7Proxy'>;
  readonly outcome: Record<Release, Outcome>;
}

const cnp = (spec: string, name = 'p'): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
const all = (outcome: Outcome): Record<Release, Outcome> => ({
  '1.12': outcome,
  '1.14': outcome,
  '1.16': outcome,
  '1.18': outcome,
});
const unknownField = (path: string): Outcome => ({
  apiserver: `CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "${path}"`,
});
const invalid = (detail: string): Outcome => ({
  apiserver: `The CiliumNetworkPolicy "p" is invalid: ${detail}`,
});
const agent = (message: string): Outcome => ({ agent: `Invalid CiliumNetworkPolicy spec: ${message}` });
/** Before 1.17 the agent's port and DNS messages start with a capital. */
const byWording = (legacy: string, modern: string): Record<Release, Outcome> => ({
  '1.12': agent(legacy),
  '1.14': agent(legacy),
  '1.16': agent(legacy),
  '1.18': agent(modern),
});

const ingressPort = (port: string, extra = ''): string =>
  cnp(
    `  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "${port}"\n        protocol: TCP\n${extra}`,
  );
const httpPath = (path: string): string =>
  cnp(
    `  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      rules:\n        http:\n        - path: "${path}"\n`,
  );
const portPattern =
  '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$';
const legacyCidrPattern =
  '^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\/([0-9]|[1-2][0-9]|3[0-2])$|^s*((([0-9A-Fa-f]{1,4}:){7}(:|([0-9A-Fa-f]{1,4})))|(([0-9A-Fa-f]{1,4}:){6}:([0-9A-Fa-f]{1,4})?)|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){0,1}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa-f]{1,4}){0,2}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){0,3}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){0,4}):([0-9A-Fa-f]{1,4})?))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){0,5}):([0-9A-Fa-f]{1,4})?))|(:(:|((:[0-9A-Fa-f]{1,4}){1,7}))))(%.+)?s*/([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])$';

// Ports: the CRD pattern's top-level `|` anchors one alternative at the start and the other at the
// end, so these strings are stored and the agent's ParseUint refuses them (cilium/cilium#26384).
const portCases: readonly ReleaseCase[] = [
  {
    name: 'port "70000" passes the CRD pattern (it starts with digits), ParseUint says out of range',
    yaml: ingressPort('70000'),
    outcome: byWording(
      'Unable to parse port: strconv.ParseUint: parsing "70000": value out of range',
      'unable to parse port: strconv.ParseUint: parsing "70000": value out of range',
    ),
  },
  {
    name: 'port "http_alt" passes the CRD pattern (it ends with letters) but is no IANA service name',
    yaml: ingressPort('http_alt'),
    outcome: byWording(
      'Unable to parse port: strconv.ParseUint: parsing "http_alt": invalid syntax',
      'unable to parse port: strconv.ParseUint: parsing "http_alt": invalid syntax',
    ),
  },
  {
    name: 'port "6581-6586" (a range written as a port) reaches the agent',
    yaml: ingressPort('6581-6586'),
    outcome: byWording(
      'Unable to parse port: strconv.ParseUint: parsing "6581-6586": invalid syntax',
      'unable to parse port: strconv.ParseUint: parsing "6581-6586": invalid syntax',
    ),
  },
  {
    name: 'port "-80" matches neither alternative of the CRD pattern',
    yaml: ingressPort('-80'),
    outcome: all(
      invalid(
        `spec.ingress[0].toPorts[0].ports[0].port: Invalid value: "-80": spec.ingress[0].toPorts[0].ports[0].port in body should match '${portPattern}'`,
      ),
    ),
  },
  {
    name: 'a ports entry without port: required by every CRD modelled',
    yaml: cnp('  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - protocol: TCP\n'),
    outcome: all(invalid('spec.ingress[0].toPorts[0].ports[0].port: Required value')),
  },
  {
    name: 'protocol VRRP: not in any enum up to 1.18 (SCTP from 1.14)',
    yaml: ingressPort('112').replace('protocol: TCP', 'protocol: VRRP'),
    outcome: {
      '1.12': invalid(
        'spec.ingress[0].toPorts[0].ports[0].protocol: Unsupported value: "VRRP": supported values: "TCP", "UDP", "ANY"',
      ),
      '1.14': invalid(
        'spec.ingress[0].toPorts[0].ports[0].protocol: Unsupported value: "VRRP": supported values: "TCP", "UDP", "SCTP", "ANY"',
      ),
      '1.16': invalid(
        'spec.ingress[0].toPorts[0].ports[0].protocol: Unsupported value: "VRRP": supported values: "TCP", "UDP", "SCTP", "ANY"',
      ),
      '1.18': invalid(
        'spec.ingress[0].toPorts[0].ports[0].protocol: Unsupported value: "VRRP": supported values: "TCP", "UDP", "SCTP", "ANY"',
      ),
    },
  },
  {
    name: 'endPort below port: schema and sanitising accept it (a single port); 1.12/1.14 have no endPort',
    yaml: ingressPort('443', '        endPort: 80\n'),
    outcome: {
      '1.12': unknownField('spec.ingress[0].toPorts[0].ports[0].endPort'),
      '1.14': unknownField('spec.ingress[0].toPorts[0].ports[0].endPort'),
      '1.16': 'accepted',
      '1.18': 'accepted',
    },
  },
  {
    name: 'a named port with endPort is accepted (the range is ignored)',
    yaml: ingressPort('http', '        endPort: 8080\n'),
    outcome: {
      '1.12': unknownField('spec.ingress[0].toPorts[0].ports[0].endPort'),
      '1.14': unknownField('spec.ingress[0].toPorts[0].ports[0].endPort'),
      '1.16': 'accepted',
      '1.18': 'accepted',
    },
  },
  {
    name: 'upstream examples/policies/l4/l4_port_range.yaml',
    yaml: cnp(
      '  endpointSelector:\n    matchLabels:\n      app: myService\n  egress:\n    - toPorts:\n      - ports:\n        - port: "80"\n          endPort: 444\n          protocol: TCP\n',
      'l4-port-range-rule',
    ),
    outcome: {
      '1.12': {
        apiserver:
          'CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "spec.egress[0].toPorts[0].ports[0].endPort"',
      },
      '1.14': {
        apiserver:
          'CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "spec.egress[0].toPorts[0].ports[0].endPort"',
      },
      '1.16': 'accepted',
      '1.18': 'accepted',
    },
  },
];

// Selectors, peers and CIDRs.
const peerCases: readonly ReleaseCase[] = [
  {
    name: 'a matchExpressions operator outside the CRD enum fails kubectl apply',
    yaml: cnp(
      '  endpointSelector:\n    matchExpressions:\n    - key: app\n      operator: Equals\n      values: [web]\n  ingress:\n  - {}\n',
    ),
    outcome: all(
      invalid(
        'spec.endpointSelector.matchExpressions[0].operator: Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
      ),
    ),
  },
  {
    name: 'upstream examples/policies/l3/requires/requires.yaml: fromRequires is valid (removed in 1.19)',
    yaml: cnp(
      '  endpointSelector:\n    matchLabels:\n      env: prod\n  ingress:\n  - fromRequires:\n    - matchLabels:\n        env: prod\n',
      'requires-rule',
    ),
    outcome: all('accepted'),
  },
  {
    name: 'fromCIDR with a bare address: the CRD wants a prefix (a pattern to 1.15, format: cidr after)',
    yaml: cnp('  endpointSelector: {}\n  ingress:\n  - fromCIDR:\n    - 10.0.0.1\n'),
    outcome: {
      '1.12': invalid(
        `spec.ingress[0].fromCIDR[0]: Invalid value: "10.0.0.1": spec.ingress[0].fromCIDR[0] in body should match '${legacyCidrPattern}'`,
      ),
      '1.14': invalid(
        `spec.ingress[0].fromCIDR[0]: Invalid value: "10.0.0.1": spec.ingress[0].fromCIDR[0] in body should match '${legacyCidrPattern}'`,
      ),
      '1.16': invalid(
        'spec.ingress[0].fromCIDR[0]: Invalid value: "10.0.0.1": spec.ingress[0].fromCIDR[0] in body must be of type cidr: "10.0.0.1"',
      ),
      '1.18': invalid(
        'spec.ingress[0].fromCIDR[0]: Invalid value: "10.0.0.1": spec.ingress[0].fromCIDR[0] in body must be of type cidr: "10.0.0.1"',
      ),
    },
  },
  {
    name: 'fromNodes without nodeSelectorLabels: the agent refuses it (1.16+; unknown before)',
    yaml: cnp(
      '  endpointSelector: {}\n  ingress:\n  - fromNodes:\n    - matchLabels:\n        node-role.kubernetes.io/control-plane: ""\n',
    ),
    outcome: {
      '1.12': unknownField('spec.ingress[0].fromNodes'),
      '1.14': unknownField('spec.ingress[0].fromNodes'),
      '1.16': agent(
        'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set',
      ),
      '1.18': agent(
        'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set',
      ),
    },
  },
  {
    name: 'fromNodes with nodeSelectorLabels=true',
    yaml: cnp(
      '  endpointSelector: {}\n  ingress:\n  - fromNodes:\n    - matchLabels:\n        node-role.kubernetes.io/control-plane: ""\n',
    ),
    options: { nodeSelectorLabels: true },
    outcome: {
      '1.12': unknownField('spec.ingress[0].fromNodes'),
      '1.14': unknownField('spec.ingress[0].fromNodes'),
      '1.16': 'accepted',
      '1.18': 'accepted',
    },
  },
  {
    name: 'an unquoted yes as a label value: kubectl reads YAML 1.1 and sends a boolean',
    yaml: cnp('  endpointSelector:\n    matchLabels:\n      debug: yes\n  ingress:\n  - {}\n'),
    outcome: all(
      invalid(
        'spec.endpointSelector.matchLabels.debug: Invalid value: "boolean": spec.endpointSelector.matchLabels.debug in body must be of type string: "boolean"',
      ),
    ),
  },
  {
    name: 'an unquoted off as a label value is a boolean too',
    yaml: cnp(
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        tls: off\n',
    ),
    outcome: all(
      invalid(
        'spec.ingress[0].fromEndpoints[0].matchLabels.tls: Invalid value: "boolean": spec.ingress[0].fromEndpoints[0].matchLabels.tls in body must be of type string: "boolean"',
      ),
    ),
  },
];

// L7 rules, TLS and listeners.
const l7Cases: readonly ReleaseCase[] = [
  {
    name: 'HTTP rules on a port without protocol: ANY to the agent, which wants TCP',
    yaml: cnp(
      '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n      rules:\n        http:\n        - method: GET\n',
    ),
    outcome: all(agent('L7 rules can only apply to TCP (not ANY) except for DNS rules')),
  },
  {
    name: 'HTTP rules on protocol ANY',
    yaml: ingressPort('80', '      rules:\n        http:\n        - method: GET\n').replace(
      'protocol: TCP',
      'protocol: ANY',
    ),
    outcome: all(agent('L7 rules can only apply to TCP (not ANY) except for DNS rules')),
  },
  {
    name: 'a Go named group (?P<v>…) in an HTTP path is valid RE2',
    yaml: httpPath('/api/(?P<version>v[0-9]+)/.*'),
    outcome: all('accepted'),
  },
  {
    name: 'the (?<v>…) form is Go 1.22 syntax: refused by the Go of 1.12 and 1.14',
    yaml: httpPath('/api/(?<version>v[0-9]+)'),
    outcome: {
      '1.12': agent('error parsing regexp: invalid or unsupported Perl syntax: `(?<`'),
      '1.14': agent('error parsing regexp: invalid or unsupported Perl syntax: `(?<`'),
      '1.16': 'accepted',
      '1.18': 'accepted',
    },
  },
  {
    name: 'a lookahead in an HTTP path is not RE2',
    yaml: httpPath('/(?!admin).*'),
    outcome: all(agent('error parsing regexp: invalid or unsupported Perl syntax: `(?!`')),
  },
  {
    name: 'generic L7 (l7proto, the docs Cassandra example): valid, stored and imported',
    yaml: cnp(
      '  endpointSelector:\n    matchLabels:\n      app: cass-server\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "9042"\n        protocol: TCP\n      rules:\n        l7proto: cassandra\n        l7:\n        - query_action: select\n          query_table: "^db1.table1$"\n',
      'cassandra-policy',
    ),
    outcome: all('accepted'),
  },
  {
    name: 'DNS rules with no port: the agent wants port 53 written',
    yaml: cnp(
      '  endpointSelector: {}\n  egress:\n  - toPorts:\n    - rules:\n        dns:\n        - matchPattern: "*"\n',
    ),
    outcome: byWording('Port 53 must be specified for DNS rules', 'port 53 must be specified for DNS rules'),
  },
  {
    name: 'DNS rules on ingress',
    yaml: ingressPort('53', '      rules:\n        dns:\n        - matchPattern: "*"\n').replace(
      'protocol: TCP',
      'protocol: UDP',
    ),
    outcome: all(agent('L7 protocol DNS is not supported on ingress yet')),
  },
  {
    name: 'upstream examples/policies/l7/dns/dns.yaml',
    yaml: cnp(
      '  endpointSelector:\n    matchLabels:\n      any:org: alliance\n  egress:\n  - toEndpoints:\n    - matchLabels:\n       "k8s:io.kubernetes.pod.namespace": kube-system\n       "k8s:k8s-app": kube-dns\n    toPorts:\n      - ports:\n         - port: "53"\n           protocol: ANY\n        rules:\n          dns:\n            - matchName: "cilium.io"\n            - matchPattern: "*.cilium.io"\n  - toFQDNs:\n      - matchName: "cilium.io"\n      - matchPattern: "special*service.api.cilium.io"\n    toPorts:\n      - ports:\n         - port: "80"\n           protocol: TCP\n',
      'tofqdn-dns-visibility',
    ),
    outcome: all('accepted'),
  },
  {
    name: 'upstream examples/policies/l4/l4_sni.yaml (serverNames exist from 1.14)',
    yaml: cnp(
      '  endpointSelector:\n    matchLabels:\n      app: myService\n  egress:\n  - toPorts:\n    - ports:\n      - port: "443"\n        protocol: TCP\n      serverNames:\n      - one.one.one.one\n',
      'l4-sni-rule',
    ),
    outcome: {
      '1.12': {
        apiserver:
          'CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "spec.egress[0].toPorts[0].serverNames"',
      },
      '1.14': 'accepted',
      '1.16': 'accepted',
      '1.18': 'accepted',
    },
  },
  {
    name: 'a URL as a server name: only the 1.18 CRD has a pattern for it',
    yaml: cnp(
      '  endpointSelector: {}\n  egress:\n  - toPorts:\n    - ports:\n      - port: "443"\n        protocol: TCP\n      serverNames:\n      - https://one.one.one.one/\n',
    ),
    outcome: {
      '1.12': unknownField('spec.egress[0].toPorts[0].serverNames'),
      '1.14': 'accepted',
      '1.16': 'accepted',
      '1.18': invalid(
        'spec.egress[0].toPorts[0].serverNames[0]: Invalid value: "https://one.one.one.one/": spec.egress[0].toPorts[0].serverNames[0] in body should match \'^(\\*?\\*\\.)?([-a-zA-Z0-9_]+\\.?)+$\'',
      ),
    },
  },
  {
    name: 'a listener on ingress',
    yaml: ingressPort(
      '80',
      '      listener:\n        envoyConfig:\n          kind: CiliumEnvoyConfig\n          name: my-cec\n        name: envoy-listener\n',
    ),
    outcome: {
      '1.12': unknownField('spec.ingress[0].toPorts[0].listener'),
      '1.14': agent('Listener is not allowed on ingress (envoy-listener)'),
      '1.16': agent('Listener is not allowed on ingress (envoy-listener)'),
      '1.18': agent('Listener is not allowed on ingress (envoy-listener)'),
    },
  },
  {
    name: 'the docs gRPC rule1 (HTTP on TCP)',
    yaml: cloudCityGrpcPolicy,
    outcome: all('accepted'),
  },
];

// Host policies (CiliumClusterwideNetworkPolicy with a nodeSelector).
const hostCases: readonly ReleaseCase[] = [
  {
    name: 'HTTP rules in a host policy: one message per rule before 1.17, per direction after',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: host\nspec:\n  nodeSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      rules:\n        http:\n        - method: GET\n',
    outcome: {
      '1.12': {
        agent: 'Invalid CiliumClusterwideNetworkPolicy spec: host policies do not support L7 rules yet',
      },
      '1.14': {
        agent: 'Invalid CiliumClusterwideNetworkPolicy spec: host policies do not support L7 rules yet',
      },
      '1.16': {
        agent: 'Invalid CiliumClusterwideNetworkPolicy spec: host policies do not support L7 rules yet',
      },
      '1.18': {
        agent: 'Invalid CiliumClusterwideNetworkPolicy spec: L7 policy is not supported on host ingress yet',
      },
    },
  },
];

function outcomeOf(yaml: string, release: Release, options: ReleaseCase['options']): Outcome {
  // kubectl's YAML 1.1 reading, then the CRD of the release, then the agent's sanitising.
  const parsed = parsePolicyDocuments(yaml, {
    ciliumVersion: versions[release],
    yamlVersion: '1.1',
    ...options,
  });
  const refused = parsed.errors.find((error) => error.stage === 'apiserver');
  if (refused !== undefined) return { apiserver: refused.message };
  const [object] = parsed.objects;
  if (object === undefined) throw new Error('nothing stored');
  if (object.agentErrors.length > 0) return { agent: agentImportError(object.kind, object.agentErrors) };
  return 'accepted';
}

describe('policy: validation by release', () => {
  for (const [group, cases] of [
    ['ports', portCases],
    ['peers', peerCases],
    ['L7', l7Cases],
    ['host policies', hostCases],
  ] as const) {
    describe(`policy: validation by release: ${group}`, () => {
      for (const release of releases) {
        it.each(cases)(
          `policy: validation by release: ${group}: ${release}: $name`,
          ({ yaml, options, outcome }) => {
            expect(outcomeOf(yaml, release, options)).toEqual(outcome[release]);
          },
        );
      }
    });
  }
});

// Kubernetes NetworkPolicy is validated by the API server itself (pkg/apis/networking/validation).
describe('policy: validation by release: Kubernetes NetworkPolicy', () => {
  const np = (spec: string): string =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n${spec}`;
  it.each([
    {
      name: 'an operator outside In/NotIn/Exists/DoesNotExist',
      yaml: np(
        '  podSelector:\n    matchExpressions:\n    - key: app\n      operator: Equals\n      values: [web]\n',
      ),
      message:
        'The NetworkPolicy "np" is invalid: spec.podSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
    },
    {
      name: 'ipBlock together with a podSelector in one peer',
      yaml: np(
        '  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n      podSelector: {}\n',
      ),
      message:
        'The NetworkPolicy "np" is invalid: spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer',
    },
  ])('policy: validation by release: NetworkPolicy: $name', ({ yaml, message }) => {
    const parsed = parsePolicyDocuments(yaml, { yamlVersion: '1.1' });
    expect(parsed.errors.map((error) => [error.stage, error.message])).toEqual([['apiserver', message]]);
  });
});
