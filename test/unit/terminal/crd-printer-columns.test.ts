// Goal: `kubectl get` prints each Cilium CRD's additionalPrinterColumns as that release's CRD
// declares them (pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml at v1.12.0, v1.14.5, v1.15.0,
// v1.16.0, v1.18.3): NAME and the columns in order, priority-1 columns only with -o wide.
import { describe, expect, it } from 'vitest';
import { ciliumPrinterColumns } from '../../../simulator/cilium/crd-columns';
import type { ApiObject } from '../../../simulator/k8s/objects';
import { printerColumnCells } from '../../../simulator/terminal/kubectl-printer-columns';

const metadata = { name: 'x', namespace: 'default', creationTimestamp: '2022-07-29T09:00:00Z' };
const objects: Record<string, ApiObject> = {
  CiliumNetworkPolicy: {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata,
    spec: {},
    status: { conditions: [{ type: 'Valid', status: 'False', message: 'm', lastTransitionTime: '' }] },
  } as ApiObject,
  CiliumClusterwideNetworkPolicy: {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'x', creationTimestamp: metadata.creationTimestamp },
    spec: {},
  } as ApiObject,
  CiliumEndpoint: {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumEndpoint',
    metadata,
    status: {
      id: 69,
      identity: { id: 32225 },
      state: 'ready',
      networking: { addressing: [{ ipv4: '10.244.2.232' }] },
    },
  } as unknown as ApiObject,
};

interface ColumnCase {
  readonly name: string;
  readonly kind: keyof typeof objects;
  readonly minor: number;
  readonly wide?: boolean;
  readonly header: readonly string[];
  readonly cells?: readonly string[];
}

const cases: readonly ColumnCase[] = [
  { name: 'CNP 1.12: AGE only', kind: 'CiliumNetworkPolicy', minor: 12, header: ['NAME', 'AGE'] },
  {
    name: 'CNP 1.16: AGE only, though the operator writes conditions',
    kind: 'CiliumNetworkPolicy',
    minor: 16,
    header: ['NAME', 'AGE'],
  },
  {
    name: 'CNP 1.18: AGE and VALID',
    kind: 'CiliumNetworkPolicy',
    minor: 18,
    header: ['NAME', 'AGE', 'VALID'],
    cells: ['x', '10s', 'False'],
  },
  {
    name: 'CCNP 1.14: no printer columns, the default NAME AGE',
    kind: 'CiliumClusterwideNetworkPolicy',
    minor: 14,
    header: ['NAME', 'AGE'],
  },
  {
    name: 'CCNP 1.18: VALID alone, no AGE',
    kind: 'CiliumClusterwideNetworkPolicy',
    minor: 18,
    header: ['NAME', 'VALID'],
    cells: ['x', ''],
  },
  {
    name: 'CEP 1.12: endpoint and identity IDs, enforcement booleans',
    kind: 'CiliumEndpoint',
    minor: 12,
    header: [
      'NAME',
      'ENDPOINT ID',
      'IDENTITY ID',
      'INGRESS ENFORCEMENT',
      'EGRESS ENFORCEMENT',
      'VISIBILITY POLICY',
      'ENDPOINT STATE',
      'IPV4',
      'IPV6',
    ],
    cells: ['x', '69', '32225', '', '', '', 'ready', '10.244.2.232', ''],
  },
  {
    name: 'CEP 1.15: SECURITY IDENTITY; enforcement only with -o wide',
    kind: 'CiliumEndpoint',
    minor: 15,
    header: ['NAME', 'SECURITY IDENTITY', 'ENDPOINT STATE', 'IPV4', 'IPV6'],
    cells: ['x', '32225', 'ready', '10.244.2.232', ''],
  },
  {
    name: 'CEP 1.16 -o wide: the priority-1 columns in CRD order',
    kind: 'CiliumEndpoint',
    minor: 16,
    wide: true,
    header: [
      'NAME',
      'SECURITY IDENTITY',
      'INGRESS ENFORCEMENT',
      'EGRESS ENFORCEMENT',
      'VISIBILITY POLICY',
      'ENDPOINT STATE',
      'IPV4',
      'IPV6',
    ],
  },
  {
    name: 'CEP 1.18 -o wide: no VISIBILITY POLICY any more',
    kind: 'CiliumEndpoint',
    minor: 18,
    wide: true,
    header: [
      'NAME',
      'SECURITY IDENTITY',
      'INGRESS ENFORCEMENT',
      'EGRESS ENFORCEMENT',
      'ENDPOINT STATE',
      'IPV4',
      'IPV6',
    ],
  },
];

