/**
 * The CiliumNode object each agent keeps for its own node. The agent writes it at start-up
 * (mutateNodeResource in pkg/nodediscovery/nodediscovery.go, v1.12–v1.18): owned by the Node,
 * with the Node's labels, the Node's addresses plus the agent's own router address as
 * `CiliumInternalIP`, the health endpoint's address, the pod CIDR in Kubernetes IPAM mode, the
 * encryption key index and, with WireGuard, the node's public key in the
 * `network.cilium.io/wg-pub-key` annotation (pkg/annotation/k8s.go). Other agents read WireGuard
 * peers from these objects, which is why a reader looks there for the key.
 */
import { apiPut } from '../k8s/api-writes';
import { getObject } from '../k8s/api-store';
import { controlPlaneMetadata, derivedUid } from '../k8s/metadata';
import type { CiliumNode } from './objects';
import { requireCluster, type World } from '../world';
import type { AgentState } from './state';

/** pkg/annotation: where the agent publishes its WireGuard public key. */
export const wireguardPublicKeyAnnotation = 'network.cilium.io/wg-pub-key';

/** Writes (or rewrites after a restart) the CiliumNode of an agent's node. */
export function writeCiliumNode(world: World, agent: AgentState): void {
  const cluster = requireCluster(world);
  const cilium = cluster.cilium;
  const node = getObject(cluster.api, 'Node', agent.node);
  const runtime = cluster.nodes[agent.node];
  if (cilium === undefined || node === undefined || runtime === undefined) return;
  cilium.crdsCreatedAtMs ??= world.timeMs;
  const minor = cilium.config.versionMinor;
  const existing = getObject(cluster.api, 'CiliumNode', agent.node);
  const metadata = existing?.metadata ?? controlPlaneMetadata(world, 'CiliumNode', agent.node);
  const annotations =
    agent.wireguardPublicKey === undefined
      ? undefined
      : { [wireguardPublicKeyAnnotation]: agent.wireguardPublicKey };
  const nodeAddresses = node.status.addresses.filter((address) => address.type === 'InternalIP');
  const object: CiliumNode = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: {
      ...metadata,
      labels: { ...node.metadata.labels },
      ...(annotations === undefined ? {} : { annotations }),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name, uid: node.metadata.uid }],
    },
    spec: {
      addresses: [
        ...nodeAddresses.map((address) => ({ ip: address.address, type: address.type })),
        ...(agent.routerIP === '' ? [] : [{ ip: agent.routerIP, type: 'CiliumInternalIP' }]),
      ],
      'alibaba-cloud': {},
      azure: {},
      // The kernel's boot ID, read at start-up (1.13+); stable while the node does not reboot.
      ...(minor >= 13 ? { bootid: derivedUid(world, `boot/${agent.node}`) } : {}),
      encryption: {},
      eni: {},
      health: agent.healthIP === '' ? {} : { ipv4: agent.healthIP },
      ingress: {},
      // In Kubernetes IPAM mode the agent copies the Node's pod CIDR; in cluster-pool mode the
      // operator hands out the CIDR and writes it here itself. `pools` is the multi-pool IPAM of 1.14+.
      ipam: { podCIDRs: [runtime.ipam.cidr], ...(minor >= 14 ? { pools: {} } : {}) },
    },
    // Go's encoding/json never omits a struct, so the empty provider sections show as `{}`.
    status: { 'alibaba-cloud': {}, azure: {}, eni: {}, ipam: { 'operator-status': {} } },
  };
  apiPut(world, object);
}
