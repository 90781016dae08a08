/**
 * Read-only projections of a world for widgets: the nodes with their pods, and one node's ipcache
 * beside the truth, so a picture can mark which entries are stale. Widgets render these; they never
 * compute model facts themselves.
 */
import { listPodsOnNode } from '../k8s/api-store';
import { agentView, listIpcache, lookupIdentity } from '../cilium/agent-ipcache';
import { sandboxOwningAddress } from '../cilium/connection-ends';
import type { World } from '../world';
import type { Flow } from '../cilium/flow';
import { formatFlowCompact } from '../cilium/hubble-format';
import { toStampMilli } from '../engine/virtual-time';
import { agentCliName } from '../cilium/agent-image';
import { wireguardPublicKeyAnnotation, wireguardRekeyAfterMs } from '../cilium/wireguard';

/** One pod as a picture shows it. */
export interface PodPicture {
  name: string;
  app?: string;
  version?: string;
  ip?: string;
  /** The pod's real security identity, from its node's endpoint. */
  identity?: number;
  phase: 'Pending' | 'Running' | 'Terminating';
  /** Other nodes whose ipcache maps this pod's address to an identity that is not the pod's. */
  misbelievedBy: { node: string; identity: number }[];
}

/** A node agent's watch stream from the API server. */
export interface WatchPicture {
  /** The API server's resourceVersion now. */
  apiResourceVersion: number;
  /** The last resourceVersion the node's view has applied. */
  viewResourceVersion: number;
  /** Watch events sent to the node and not yet delivered (they take the watch latency). */
  inFlight: number;
  /** Delivery latency of a watch event on a healthy link. */
  latencyMs: number;
}

/** One node as a picture shows it. */
export interface NodePicture {
  name: string;
  ip: string;
  role: 'control-plane' | 'worker';
  podCIDR: string;
  /** Whether its agent and kubelet hear the API server. */
  apiLink: 'connected' | 'cutOff' | 'relisting';
  ready: 'ready' | 'networkNotReady' | 'unknown';
  pods: PodPicture[];
  /** Undefined before Cilium runs on the node. */
  watch?: WatchPicture;
}

/** The cluster's nodes and their pods (host-network system pods left out). */
export function clusterPicture(world: Readonly<World>): NodePicture[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  const agents = Object.values(cluster.cilium?.agents ?? {});
  const inFlight = new Map<string, number>();
  for (const scheduled of world.queue) {
    // Another cluster's agents have views of the same names: count this cluster's deliveries only.
    if (scheduled.event.type === 'watch.deliver' && scheduled.cluster === cluster.name)
      inFlight.set(scheduled.event.viewId, (inFlight.get(scheduled.event.viewId) ?? 0) + 1);
  }
  return Object.values(cluster.nodes)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node) => {
      const agent = cluster.cilium?.agents[node.name];
      const pods = listPodsOnNode(cluster.api, node.name)
        .filter((pod) => pod.spec.hostNetwork !== true)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
        .map((pod): PodPicture => {
          const sandbox = node.kubelet.sandboxes[pod.metadata.uid];
          const endpoint =
            sandbox?.endpointId === undefined ? undefined : agent?.endpoints[String(sandbox.endpointId)];
          const picture: PodPicture = {
            name: pod.metadata.name,
            misbelievedBy: [],
            phase:
              pod.metadata.deletionTimestamp !== undefined
                ? 'Terminating'
                : pod.status.phase === 'Running'
                  ? 'Running'
                  : 'Pending',
          };
          const app = pod.metadata.labels?.app;
          const version = pod.metadata.labels?.version;
          if (app !== undefined) picture.app = app;
          if (version !== undefined) picture.version = version;
          if (sandbox?.ip !== undefined) picture.ip = sandbox.ip;
          if (endpoint !== undefined) picture.identity = endpoint.identity;
          if (sandbox?.ip !== undefined && endpoint !== undefined) {
            for (const other of agents) {
              if (other.node === node.name) continue;
              const believed = lookupIdentity(cluster, other, sandbox.ip);
              if (believed !== endpoint.identity)
                picture.misbelievedBy.push({ node: other.node, identity: believed });
            }
          }
          return picture;
        });
      const view = agent === undefined ? undefined : agentView(cluster, agent);
      const watch: WatchPicture | undefined =
        agent === undefined || view === undefined
          ? undefined
          : {
              apiResourceVersion: cluster.api.resourceVersion,
              viewResourceVersion: view.syncedResourceVersion,
              inFlight: inFlight.get(view.id) ?? 0,
              latencyMs: cluster.timings.watchLatencyMs,
            };
      return {
        name: node.name,
        ip: node.internalIP,
        role: node.role,
        podCIDR: node.podCIDR,
        apiLink: agent?.connection ?? node.kubelet.connection,
        ready: node.kubelet.health,
        pods,
        ...(watch === undefined ? {} : { watch }),
      };
    });
}

