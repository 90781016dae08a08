/**
 * Which kinds the API server serves right now, as its discovery documents tell kubectl: the
 * built-in ones always, a CRD's kind once the CRD is installed. The API server serves each
 * installed CRD's group under /apis (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#create-a-customresourcedefinition);
 * the CRDs are those the world's layers registered (k8s/extension-points.ts), such as Cilium's,
 * which its operator installs, and Istio's, which its base chart installs. kubectl maps every kind
 * and resource name through discovery, so a kind that is not served fails on the client with
 * `resource mapping not found` or `the server doesn't have a resource type`.
 */
import { customKinds } from './extension-points';
import type { Cluster, World } from '../world';

/** Whether the cluster's API server serves a kind. */
export function kindServed(world: Readonly<World>, cluster: Readonly<Cluster>, kind: string): boolean {
  return customKinds(world).get(kind)?.served(cluster) ?? true;
}

/** Kubernetes' own API groups: the core group, the unqualified ones (apps, batch) and *.k8s.io. */
function builtInGroup(group: string): boolean {
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/**
 * Whether the API server serves resources of a group (`cilium.io`, `networking.istio.io`, ``): a
 * built-in group always, another once one of the CRDs that define it is installed.
 */
export function groupServed(world: Readonly<World>, cluster: Readonly<Cluster>, group: string): boolean {
  if (builtInGroup(group)) return true;
  for (const kind of customKinds(world).values())
    if (kind.group === group && kind.served(cluster)) return true;
  return false;
}
