/**
 * What each node's datapath keeps besides the ipcache and the policy maps, as plain serialisable
 * data: the connection-tracking table (cilium_ct4_global / cilium_ct_any4_global), the DNS proxy's
 * cache of names and addresses per endpoint, and the node-local identities for CIDR and FQDN
 * prefixes (numbers from 1<<24, never shared with other nodes). It imports nothing, so world.ts
 * can name it without a cycle: the accessors take the part of world.ts's Cluster they use.
 */

/** The part of world.ts's Cluster that holds the datapath state. */
export interface HoldsDatapath {
  datapath?: DatapathState;
}

/** One conntrack entry, keyed by its original-direction tuple and its CT direction. */
export interface CtEntry {
  protocol: 'TCP' | 'UDP' | 'ICMP';
  sourceIP: string;
  sourcePort: number;
  destinationIP: string;
  destinationPort: number;
  /** CT_EGRESS on the client's node (the connection leaves a local endpoint), CT_INGRESS on the server's. */
  direction: 'egress' | 'ingress';
  /** The local endpoint the entry belongs to (0 for the host). */
  endpointId: number;
  /** TCP: SYN seen, handshake completed, FIN seen. UDP and ICMP entries are always `established`. */
  state: 'syn' | 'established' | 'closing';
  createdMs: number;
  lastSeenMs: number;
  /** When the entry dies unless another packet refreshes it (the lifetime is an idle timeout). */
  expiresAtMs: number;
  /** src_sec_id: the source identity the datapath resolved when the entry was created. */
  sourceIdentity: number;
  /** The identity of the other end, as resolved when the entry was created. */
  remoteIdentity: number;
  /** proxy_redirect: the connection goes through a node proxy (Envoy or the DNS proxy). */
  proxyRedirect: boolean;
  /** Original-direction and reply packets seen. */
  packets: number;
  replyPackets: number;
}

/** One address the DNS proxy learnt for a name, for one endpoint. */
export interface FqdnAddress {
  /** When the DNS answer was seen. */
  seenMs: number;
  /** The answer's TTL in seconds, and the TTL the agent keeps it for (raised to --tofqdns-min-ttl). */
  answerTtlSeconds: number;
  expiresAtMs: number;
  /** Order of learning on the node, which breaks ties between answers seen at the same instant. */
  sequence: number;
}

/** A node-local identity (CIDR or FQDN). */
export interface LocalIdentity {
  labels: Record<string, string>;
  /** The prefix it stands for in the ipcache: `10.0.0.0/8`, `140.82.121.6/32`. */
  prefix: string;
  /** Further prefixes with the same labels (FQDN addresses sharing their selectors), if any. */
  morePrefixes?: string[];
}

/** Every prefix the ipcache maps to a local identity. */
export function prefixesOf(identity: LocalIdentity): string[] {
  return [identity.prefix, ...(identity.morePrefixes ?? [])];
}

/** Everything one node's datapath keeps for this model. */
export interface NodeDatapath {
  /** Conntrack entries by `direction|proto|src:sport|dst:dport`. */
  conntrack: Record<string, CtEntry>;
  /** DNS proxy cache: endpoint id → lower-case name with trailing dot → address → lifetime. */
  fqdn: Record<string, Record<string, Record<string, FqdnAddress>>>;
  /** Node-local identities by number. */
  localIdentities: Record<string, LocalIdentity>;
  /** Next local identity number to try (LocalIdentityFlag | n, allocated in sequence). */
  nextLocalIdentity: number;
  /** Bumped whenever the local identities change, so computed policies know they are stale. */
  localRevision: number;
  /** Next FqdnAddress.sequence. */
  nextFqdnSequence: number;
  /** Policy-map entry counters by `endpoint|direction|identity|port` (policy-stats.ts); absent until a hit. */
  policyStats?: Record<string, { packets: number; bytes: number }>;
}

/** A connection a client holds open (a socket), so later requests can travel on it. */
export interface OpenSocket {
  id: string;
  fromPodKey?: string;
  fromNode?: string;
  protocol: 'TCP' | 'UDP' | 'ICMP';
  sourceIP: string;
  sourcePort: number;
  /** What the client connected to (before service translation) and the backend it reached. */
  host: string;
  address: string;
  port: number;
  backendIP: string;
  backendPort: number;
  clientNode: string;
  serverNode?: string;
  openedMs: number;
}

/** The datapath state of the whole cluster. */
export interface DatapathState {
  nodes: Record<string, NodeDatapath>;
  /** Client sockets held open, by id. */
  sockets: Record<string, OpenSocket>;
  nextSocketNumber: number;
  /** Queries the world's DNS servers answered, for names that rotate their answers. */
  upstreamQueries: number;
}

/** The cluster's datapath state, created on first use. */
export function datapathState(cluster: HoldsDatapath): DatapathState {
  cluster.datapath ??= { nodes: {}, sockets: {}, nextSocketNumber: 1, upstreamQueries: 0 };
  return cluster.datapath;
}

/** One node's datapath state, created on first use. */
export function nodeDatapath(cluster: HoldsDatapath, node: string): NodeDatapath {
  const state = datapathState(cluster);
  let entry = state.nodes[node];
  if (entry === undefined) {
    entry = {
      conntrack: {},
      fqdn: {},
      localIdentities: {},
      nextLocalIdentity: (1 << 24) + 1,
      localRevision: 0,
      nextFqdnSequence: 0,
    };
    state.nodes[node] = entry;
  }
  return entry;
}

/** A node's datapath state if it exists, without creating it (for read-only callers). */
export function peekNodeDatapath(cluster: Readonly<HoldsDatapath>, node: string): NodeDatapath | undefined {
  return cluster.datapath?.nodes[node];
}

// The datapath's slot in a cluster (world.ts ClusterLayers): created on a node's first packet.
declare module '../world' {
  interface ClusterLayers {
    /** Each node's connection tracking, DNS-proxy cache and node-local identities. */
    datapath?: DatapathState;
  }
}