/** One ipcache row beside the truth. */
export interface IpcacheRowPicture {
  prefix: string;
  identity: number;
  source: string;
  tunnelEndpoint: string;
  /** The pod the node believes holds the address (from the entry's metadata). */
  believedPod?: string;
  /** The pod that really holds it now, if any. */
  actualPod?: string;
  actualIdentity?: number;
  /** True when the entry names a pod that no longer holds the address, or a wrong identity. */
  stale: boolean;
}

/** A node's ipcache, pod addresses only, with stale entries marked. */
export function ipcachePicture(world: Readonly<World>, nodeName: string): IpcacheRowPicture[] {
  const cluster = world.cluster;
  const agent = cluster?.cilium?.agents[nodeName];
  if (cluster === undefined || agent === undefined) return [];
  return listIpcache(cluster, agent)
    .filter((row) => row.entry.podName !== undefined)
    .map((row) => {
      const ip = row.prefix.replace(/\/32$/, '');
      const owner = sandboxOwningAddress(cluster, ip);
      const ownerAgent = owner === undefined ? undefined : cluster.cilium?.agents[owner.node];
      const ownerEndpoint =
        owner?.sandbox.endpointId === undefined
          ? undefined
          : ownerAgent?.endpoints[String(owner.sandbox.endpointId)];
      const actualPod = owner?.sandbox.podKey.split('/')[1];
      const picture: IpcacheRowPicture = {
        prefix: row.prefix,
        identity: row.entry.identity,
        source: row.entry.source,
        tunnelEndpoint: row.entry.hostIP === '' ? 'local' : row.entry.hostIP,
        stale:
          actualPod === undefined ||
          actualPod !== row.entry.podName ||
          (ownerEndpoint !== undefined && ownerEndpoint.identity !== row.entry.identity),
      };
      if (row.entry.podName !== undefined) picture.believedPod = row.entry.podName;
      if (actualPod !== undefined) picture.actualPod = actualPod;
      if (ownerEndpoint !== undefined) picture.actualIdentity = ownerEndpoint.identity;
      return picture;
    });
}

/** One Hubble flow as the flow list shows it: the compact line and the model's explanation. */
export interface FlowPicture {
  number: number;
  node: string;
  verdict: Flow['verdict'];
  line: string;
  explanation: string;
  /** Set when the verdict rests on a stale ipcache entry: which entry misled the node. */
  mistaken?: string;
}

/** The most recent flows, newest first. */
export function flowPicture(world: Readonly<World>, limit: number): FlowPicture[] {
  const flows = world.cluster?.cilium?.flows ?? [];
  return flows
    .slice(-limit)
    .reverse()
    .map((flow) => ({
      number: flow.number,
      node: flow.node,
      verdict: flow.verdict,
      line: formatFlowCompact(flow),
      explanation: flow.explanation,
      ...(flow.mistaken === undefined ? {} : { mistaken: flow.mistaken.sentence }),
    }));
}

/** One identity's address set as each node's ipcache holds it, beside the truth. */
export interface IdentityAddressesPicture {
  identity: number;
  /** The identity's name from its labels (`app=sleep,version=v1`), or the reserved name. */
  name: string;
  /** The pod addresses that really have this identity now. */
  truth: string[];
  /** Per node: the addresses its ipcache maps to this identity. */
  byNode: { node: string; addresses: string[]; extra: string[]; missing: string[] }[];
}

/**
 * Every workload identity with the set of addresses each node maps to it (the article's figures
 * 8–10): equal sets on healthy nodes, drifting sets on a node that stopped hearing the API server.
 */
