/**
 * `kind create cluster`: node containers on the Docker network 172.18.0.0/16, a pod CIDR per node
 * from the pod subnet, the default namespaces, the `kubernetes` Service and, without a CNI, nodes
 * that stay NotReady until one is installed.
 */
import { nextInt } from '../engine/prng';
import { toTimestamp } from '../engine/virtual-time';
import { formatIPv4, formatPrefix, parsePrefix } from '../net/ipv4';
import type { Cluster, NodeRuntime, World } from '../world';
import { defaultClusterTimings, schedule } from '../world';
import { createApiStore } from './api-store';
import { apiPut } from './api-writes';
import { createIpamPool } from './ipam';
import { kindNodeNames, type KindClusterConfig } from './kind-config';
import { newMetadata } from './metadata';
import { writeNodeHealth } from './node-lifecycle';
import { listObjects } from './api-store';
import type { Endpoints, Namespace, Node, Service, ServiceAccount } from './objects';

/** Kubernetes version of kind's default node image when the experiment ran (kind v0.14). */
export const kindKubernetesVersion = 'v1.24.0';

function shuffled<T>(world: World, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = nextInt(world.random, i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Creates the cluster described by a kind config. */
export function createKindCluster(world: World, config: KindClusterConfig): void {
  if (world.cluster !== undefined)
    throw new Error(`node(s) already exist for a cluster with the name "${world.cluster.name}"`);
  const names = kindNodeNames(config);
  const podSubnet = parsePrefix(config.podSubnet, true);
  const serviceSubnet = parsePrefix(config.serviceSubnet, true);
  if (podSubnet === undefined || serviceSubnet === undefined)
    throw new Error('invalid pod or service subnet');
  // kind starts the node containers concurrently, so Docker hands out addresses in no fixed order.
  const addresses = shuffled(
    world,
    names.map((_, index) => formatIPv4((172 << 24) + (18 << 16) + 2 + index)),
  );
  // kube-controller-manager assigns /24s as nodes register: the control plane first, workers as they join.
  const workerOrder = shuffled(
    world,
    names.filter((name) => !name.endsWith('control-plane')),
  );
  const cidrIndex = new Map<string, number>([
    [names.find((name) => name.endsWith('control-plane')) ?? '', 0],
  ]);
  workerOrder.forEach((name, index) => cidrIndex.set(name, index + 1));
  const nodes: Record<string, NodeRuntime> = {};
  names.forEach((name, index) => {
    const podCIDR = formatPrefix({
      network: podSubnet.network + (cidrIndex.get(name) ?? index) * 256,
      length: 24,
    });
    nodes[name] = {
      name,
      role: name.endsWith('control-plane') ? 'control-plane' : 'worker',
      internalIP: addresses[index] ?? '',
      podCIDR,
      firewall: [],
      kubelet: { connection: 'connected', health: 'networkNotReady', sandboxes: {}, lastLeaseRenewMs: 0 },
      ipam: createIpamPool(podCIDR),
    };
  });
  const controlPlane = Object.values(nodes).find((node) => node.role === 'control-plane');
  if (controlPlane === undefined) throw new Error('a kind cluster needs a control-plane node');
  const cluster: Cluster = {
    name: config.name,
    kubernetesVersion: kindKubernetesVersion,
    timings: { ...defaultClusterTimings },
    api: createApiStore(),
    nodes,
    apiServer: {
      clusterIP: formatIPv4(serviceSubnet.network + 1),
      endpointIP: controlPlane.internalIP,
      port: 6443,
    },
    serviceCIDR: config.serviceSubnet,
  };
  world.cluster = cluster;
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']) {
    const namespace: Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: newMetadata(world, name, undefined, { 'kubernetes.io/metadata.name': name }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    apiPut(world, namespace);
    const account: ServiceAccount = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: newMetadata(world, 'default', name),
    };
    apiPut(world, account);
  }
  for (const runtime of Object.values(nodes).sort((a, b) => a.name.localeCompare(b.name))) {
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': runtime.name,
      'kubernetes.io/os': 'linux',
    };
    if (runtime.role === 'control-plane') {
      labels['node-role.kubernetes.io/control-plane'] = '';
      labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    }
    const now = toTimestamp(world.timeMs);
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: newMetadata(world, runtime.name, undefined, labels),
      spec: {
        podCIDR: runtime.podCIDR,
        podCIDRs: [runtime.podCIDR],
        taints:
          runtime.role === 'control-plane'
            ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]
            : [],
      },
      status: {
        addresses: [
          { type: 'InternalIP', address: runtime.internalIP },
          { type: 'Hostname', address: runtime.name },
        ],
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
          kubeletVersion: kindKubernetesVersion,
          containerRuntimeVersion: 'containerd://1.6.4',
          osImage: 'Ubuntu 21.10',
          kernelVersion: '5.15.0-41-generic',
          architecture: 'amd64',
          operatingSystem: 'linux',
        },
      },
    };
    if (!config.disableDefaultCNI) runtime.kubelet.health = 'ready';
    apiPut(world, node);
    // Writes the Ready condition and, without a CNI, the not-ready taint that keeps pods off.
    writeNodeHealth(world, runtime);
    schedule(world, nextInt(world.random, cluster.timings.leaseRenewIntervalMs), {
      type: 'kubelet.lease.renew',
      node: runtime.name,
    });
  }
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
    status: {},
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
  schedule(world, cluster.timings.nodeMonitorPeriodMs, { type: 'nodelifecycle.monitor' });
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
