/**
 * The additionalPrinterColumns of Cilium's CRDs at each release, as the operator registers them
 * (pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml at v1.12.0, v1.13.0, v1.14.5, v1.15.0, v1.16.0,
 * v1.17.0 and v1.18.3). The API server's table convertor prints them after NAME
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor in
 * kubernetes v1.33.0); a CRD that declares none gets the server's default AGE.
 */
import type { PrinterColumn } from '../k8s/extension-points';

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** The policies' VALID column (1.17+), the operator's or agent's `Valid` condition. */
const valid: PrinterColumn = {
  name: 'Valid',
  type: 'string',
  jsonPath: ".status.conditions[?(@.type=='Valid')].status",
};

const addresses: PrinterColumn[] = [
  { name: 'IPv4', type: 'string', jsonPath: '.status.networking.addressing[0].ipv4' },
  { name: 'IPv6', type: 'string', jsonPath: '.status.networking.addressing[0].ipv6' },
];

const endpointState: PrinterColumn = { name: 'Endpoint State', type: 'string', jsonPath: '.status.state' };

/**
 * CiliumEndpoint: up to 1.14 the endpoint and identity IDs and the enforcement of each direction,
 * 1.12 as the `enforcing` booleans, 1.13 and 1.14 as the `state` strings; from 1.15 the identity
 * alone, the enforcement columns only with `-o wide` (priority 1), and 1.17 drops the visibility
 * policy with the visibility annotations.
 */
function endpointColumns(minor: number): PrinterColumn[] {
  const visibility: PrinterColumn = {
    name: 'Visibility Policy',
    type: 'string',
    jsonPath: '.status.visibility-policy-status',
  };
  if (minor <= 14) {
    const [field, type] = minor <= 12 ? (['enforcing', 'boolean'] as const) : (['state', 'string'] as const);
    return [
      { name: 'Endpoint ID', type: 'integer', jsonPath: '.status.id' },
      { name: 'Identity ID', type: 'integer', jsonPath: '.status.identity.id' },
      { name: 'Ingress Enforcement', type, jsonPath: `.status.policy.ingress.${field}` },
      { name: 'Egress Enforcement', type, jsonPath: `.status.policy.egress.${field}` },
      visibility,
      endpointState,
      ...addresses,
    ];
  }
  return [
    { name: 'Security Identity', type: 'integer', jsonPath: '.status.identity.id' },
    { name: 'Ingress Enforcement', type: 'string', jsonPath: '.status.policy.ingress.state', priority: 1 },
    { name: 'Egress Enforcement', type: 'string', jsonPath: '.status.policy.egress.state', priority: 1 },
    ...(minor <= 16 ? [{ ...visibility, priority: 1 }] : []),
    endpointState,
    ...addresses,
  ];
}

/** CiliumNode's addresses by type; the CRD gained these columns in 1.13. */
const nodeAddress = (name: string, type: string): PrinterColumn => ({
  name,
  type: 'string',
  jsonPath: `.spec.addresses[?(@.type=="${type}")].ip`,
});

/** The printer columns of a Cilium kind's CRD at a release; undefined for a kind Cilium lacks. */
export function ciliumPrinterColumns(kind: string, minor: number): PrinterColumn[] | undefined {
  switch (kind) {
    case 'CiliumNetworkPolicy':
      return minor >= 17 ? [age, valid] : [age];
    case 'CiliumClusterwideNetworkPolicy':
      // None until 1.17, whose CRD declares VALID alone (so no AGE either).
      return minor >= 17 ? [valid] : [];
    case 'CiliumEndpoint':
      return endpointColumns(minor);
    case 'CiliumIdentity':
      return [
        { name: 'Namespace', type: 'string', jsonPath: '.metadata.labels.io\\.kubernetes\\.pod\\.namespace' },
        age,
      ];
    case 'CiliumNode':
      return minor >= 13
        ? [nodeAddress('CiliumInternalIP', 'CiliumInternalIP'), nodeAddress('InternalIP', 'InternalIP'), age]
        : [];
    default:
      return undefined;
  }
}