export function identityAddressesPicture(world: Readonly<World>): IdentityAddressesPicture[] {
  const cluster = world.cluster;
  const agents = Object.values(cluster?.cilium?.agents ?? {}).sort((a, b) => a.node.localeCompare(b.node));
  if (cluster === undefined || agents.length === 0) return [];
  const truth = new Map<number, Set<string>>();
  const names = new Map<number, string>();
  // One picture of the whole cluster, not one per node: this runs on every redraw.
  for (const node of clusterPicture(world)) {
    for (const pod of node.pods) {
      if (pod.ip === undefined || pod.identity === undefined) continue;
      const set = truth.get(pod.identity) ?? new Set<string>();
      set.add(pod.ip);
      truth.set(pod.identity, set);
      if (pod.app !== undefined)
        names.set(
          pod.identity,
          `app=${pod.app}${pod.version === undefined ? '' : `,version=${pod.version}`}`,
        );
    }
  }
  const believed = new Map<string, Map<number, Set<string>>>();
  for (const agent of agents) {
    const sets = new Map<number, Set<string>>();
    for (const row of listIpcache(cluster, agent)) {
      if (row.entry.podName === undefined) continue;
      const ip = row.prefix.replace(/\/32$/, '');
      const set = sets.get(row.entry.identity) ?? new Set<string>();
      set.add(ip);
      sets.set(row.entry.identity, set);
    }
    believed.set(agent.node, sets);
  }
  const identities = new Set<number>(truth.keys());
  for (const sets of believed.values())
    for (const identity of sets.keys()) if (identity >= 256) identities.add(identity);
  const sortIps = (ips: Iterable<string>) =>
    [...ips].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return [...identities]
    .sort((a, b) => a - b)
    .map((identity) => {
      const real = truth.get(identity) ?? new Set<string>();
      return {
        identity,
        name: names.get(identity) ?? (real.size === 0 ? 'no pod has it any more' : `identity ${identity}`),
        truth: sortIps(real),
        byNode: agents.map((agent) => {
          const held = believed.get(agent.node)?.get(identity) ?? new Set<string>();
          return {
            node: agent.node,
            addresses: sortIps(held),
            extra: sortIps([...held].filter((ip) => !real.has(ip))),
            missing: sortIps([...real].filter((ip) => !held.has(ip))),
          };
        }),
      };
    });
}

/** Mutual authentication as a picture: every node's auth map and the recent agent handshakes. */
export interface AuthPicture {
  /** The command that lists an auth map in this version's agent (`cilium` or `cilium-dbg`). */
  listCommand: string;
  nodes: {
    node: string;
    entries: {
      localIdentity: number;
      remoteIdentity: number;
      remoteNodeId: number;
      authType: string;
      expires: string;
      handshake: number;
    }[];
  }[];
  handshakes: { number: number; at: string; node: string; sni: string; result: string; sentence: string }[];
}

/** Undefined when mutual authentication is not enabled in the cluster. */
export function authPicture(world: Readonly<World>): AuthPicture | undefined {
  const state = world.cluster?.cilium?.mutualAuth;
  if (state === undefined) return undefined;
  const typeNames = ['disabled', 'spire', 'test-always-fail'];
  return {
    listCommand: `${agentCliName(world.cluster?.cilium?.config.versionMinor ?? 14)} bpf auth list`,
    nodes: Object.entries(state.nodes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([node, auth]) => ({
        node,
        entries: Object.values(auth.authMap)
          .sort(
            (a, b) =>
              a.key.localIdentity - b.key.localIdentity || a.key.remoteIdentity - b.key.remoteIdentity,
          )
          .map((entry) => ({
            localIdentity: entry.key.localIdentity,
            remoteIdentity: entry.key.remoteIdentity,
            remoteNodeId: entry.key.remoteNodeId,
            authType: typeNames[entry.key.authType] ?? String(entry.key.authType),
            expires: toStampMilli(entry.expirationMs),
            handshake: entry.handshake,
          })),
      })),
    handshakes: state.handshakes
      .slice(-8)
      .reverse()
      .map((record) => ({
        number: record.number,
        at: toStampMilli(record.atMs),
        node: record.node,
        sni: record.sni,
        result: record.result,
        sentence: record.sentence,
      })),
  };
}

/** One key that protects traffic on the wire, what it protects and who holds it (figures 6–7). */
export interface KeyHolderPicture {
  key: string;
  /** Workload pairs whose traffic this key protected, `sleep v1 → helloworld v1`. */
  protects: string[];
  /** Who holds the key, so who could read that traffic. */
  holders: string[];
  note?: string;
}

