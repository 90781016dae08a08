/**
 * kind's default CNI, kindnet, with host-local IPAM: the network a kind cluster's pods get when no
 * other plugin's configuration is on the nodes (k8s/extension-points.ts). It has no policy and no
 * identities: ADD takes the node's next free address, DEL gives it back. Upstream:
 * https://github.com/kubernetes-sigs/kind/tree/v0.30.0/images/kindnetd
 *
 * It does not import extension-points.ts (which falls back to it), so it states its CniPlugin shape
 * structurally; extension-points.ts checks it where it returns it as one.
 */
import type { NodeRuntime, Sandbox, World } from '../world';
import { requireCluster, schedule } from '../world';
import { allocateSequential, releaseAddress } from './ipam';

export const kindnet = {
  /**
   * The fallback when no other plugin is installed. kindnetd writes 10-kindnet.conflist when it
   * starts; with `disableDefaultCNI` it never runs, so the node's network never becomes ready, which
   * `ready` reads from the node's health.
   */
  installed: (): boolean => true,
  /** Ready with the node: kindnet's DaemonSet runs on the host network from the start. */
  ready: (world: World, nodeName: string): boolean =>
    requireCluster(world).nodes[nodeName]?.kubelet.health === 'ready',
  add(world: World, node: NodeRuntime, sandbox: Sandbox): void {
    const cluster = requireCluster(world);
    const ip = allocateSequential(node.ipam, sandbox.podKey);
    if (ip === undefined) return; // pool exhausted: the sandbox stays in creating
    sandbox.ip = ip;
    schedule(world, cluster.timings.sandboxCreateMs, {
      type: 'kubelet.sandbox.step',
      node: node.name,
      podUid: sandbox.podUid,
      step: 'sandbox.created',
    });
  },
  del(_world: World, node: NodeRuntime, sandbox: Sandbox): void {
    if (sandbox.ip !== undefined) releaseAddress(node.ipam, sandbox.ip);
  },
};
