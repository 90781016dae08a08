// Goal: a NodePort Service answers at every node's address on its node port, through whichever
// component the cluster runs (kube-proxy, or Cilium's kube-proxy replacement with its socket LB),
// and the backend sees the source that component really leaves: the client's own address for a
// local backend or with externalTrafficPolicy=Local, the forwarding node's when it SNATs (as
// remote-node or host, or as world from the tunnel header of Cilium's SNAT in tunnel mode), and the
// pod itself when the socket LB translates in the client. Local answers only where a backend runs.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { readersMachine, type ConnectionOutcome } from '../../../simulator/cilium/datapath-types';
import { parseKindConfig, validateKindConfig } from '../../../simulator/k8s/kind-config';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { apply, settle } from './support';
import { connectFrom, flowsOf, onePod, workload } from './traffic-support';

/** The node port Services of the test bed: one with each traffic policy. */
const services = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: web-local
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30081
`;

/** A kind cluster (kube-proxy unless `none`) with Cilium 1.18 and the given values, a client and one web backend. */
function nodePortWorld(
  values: Record<string, string>,
  options: { version?: string; kubeProxyMode?: 'none' } = {},
) {
  const simulation = new Simulation(17);
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }],
      disableDefaultCNI: true,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
      ...(options.kubeProxyMode !== undefined ? { kubeProxyMode: options.kubeProxyMode } : {}),
    },
  });
  simulation.input({
    type: 'cilium.install',
    request: { version: options.version ?? '1.18.5', values: { 'ipam.mode': 'kubernetes', ...values } },
  });
  simulation.advance(10_000);
  apply(simulation, workload('client', { app: 'client' }, 'docker.io/curlimages/curl'));
  apply(simulation, workload('web', { app: 'web' }, 'docker.io/library/nginx', { port: 80 }));
  apply(simulation, services);
  settle(simulation);
  const cluster = simulation.state.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  const backendNode = onePod(simulation, { app: 'web' }).spec.nodeName ?? '';
  const client = onePod(simulation, { app: 'client' });
  const nodes = Object.values(cluster.nodes);
  // A worker: the control plane's addresses carry the kube-apiserver identity.
  const other = nodes.find((node) => node.name !== backendNode && node.role === 'worker');
  return {
    simulation,
    backendNode,
    clientKey: `${client.metadata.namespace ?? 'default'}/${client.metadata.name}`,
    clientIP: client.status?.podIP ?? '',
    addressOf: (node: string) => cluster.nodes[node]?.internalIP ?? '',
    routerOf: (node: string) => cluster.cilium?.agents[node]?.routerIP ?? '',
    /** A worker that does not run the backend. */
    otherNode: other?.name ?? '',
  };
}

type World = ReturnType<typeof nodePortWorld>;

/** The last packet the backend's node delivered to the web pod: its source address and identity. */
function seenByBackend(world: World): { ip: string; identity: number } | undefined {
  const flow = flowsOf(world.simulation)
    .filter(
      (candidate) =>
        candidate.node === world.backendNode &&
        candidate.eventType === 'trace' &&
        candidate.explanation === 'to-endpoint' &&
        candidate.destination.port === 80,
    )
    .at(-1);
  return flow === undefined ? undefined : { ip: flow.source.ip, identity: flow.source.identity };
}

interface NodePortCase {
  readonly name: string;
  readonly values: Record<string, string>;
  readonly version?: string;
  readonly from: 'outside' | 'client pod';
  /** Which node's address the connection goes to. */
  readonly to: 'backend node' | 'other node';
  readonly nodePort: 30080 | 30081;
  readonly outcome: ConnectionOutcome['kind'];
  /** The source the backend sees: the client, or a node's address (`router`: its cilium_host address). */
  readonly source?: 'client' | 'backend node router' | 'other node router' | 'other node address';
  readonly identity?: number;
}

const kubeProxy = {};
const replacement = { kubeProxyReplacement: 'true' };

const cases: readonly NodePortCase[] = [
  {
    name: 'kube-proxy, Cluster, outside → the backend node: masqueraded to cilium_host, seen as host',
    values: kubeProxy,
    from: 'outside',
    to: 'backend node',
    nodePort: 30080,
    outcome: 'response',
    source: 'backend node router',
    identity: 1,
  },
  {
    name: 'kube-proxy, Cluster, outside → another node: masqueraded by it, seen as remote-node',
    values: kubeProxy,
    from: 'outside',
    to: 'other node',
    nodePort: 30080,
    outcome: 'response',
    source: 'other node router',
    identity: 6,
  },
  {
    name: 'kube-proxy, Local, outside → the backend node: the client address kept, seen as world',
    values: kubeProxy,
    from: 'outside',
    to: 'backend node',
    nodePort: 30081,
    outcome: 'response',
    source: 'client',
    identity: 2,
  },
  {
    name: 'kube-proxy, Local, outside → a node without a backend: dropped',
    values: kubeProxy,
    from: 'outside',
    to: 'other node',
    nodePort: 30081,
    outcome: 'timeout',
  },
  {
    name: 'kube-proxy, Cluster, a pod → another node: masqueraded by that node',
    values: kubeProxy,
    from: 'client pod',
    to: 'other node',
    nodePort: 30080,
    outcome: 'response',
    source: 'other node router',
    identity: 6,
  },
  {
    name: 'replacement, Cluster, outside → the backend node: no SNAT, seen as world',
    values: replacement,
    from: 'outside',
    to: 'backend node',
    nodePort: 30080,
    outcome: 'response',
    source: 'client',
    identity: 2,
  },
  {
    name: 'replacement, Cluster, outside → another node: SNAT to cilium_host, world in the tunnel header',
    values: replacement,
    from: 'outside',
    to: 'other node',
    nodePort: 30080,
    outcome: 'response',
    source: 'other node router',
    identity: 2,
  },
  {
    name: 'replacement in native routing, Cluster, outside → another node: SNAT to the node, remote-node',
    values: {
      ...replacement,
      routingMode: 'native',
      autoDirectNodeRoutes: 'true',
      ipv4NativeRoutingCIDR: '10.244.0.0/16',
    },
    from: 'outside',
    to: 'other node',
    nodePort: 30080,
    outcome: 'response',
    source: 'other node address',
    identity: 6,
  },
  {
    name: 'replacement, Local, outside → a node without a backend: rejected (1.18)',
    values: replacement,
    from: 'outside',
    to: 'other node',
    nodePort: 30081,
    outcome: 'refused',
  },
  {
    name: 'replacement on 1.14, Local, outside → a node without a backend: dropped',
    values: replacement,
    version: '1.14.5',
    from: 'outside',
    to: 'other node',
    nodePort: 30081,
    outcome: 'timeout',
  },
  {
    name: 'replacement, Local, a pod → a node without a backend: the socket LB translates, the pod is the source',
    values: replacement,
    from: 'client pod',
    to: 'other node',
    nodePort: 30081,
    outcome: 'response',
    source: 'client',
  },
];

describe('services: node ports', () => {
  it.each(cases)(
    'services: node ports: $name',
    ({ values, version, from, to, nodePort, outcome, source, identity }) => {
      const world = nodePortWorld(values, version !== undefined ? { version } : {});
      const node = to === 'backend node' ? world.backendNode : world.otherNode;
      const result = connectFrom(world.simulation, {
        ...(from === 'outside'
          ? { fromPodKey: '', fromNode: readersMachine }
          : { fromPodKey: world.clientKey }),
        host: world.addressOf(node),
        port: nodePort,
        timeoutMs: 2000,
      });
      expect(result.kind).toBe(outcome);
      if (source === undefined) return;
      const expectedIP = {
        client: from === 'outside' ? '172.18.0.1' : world.clientIP,
        'backend node router': world.routerOf(world.backendNode),
        'other node router': world.routerOf(world.otherNode),
        'other node address': world.addressOf(world.otherNode),
      }[source];
      const seen = seenByBackend(world);
      expect(seen?.ip).toBe(expectedIP);
      if (identity !== undefined) expect(seen?.identity).toBe(identity);
    },
  );

  it('services: node ports: Cilium reports the node port without a backend as a drop on the frontend', () => {
    const world = nodePortWorld(replacement);
    const frontend = world.addressOf(world.otherNode);
    connectFrom(world.simulation, { fromPodKey: '', fromNode: readersMachine, host: frontend, port: 30081 });
    const drop = flowsOf(world.simulation).at(-1);
    expect(drop).toMatchObject({
      node: world.otherNode,
      eventType: 'drop',
      dropReason: 'NO_SERVICE',
      source: { ip: '172.18.0.1', identity: 2 },
      destination: { ip: frontend, port: 30081 },
    });
  });

  it('services: node ports: without kube-proxy and without the replacement nothing listens on the port', () => {
    const world = nodePortWorld(kubeProxy, { kubeProxyMode: 'none' });
    const result = connectFrom(world.simulation, {
      fromPodKey: '',
      fromNode: readersMachine,
      host: world.addressOf(world.backendNode),
      port: 30080,
    });
    expect(result.kind).toBe('refused');
  });
});

describe('services: who answers node ports', () => {
  it.each([
    { mode: 'none', accepted: true },
    { mode: 'ipvs', accepted: true },
    { mode: 'userspace', accepted: false },
  ])("services: kind's networking.kubeProxyMode $mode", ({ mode, accepted }) => {
    const read = parseKindConfig(
      `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  kubeProxyMode: ${mode}\n`,
    );
    if (!('config' in read)) throw new Error(read.error);
    expect(read.config.kubeProxyMode).toBe(mode);
    expect(validateKindConfig(read.config)).toBe(accepted ? undefined : `invalid kubeProxyMode: ${mode}`);
  });
});

describe('services: the kube-proxy replacement by version', () => {
  it.each([
    { version: '1.12.0', values: {}, replacement: false, socketLB: false, warns: false },
    {
      version: '1.12.0',
      values: { kubeProxyReplacement: 'strict' },
      replacement: true,
      socketLB: true,
      warns: false,
    },
    {
      version: '1.13.0',
      values: { kubeProxyReplacement: 'probe' },
      replacement: true,
      socketLB: true,
      warns: false,
    },
    {
      version: '1.12.0',
      values: { kubeProxyReplacement: 'partial', 'hostServices.enabled': 'true' },
      replacement: false,
      socketLB: true,
      warns: false,
    },
    {
      version: '1.12.0',
      values: { kubeProxyReplacement: 'true' },
      replacement: false,
      socketLB: false,
      warns: true,
    },
    {
      version: '1.14.0',
      values: { kubeProxyReplacement: 'strict' },
      replacement: true,
      socketLB: true,
      warns: false,
    },
    { version: '1.18.5', values: {}, replacement: false, socketLB: false, warns: false },
    {
      version: '1.18.5',
      values: { kubeProxyReplacement: 'true' },
      replacement: true,
      socketLB: true,
      warns: false,
    },
    {
      version: '1.18.5',
      values: { 'socketLB.enabled': 'true' },
      replacement: false,
      socketLB: true,
      warns: false,
    },
    {
      version: '1.18.5',
      values: { kubeProxyReplacement: 'strict' },
      replacement: false,
      socketLB: false,
      warns: true,
    },
  ])(
    'services: kubeProxyReplacement on $version with $values',
    ({ version, values, replacement, socketLB, warns }) => {
      const resolved = resolveCiliumConfig({ version, values });
      expect(resolved.config?.serviceLoadBalancing).toMatchObject({
        kubeProxyReplacement: replacement,
        socketLB,
      });
      expect(resolved.warnings.some((warning) => warning.startsWith('kubeProxyReplacement='))).toBe(warns);
    },
  );
});
