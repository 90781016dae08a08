/**
 * Cilium's kinds as a world's API server learns them (ciliumLayer in composition.ts registers
 * them): each CRD's names, scope and status subresource (crds.ts), served once Cilium is installed,
 * with what Kubernetes needs to handle their objects without naming them (k8s/extension-points.ts
 * CustomKind): which kinds `kubectl apply -f` takes, and which own others without `controller`.
 */
import type { CustomKind } from '../k8s/extension-points';
import type { KindDecoder } from '../policy/index';
import type { Cluster } from '../world';
import { ciliumApiGroup, ciliumCrdPlurals, ciliumCrds, type CiliumCrd } from './crds';
import { ciliumPolicyDecoders } from './policy-documents';
import { ciliumPrinterColumns } from './crd-columns';

/**
 * The kinds the model applies from a manifest: the policies. Their readers (policy-documents.ts)
 * decode them with the schema of the cluster's release and refuse what its CRD refuses, so every
 * apiVersion passes here (the reader refuses a wrong one).
 */
const appliedFromManifests: ReadonlyMap<string, KindDecoder> = new Map(Object.entries(ciliumPolicyDecoders));

/**
 * The derivative policies Cilium's operator writes for a policy's `toGroups` (to-groups.ts) name
 * their parent policy as owner without `controller`, so the collector deletes them when it goes.
 */
const ownersWithoutController: ReadonlySet<string> = new Set(appliedFromManifests.keys());

/**
 * Whether the operator of the installed release registers the kind's CRD: every release does for
 * these five, but from 1.17 the chart can switch either policy CRD off (crds.ts ciliumCrdPlurals).
 */
const installed =
  (plural: string) =>
  (cluster: Readonly<Cluster>): boolean =>
    cluster.cilium !== undefined && ciliumCrdPlurals(cluster.cilium.config).includes(plural);

/** The installed release's minor version, whose CRDs the operator registered. */
const releaseMinor = (cluster: Readonly<Cluster>): number => cluster.cilium?.config.versionMinor ?? 18;

function customKindOf(crd: CiliumCrd): CustomKind {
  const decoder = appliedFromManifests.get(crd.kind);
  return {
    group: ciliumApiGroup,
    names: crd.names,
    scope: crd.scope,
    categories: crd.categories,
    ...(crd.subresources === undefined ? {} : { subresources: crd.subresources }),
    served: installed(crd.names.plural),
    versions: () => crd.versions,
    printerColumns: (cluster) => ciliumPrinterColumns(crd.kind, releaseMinor(cluster)) ?? [],
    versionServed: () => true,
    ...(decoder === undefined ? {} : { manifest: { decoder } }),
    ...(ownersWithoutController.has(crd.kind) ? { ownsWithoutController: true } : {}),
  };
}

/**
 * A lab's CiliumEnvoyConfig reaches the agents through the scenario's own input
 * (envoy-config-resources.ts): the model cannot run the Lua or Wasm code a manifest would bring,
 * so `kubectl apply` says so rather than pretending the CRD is missing. The model's API server
 * does not serve these kinds (kubectl get does not list them); names and scope as in
 * pkg/k8s/apis/cilium.io/client/crds/v2/ciliumenvoyconfigs.yaml and
 * ciliumclusterwideenvoyconfigs.yaml (cilium/cilium v1.18).
 */
function labOnlyKind(
  kind: string,
  names: CiliumCrd['names'],
  scope: CiliumCrd['scope'],
): [string, CustomKind] {
  return [
    kind,
    {
      group: ciliumApiGroup,
      names,
      scope,
      categories: ['cilium'],
      served: () => false,
      versions: () => ['v2'],
      versionServed: () => true,
      manifest: {
        refusal: (_apiVersion, name) =>
          `error: the simulator applies ${kind} objects only through a lab's steps ("${name}" was not applied): it does not run the filters' code`,
      },
    },
  ];
}

/** Every kind Cilium registers in a world, by kind, in the order of its CRDs. */
export const ciliumCustomKinds: readonly [string, CustomKind][] = [
  ...ciliumCrds.map((crd): [string, CustomKind] => [crd.kind, customKindOf(crd)]),
  labOnlyKind(
    'CiliumEnvoyConfig',
    { plural: 'ciliumenvoyconfigs', singular: 'ciliumenvoyconfig', shortNames: ['cec'] },
    'Namespaced',
  ),
  labOnlyKind(
    'CiliumClusterwideEnvoyConfig',
    {
      plural: 'ciliumclusterwideenvoyconfigs',
      singular: 'ciliumclusterwideenvoyconfig',
      shortNames: ['ccec'],
    },
    'Cluster',
  ),
];
