/**
 * `kind create cluster`: node containers on the Docker network 172.18.0.0/16 (shared with the
 * reader's other clusters), a pod CIDR per node from the pod subnet, the default namespaces, the
 * control plane's static pods, the `kubernetes` Service and, without a CNI, nodes that stay
 * NotReady until one is installed.
 */
import { nextInt } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import { formatIPv4, formatPrefix, parsePrefix } from '../net/ipv4';
import { hashString64 } from '../engine/state-hash';
import type { Cluster, NodeRuntime, World } from '../world';
import type { Sandbox } from './sandbox';
import { defaultClusterTimings, requireCluster, schedule } from '../world';
import { createApiStore } from './api-store';
import { apiPut } from './api-writes';
import { createIpamPool } from './ipam';
import { kindNodeNames, type KindClusterConfig } from './kind-config';
import { kindNodeResources } from './kind-node-status';
import { newMetadata } from './metadata';
import { newNamespace } from './namespace-controllers';
import { writeNodeHealth } from './node-lifecycle';
import { listObjects } from './api-store';
import { defaultRbacObjects } from './rbac-defaults';
import type { Endpoints, Node, Service, ServiceAccount } from './objects';
import { addCluster, allClusters } from './clusters';
import {
  imageKubernetesVersion,
  kindRelease,
  kindReleases,
  releaseOfImage,
  type KindRelease,
} from './kind-releases';
import { addControlPlaneMirrorPods } from './static-pods';
import { controlPlaneTaints, kubernetesMinor } from './kubernetes-versions';

/** The reader's kind release: its default node image (k8s/kind-releases.ts). */
export function installedKind(world: Readonly<World>): KindRelease {
  return kindRelease(world.kindRelease) ?? (kindReleases[0] as KindRelease);
}

/** The virtual day (`YYYY-MM-DD`) of a world's clock. */
export function dayOf(world: Readonly<World>): string {
  return toTimestamp(world.timeMs).slice(0, 10);
}

function shuffled<T>(world: World, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = nextInt(world.random, i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** kind's Docker network (`kind`), which every cluster's node containers share. */
const kindNetwork = (172 << 24) + (18 << 16);

/**
 * Addresses for new node containers: Docker's IPAM hands out the lowest free addresses of the
 * network (.1 is the gateway), skipping those of other clusters' nodes; kind starts the containers
 * concurrently, so which node gets which address is not fixed.
 */
function nodeAddresses(world: World, count: number): string[] {
  const taken = new Set(
    allClusters(world).flatMap((cluster) => Object.values(cluster.nodes).map((node) => node.internalIP)),
  );
  const free: string[] = [];
  for (let host = 2; free.length < count; host++) {
    const address = formatIPv4(kindNetwork + host);
    if (!taken.has(address)) free.push(address);
  }
  return shuffled(world, free);
}

/**
 * The host port Docker publishes the API server on (127.0.0.1:PORT, kind's default): a free port
 * of the ephemeral range (Linux's 32768–60999), derived from the seed and the cluster's name so
 * that it costs the seeded generator nothing.
 */
function apiServerHostPort(world: World, name: string): number {
  return 32768 + (parseInt(hashString64(`${world.seed}/${name}/api-server`).slice(0, 8), 16) % 28232);
}

/** Creates the cluster described by a kind config, as the active cluster. */
export function createKindCluster(world: World, config: KindClusterConfig): void {
  const names = kindNodeNames(config);
  const podSubnet = parsePrefix(config.podSubnet, true);
  const serviceSubnet = parsePrefix(config.serviceSubnet, true);
  if (podSubnet === undefined || serviceSubnet === undefined)
    throw new Error('invalid pod or service subnet');
  const addresses = nodeAddresses(world, names.length);
  // kube-controller-manager assigns /24s as nodes register: the control plane first, workers as they join.
  const workerOrder = shuffled(
    world,
    names.filter((name) => !name.endsWith('control-plane')),
  );
  const cidrIndex = new Map<string, number>([
    [names.find((name) => name.endsWith('control-plane')) ?? '', 0],
  ]);
  workerOrder.forEach((name, index) => cidrIndex.set(name, index + 1));
  const defaultImage = installedKind(world).defaultImage;
  // Records keyed by node names and pod uids start as hash tables without a prototype, as the API
  // store's do (k8s/api-store.ts, createApiStore).
  const nodes = Object.create(null) as Record<string, NodeRuntime>;
  names.forEach((name, index) => {
    const podCIDR = formatPrefix({
      network: podSubnet.network + (cidrIndex.get(name) ?? index) * 256,
      length: 24,
    });
    nodes[name] = {
      name,
      role: name.endsWith('control-plane') ? 'control-plane' : 'worker',
      image: config.nodes[index]?.image ?? defaultImage,
      internalIP: addresses[index] ?? '',
      podCIDR,
      firewall: [],
      kubelet: {
        connection: 'connected',
        health: 'networkNotReady',
        sandboxes: Object.create(null) as Record<string, Sandbox>,
        lastLeaseRenewMs: world.timeMs,
      },
      ipam: createIpamPool(podCIDR),
    };
  });
  const controlPlane = Object.values(nodes).find((node) => node.role === 'control-plane');
  if (controlPlane === undefined) throw new Error('a kind cluster needs a control-plane node');
  const cluster: Cluster = {
    name: config.name,
    kubernetesVersion: imageKubernetesVersion(controlPlane.image) ?? 'v1.24.0',
    timings: { ...defaultClusterTimings },
    api: createApiStore(),
    nodes,
    apiServer: {
      clusterIP: formatIPv4(serviceSubnet.network + 1),
      endpointIP: controlPlane.internalIP,
      port: 6443,
      hostPort: apiServerHostPort(world, config.name),
    },
    serviceCIDR: config.serviceSubnet,
    ...(config.kubeProxyMode !== undefined ? { kubeProxyMode: config.kubeProxyMode } : {}),
  };
  addCluster(world, cluster);
  addDefaultNamespaces(world);
  const hasWorkers = Object.values(nodes).some((node) => node.role === 'worker');
  for (const runtime of Object.values(nodes).sort((a, b) => a.name.localeCompare(b.name)))
    registerNode(world, runtime, config.disableDefaultCNI, hasWorkers);
  addControlPlaneMirrorPods(world, controlPlane, config.podSubnet);
  // The API server's bootstrap RBAC policy, with kubeadm's and kind's additions (k8s/rbac-defaults.ts).
  for (const object of defaultRbacObjects(world)) apiPut(world, object);
  addKubernetesService(world, cluster);
  schedule(world, cluster.timings.nodeMonitorPeriodMs, { type: 'nodelifecycle.monitor' });
}

function addDefaultNamespaces(world: World): void {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']) {
    apiPut(world, newNamespace(world, name));
    const account: ServiceAccount = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: newMetadata(world, 'default', name),
    };
    apiPut(world, account);
  }
}

