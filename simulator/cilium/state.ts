/**
 * Cilium's state in the model: one agent per node, the caches each agent built from its watch of
 * the API server, and the datapath's flow log.
 *
 * Agents that are connected and equally up to date see the same API objects, so they share one
 * ClusterView rather than holding a copy each; that is what lets the model run thousands of nodes.
 * An agent that is cut off forks its own view, which stays frozen until it re-lists.
 */
import type { CiliumConfig } from './config';
import type { EndpointState } from '../machines/endpoint-lifecycle';
import type { ApiConnectionState } from '../machines/api-connection';
import type { ServicePort } from '../k8s/objects';
import type { Flow } from './flow';
import type { MutualAuthState } from './auth-map-types';
import type { SpireState } from './spire-state';

/** Where an ipcache entry came from (pkg/source), strongest first. */
export const ipcacheSources = [
  'kube-apiserver',
  'local',
  'kvstore',
  'custom-resource',
  'k8s',
  'generated',
  'unspec',
] as const;
export type IpcacheSource = (typeof ipcacheSources)[number];

/** One userspace ipcache entry (an IP with an identity, a tunnel endpoint and pod metadata). */
export interface IpcacheEntry {
  identity: number;
  source: IpcacheSource;
  /** Node IP behind which the address lives (the tunnel endpoint); empty for local entries. */
  hostIP: string;
  encryptKey: number;
  namespace?: string;
  podName?: string;
}

/** What a view remembers of one CiliumEndpoint, enough to compute deletes on re-list. */
export interface CachedCiliumEndpoint {
  namespace: string;
  name: string;
  ips: string[];
  identity: number;
  nodeIP: string;
}

