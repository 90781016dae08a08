// Goal: every refusal names the field path, its line and column, who refuses it (API server or agent)
// and a message shaped like the real one; objects the agent refuses are still stored by the API server.
import { describe, expect, it } from 'vitest';
import { PolicyRepository } from '../../../simulator/policy';
import { parsePolicyDocuments } from '../../../simulator/cilium/policy-documents';

interface ValidationCase {
  readonly name: string;
  readonly yaml: string;
  readonly error: {
    path: string;
    line: number;
    column: number;
    stage: 'apiserver' | 'agent';
    message: string;
  };
  /** Whether the API server stores the object (true for agent-only refusals). */
  readonly stored: boolean;
}

const cases: readonly ValidationCase[] = [
  {
    name: 'unknown field is refused by strict decoding',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingres:\n  - {}\n  ingress:\n  - {}\n',
    error: {
      path: 'spec.ingres',
      line: 7,
      column: 3,
      stage: 'apiserver',
      message:
        'CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "spec.ingres"',
    },
    stored: false,
  },
  {
    name: 'port above 65535 passes the CRD pattern and is refused by the agent (cilium/cilium#26384)',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "65536"\n        protocol: TCP\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].ports[0].port',
      line: 10,
      column: 15,
      stage: 'agent',
      message: 'unable to parse port: strconv.ParseUint: parsing "65536": value out of range',
    },
    stored: true,
  },
  {
    name: 'an unquoted port is an integer, not the string the CRD wants',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: 80\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].ports[0].port',
      line: 10,
      column: 15,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.ingress[0].toPorts[0].ports[0].port: Invalid value: "integer": spec.ingress[0].toPorts[0].ports[0].port in body must be of type string: "integer"',
    },
    stored: false,
  },
  {
    name: 'unknown protocol',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: HTTP\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].ports[0].protocol',
      line: 11,
      column: 19,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.ingress[0].toPorts[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP", "ANY"',
    },
    stored: false,
  },
  {
    name: 'endPort above 65535',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        endPort: 70000\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].ports[0].endPort',
      line: 11,
      column: 18,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.ingress[0].toPorts[0].ports[0].endPort: Invalid value: 70000: spec.ingress[0].toPorts[0].ports[0].endPort in body should be less than or equal to 65535',
    },
    stored: false,
  },
  {
    name: 'two kinds of L3 peer in one rule',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - {}\n    fromCIDR:\n    - 10.0.0.0/8\n',
    error: {
      path: 'spec.ingress[0]',
      line: 8,
      column: 5,
      stage: 'agent',
      message: 'combining FromEndpoints and FromCIDR is not supported yet',
    },
    stored: true,
  },
  {
    name: 'invalid CIDR',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  egress:\n  - toCIDR:\n    - 10.0.0.0/33\n',
    error: {
      path: 'spec.egress[0].toCIDR[0]',
      line: 9,
      column: 7,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.egress[0].toCIDR[0]: Invalid value: "10.0.0.0/33": spec.egress[0].toCIDR[0] in body must be of type cidr: "10.0.0.0/33"',
    },
    stored: false,
  },
  {
    name: 'except outside its CIDR',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  egress:\n  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except:\n      - 192.168.0.0/16\n',
    error: {
      path: 'spec.egress[0].toCIDRSet[0].except[0]',
      line: 11,
      column: 9,
      stage: 'agent',
      message: 'allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix 192.168.0.0/16',
    },
    stored: true,
  },
  {
    name: 'L7 rules on UDP',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: UDP\n      rules:\n        http:\n        - method: GET\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].ports[0]',
      line: 10,
      column: 9,
      stage: 'agent',
      message: 'L7 rules can only apply to TCP (not UDP) except for DNS rules',
    },
    stored: true,
  },
  {
    name: 'L7 rules on port 0',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "0"\n        protocol: TCP\n      rules:\n        http:\n        - method: GET\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].ports[0]',
      line: 10,
      column: 9,
      stage: 'agent',
      message: 'L7 rules can not be used when a port is 0',
    },
    stored: true,
  },
  {
    name: 'DNS rules on ingress',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "53"\n        protocol: UDP\n      rules:\n        dns:\n        - matchPattern: "*"\n',
    error: {
      path: 'spec.ingress[0]',
      line: 8,
      column: 5,
      stage: 'agent',
      message: 'L7 protocol DNS is not supported on ingress yet',
    },
    stored: true,
  },
  {
    name: 'DNS rules with a port range',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  egress:\n  - toPorts:\n    - ports:\n      - port: "53"\n        endPort: 60\n        protocol: UDP\n      rules:\n        dns:\n        - matchPattern: "*"\n',
    error: {
      path: 'spec.egress[0].toPorts[0].ports[0]',
      line: 10,
      column: 9,
      stage: 'agent',
      message: 'DNS rules do not support port ranges',
    },
    stored: true,
  },
  {
    name: 'icmps together with toPorts',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - icmps:\n    - fields:\n      - type: 8\n    toPorts:\n    - ports:\n      - port: "80"\n',
    error: {
      path: 'spec.ingress[0].icmps',
      line: 8,
      column: 5,
      stage: 'agent',
      message: 'the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts',
    },
    stored: true,
  },
  {
    name: 'neither endpointSelector nor nodeSelector',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  ingress:\n  - {}\n',
    error: {
      path: 'spec',
      line: 6,
      column: 3,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec: Invalid value: "object": must validate one and only one schema (oneOf). Found none valid: set exactly one of endpointSelector or nodeSelector',
    },
    stored: false,
  },
  {
    name: 'both endpointSelector and nodeSelector',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  nodeSelector: {}\n  ingress:\n  - {}\n',
    error: {
      path: 'spec',
      line: 6,
      column: 3,
      stage: 'apiserver',
      message:
        'The CiliumClusterwideNetworkPolicy "v1" is invalid: spec: Invalid value: "object": must validate one and only one schema (oneOf). Found 2 valid alternatives: set exactly one of endpointSelector or nodeSelector',
    },
    stored: false,
  },
  {
    name: 'a rule without any ingress or egress section',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n',
    error: {
      path: 'spec',
      line: 6,
      column: 3,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec: Invalid value: "object": must validate at least one schema (anyOf): set at least one of ingress, ingressDeny, egress or egressDeny',
    },
    stored: false,
  },
  {
    name: 'mixed L7 types on one port',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      rules:\n        http:\n        - method: GET\n        kafka:\n        - topic: a\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].rules',
      line: 13,
      column: 9,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.ingress[0].toPorts[0].rules: Invalid value: "object": must validate one and only one schema (oneOf). Found 2 valid alternatives',
    },
    stored: false,
  },
  {
    name: 'invalid path regex',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      rules:\n        http:\n        - path: "/api/(v1"\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].rules.http[0].path',
      line: 14,
      column: 17,
      stage: 'agent',
      message: 'error parsing regexp: missing closing ): `/api/(v1`',
    },
    stored: true,
  },
  {
    name: 'lookahead, which RE2 does not support',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      rules:\n        http:\n        - path: "/(?=admin)"\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].rules.http[0].path',
      line: 14,
      column: 17,
      stage: 'agent',
      message: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    },
    stored: true,
  },
  {
    name: 'L7 rules in a deny rule',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingressDeny:\n  - toPorts:\n    - ports:\n      - port: "80"\n      rules:\n        http:\n        - method: GET\n',
    error: {
      path: 'spec.ingressDeny[0].toPorts[0].rules',
      line: 11,
      column: 7,
      stage: 'apiserver',
      message:
        'CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "spec.ingressDeny[0].toPorts[0].rules"',
    },
    stored: false,
  },
  {
    name: 'toFQDNs in a deny rule',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  egressDeny:\n  - toFQDNs:\n    - matchName: example.com\n',
    error: {
      path: 'spec.egressDeny[0].toFQDNs',
      line: 8,
      column: 5,
      stage: 'apiserver',
      message:
        'CiliumNetworkPolicy in version "v2" cannot be handled as a CiliumNetworkPolicy: strict decoding error: unknown field "spec.egressDeny[0].toFQDNs"',
    },
    stored: false,
  },
  {
    name: 'unknown entity',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEntities:\n    - everyone\n',
    error: {
      path: 'spec.ingress[0].fromEntities[0]',
      line: 9,
      column: 7,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.ingress[0].fromEntities[0]: Unsupported value: "everyone": supported values: "all", "world", "cluster", "host", "init", "ingress", "unmanaged", "remote-node", "health", "none", "kube-apiserver"',
    },
    stored: false,
  },
  {
    name: 'In without values',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector:\n    matchExpressions:\n    - key: app\n      operator: In\n  ingress:\n  - {}\n',
    error: {
      path: 'spec.endpointSelector.matchExpressions[0].values',
      line: 8,
      column: 7,
      stage: 'agent',
      message:
        "invalid label selector: matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    },
    stored: true,
  },
  {
    name: 'nodeSelector in a namespaced policy',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  nodeSelector: {}\n  ingress:\n  - {}\n',
    error: {
      path: 'spec.nodeSelector',
      line: 6,
      column: 3,
      stage: 'agent',
      message: 'Invalid CiliumNetworkPolicy spec: rule cannot have NodeSelector',
    },
    stored: true,
  },
  {
    name: 'matchName and matchPattern together',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  egress:\n  - toFQDNs:\n    - matchName: a.com\n      matchPattern: "*.a.com"\n',
    error: {
      path: 'spec.egress[0].toFQDNs[0]',
      line: 9,
      column: 7,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "v1" is invalid: spec.egress[0].toFQDNs[0]: Invalid value: "object": must validate one and only one schema (oneOf). Found 2 valid alternatives',
    },
    stored: false,
  },
  {
    name: 'Kafka role and apiKey together',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "9092"\n        protocol: TCP\n      rules:\n        kafka:\n        - role: produce\n          apiKey: produce\n',
    error: {
      path: 'spec.ingress[0].toPorts[0].rules.kafka[0]',
      line: 14,
      column: 11,
      stage: 'agent',
      message: 'Cannot set both Role and APIKey in a Kafka rule',
    },
    stored: true,
  },
  {
    name: 'missing name',
    yaml: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  namespace: x\nspec:\n  endpointSelector: {}\n  ingress:\n  - {}\n',
    error: {
      path: 'metadata.name',
      line: 3,
      column: 1,
      stage: 'apiserver',
      message:
        'The CiliumNetworkPolicy "" is invalid: metadata.name: Required value: name or generateName is required',
    },
    stored: false,
  },
  {
    name: 'wrong apiVersion',
    yaml: 'apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\nspec: {}\n',
    error: {
      path: 'apiVersion',
      line: 1,
      column: 13,
      stage: 'apiserver',
      message:
        'resource mapping not found: no matches for kind "CiliumNetworkPolicy" in version "cilium.io/v1"',
    },
    stored: false,
  },
  {
    name: 'NetworkPolicy except outside the block',
    yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n        except:\n        - 11.0.0.0/8\n',
    error: {
      path: 'spec.ingress[0].from[0].ipBlock.except[0]',
      line: 12,
      column: 11,
      stage: 'apiserver',
      message:
        'The NetworkPolicy "np" is invalid: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "11.0.0.0/8": must be a strict subset of `cidr`',
    },
    stored: false,
  },
  {
    name: 'NetworkPolicy port out of range',
    yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: 70000\n',
    error: {
      path: 'spec.ingress[0].ports[0].port',
      line: 9,
      column: 13,
      stage: 'apiserver',
      message:
        'The NetworkPolicy "np" is invalid: spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    },
    stored: false,
  },
  {
    name: 'NetworkPolicy Exists with values',
    yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector:\n    matchExpressions:\n    - key: app\n      operator: Exists\n      values: [a]\n',
    error: {
      path: 'spec.podSelector.matchExpressions[0].values',
      line: 8,
      column: 7,
      stage: 'apiserver',
      message:
        "The NetworkPolicy \"np\" is invalid: spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    },
    stored: false,
  },
  {
    name: 'duplicate keys',
    yaml: 'a: 1\na: 2\n',
    error: {
      path: '',
      line: 2,
      column: 1,
      stage: 'apiserver',
      message: 'error converting YAML to JSON: yaml: line 2: Map keys must be unique',
    },
    stored: false,
  },
  {
    name: 'a __proto__ key',
    yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  __proto__: {polluted: true}\n',
    error: {
      path: 'data.__proto__',
      line: 6,
      column: 3,
      stage: 'apiserver',
      message: 'error converting YAML to JSON: forbidden key "__proto__"',
    },
    stored: false,
  },
];

describe('policy: validation', () => {
  it.each(cases)('policy: validation: $name', ({ yaml, error, stored }) => {
    const result = parsePolicyDocuments(yaml);
    expect(result.errors.map((found) => ({ ...found, complete: undefined }))).toEqual([
      { documentIndex: 0, ...error },
    ]);
    expect(result.objects.length).toBe(stored ? 1 : 0);
  });

  it('policy: validation: an agent-refused policy is recorded and not enforced', () => {
    const [caseWithAgentError] = cases.filter((entry) => entry.error.stage === 'agent');
    const result = parsePolicyDocuments(caseWithAgentError?.yaml ?? '');
    const repo = new PolicyRepository();
    const [object] = result.objects;
    expect(object && repo.upsert(object)).toBe(false);
    expect(repo.list()).toEqual([]);
    expect(repo.refusals()[0]?.errors[0]?.message).toBe(caseWithAgentError?.error.message);
  });

  it('policy: validation: a refused update keeps the previous version in force', () => {
    const good = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: p
spec:
  endpointSelector: {}
  egress:
  - toCIDR:
    - 10.0.0.0/8
`;
    const bad = `${good}    toEndpoints:
    - {}
`;
    const repo = new PolicyRepository();
    const [first] = parsePolicyDocuments(good).objects;
    const [second] = parsePolicyDocuments(bad).objects;
    expect(first && repo.upsert(first)).toBe(true);
    const revision = repo.revision;
    expect(second && repo.upsert(second)).toBe(false);
    expect(repo.revision).toBeGreaterThan(revision);
    expect(repo.list()).toHaveLength(1);
    expect(repo.refusals()[0]?.errors[0]?.message).toBe(
      'combining ToEndpoints and ToCIDR is not supported yet',
    );
  });

  it('policy: validation: every error of a document is reported, each with its own position', () => {
    const result = parsePolicyDocuments(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: many
spec:
  endpointSelector: {}
  ingres: []
  ingress:
  - fromEntities:
    - everyone
    toPorts:
    - ports:
      - port: 80
`);
    expect(result.errors.map((error) => [error.path, error.line])).toEqual([
      ['spec.ingres', 7],
      ['spec.ingress[0].fromEntities[0]', 10],
      ['spec.ingress[0].toPorts[0].ports[0].port', 13],
    ]);
  });
});

describe('policy: validation by release', () => {
  const withField = (field: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: v
spec:
  endpointSelector: {}
${field}  ingress:
  - toPorts:
    - ports:
      - port: "80"
`;
  const cases = [
    {
      name: 'enableDefaultDeny is unknown to 1.12',
      version: '1.12.0',
      field: '  enableDefaultDeny:\n    ingress: false\n',
      path: 'spec.enableDefaultDeny',
    },
    {
      name: 'enableDefaultDeny is accepted by 1.16',
      version: '1.16.0',
      field: '  enableDefaultDeny:\n    ingress: false\n',
      path: undefined,
    },
  ];
  it.each(cases)('policy: validation: $name', ({ version, field, path }) => {
    const { errors } = parsePolicyDocuments(withField(field), { ciliumVersion: version });
    expect(errors.map((error) => error.path)).toEqual(path === undefined ? [] : [path]);
  });

  it('policy: validation: endPort and authentication are unknown to 1.12', () => {
    const { errors } = parsePolicyDocuments(
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: v
spec:
  endpointSelector: {}
  ingress:
  - authentication:
      mode: required
    toPorts:
    - ports:
      - port: "80"
        endPort: 90
`,
      { ciliumVersion: '1.12.0' },
    );
    expect(errors.map((error) => [error.path, error.stage])).toEqual([
      ['spec.ingress[0].authentication', 'apiserver'],
      ['spec.ingress[0].toPorts[0].ports[0].endPort', 'apiserver'],
    ]);
  });

  it('policy: validation: 1.12 accepts a rule without sections (it enforces nothing)', () => {
    const yaml =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v\nspec:\n  endpointSelector: {}\n';
    expect(parsePolicyDocuments(yaml, { ciliumVersion: '1.12.0' }).errors).toEqual([]);
    expect(parsePolicyDocuments(yaml).errors[0]?.stage).toBe('apiserver');
  });
});

describe('policy: validation of the 1.18 schema details', () => {
  const head = (spec: string): string =>
    `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: v1\nspec:\n${spec}`;
  const cases = [
    {
      name: 'a label value with a space fails the CRD pattern',
      yaml: head('  endpointSelector:\n    matchLabels:\n      app: "bad value"\n  ingress:\n  - {}\n'),
      error: {
        path: 'spec.endpointSelector.matchLabels.app',
        line: 8,
        column: 12,
        message: 'Invalid value: "bad value"',
      },
    },
    {
      name: 'a NetworkPolicy label value must start with an alphanumeric character',
      yaml: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector:\n    matchLabels:\n      app: -x\n',
      error: {
        path: 'spec.podSelector.matchLabels.app',
        line: 8,
        column: 12,
        message: 'a valid label must be an empty string',
      },
    },
  ];
  it.each(cases)('policy: validation: $name', ({ yaml, error }) => {
    const { errors, objects } = parsePolicyDocuments(yaml);
    expect(objects).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: error.path,
      line: error.line,
      column: error.column,
      stage: 'apiserver',
    });
    expect(errors[0]?.message).toContain(error.message);
  });
});
