/**
 * Which kinds the API server serves right now, as its discovery documents tell kubectl: the
 * built-in ones always, Cilium's CRDs once Cilium is installed (the operator registers them at
 * start), the kinds of other CRDs (k8s/extension-points.ts) once their CRD is installed: Istio's
 * once its base chart is (mesh/crds.ts). kubectl maps every kind and resource
 * name through discovery, so a kind that is not served fails on the client with `resource mapping
 * not found` or `the server doesn't have a resource type`.
 */
import { customKind } from './extension-points';
import type { Cluster } from '../world';

/** The custom resources Cilium's operator registers (group cilium.io). */
export const ciliumKinds: ReadonlySet<string> = new Set([
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'CiliumEndpoint',
  'CiliumIdentity',
  'CiliumNode',
]);

/** Whether the cluster's API server serves a kind. */
export function kindServed(cluster: Cluster, kind: string): boolean {
  if (ciliumKinds.has(kind)) return cluster.cilium !== undefined;
  return customKind(kind)?.served(cluster) ?? true;
}

/** Whether the API server serves a resource of a group (`cilium.io`, `networking.istio.io`, ``). */
export function groupServed(cluster: Cluster, group: string): boolean {
  if (group === 'cilium.io') return cluster.cilium !== undefined;
  if (group.endsWith('.istio.io')) return cluster.mesh?.components.base === true;
  return true;
}
