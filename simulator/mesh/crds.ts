/**
 * The CustomResourceDefinitions Istio's base chart installs at the simulated release (1.24.0:
 * manifests/charts/base/files/crd-all.gen.yaml in istio/istio), as the API server's discovery
 * serves them once the chart (or `istioctl install`) has run: group, kind, plural and short names,
 * served versions, and the storage version's printer columns, which `kubectl get` prints. Before
 * the install none of them exists, and kubectl answers `the server doesn't have a resource type`.
 */
import type { World } from '../world';
import type { PrinterColumn } from '../k8s/extension-points';

/** One of Istio's CRDs. */
export interface IstioCrd {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  /** Served versions; the first one is the storage version. */
  versions: string[];
  /** The columns of every served version (the chart declares the same ones for each). */
  columns: PrinterColumn[];
}

/**
 * `spec.names.categories` of every Istio CRD: `istio-io` and the group with dashes
 * (`networking-istio-io`), so `kubectl get istio-io` lists them all.
 */
export function istioCategories(crd: Pick<IstioCrd, 'group'>): string[] {
  return ['istio-io', crd.group.replaceAll('.', '-')];
}

const age: PrinterColumn = { name: 'Age', jsonPath: '.metadata.creationTimestamp', type: 'date' };
const networking = 'networking.istio.io';
const networkingVersions = ['v1beta1', 'v1', 'v1alpha3'];

/** Every CRD of the 1.24 base chart (all namespaced). */
export const istioCrds: readonly IstioCrd[] = [
  {
    group: 'extensions.istio.io',
    kind: 'WasmPlugin',
    plural: 'wasmplugins',
    singular: 'wasmplugin',
    shortNames: [],
    versions: ['v1alpha1'],
    columns: [age],
  },
  {
    group: networking,
    kind: 'DestinationRule',
    plural: 'destinationrules',
    singular: 'destinationrule',
    shortNames: ['dr'],
    versions: networkingVersions,
    columns: [{ name: 'Host', jsonPath: '.spec.host', type: 'string' }, age],
  },
  {
    group: networking,
    kind: 'EnvoyFilter',
    plural: 'envoyfilters',
    singular: 'envoyfilter',
    shortNames: [],
    versions: ['v1alpha3'],
    columns: [],
  },
  {
    group: networking,
    kind: 'Gateway',
    plural: 'gateways',
    singular: 'gateway',
    shortNames: ['gw'],
    versions: networkingVersions,
    columns: [],
  },
  {
    group: networking,
    kind: 'ProxyConfig',
    plural: 'proxyconfigs',
    singular: 'proxyconfig',
    shortNames: [],
    versions: ['v1beta1'],
    columns: [],
  },
  {
    group: networking,
    kind: 'ServiceEntry',
    plural: 'serviceentries',
    singular: 'serviceentry',
    shortNames: ['se'],
    versions: networkingVersions,
    columns: [
      { name: 'Hosts', jsonPath: '.spec.hosts', type: 'string' },
      { name: 'Location', jsonPath: '.spec.location', type: 'string' },
      { name: 'Resolution', jsonPath: '.spec.resolution', type: 'string' },
      age,
    ],
  },
  {
    group: networking,
    kind: 'Sidecar',
    plural: 'sidecars',
    singular: 'sidecar',
    shortNames: [],
    versions: networkingVersions,
    columns: [],
  },
  {
    group: networking,
    kind: 'VirtualService',
    plural: 'virtualservices',
    singular: 'virtualservice',
    shortNames: ['vs'],
    versions: networkingVersions,
    columns: [
      { name: 'Gateways', jsonPath: '.spec.gateways', type: 'string' },
      { name: 'Hosts', jsonPath: '.spec.hosts', type: 'string' },
      age,
    ],
  },
  {
    group: networking,
    kind: 'WorkloadEntry',
    plural: 'workloadentries',
    singular: 'workloadentry',
    shortNames: ['we'],
    versions: networkingVersions,
    columns: [age, { name: 'Address', jsonPath: '.spec.address', type: 'string' }],
  },
  {
    group: networking,
    kind: 'WorkloadGroup',
    plural: 'workloadgroups',
    singular: 'workloadgroup',
    shortNames: ['wg'],
    versions: networkingVersions,
    columns: [age],
  },
  {
    group: 'security.istio.io',
    kind: 'AuthorizationPolicy',
    plural: 'authorizationpolicies',
    singular: 'authorizationpolicy',
    shortNames: ['ap'],
    versions: ['v1beta1', 'v1'],
    columns: [{ name: 'Action', jsonPath: '.spec.action', type: 'string' }, age],
  },
  {
    group: 'security.istio.io',
    kind: 'PeerAuthentication',
    plural: 'peerauthentications',
    singular: 'peerauthentication',
    shortNames: ['pa'],
    versions: ['v1beta1', 'v1'],
    columns: [{ name: 'Mode', jsonPath: '.spec.mtls.mode', type: 'string' }, age],
  },
  {
    group: 'security.istio.io',
    kind: 'RequestAuthentication',
    plural: 'requestauthentications',
    singular: 'requestauthentication',
    shortNames: ['ra'],
    versions: ['v1beta1', 'v1'],
    columns: [],
  },
  {
    group: 'telemetry.istio.io',
    kind: 'Telemetry',
    plural: 'telemetries',
    singular: 'telemetry',
    shortNames: ['telemetry'],
    versions: ['v1alpha1', 'v1'],
    columns: [age],
  },
];

/** Istio's CRD for a kind, when Istio defines one. */
export function istioCrdFor(kind: string): IstioCrd | undefined {
  return istioCrds.find((crd) => crd.kind === kind);
}

/** Whether the API server serves Istio's kinds: the base chart (or istioctl install) has run. */
export function istioCrdsInstalled(world: Readonly<World>): boolean {
  return world.cluster?.mesh?.components.base === true;
}

/** Whether an apiVersion (`group/version`) is one Istio's CRD for the kind serves. */
export function istioVersionServed(crd: IstioCrd, apiVersion: string): boolean {
  return crd.versions.some((version) => `${crd.group}/${version}` === apiVersion);
}