function workloadName(world: Readonly<World>, podKey: string | undefined): string {
  if (podKey === undefined) return 'unknown';
  const key = podKey.includes('/') ? podKey : `default/${podKey}`;
  const pod = world.cluster?.api.objects.Pod?.[key];
  const labels = pod?.metadata.labels;
  if (labels?.app !== undefined)
    return `${labels.app}${labels.version === undefined ? '' : ` ${labels.version}`}`;
  // A pod that is gone: its Deployment's name, without the ReplicaSet and pod suffixes.
  return (key.split('/')[1] ?? key).replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, '');
}

/** The node whose pod CIDR holds an address: where a packet from or to it leaves or arrives. */
function nodeOfAddress(world: Readonly<World>, ip: string): string | undefined {
  const prefix = ip.split('.').slice(0, 3).join('.');
  return Object.values(world.cluster?.nodes ?? {}).find((node) => node.podCIDR.startsWith(`${prefix}.`))
    ?.name;
}

/**
 * The keys that protected the traffic seen so far: with WireGuard one static key pair per node and,
 * per node pair, session keys that rotate about every two minutes, shared by every pod pair across
 * those nodes and readable on both nodes; with Istio one set of session
 * keys per connection, held by its two proxies; Cilium's mutual-auth handshakes derive session keys
 * that no traffic ever uses.
 */
