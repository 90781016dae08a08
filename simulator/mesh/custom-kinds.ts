/**
 * Istio's kinds as a world's API server learns them (istioLayer in composition.ts registers them):
 * each CRD of the base chart (crds.ts), served once the chart is installed, in the versions its
 * CRD serves. `kubectl apply -f` takes every one; the security kinds' schemas refuse what Istio's
 * refuse (policies.ts), the others are stored as written.
 */
import type { CustomKind } from '../k8s/extension-points';
import { istioCategories, istioCrds, istioVersionServed, type IstioCrd } from './crds';
import { istioSecurityKinds, validateIstioSecurityObject } from './policies';

function customKindOf(crd: IstioCrd): CustomKind {
  return {
    group: crd.group,
    names: { plural: crd.plural, singular: crd.singular, shortNames: crd.shortNames },
    scope: 'Namespaced',
    categories: istioCategories(crd),
    served: (cluster) => cluster.mesh?.components.base === true,
    versions: () => crd.versions,
    printerColumns: () => crd.columns,
    versionServed: (apiVersion) => istioVersionServed(crd, apiVersion),
    manifest: istioSecurityKinds.has(crd.kind)
      ? { refusal: (apiVersion, name, body) => validateIstioSecurityObject(crd.kind, apiVersion, name, body) }
      : {},
  };
}

/** Every kind Istio registers in a world, by kind, in the order of its CRDs. */
export const istioCustomKinds: readonly [string, CustomKind][] = istioCrds.map((crd) => [
  crd.kind,
  customKindOf(crd),
]);
