/**
 * The simulated world: everything the model knows, as plain serialisable data. A world plus the
 * inputs that follow fully determines the future, because the clock, the random generator and the
 * queue of pending events are all inside it.
 */
import type { Scheduled } from './engine/event-queue';
import { heapPush } from './engine/event-queue';
import { seedRandom, type RandomState } from './engine/prng';
import type { ApiStore } from './k8s/api-store';
import type { IpamPool } from './k8s/ipam';
import type { SimEvent } from './events';
import type { NodeHealthState } from './machines/node-health';
import type { ApiConnectionState } from './machines/api-connection';
import type { RolloutState } from './machines/rollout';
import { defaultSetup, type LabSetup } from './setup';
import type { FirewallRule, SyncEventType } from './events';
import type { Sandbox } from './k8s/sandbox';
export type { ContainerTermination, ContainerRun, Sandbox } from './k8s/sandbox';
export type { FirewallRule } from './events';

/** Timings of the Kubernetes control plane, in virtual milliseconds. */
export interface ClusterTimings {
  /** Delay between an API write and its delivery on a watch stream. */
  watchLatencyMs: number;
  /** How often a kubelet renews its node Lease (kubelet default: 10 s). */
  leaseRenewIntervalMs: number;
  /** How often the node lifecycle controller checks Leases (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs: number;
  /** Lease age after which a node is marked Unknown (--node-monitor-grace-period, 40 s up to Kubernetes 1.31). */
  nodeMonitorGracePeriodMs: number;
  /** Default toleration of not-ready/unreachable taints added by admission (300 s). */
  defaultTolerationMs: number;
  /** Time to create a pod sandbox, excluding the CNI plugin's own wait. */
  sandboxCreateMs: number;
  /** Time from sandbox to started containers for an image already on the node. */
  containerStartMs: number;
  /** Time for a pod's process to exit after SIGTERM when it handles the signal. */
  gracefulExitMs: number;
}

/** Defaults resembling a kind cluster of the experiment's time (Kubernetes 1.24). */
export const defaultClusterTimings: ClusterTimings = {
  watchLatencyMs: 40,
  leaseRenewIntervalMs: 10_000,
  nodeMonitorPeriodMs: 5_000,
  nodeMonitorGracePeriodMs: 40_000,
  defaultTolerationMs: 300_000,
  sandboxCreateMs: 250,
  containerStartMs: 600,
  gracefulExitMs: 800,
};

/** One node: its identity on the Docker network, kubelet state and pod address pool. */
export interface NodeRuntime {
  name: string;
  role: 'control-plane' | 'worker';
  /** The node container's image, `kindest/node:vX.Y.Z` (k8s/kind-releases.ts). */
  image: string;
  internalIP: string;
  podCIDR: string;
  firewall: FirewallRule[];
  kubelet: {
    connection: ApiConnectionState;
    health: NodeHealthState;
    sandboxes: Record<string, Sandbox>;
    lastLeaseRenewMs: number;
    /** Pod uid → the output a finished pod's container left (and its previous run's), kept until the pod goes. */
    finishedLogs?: Record<string, { podKey: string; output: string; previous?: string }>;
  };
  ipam: IpamPool;
}