export function keyHoldersPicture(world: Readonly<World>): KeyHolderPicture[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  const rows: KeyHolderPicture[] = [];
  if (cluster.cilium?.config.encryption === 'wireguard') {
    const byPair = new Map<string, Set<string>>();
    for (const flow of cluster.cilium.flows) {
      if (flow.verdict !== 'FORWARDED' || flow.isReply === true) continue;
      const from = nodeOfAddress(world, flow.source.ip);
      const to = nodeOfAddress(world, flow.destination.ip);
      if (from === undefined || to === undefined || from === to) continue;
      const pair = [from, to].sort().join(' ↔ ');
      const set = byPair.get(pair) ?? new Set<string>();
      set.add(
        `${workloadName(world, flow.source.podName === undefined ? undefined : `${flow.source.namespace ?? 'default'}/${flow.source.podName}`)} → ${workloadName(world, flow.destination.podName === undefined ? undefined : `${flow.destination.namespace ?? 'default'}/${flow.destination.podName}`)}`,
      );
      byPair.set(pair, set);
    }
    const nodesWithTraffic = new Set<string>();
    for (const [pair, protects] of [...byPair.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      for (const node of pair.split(' ↔ ')) nodesWithTraffic.add(node);
      rows.push({
        key: `WireGuard session keys of ${pair}`,
        protects: [...protects].sort(),
        holders: pair.split(' ↔ ').map((node) => `the kernel of ${node} (anyone root on it)`),
        note: `Derived by a WireGuard handshake between the two nodes' static keys and replaced about every ${wireguardRekeyAfterMs / 60_000} minutes. One tunnel per node pair: every pod pair across these nodes shares it.`,
      });
    }
    for (const node of [...nodesWithTraffic].sort())
      rows.push({
        key: `WireGuard static key pair of ${node}`,
        protects: [],
        holders: [`the kernel of ${node} (anyone root on it)`],
        note: `One per node, kept across agent restarts; its public key is published in the node's CiliumNode annotation ${wireguardPublicKeyAnnotation}. It authenticates the node in every session handshake and encrypts no traffic itself.`,
      });
  }
  for (const connection of (cluster.mesh?.connections ?? []).slice(-8)) {
    if (connection.transport === 'plaintext') continue;
    const holders =
      connection.transport === 'hbone'
        ? [`ztunnel on ${connection.client.node}`, `ztunnel on ${connection.server.node}`]
        : [`${connection.client.pod}'s istio-proxy`, `${connection.server.pod}'s istio-proxy`];
    rows.push({
      key: `TLS 1.3 session keys of connection #${connection.number} (${connection.transport === 'hbone' ? 'HBONE' : 'mTLS'})`,
      protects: [
        `${workloadName(world, connection.client.pod)} → ${workloadName(world, connection.server.pod)}`,
      ],
      holders,
      note:
        connection.transport === 'hbone'
          ? 'Per connection, between the two nodes’ ztunnels, which serve every pod on their node.'
          : 'Per connection, known only to the two sidecars.',
    });
  }
  const handshakes = (cluster.cilium?.mutualAuth?.handshakes ?? []).filter(
    (handshake) => handshake.result === 'success',
  );
  for (const handshake of handshakes.slice(-3)) {
    rows.push({
      key: `TLS 1.3 session keys of mutual-auth handshake #${handshake.number}`,
      protects: [],
      holders: [
        `cilium-agent on ${handshake.node}`,
        `cilium-agent on ${handshake.peerNode ?? handshake.peerAddress}`,
      ],
      note: 'Discarded when the handshake ends: the application’s traffic never uses them.',
    });
  }
  return rows;
}

/** One message of the mutual-authentication flow (the seed 002 article's figures 1–5). */
export interface AuthFlowStep {
  atMs: number;
  time: string;
  from: 'client pod' | 'datapath' | 'agent' | 'peer agent' | 'server pod';
  to: 'client pod' | 'datapath' | 'agent' | 'peer agent' | 'server pod';
  label: string;
  outcome: 'dropped' | 'signal' | 'handshake' | 'stored' | 'allowed';
}

/** The latest flow that had to be authenticated, told as the messages it took. */
export interface AuthFlowPicture {
  node: string;
  peerNode: string;
  /** The client and server as workloads (Deployment names), or addresses when unnamed. */
  client: string;
  server: string;
  steps: AuthFlowStep[];
}

/**
 * Rebuilds the most recent authenticated connection from the model's records: the SYN the datapath
 * dropped with reason 189, the signal to the agent, the handshake with the peer agent, the auth map
 * entry, and the retransmitted SYN that passed. Undefined until such a flow exists.
 */
export function authFlowPicture(world: Readonly<World>): AuthFlowPicture | undefined {
  const cilium = world.cluster?.cilium;
  const handshakes = cilium?.mutualAuth?.handshakes ?? [];
  const flows = cilium?.flows ?? [];
  const dropped = [...flows].reverse().find((flow) => flow.dropReason === 'AUTH_REQUIRED');
  if (dropped === undefined) return undefined;
  const passed = flows.find(
    (flow) =>
      flow.timeMs > dropped.timeMs &&
      flow.verdict === 'FORWARDED' &&
      flow.source.ip === dropped.source.ip &&
      flow.source.port === dropped.source.port &&
      flow.destination.ip === dropped.destination.ip,
  );
  const handshake = [...handshakes]
    .reverse()
    .find(
      (record) =>
        record.node === dropped.node &&
        record.startedAtMs >= dropped.timeMs &&
        record.key.remoteIdentity === dropped.source.identity,
    );
  const client =
    dropped.source.podName === undefined
      ? dropped.source.ip
      : workloadName(world, `${dropped.source.namespace ?? 'default'}/${dropped.source.podName}`);
  const server =
    dropped.destination.podName === undefined
      ? dropped.destination.ip
      : workloadName(world, `${dropped.destination.namespace ?? 'default'}/${dropped.destination.podName}`);
  const steps: AuthFlowStep[] = [
    {
      atMs: dropped.timeMs,
      time: toStampMilli(dropped.timeMs),
      from: 'client pod',
      to: 'datapath',
      label: `SYN from ${dropped.source.ip}: the policy entry requires authentication and the auth map has no entry → dropped, reason 189`,
      outcome: 'dropped',
    },
    {
      atMs: dropped.timeMs,
      time: toStampMilli(dropped.timeMs),
      from: 'datapath',
      to: 'agent',
      label: `signal: authenticate local ${dropped.destination.identity} with remote ${dropped.source.identity}`,
      outcome: 'signal',
    },
  ];
  if (handshake !== undefined) {
    steps.push(
      {
        atMs: handshake.startedAtMs,
        time: toStampMilli(handshake.startedAtMs),
        from: 'agent',
        to: 'peer agent',
        label: `TLS 1.3 to ${handshake.peerAddress}:${handshake.port}, SNI ${handshake.sni}: ${handshake.result}`,
        outcome: 'handshake',
      },
      {
        atMs: handshake.atMs,
        time: toStampMilli(handshake.atMs),
        from: 'agent',
        to: 'datapath',
        label:
          handshake.expirationMs === undefined
            ? 'no auth map entry: the handshake failed'
            : `auth map entry written, expires ${toStampMilli(handshake.expirationMs)}`,
        outcome: 'stored',
      },
    );
  }
  if (passed !== undefined)
    steps.push({
      atMs: passed.timeMs,
      time: toStampMilli(passed.timeMs),
      from: 'client pod',
      to: 'server pod',
      label: 'retransmitted SYN: the auth map entry matches → allowed',
      outcome: 'allowed',
    });
  return {
    node: dropped.node,
    peerNode: handshake?.peerNode ?? handshake?.peerAddress ?? 'the client’s node',
    client,
    server,
    steps,
  };
}
