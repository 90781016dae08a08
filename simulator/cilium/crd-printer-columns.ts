/**
 * The columns `kubectl get` prints for Cilium's custom resources: each CRD's
 * additionalPrinterColumns at the installed release (pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml at
 * v1.12.0, v1.14.5, v1.15.0, v1.16.0, v1.17.0, v1.18.3). The API server turns them into a table:
 * NAME, then every column in the CRD's order (priority 1 columns only with `-o wide`); a CRD without
 * columns gets NAME and AGE. A JSONPath that finds nothing leaves the cell empty.
 */
import { formatAge, virtualEpochMs } from '../engine/virtual-time';
import type { ApiObject } from '../k8s/objects';

/** One printer column: header, whether `-o wide` is needed, and how the cell is read. */
interface PrinterColumn {
  readonly name: string;
  readonly wideOnly: boolean;
  readonly cell: (object: ApiObject, nowMs: number) => string;
}

/** A JSONPath read as the table convertor prints it: nothing is an empty cell. */
function at(object: unknown, path: readonly string[]): string {
  let value: unknown = object;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function ageCell(object: ApiObject, nowMs: number): string {
  return formatAge(nowMs - (Date.parse(object.metadata.creationTimestamp) - virtualEpochMs));
}

const column = (name: string, cell: PrinterColumn['cell'], wideOnly = false): PrinterColumn => ({
  name,
  wideOnly,
  cell,
});
const age = column('AGE', ageCell);
const field = (name: string, path: readonly string[], wideOnly = false): PrinterColumn =>
  column(name, (object) => at(object, path), wideOnly);

/** `.status.conditions[?(@.type=='Valid')].status` (CNP 1.17+, CCNP 1.17+). */
const valid = column('VALID', (object) => {
  const conditions = (object as { status?: { conditions?: unknown } }).status?.conditions;
  const found = Array.isArray(conditions)
    ? (conditions as { type?: string; status?: string }[]).find((condition) => condition.type === 'Valid')
    : undefined;
  return found?.status ?? '';
});

/** `.spec.addresses[?(@.type=="…")].ip`, the CiliumNode columns. */
function nodeAddress(name: string, type: string): PrinterColumn {
  return column(name, (object) => {
    const addresses = (object as { spec?: { addresses?: { ip?: string; type?: string }[] } }).spec?.addresses;
    return (addresses ?? [])
      .filter((address) => address.type === type)
      .map((address) => address.ip ?? '')
      .join(' ');
  });
}

/** CiliumEndpoint: 1.12 prints booleans from `.status.policy.*.enforcing`, 1.14 the `state` strings. */
function endpointColumns(minor: number): PrinterColumn[] {
  const addresses = [
    field('IPV4', ['status', 'networking', 'addressing', '0', 'ipv4']),
    field('IPV6', ['status', 'networking', 'addressing', '0', 'ipv6']),
  ];
  if (minor <= 14) {
    const enforcement = minor <= 12 ? 'enforcing' : 'state';
    return [
      field('ENDPOINT ID', ['status', 'id']),
      field('IDENTITY ID', ['status', 'identity', 'id']),
      field('INGRESS ENFORCEMENT', ['status', 'policy', 'ingress', enforcement]),
      field('EGRESS ENFORCEMENT', ['status', 'policy', 'egress', enforcement]),
      field('VISIBILITY POLICY', ['status', 'visibility-policy-status']),
      field('ENDPOINT STATE', ['status', 'state']),
      ...addresses,
    ];
  }
  return [
    field('SECURITY IDENTITY', ['status', 'identity', 'id']),
    field('INGRESS ENFORCEMENT', ['status', 'policy', 'ingress', 'state'], true),
    field('EGRESS ENFORCEMENT', ['status', 'policy', 'egress', 'state'], true),
    ...(minor <= 16 ? [field('VISIBILITY POLICY', ['status', 'visibility-policy-status'], true)] : []),
    field('ENDPOINT STATE', ['status', 'state']),
    ...addresses,
  ];
}

/** The columns after NAME for a Cilium kind at a release, or undefined for other kinds. */
function ciliumPrinterColumns(kind: string, minor: number): PrinterColumn[] | undefined {
  switch (kind) {
    case 'CiliumNetworkPolicy':
      return minor >= 17 ? [age, valid] : [age];
    case 'CiliumClusterwideNetworkPolicy':
      // No printer columns until 1.17, whose CRD declares VALID alone (so no AGE either).
      return minor >= 17 ? [valid] : [age];
    case 'CiliumEndpoint':
      return endpointColumns(minor);
    case 'CiliumIdentity':
      return [field('NAMESPACE', ['metadata', 'labels', 'io.kubernetes.pod.namespace']), age];
    case 'CiliumNode':
      // The CRD gained its columns in 1.13 (ciliumnodes.yaml); 1.12 prints NAME and AGE.
      return minor >= 13
        ? [nodeAddress('CILIUMINTERNALIP', 'CiliumInternalIP'), nodeAddress('INTERNALIP', 'InternalIP'), age]
        : [age];
    default:
      return undefined;
  }
}

/** The header and cells of a Cilium object's row, or undefined for other kinds. */
export function ciliumTableRow(
  object: ApiObject,
  nowMs: number,
  wide: boolean,
  minor: number,
): { header: string[]; cells: string[] } | undefined {
  const columns = ciliumPrinterColumns(object.kind, minor)?.filter((each) => wide || !each.wideOnly);
  if (columns === undefined) return undefined;
  return {
    header: ['NAME', ...columns.map((each) => each.name)],
    cells: [object.metadata.name, ...columns.map((each) => each.cell(object, nowMs))],
  };
}
