/**
 * kind's CoreDNS, added by `kind create cluster` as kubeadm does: the `coredns` Deployment (two
 * replicas, tolerating the control-plane taint, Pending until a CNI makes a node Ready) and the
 * `kube-dns` Service at the tenth address of the service subnet, which every kubelet writes into its
 * pods' resolv.conf.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { clusterDnsManifest } from './dns-world';
import { applyObjects } from './apply';
import { parseManifests } from './manifests';
import type { ApiObject } from './objects';

/** Creates CoreDNS's ServiceAccount, Deployment and Service in kube-system. */
export function addKindCoreDns(world: World): void {
  const text = clusterDnsManifest(requireCluster(world));
  let objects = parsed.get(text);
  if (objects === undefined) {
    const result = parseManifests(text);
    if (result.errors.length > 0) throw new Error(result.errors.join('\n'));
    objects = result.objects;
    if (parsed.size >= 16) parsed.clear();
    parsed.set(text, objects);
  }
  applyObjects(world, objects);
}

/** Parsed manifests by their text: parsing is pure, and applyObjects copies what it stores. */
const parsed = new Map<string, readonly ApiObject[]>();
