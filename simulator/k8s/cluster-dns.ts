/**
 * kind's CoreDNS, added by `kind create cluster` as kubeadm does: the `coredns` Deployment (two
 * replicas, tolerating the control-plane taint, Pending until a CNI makes a node Ready) and the
 * `kube-dns` Service at the tenth address of the service subnet, which every kubelet writes into its
 * pods' resolv.conf.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { clusterDnsManifest } from '../cilium/dns-world';
import { applyObjects } from './apply';
import { parseManifests } from './manifests';

/** Creates CoreDNS's ServiceAccount, Deployment and Service in kube-system. */
export function addKindCoreDns(world: World): void {
  const parsed = parseManifests(clusterDnsManifest(requireCluster(world)));
  if (parsed.errors.length > 0) throw new Error(parsed.errors.join('\n'));
  applyObjects(world, parsed.objects);
}