describe('kubectl get: Cilium CRD printer columns per release', () => {
  it.each(cases)('kubectl get: printer columns: $name', ({ kind, minor, wide, header, cells }) => {
    // The objects were created at the virtual epoch; ten seconds later their AGE is 10s.
    const nowMs = 10_000;
    const row = printerColumnCells(objects[kind]!, ciliumPrinterColumns(kind, minor) ?? [], nowMs, wide);
    expect(row.header).toEqual(header);
    if (cells !== undefined) expect(row.cells).toEqual(cells);
  });
});

// Goal: the API server's table convertor reads each column as upstream's does (kubernetes v1.33.0
// apiextensions-apiserver tableconvertor): the first JSONPath result only, escaped dots in label
// keys, lists and maps as JSON in string columns, values of the wrong type left empty, an
// unparsable date as <invalid>, and NAME AGE for a CRD without columns.
describe('kubectl get: the table convertor of custom resources', () => {
  const created = '2022-07-29T09:00:00Z';
  const nowMs = 10_000;

  it("reads a label whose key has escaped dots (CiliumIdentity's NAMESPACE)", () => {
    const identity = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumIdentity',
      metadata: {
        name: '1234',
        creationTimestamp: created,
        labels: { 'io.kubernetes.pod.namespace': 'default' },
      },
    } as unknown as ApiObject;
    expect(printerColumnCells(identity, ciliumPrinterColumns('CiliumIdentity', 18) ?? [], nowMs)).toEqual({
      header: ['NAME', 'NAMESPACE', 'AGE'],
      cells: ['1234', 'default', '10s'],
    });
  });

  it('keeps the first address a filter finds (CiliumNode, dual stack)', () => {
    const node = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNode',
      metadata: { name: 'kind-worker', creationTimestamp: created },
      spec: {
        addresses: [
          { type: 'InternalIP', ip: '172.18.0.2' },
          { type: 'CiliumInternalIP', ip: '10.244.1.7' },
          { type: 'CiliumInternalIP', ip: 'fd00::7' },
        ],
      },
    } as unknown as ApiObject;
    expect(printerColumnCells(node, ciliumPrinterColumns('CiliumNode', 18) ?? [], nowMs).cells).toEqual([
      'kind-worker',
      '10.244.1.7',
      '172.18.0.2',
      '10s',
    ]);
  });

  it('prints lists as JSON in string columns and drops values of another type', () => {
    const object = {
      kind: 'Widget',
      metadata: { name: 'w', creationTimestamp: 'yesterday' },
      spec: { hosts: ['reviews', 'ratings'], count: 'three', ready: true },
    } as unknown as ApiObject;
    const row = printerColumnCells(
      object,
      [
        { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts' },
        { name: 'Count', type: 'integer', jsonPath: '.spec.count' },
        { name: 'Ready', type: 'boolean', jsonPath: '.spec.ready' },
        { name: 'Missing', type: 'string', jsonPath: '.status.phase' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      nowMs,
    );
    expect(row).toEqual({
      header: ['NAME', 'HOSTS', 'COUNT', 'READY', 'MISSING', 'AGE'],
      cells: ['w', '["reviews","ratings"]', '', 'true', '', '<invalid>'],
    });
  });

  it('gives a CRD without columns NAME and AGE, and shows priority columns only with -o wide', () => {
    const object = {
      kind: 'Widget',
      metadata: { name: 'w', creationTimestamp: created },
    } as unknown as ApiObject;
    expect(printerColumnCells(object, [], nowMs)).toEqual({ header: ['NAME', 'AGE'], cells: ['w', '10s'] });
    const columns = [
      { name: 'Name Again', type: 'string', jsonPath: '.metadata.name', priority: 1 },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ] as const;
    expect(printerColumnCells(object, columns, nowMs).header).toEqual(['NAME', 'AGE']);
    expect(printerColumnCells(object, columns, nowMs, true).header).toEqual(['NAME', 'NAME AGAIN', 'AGE']);
  });
});