/** A service as an agent's load balancer knows it. */
export interface CachedService {
  clusterIP: string;
  ports: ServicePort[];
  /** Set for NodePort and LoadBalancer Services (absent: ClusterIP). */
  type?: 'NodePort' | 'LoadBalancer';
  externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** A node as an agent knows it. */
export interface CachedNode {
  internalIP: string;
  podCIDR: string;
  isControlPlane: boolean;
  /** The Node's Kubernetes labels (the host endpoint's labels, which host policies select). */
  labels?: Record<string, string>;
}

/** What one or more agents have seen from the API server. */
export interface ClusterView {
  id: string;
  members: string[];
  /** Whether watch events are still being delivered to this view. */
  receiving: boolean;
  syncedResourceVersion: number;
  /** Pod addresses learnt from CiliumEndpoints (source custom-resource). */
  ipcache: Record<string, IpcacheEntry>;
  ciliumEndpoints: Record<string, CachedCiliumEndpoint>;
  /** CiliumIdentity number → security labels as `source:key` → value. */
  identities: Record<string, Record<string, string>>;
  services: Record<string, CachedService>;
  /** Service key → ready backend addresses (from Endpoints). */
  serviceBackends: Record<
    string,
    { ip: string; ports: { name?: string; port: number; protocol: string }[]; nodeName?: string }[]
  >;
  /** Policy objects by `kind/namespace/name`. */
  policies: Record<string, unknown>;
  /** Earlier versions of updated policies, oldest first (absent until a policy is updated). */
  policyHistory?: Record<string, unknown[]>;
  nodes: Record<string, CachedNode>;
  /** Namespace labels, for the io.cilium.k8s.namespace.labels.* identity labels. */
  namespaceLabels: Record<string, Record<string, string>>;
  /**
   * Secrets the agent watches (SDS mode: the secrets namespace), `namespace/name` → base64 data, as
   * it serves them to Envoy. Absent until the first one arrives.
   */
  secrets?: Record<string, Record<string, string>>;
  /** Bumped on every policy change, so computed endpoint policies know they are stale. */
  policyRevision: number;
  /** Bumped on every identity change (selectors may now match other identities). */
  identityRevision: number;
}

/** An endpoint the agent manages on its own node. */
/** One entry of an endpoint's status log: when, its state once logged, and the agent's reason (all OK in the model). */
export interface EndpointStatusEntry {
  readonly atMs: number;
  readonly state: string;
  readonly message: string;
}

export interface LocalEndpoint {
  id: number;
  podKey: string;
  namespace: string;
  podName: string;
  podUid: string;
  ip: string;
  state: EndpointState;
  identity: number;
  /** Identity-relevant labels as `source:key=value` strings. */
  labels: string[];
  containerId: string;
  /** Options set with `endpoint config` (cilium/endpoint-options.ts); absent until one is set. */
  options?: Record<string, number>;
  /** The status log `endpoint log` prints, oldest first (cilium/endpoint-status-log.ts); absent until the first entry. */
  statusLog?: EndpointStatusEntry[];
}

/** What happened to one agent that a reader should be told (re-lists, restarts). */
export interface AgentNote {
  atMs: number;
  text: string;
}

/** One node's cilium-agent. */
export interface AgentState {
  node: string;
  /** The DaemonSet pod the agent runs in (empty until its first pod starts). */
  podName: string;
  podUid?: string;
  /** The configuration this agent read from cilium-config when it last started. */
  config?: CiliumConfig;
  viewId: string;
  connection: ApiConnectionState;
  running: boolean;
  routerIP: string;
  healthIP: string;
  endpoints: Record<string, LocalEndpoint>;
  /** Pod address → endpoint id, for the datapath's lookups. */
  ipToEndpoint: Record<string, number>;
  /** Endpoints left at reserved:init because the API server was unreachable. */
  pendingLabelResolution: Record<string, true>;
  /** CiliumEndpoints of endpoints deleted while cut off; deleted from the API after the re-list. */
  orphanedCiliumEndpoints: Record<string, number>;
  cutOffSinceMs?: number;
  /**
   * When the running agent started, and how many times an agent started on this node: the host and
   * health endpoints' lifecycles are derived from them (cilium/infra-endpoints.ts). Absent before the first start.
   */
  startedAtMs?: number;
  startCount?: number;
  /**
   * When policy changes that select the node's host endpoint reached this agent through its watch
   * (cilium/host-policy-updates.ts), oldest first, bounded; absent until the first.
   */
  hostPolicyUpdatesMs?: number[];
  notes: AgentNote[];
  /** Warnings the node's Envoy logged (most recent last, bounded); absent until the first one. */
  proxyLog?: AgentNote[];
  /** Options set with `endpoint config` on the host and health endpoints; absent until one is set. */
  hostEndpointOptions?: Record<string, number>;
  healthEndpointOptions?: Record<string, number>;
  /** Daemon options changed at runtime with `cilium-dbg config` (cilium/daemon-options.ts); absent until one is. */
  daemonOptions?: Record<string, number>;
  /** The node's WireGuard public key (cilium/wireguard.ts); absent without WireGuard. */
  wireguardPublicKey?: string;
  /** Node IP → the ID this agent's node map gave that node (cilium/node-ids.ts); absent before 1.14. */
  nodeIds?: Record<string, number>;
}

/**
 * All of Cilium in the cluster. `config` is what the datapath runs with: the configuration every
 * running agent started with (cilium/agent-pod.ts); during a rolling restart that changes it, the
 * agents already restarted hold the new one in their own `config` until the last one adopts it.
 */
export interface CiliumState {
  config: CiliumConfig;
  agents: Record<string, AgentState>;
  views: Record<string, ClusterView>;
  nextViewNumber: number;
  /** The most recent flows, oldest first, bounded by flowCapacity. */
  flows: Flow[];
  nextFlowNumber: number;
  /**
   * When the operator registered Cilium's CRDs: the first agent to start waits for them, so its
   * start stands for that moment (cilium/crds.ts lists them).
   */
  crdsCreatedAtMs?: number;
  /** SPIRE as the chart installs it for mutual authentication (1.14+, when enabled). */
  spire?: SpireState;
  /** Each node's auth map and auth manager, and the handshakes they ran (1.14+). */
  mutualAuth?: MutualAuthState;
  /** When the operator's next `toGroups` poll is due, while one is scheduled (cilium/to-groups.ts). */
  toGroupsPollAtMs?: number;
}

/** How many flows each cluster keeps, like Hubble's ring buffer. */
export const flowCapacity = 4095;

// Cilium's slot in a cluster (world.ts ClusterLayers): absent until Cilium is installed.
declare module '../world' {
  interface ClusterLayers {
    cilium?: CiliumState;
  }
}