/**
 * What the layers above Kubernetes keep in a cluster, one optional field each, absent until the
 * layer is installed. Empty here: each layer's state module adds its field by augmenting this
 * interface (`declare module '../world'`, TypeScript's declaration merging), so the world's types
 * name no layer above Kubernetes while `cluster.cilium` stays typed for the code that reads it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ClusterLayers {}

/** A kind cluster: the API server, its nodes and the state of the layers installed in it. */
export interface Cluster extends ClusterLayers {
  name: string;
  kubernetesVersion: string;
  timings: ClusterTimings;
  api: ApiStore;
  nodes: Record<string, NodeRuntime>;
  /** `hostPort`: where kind publishes the API server on the reader's machine (127.0.0.1). */
  apiServer: { clusterIP: string; endpointIP: string; port: number; hostPort: number };
  serviceCIDR: string;
  /** kube-proxy's mode on the nodes; `none` when the kind config turned it off (absent: iptables). */
  kubeProxyMode?: 'iptables' | 'ipvs' | 'nftables' | 'none';
  /** Rollout machine state per Deployment key. */
  rollouts?: Record<string, RolloutState>;
  /**
   * Pods the scheduler could not place, with its FailedScheduling message; retried when nodes or pods
   * change. A Map: every pod delete asks whether any is waiting (it hashes as a record would).
   */
  unschedulablePods?: Map<string, string>;
  /** Where kube-scheduler's next search over the node list starts. */
  schedulerNextStartIndex?: number;
  /**
   * ReplicaSet key → when its controller may create the next burst of pods, while one that asked
   * for more than a burst is being filled (k8s/workloads.ts).
   */
  replicaSetNextBurstMs?: Record<string, number>;
  /**
   * Controller syncs waiting in the work queue: event type → keys. A key taken off the queue stays,
   * set to undefined (api-writes.ts, dequeueSync), which hashes and clones as an absent key.
   */
  queuedSyncs?: Partial<Record<SyncEventType, Record<string, true | undefined>>>;
  /** The Gateway API CRD bundle, once applied (k8s/gateway-api-crds.ts). */
  gatewayApiCrds?: GatewayApiCrds;
}

/**
 * The reader's kubeconfig as kind and kubectl maintain it: kind adds a context `kind-NAME` for each
 * cluster it creates and makes it the current one, and removes it again on delete, leaving no
 * current context when it was the current one (kind's pkg/cluster/internal/kubeconfig, v0.30.0).
 */
export interface Kubeconfig {
  contexts: string[];
  /** Empty when there is none (kubectl then falls back to localhost:8080). */
  currentContext: string;
}

/**
 * What the layers keep beside the clusters, in the world (the AWS account Cilium's toGroups reads):
 * filled by declaration merging, as ClusterLayers is.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface WorldLayers {}

/** The whole simulated world. */
export interface World extends WorldLayers {
  readonly seed: number;
  /**
   * Virtual time when the world started: the setup's date (setup.ts), in milliseconds after the
   * virtual epoch (engine/virtual-time.ts), so that timestamps show a day when its releases existed.
   */
  readonly startMs: number;
  /** The kind release on the reader's machine (k8s/kind-releases.ts): its default node image. */
  readonly kindRelease: string;
  timeMs: number;
  /** Taken by each scheduled event so that events due at the same time keep their order. */
  nextSequence: number;
  random: RandomState;
  queue: Scheduled<SimEvent>[];
  /** Number of events processed so far: the world's position in its log. */
  processed: number;
  /**
   * The cluster the model acts on. Between events it is the current kubectl context's cluster; while
   * an event of another cluster is processed, that one (k8s/clusters.ts). The rest of the model
   * reads only this field.
   */
  cluster?: Cluster | undefined;
  /** The reader's other kind clusters by name, while they are not the active one; absent when none. */
  otherClusters?: Record<string, Cluster> | undefined;
  /** Absent until kind writes it. */
  kubeconfig?: Kubeconfig;
}

/** A fresh world: no cluster yet, the clock at the setup's date. */
export function createWorld(seed: number, setup: LabSetup = defaultSetup): World {
  return {
    seed,
    startMs: setup.startMs,
    kindRelease: setup.kindRelease,
    timeMs: setup.startMs,
    nextSequence: 0,
    random: seedRandom(seed),
    queue: [],
    processed: 0,
  };
}

/** Schedules an event `delayMs` from now, for the active cluster. */
export function schedule(world: World, delayMs: number, event: SimEvent): void {
  heapPush(world.queue, {
    atMs: world.timeMs + Math.max(0, delayMs),
    sequence: world.nextSequence++,
    event,
    cluster: world.cluster?.name,
  });
}

/** The cluster, or an error when none has been created yet. */
export function requireCluster(world: World): Cluster {
  if (world.cluster === undefined) throw new Error('no cluster: run `kind create cluster` first');
  return world.cluster;
}

/** What the cluster has: the standard-channel bundle of one Gateway API release. */
export interface GatewayApiCrds {
  version: string;
  createdAtMs: number;
}