/** The kubelet registers its Node with what its image reports (nodeInfo). */
function registerNode(
  world: World,
  runtime: NodeRuntime,
  disableDefaultCNI: boolean,
  clusterHasWorkers: boolean,
): void {
  const cluster = requireCluster(world);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': runtime.name,
    'kubernetes.io/os': 'linux',
  };
  const kubeletVersion = imageKubernetesVersion(runtime.image) ?? cluster.kubernetesVersion;
  if (runtime.role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    if ((kubernetesMinor(kubeletVersion) ?? 24) < 24) labels['node-role.kubernetes.io/master'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const release = releaseOfImage(runtime.image, dayOf(world)) ?? installedKind(world);
  const now = toTimestamp(world.timeMs);
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: newMetadata(world, runtime.name, undefined, labels),
    spec: {
      podCIDR: runtime.podCIDR,
      podCIDRs: [runtime.podCIDR],
      // kind removes the control plane's taints when there is no worker, so pods can run somewhere
      // (kubernetes-sigs/kind pkg/cluster/internal/create/actions/kubeadminit/init.go).
      taints: runtime.role === 'control-plane' && clusterHasWorkers ? controlPlaneTaints(kubeletVersion) : [],
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: runtime.internalIP },
        { type: 'Hostname', address: runtime.name },
      ],
      // The host's CPUs and memory, and the images of kind's node image (k8s/kind-node-status.ts).
      ...kindNodeResources(kubeletVersion, release),
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message:
            'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      nodeInfo: {
        kubeletVersion,
        containerRuntimeVersion: `containerd://${release.containerd}`,
        osImage: release.osImage,
        // The reader's own kernel: node containers share the host's.
        kernelVersion: '5.15.0-41-generic',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
  if (!disableDefaultCNI) runtime.kubelet.health = 'ready';
  apiPut(world, node);
  // Writes the Ready condition and, without a CNI, the not-ready taint that keeps pods off.
  writeNodeHealth(world, runtime);
  schedule(world, nextInt(world.random, cluster.timings.leaseRenewIntervalMs), {
    type: 'kubelet.lease.renew',
    node: runtime.name,
  });
}

function addKubernetesService(world: World, cluster: Cluster): void {
  const kubernetesService: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: newMetadata(world, 'kubernetes', 'default', { component: 'apiserver', provider: 'kubernetes' }),
    spec: {
      type: 'ClusterIP',
      clusterIP: cluster.apiServer.clusterIP,
      clusterIPs: [cluster.apiServer.clusterIP],
      ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }],
    },
    status: { loadBalancer: {} },
  };
  apiPut(world, kubernetesService);
  const kubernetesEndpoints: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: newMetadata(world, 'kubernetes', 'default', {
      'endpointslice.kubernetes.io/skip-mirror': 'true',
    }),
    subsets: [
      {
        addresses: [{ ip: cluster.apiServer.endpointIP }],
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
      },
    ],
  };
  apiPut(world, kubernetesEndpoints);
}

/** Allocates a free ClusterIP from the service CIDR at random, as the Kubernetes allocator does. */
export function allocateClusterIP(world: World): string {
  const cluster = world.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  const prefix = parsePrefix(cluster.serviceCIDR, true);
  if (prefix === undefined) throw new Error('invalid service CIDR');
  const size = 2 ** (32 - prefix.length) - 2;
  const used = new Set(listObjects(cluster.api, 'Service').map((service) => service.spec.clusterIP));
  let offset = 2 + nextInt(world.random, size - 2);
  while (used.has(formatIPv4(prefix.network + offset))) offset = offset >= size ? 2 : offset + 1;
  return formatIPv4(prefix.network + offset);
}
