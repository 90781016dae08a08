/**
 * The path of a connection through Cilium's datapath, decided on the state each node really has:
 * name resolution (through CoreDNS and the DNS proxy when the cluster runs cluster DNS), service
 * translation on the client's node, conntrack and the client endpoint's egress policy, the trip to
 * the server's node (where the source identity comes from the tunnel header or from that node's own
 * ipcache, depending on version and encryption), WireGuard's allowed-IPs check, conntrack and the
 * server endpoint's ingress policy, the L7 proxies, the application, and the reply, which conntrack
 * lets through without a policy lookup. Destinations can be pods, nodes (host, remote-node,
 * kube-apiserver) or the modelled internet (world, CIDR and FQDN identities); with the host
 * firewall, host policies also filter what reaches and leaves a node's own stack (host-firewall.ts).
 * Each step leaves Hubble flows on the node that observed it, and the model compares each node's
 * belief with the truth.
 */
import { nextIntBetween } from '../engine/prng';
import { getObject, listObjects } from '../k8s/api-store';
import {
  applicationListeningOn,
  type Application,
  type HttpRequest,
  type HttpResponse,
} from '../k8s/applications';
import type { Pod } from '../k8s/objects';
import { parsePrefix, prefixContains } from '../net/ipv4';
import type { Cluster, Sandbox, World } from '../world';
import { requireCluster } from '../world';
import { lookupIdentity, lookupIpcache } from './agent-ipcache';
import { sourceIdentityTransport } from './config';
import { ctCreate, ctLookup, ctTouch, reversed, type PacketTuple } from './conntrack';
import { datapathState, type OpenSocket } from './datapath-state';
import { endpointPolicyFor } from './endpoint-policy-cache';
import {
  externalHostAt,
  hasClusterDns,
  resolveWithoutDns,
  upstreamAnswer,
  type ExternalHost,
} from './dns-world';
import { policyForEndpoint, remoteIdentityFor, syncLocalIdentities } from './local-identities';
import type { AgentState, LocalEndpoint } from './state';
import type { FlowEndpoint, MistakenIdentity } from './flow';
import { evaluateHttpRequest, lookupPolicy, type PolicyVerdict } from '../policy/index';
import { ReservedIdentity } from './reserved-identities';
import { hostFirewallEgress, hostFirewallIngress, hostRepliesPass } from './host-firewall';
import {
  describeIdentity,
  enforces,
  flowEndpoint,
  recordDrop,
  recordFlow,
  recordPolicyVerdict,
  packetFields,
  packetOf,
  policyQuery,
  replyPacketOf,
  type AuthDropReason,
  type FlowEnds,
  type FlowPacket,
} from './verdict-flows';
import { authTypeNames, formatGoTime, remoteNodeIdFor, type AuthKey, type AuthMapEntry } from './auth-map';
import { authMapLookup, projectedAuthEntry, signalAuthRequired } from './auth-manager';
import {
  accountHttpExchange,
  accountPolicyPackets,
  counterKeyOf,
  defaultFrameBytes,
  httpRequestBytes,
  type PolicyCounterKey,
} from './policy-stats';
import { stallAtProxy } from './envoy';
import { answerInMesh } from '../mesh/traffic';
import { directTlsFailure, interceptTlsConnection } from './tls-interception';
import { siteResponse } from './internet-sites';
import {
  nodePortFrontend,
  planNodePort,
  type Backend,
  type NodePortClient,
  type NodePortFrontend,
  type NodePortPlan,
} from './nodeport';

// The flow helpers moved to verdict-flows.ts; traffic.ts and older callers still import them from here.
export { describeIdentity, flowEndpoint, recordFlow, type AuthDropReason };

/** A connection a client pod (or a node) opens. */
export interface ConnectionRequest {
  fromPodKey: string;
  /** Set to start the connection in a node's own network namespace (`docker exec NODE curl …`); fromPodKey is then ignored. */
  fromNode?: string;
  /** A service name, a cluster DNS name, an external name or an IP address. */
  host: string;
  /** The address to use instead of resolving the host (curl's `--resolve`). */
  address?: string;
  port: number;
  protocol: 'TCP';
  /** The HTTP request to send once connected (curl sends one); `grpc` makes it a gRPC call over HTTP/2. */
  http?: Omit<HttpRequest, 'host' | 'port'> & { grpc?: boolean };
  timeoutMs: number;
  /** How long the client waits for name resolution before it gives up (curl's connect deadline). */
  resolveTimeoutMs?: number;
  /** Keep the connection open after the response, so later requests reuse it (see sendOnConnection). */
  keepOpen?: boolean;
  /** The SNI of the TLS ClientHello the client sends first (curl https:// to a name sends the name). */
  tlsServerName?: string;
  /**
   * Set when the client speaks TLS (curl https://): whether it skips certificate checks (`-k`) or
   * trusts an extra CA file (`--cacert`). The file's contents are not modelled: any CA file is
   * taken to be the one that signed the certificate Envoy presents when it intercepts TLS (the
   * upstream leg, where Envoy checks the server, is modelled: cilium/tls-interception.ts).
   */
  tls?: { insecure: boolean; caFile?: string };
}

/** Where the connection ended and why. */
export type ConnectionOutcome =
  | {
      kind: 'resolve-failed';
      elapsedMs: number;
      explanation: string[];
      dnsRcode?: string;
      /** The client's deadline passed while the resolver was still waiting for an answer. */
      timedOut?: true;
    }
  | { kind: 'refused'; elapsedMs: number; address: string; explanation: string[] }
  | {
      kind: 'timeout';
      elapsedMs: number;
      address: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | {
      kind: 'response';
      elapsedMs: number;
      address: string;
      response: HttpResponse;
      serverPod: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
      /** Set when the request asked to keep the connection open. */
      connectionId?: string;
      /** How long name resolution took. */
      resolveMs?: number;
      /** The client socket's own address and port. */
      local?: { ip: string; port: number };
    }
  | { kind: 'error'; elapsedMs: number; message: string; explanation: string[] };

interface Located {
  node: string;
  sandbox: Sandbox;
}

/** The sandbox that really holds an address right now (the truth, not any node's belief). */
export function sandboxOwningAddress(cluster: Cluster, ip: string): Located | undefined {
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    if (node === undefined || node.internalIP === ip) continue;
    for (const sandbox of Object.values(node.kubelet.sandboxes)) {
      if (
        sandbox.ip === ip &&
        sandbox.state !== 'removed' &&
        sandbox.state !== 'stopped' &&
        sandbox.state !== 'creating'
      )
        return { node: name, sandbox };
    }
  }
  return undefined;
}

function sandboxOfPod(cluster: Cluster, podKey: string): Located | undefined {
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    for (const sandbox of Object.values(node?.kubelet.sandboxes ?? {})) {
      if (sandbox.podKey === podKey) return { node: name, sandbox };
    }
  }
  return undefined;
}

/** Resolves a name the way a pod's resolver does with cluster DNS: short names in its namespace first. */
export function resolveServiceName(cluster: Cluster, host: string, namespace: string): string | undefined {
  return resolveWithoutDns(cluster, host, namespace);
}

function endpointOf(agent: AgentState, sandbox: Sandbox): LocalEndpoint | undefined {
  return sandbox.endpointId === undefined ? undefined : agent.endpoints[sandbox.endpointId];
}

function decide(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
  direction: 'ingress' | 'egress',
  remoteIdentity: number,
  tuple: PacketTuple,
): PolicyVerdict | undefined {
  const policy = policyForEndpoint(cluster, agent, endpoint);
  if (policy === undefined) return undefined;
  return lookupPolicy(policy, policyQuery(direction, remoteIdentity, tuple));
}

/**
 * The receiving node's verdict for a new connection from an address, when the source identity
 * comes from its ipcache: the hot path of the datapath (one ipcache and one policy-map lookup).
 */
export function ingressVerdictFromIpcache(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
  sourceIP: string,
  port: number,
): PolicyVerdict | undefined {
  const policy = endpointPolicyFor(cluster, agent, endpoint);
  if (policy === undefined) return undefined;
  return lookupPolicy(policy, {
    direction: 'ingress',
    remoteIdentity: lookupIdentity(cluster, agent, sourceIP),
    port,
    protocol: 'TCP',
  });
}

// ---------------------------------------------------------------------------------------------
// Mutual authentication (1.14+): the auth map consulted after a policy entry that requires it.

/** The auth step's outcome for one packet. */
type AuthCheck =
  | { ok: true; key?: AuthKey; entry?: AuthMapEntry; peerIP?: string }
  | { ok: false; drop: AuthDropReason; key?: AuthKey; sentence: string };

/**
 * auth_lookup (bpf/lib/auth.h): when the policy entry carries an auth type, the packet passes only
 * if the node's auth map holds an unexpired entry for {local identity, remote identity as this
 * node resolved it, remote node id, auth type}. A miss writes an auth-required signal for the
 * agent and drops the packet; a peer behind a tunnel endpoint the node map does not know drops
 * with "No node ID found". `now` can lie ahead of the clock for a retransmission.
 */
function checkAuthentication(
  world: World,
  cluster: Cluster,
  agent: AgentState,
  verdict: PolicyVerdict,
  localIdentity: number,
  remoteIdentity: number,
  peerIP: string,
  now: number,
): AuthCheck {
  if (verdict.decision !== 'allowed' || verdict.authType === 0) return { ok: true };
  const tunnelEndpoint = lookupIpcache(cluster, agent, peerIP).hostIP;
  const remoteNodeId = remoteNodeIdFor(cluster, agent, tunnelEndpoint);
  const typeName = authTypeNames[verdict.authType] ?? String(verdict.authType);
  if (remoteNodeId === undefined)
    return {
      ok: false,
      drop: 'NO_NODE_ID',
      sentence: `${agent.node}'s policy entry requires authentication (${typeName}), but its node map has no id for tunnel endpoint ${tunnelEndpoint}, so the packet is dropped with reason 197 "No node ID found".`,
    };
  const key: AuthKey = { localIdentity, remoteIdentity, remoteNodeId, authType: verdict.authType };
  const entry =
    now > world.timeMs
      ? projectedAuthEntry(world, agent.node, key, now)
      : authMapLookup(cluster, agent.node, key, now);
  if (entry !== undefined) return { ok: true, key, entry, peerIP };
  signalAuthRequired(world, agent.node, key, now);
  return {
    ok: false,
    drop: 'AUTH_REQUIRED',
    key,
    sentence: `${agent.node}'s policy entry requires authentication (${typeName}) and its auth map has no valid entry for local ${localIdentity}, remote ${remoteIdentity}, remote node ${remoteNodeId}: the datapath drops the packet with reason 189 "Authentication required" and signals ${agent.podName}'s auth manager.`,
  };
}

/** The sentence for a packet the auth map let through. */
function authPassSentence(agent: AgentState, check: AuthCheck, now: number): string | undefined {
  if (!check.ok || check.key === undefined || check.entry === undefined) return undefined;
  const { key, entry } = check;
  const written =
    entry.storedAtMs > now || entry.handshake === 0
      ? `written by the handshake that finished at ${formatGoTime(entry.storedAtMs)}`
      : `written by handshake #${entry.handshake}`;
  return `${agent.node}'s auth map holds local ${key.localIdentity}, remote ${key.remoteIdentity}, remote node ${key.remoteNodeId} (${authTypeNames[key.authType] ?? key.authType}) until ${formatGoTime(entry.expirationMs)}, ${written}, so the packet passes.`;
}

// ---------------------------------------------------------------------------------------------
// The two ends of a connection.

/** Where a connection starts: a pod's network namespace or a node's own. */
export type Origin =
  | {
      kind: 'pod';
      node: string;
      pod: Pod;
      podKey: string;
      namespace: string;
      sandbox: Sandbox;
      ip: string;
      agent?: AgentState;
      endpoint?: LocalEndpoint;
    }
  | {
      kind: 'node';
      node: string;
      ip: string;
      agent?: AgentState;
      /** The reader's own machine on the kind Docker network: outside the cluster, seen as world. */
      external?: true;
    };

/**
 * The reader's own machine, as a `fromNode` value: it reaches the kind node containers over the
 * Docker network from that network's gateway address, and nothing else of the cluster.
 */
export const readersMachine = 'docker-host';
export const dockerGatewayIP = '172.18.0.1';
const dockerNetworkCIDR = '172.18.0.0/16';
/** How long Linux tries ARP before it reports a neighbour unreachable (3 probes, 1 s apart). */
export const arpFailureMs = 3070;

/** Where a connection ends: a pod, a node's own stack, or a host on the modelled internet. */
export type Target =
  | {
      kind: 'pod';
      node: string;
      sandbox: Sandbox;
      pod?: Pod;
      agent?: AgentState;
      endpoint?: LocalEndpoint;
    }
  | { kind: 'node'; node: string; ip: string }
  | { kind: 'world'; ip: string; host?: ExternalHost };

/** The origin of a request, or why it cannot start. */
export function locateOrigin(
  cluster: Cluster,
  from: { fromPodKey?: string; fromNode?: string },
): Origin | string {
  if (from.fromNode === readersMachine)
    return { kind: 'node', node: readersMachine, ip: dockerGatewayIP, external: true };
  if (from.fromNode !== undefined) {
    const node = cluster.nodes[from.fromNode];
    if (node === undefined) return `Error response from daemon: No such container: ${from.fromNode}`;
    const agent = cluster.cilium?.agents[node.name];
    return { kind: 'node', node: node.name, ip: node.internalIP, ...(agent !== undefined ? { agent } : {}) };
  }
  const podKey = from.fromPodKey ?? '';
  const pod: Pod | undefined = getObject(cluster.api, 'Pod', podKey);
  const location = sandboxOfPod(cluster, podKey);
  if (
    pod === undefined ||
    location === undefined ||
    location.sandbox.state !== 'running' ||
    location.sandbox.ip === undefined
  )
    return 'the client pod is not running';
  const agent = cluster.cilium?.agents[location.node];
  const endpoint = agent === undefined ? undefined : endpointOf(agent, location.sandbox);
  return {
    kind: 'pod',
    node: location.node,
    pod,
    podKey,
    namespace: pod.metadata.namespace ?? 'default',
    sandbox: location.sandbox,
    ip: location.sandbox.ip,
    ...(agent !== undefined ? { agent } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
  };
}

function inClusterRange(cluster: Cluster, ip: string): boolean {
  const address = parsePrefix(`${ip}/32`, true)?.network;
  if (address === undefined) return false;
  const ranges = [cluster.serviceCIDR, ...Object.values(cluster.nodes).map((node) => node.podCIDR)];
  for (const range of ranges) {
    const prefix = parsePrefix(range, true);
    if (prefix !== undefined && prefixContains(prefix, address)) return true;
  }
  return Object.values(cluster.nodes).some((node) => node.internalIP === ip);
}

/** What holds an address in truth: a pod, a node, or (outside the cluster's ranges) the internet. */
export function locateTarget(cluster: Cluster, ip: string): Target | undefined {
  const server = sandboxOwningAddress(cluster, ip);
  if (server !== undefined) {
    const pod = getObject(cluster.api, 'Pod', server.sandbox.podKey);
    const agent = cluster.cilium?.agents[server.node];
    const endpoint = agent === undefined ? undefined : endpointOf(agent, server.sandbox);
    return {
      kind: 'pod',
      node: server.node,
      sandbox: server.sandbox,
      ...(pod !== undefined ? { pod } : {}),
      ...(agent !== undefined ? { agent } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
    };
  }
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    if (node === undefined) continue;
    const agent = cluster.cilium?.agents[name];
    if (node.internalIP === ip || agent?.routerIP === ip) return { kind: 'node', node: name, ip };
  }
  if (inClusterRange(cluster, ip)) return undefined;
  const host = externalHostAt(ip);
  return { kind: 'world', ip, ...(host !== undefined ? { host } : {}) };
}

/** Service translation on the client's node, from that node's view of the Endpoints. */
export function translateService(
  world: World,
  cluster: Cluster,
  origin: Origin,
  address: string,
  port: number,
  explanation: string[],
  frontend?: NodePortFrontend,
): { backendIP: string; backendPort: number } | 'refused' {
  const service =
    frontend !== undefined
      ? getObject(cluster.api, 'Service', frontend.serviceKey)
      : listObjects(cluster.api, 'Service').find((candidate) => candidate.spec.clusterIP === address);
  if (service === undefined) return { backendIP: address, backendPort: port };
  if (origin.kind === 'node' && origin.external !== true && !nodeTranslatesClusterIPs(cluster)) {
    explanation.push(
      `Neither kube-proxy nor Cilium's socket LB runs on ${origin.node}, so nothing translates ${address}; the packet follows the default route.`,
    );
    return { backendIP: address, backendPort: port };
  }
  const cilium = cluster.cilium;
  const clientAgent = cilium?.agents[origin.node];
  const serviceKey = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
  const view = clientAgent === undefined ? undefined : cilium?.views[clientAgent.viewId];
  const servicePort = frontend?.port ?? service.spec.ports.find((candidate) => candidate.port === port);
  const backends = (view?.serviceBackends[serviceKey] ?? []).filter(() => servicePort !== undefined);
  if (backends.length === 0) {
    explanation.push(
      `${service.metadata.name} (${address}) has no ready backend in ${origin.node}'s view, so the connection is rejected at once.`,
    );
    return 'refused';
  }
  const backend = backends[nextIntBetween(world.random, 0, backends.length - 1)];
  if (backend === undefined) return 'refused';
  const target = servicePort?.targetPort;
  const backendPort = typeof target === 'number' ? target : (servicePort?.port ?? port);
  explanation.push(
    `${origin.node} translates ${service.metadata.name} (${address}:${port}) to backend ${backend.ip}:${backendPort}.`,
  );
  return { backendIP: backend.ip, backendPort };
}

/** Whether a node's own processes reach ClusterIPs: kube-proxy's rules or Cilium's socket LB. */
function nodeTranslatesClusterIPs(cluster: Cluster): boolean {
  return cluster.kubeProxyMode !== 'none' || cluster.cilium?.config.serviceLoadBalancing.socketLB === true;
}

// ---------------------------------------------------------------------------------------------
// The trip through the datapath.

/** A verdict that sends the connection through a node's L7 proxy. */
export interface Redirect {
  node: string;
  direction: 'INGRESS' | 'EGRESS';
  verdict: PolicyVerdict;
  observer: AgentState;
}

/** A connection (or one more packet of it) that made it to the server side. */
export interface Passage {
  ok: true;
  origin: Origin;
  target: Target;
  tuple: PacketTuple;
  redirects: Redirect[];
  mistaken?: MistakenIdentity;
  /** The client's identity as the server's node believed it. */
  sourceIdentityAtServer: number;
  /** The server's identity as the client's node resolved it. */
  destinationIdentity: number;
  /** True when conntrack already knew the connection (CT_ESTABLISHED). */
  established: boolean;
  /** Virtual time at which this packet passed (later than the clock for a retransmitted SYN). */
  atMs: number;
  /** Policy entries that admit only some TLS server names (`toPorts[].serverNames`), per node. */
  serverNames?: ServerNameCheck[];
  /** The policy-map entries this packet was counted on, for the rest of the exchange (policy-stats.ts). */
  policyCounters?: PolicyCounterKey[];
}

/** Where a `serverNames` rule restricts the TLS SNI of a connection, and which names it admits. */
export interface ServerNameCheck {
  node: string;
  direction: 'EGRESS' | 'INGRESS';
  allowed: readonly string[];
}

/**
 * The SNIs an allowing verdict admits: undefined when some allowing rule has no `serverNames`
 * (it admits any), else the union of the rules' lists.
 */
function serverNamesOf(verdict: PolicyVerdict | undefined): readonly string[] | undefined {
  if (verdict === undefined || verdict.decision !== 'allowed') return undefined;
  const rules = verdict.explanation.rules.filter((rule) => !rule.deny);
  if (rules.length === 0 || rules.some((rule) => (rule.serverNames?.length ?? 0) === 0)) return undefined;
  return [...new Set(rules.flatMap((rule) => rule.serverNames ?? []))].sort();
}

/** Why a connection (or packet) went nowhere. */
export interface Blocked {
  ok: false;
  reason: string;
  mistaken?: MistakenIdentity;
  /** Set when mutual authentication dropped the packet: which node, why, and the auth key. */
  auth?: { node: string; drop: AuthDropReason; key?: AuthKey };
}

/** How traverse sends a packet: now, or later (a retransmission), and whether it repeats a SYN. */
export interface TraverseOptions {
  atMs?: number;
  retransmit?: boolean;
  /** The packet's frame length when the caller knows its payload (policy counters). */
  frameBytes?: number;
  /**
   * The packet is forwarded by a node (a node port's connection on its way to the backend), not
   * sent by the node's own stack: the host firewall's egress policy does not see it.
   */
  forwarded?: boolean;
  /** The identity the forwarding node writes in the tunnel header (nodeport.h: WORLD_ID). */
  tunnelIdentity?: number;
}

function originIdentity(origin: Origin): number {
  return origin.kind === 'pod' ? (origin.endpoint?.identity ?? 0) : ReservedIdentity.host;
}

/**
 * Sends the first packet of a connection (or, with an established conntrack entry, the next packet
 * in the original direction) from the origin to the target: conntrack and egress policy on the
 * client's node, the transport, conntrack and ingress policy on the server's node.
 */
export function traverse(
  world: World,
  cluster: Cluster,
  origin: Origin,
  target: Target,
  tuple: PacketTuple,
  explanation: string[],
  options: TraverseOptions = {},
): Passage | Blocked {
  const now = options.atMs ?? world.timeMs;
  const cilium = cluster.cilium;
  const redirects: Redirect[] = [];
  const serverNames: ServerNameCheck[] = [];
  const counters: PolicyCounterKey[] = [];
  const flags = (established: boolean): FlowPacket => packetOf(tuple, established);
  const clientAgent = origin.agent;
  const clientIdentity = originIdentity(origin);
  let destinationIdentity: number = ReservedIdentity.world;
  let established = false;
  if (clientAgent !== undefined && cilium !== undefined) {
    syncLocalIdentities(cluster, clientAgent, now);
    destinationIdentity = remoteIdentityFor(cluster, clientAgent, tuple.destinationIP);
  }
  // Egress, on the client's node: the host firewall for the node's own stack (host-firewall.ts),
  // the endpoint's egress policy for a pod.
  if (origin.kind === 'node' && cilium?.config.hostFirewall === true && options.forwarded !== true) {
    const leaving = hostFirewallEgress(
      cluster,
      origin,
      target,
      tuple,
      destinationIdentity,
      explanation,
      now,
      options.retransmit === true,
    );
    if (!leaving.ok) return leaving;
    established = leaving.established;
  }
  // A forwarded packet already passed the client's egress policy on its way to the forwarding node.
  if (
    origin.kind === 'pod' &&
    clientAgent !== undefined &&
    origin.endpoint !== undefined &&
    options.forwarded !== true
  ) {
    const endpoint = origin.endpoint;
    const ct = ctLookup(cluster, origin.node, 'egress', tuple, now);
    // A retransmitted SYN finds the entry its first copy created, but it is still a SYN.
    established = ct.status === 'established' && options.retransmit !== true;
    const verdict = decide(cluster, clientAgent, endpoint, 'egress', destinationIdentity, tuple);
    const egressCounter = counterKeyOf(origin.node, endpoint.id, 'egress', verdict);
    accountPolicyPackets(
      cluster,
      egressCounter,
      1,
      options.frameBytes ?? defaultFrameBytes(tuple, established),
    );
    if (egressCounter !== undefined) counters.push(egressCounter);
    const ends: FlowEnds = {
      source: flowEndpoint(cluster, clientAgent, tuple.sourceIP, tuple.sourcePort, endpoint.identity),
      destination: flowEndpoint(
        cluster,
        clientAgent,
        tuple.destinationIP,
        tuple.destinationPort,
        destinationIdentity,
      ),
    };
    if (verdict !== undefined && verdict.decision === 'denied') {
      recordPolicyVerdict(cluster, now, origin.node, 'EGRESS', verdict, ends, flags(established));
      recordDrop(cluster, now, origin.node, 'EGRESS', verdict, ends, flags(established));
      return {
        ok: false,
        reason: `${established ? 'The connection is established (CT_ESTABLISHED), but bpf_lxc still looks every packet of the original direction up in the policy map, and the ' : 'The '}egress policy of ${origin.pod.metadata.name} on ${origin.node} drops the ${established ? 'packet' : tuple.protocol === 'TCP' ? 'SYN' : 'packet'} to ${describeIdentity(cluster, clientAgent, destinationIdentity)}: ${verdict.explanation.summary}`,
      };
    }
    if (verdict !== undefined && verdict.authType !== 0) {
      const auth = checkAuthentication(
        world,
        cluster,
        clientAgent,
        verdict,
        endpoint.identity,
        destinationIdentity,
        tuple.destinationIP,
        now,
      );
      if (!auth.ok) {
        recordPolicyVerdict(
          cluster,
          now,
          origin.node,
          'EGRESS',
          verdict,
          ends,
          flags(established),
          auth.drop,
        );
        recordDrop(cluster, now, origin.node, 'EGRESS', verdict, ends, flags(established), auth.drop);
        return {
          ok: false,
          reason: auth.sentence,
          auth: { node: origin.node, drop: auth.drop, ...(auth.key !== undefined ? { key: auth.key } : {}) },
        };
      }
      const pass = authPassSentence(clientAgent, auth, now);
      if (pass !== undefined && !established) explanation.push(pass);
    }
    const redirected = verdict?.l7 !== undefined && (verdict.proxyPort ?? 0) > 0;
    if (ct.entry !== undefined && options.retransmit === true) {
      ctTouch(ct.entry, now, { reply: false });
    } else if (ct.entry !== undefined) {
      ctTouch(ct.entry, now, { reply: false });
      explanation.push(
        `Conntrack on ${origin.node} finds the connection established; the policy map still allows it${redirected ? ' and keeps redirecting it to the proxy' : ''}, and no new policy-verdict event is emitted.`,
      );
    } else {
      ctCreate(
        cluster,
        origin.node,
        'egress',
        tuple,
        {
          endpointId: endpoint.id,
          sourceIdentity: endpoint.identity,
          remoteIdentity: destinationIdentity,
          proxyRedirect: redirected,
        },
        now,
      );
      if (verdict !== undefined && enforces(verdict)) {
        recordPolicyVerdict(cluster, now, origin.node, 'EGRESS', verdict, ends, flags(false));
        explanation.push(
          `Egress policy on ${origin.node} allows ${describeIdentity(cluster, clientAgent, destinationIdentity)}: ${verdict.explanation.summary}`,
        );
      }
    }
    if (redirected && verdict !== undefined)
      redirects.push({ node: origin.node, direction: 'EGRESS', verdict, observer: clientAgent });
    const egressNames = serverNamesOf(verdict);
    if (egressNames !== undefined)
      serverNames.push({ node: origin.node, direction: 'EGRESS', allowed: egressNames });
  }
  if (target.kind !== 'pod') {
    if (target.kind === 'world') {
      explanation.push(
        `${tuple.destinationIP} is outside the cluster; ${origin.node} resolves it to ${clientAgent === undefined ? 'reserved:world (2)' : describeIdentity(cluster, clientAgent, destinationIdentity)} and masquerades the packet to the node's address on its way out.`,
      );
    } else if (cilium?.config.hostFirewall === true) {
      const blocked = hostFirewallIngress(cluster, origin, target, tuple, clientIdentity, explanation, now);
      if (blocked !== undefined) return blocked;
    } else {
      explanation.push(
        `${tuple.destinationIP} is node ${target.node}'s own address (${clientAgent === undefined ? 'a node' : describeIdentity(cluster, clientAgent, destinationIdentity)}); without the host firewall no ingress policy applies there.`,
      );
    }
    return {
      ok: true,
      origin,
      target,
      tuple,
      redirects,
      ...(serverNames.length > 0 ? { serverNames } : {}),
      ...(counters.length > 0 ? { policyCounters: counters } : {}),
      sourceIdentityAtServer: clientIdentity,
      destinationIdentity,
      established,
      atMs: now,
    };
  }
  // The trip to the server's node decides where the receiver learns the source identity.
  const serverAgent = target.agent;
  const serverEndpoint = target.endpoint;
  let sourceIdentity = clientIdentity;
  let mistaken: MistakenIdentity | undefined;
  if (cilium === undefined || serverAgent === undefined || serverEndpoint === undefined) {
    return {
      ok: true,
      origin,
      target,
      tuple,
      redirects,
      ...(serverNames.length > 0 ? { serverNames } : {}),
      ...(counters.length > 0 ? { policyCounters: counters } : {}),
      sourceIdentityAtServer: sourceIdentity,
      destinationIdentity,
      established,
      atMs: now,
    };
  }
  if (target.node === origin.node) {
    if (origin.kind === 'node') {
      sourceIdentity = ReservedIdentity.host;
      explanation.push(
        `The packet comes from ${origin.node}'s own stack, which its datapath marks as reserved:host (1).`,
      );
    } else if (!established) {
      explanation.push(
        `Client and server share ${target.node}; the datapath knows the local source endpoint's identity ${describeIdentity(cluster, serverAgent, sourceIdentity)}.`,
      );
    }
  } else {
    const transport = sourceIdentityTransport(cilium.config);
    const receiverEntry = lookupIpcache(cluster, serverAgent, tuple.sourceIP);
    if (origin.kind === 'node' && options.tunnelIdentity !== undefined && transport === 'tunnel-header') {
      sourceIdentity = options.tunnelIdentity;
      explanation.push(
        `${origin.node} writes ${describeIdentity(cluster, serverAgent, sourceIdentity)} into the tunnel header; ${target.node} takes it from there for ${tuple.sourceIP}.`,
      );
    } else if (origin.kind === 'node') {
      // A node's own traffic carries no endpoint identity; the receiver sees a remote node. A client
      // outside the cluster is whatever the receiver's ipcache says of its address: world.
      if (origin.external === true) {
        // An address outside the cluster has the CIDR identity of a prefix a policy names, if any.
        syncLocalIdentities(cluster, serverAgent, now);
        sourceIdentity = remoteIdentityFor(cluster, serverAgent, tuple.sourceIP);
      } else
        sourceIdentity =
          receiverEntry.identity === ReservedIdentity.world
            ? ReservedIdentity.remoteNode
            : receiverEntry.identity;
      explanation.push(
        `The packet comes from ${origin.external === true ? 'outside the cluster' : `node ${origin.node}`}; ${target.node} classifies ${tuple.sourceIP} as ${describeIdentity(cluster, serverAgent, sourceIdentity)}.`,
      );
    } else {
      if (cilium.config.encryption === 'wireguard') {
        const clientNodeIP = cluster.nodes[origin.node]?.internalIP ?? '';
        // WireGuard accepts an inner source address only if it is in the sending peer's allowed IPs,
        // which the receiving agent fills from its own ipcache.
        if (receiverEntry.hostIP !== clientNodeIP) {
          return {
            ok: false,
            reason: `${target.node}'s WireGuard device drops the packet: ${tuple.sourceIP} is not in the allowed IPs of peer ${origin.node}, because ${target.node}'s ipcache ${receiverEntry.identity === ReservedIdentity.world ? 'has no entry for it' : `places it behind ${receiverEntry.hostIP}`}.`,
          };
        }
      }
      if (transport === 'ipcache') {
        sourceIdentity = receiverEntry.identity;
        if (!established && options.retransmit !== true)
          explanation.push(
            `Cilium ${cilium.config.versionMajor}.${cilium.config.versionMinor} with ${cilium.config.encryption === 'wireguard' ? 'WireGuard' : cilium.config.encryption === 'ipsec' ? 'IPsec' : 'native routing'} carries no identity to ${target.node}; it looks ${tuple.sourceIP} up in its own ipcache and finds identity ${describeIdentity(cluster, serverAgent, sourceIdentity)}.`,
          );
      } else if (!established && options.retransmit !== true) {
        explanation.push(
          `${origin.node} writes the source identity ${describeIdentity(cluster, serverAgent, sourceIdentity)} into the tunnel header; ${target.node} takes it from there, not from its ipcache.`,
        );
      }
    }
  }
  if (origin.kind === 'pod' && sourceIdentity !== clientIdentity) {
    const believedPod = lookupIpcache(cluster, serverAgent, tuple.sourceIP).podName;
    mistaken = {
      believedIdentity: sourceIdentity,
      actualIdentity: clientIdentity,
      actualPod: origin.pod.metadata.name,
      ...(believedPod !== undefined ? { believedPod } : {}),
      sentence: `${target.node} believed ${tuple.sourceIP} was identity ${sourceIdentity}${believedPod !== undefined ? ` (${believedPod})` : ''}, but ${origin.pod.metadata.name} with identity ${clientIdentity} sent it.`,
    };
  }
  const ct = ctLookup(cluster, target.node, 'ingress', tuple, now);
  const ingress = decide(cluster, serverAgent, serverEndpoint, 'ingress', sourceIdentity, tuple);
  const ingressCounter = counterKeyOf(target.node, serverEndpoint.id, 'ingress', ingress);
  accountPolicyPackets(
    cluster,
    ingressCounter,
    1,
    options.frameBytes ?? defaultFrameBytes(tuple, ct.status === 'established'),
  );
  if (ingressCounter !== undefined) counters.push(ingressCounter);
  const ends: FlowEnds = {
    source: flowEndpoint(cluster, serverAgent, tuple.sourceIP, tuple.sourcePort, sourceIdentity),
    destination: flowEndpoint(
      cluster,
      serverAgent,
      tuple.destinationIP,
      tuple.destinationPort,
      serverEndpoint.identity,
    ),
    mistaken,
  };
  const ingressEstablished = ct.status === 'established';
  if (ingress !== undefined && ingress.decision === 'denied') {
    recordPolicyVerdict(cluster, now, target.node, 'INGRESS', ingress, ends, flags(ingressEstablished));
    recordDrop(cluster, now, target.node, 'INGRESS', ingress, ends, flags(ingressEstablished));
    return {
      ok: false,
      reason: `${ingressEstablished ? 'The connection is established, but the policy map is consulted for every packet of the original direction: the ' : 'The '}ingress policy of ${target.pod?.metadata.name ?? tuple.destinationIP} on ${target.node} drops the ${ingressEstablished || tuple.protocol !== 'TCP' ? 'packet' : 'SYN'}: ${ingress.explanation.summary}`,
      ...(mistaken !== undefined ? { mistaken } : {}),
    };
  }
  if (ingress !== undefined && ingress.authType !== 0) {
    const auth = checkAuthentication(
      world,
      cluster,
      serverAgent,
      ingress,
      serverEndpoint.identity,
      sourceIdentity,
      tuple.sourceIP,
      now,
    );
    if (!auth.ok) {
      const packet = flags(ingressEstablished);
      recordPolicyVerdict(cluster, now, target.node, 'INGRESS', ingress, ends, packet, auth.drop);
      recordDrop(cluster, now, target.node, 'INGRESS', ingress, ends, packet, auth.drop);
      return {
        ok: false,
        reason: auth.sentence,
        ...(mistaken !== undefined ? { mistaken } : {}),
        auth: { node: target.node, drop: auth.drop, ...(auth.key !== undefined ? { key: auth.key } : {}) },
      };
    }
    const pass = authPassSentence(serverAgent, auth, now);
    if (pass !== undefined && !ingressEstablished) {
      explanation.push(pass);
      if (mistaken !== undefined && origin.kind === 'pod') {
        const peer = Object.values(cluster.nodes).find(
          (node) => node.internalIP === lookupIpcache(cluster, serverAgent, tuple.sourceIP).hostIP,
        );
        explanation.push(
          `Mutual authentication does not catch it: the remote identity ${sourceIdentity} in the key is what ${target.node}'s own ipcache says about ${tuple.sourceIP}, and the handshake only proved that the agent on ${peer?.name ?? origin.node} holds identity ${sourceIdentity}'s SVID (every agent holds every identity's SVID), not that the packet came from a pod with that identity; it came from ${origin.pod.metadata.name} (identity ${clientIdentity}).`,
        );
      }
    }
  }
  const redirected = ingress?.l7 !== undefined && (ingress.proxyPort ?? 0) > 0;
  if (ct.entry !== undefined) ctTouch(ct.entry, now, { reply: false });
  else {
    ctCreate(
      cluster,
      target.node,
      'ingress',
      tuple,
      {
        endpointId: serverEndpoint.id,
        sourceIdentity,
        remoteIdentity: sourceIdentity,
        proxyRedirect: redirected,
      },
      now,
    );
    if (ingress !== undefined && enforces(ingress)) {
      recordPolicyVerdict(cluster, now, target.node, 'INGRESS', ingress, ends, flags(false));
      explanation.push(`Ingress policy on ${target.node} allows it: ${ingress.explanation.summary}`);
    }
  }
  if (redirected && ingress !== undefined)
    redirects.push({ node: target.node, direction: 'INGRESS', verdict: ingress, observer: serverAgent });
  const ingressNames = serverNamesOf(ingress);
  if (ingressNames !== undefined)
    serverNames.push({ node: target.node, direction: 'INGRESS', allowed: ingressNames });
  recordFlow(cluster, {
    timeMs: now,
    node: target.node,
    eventType: 'trace',
    verdict: 'FORWARDED',
    trafficDirection: 'INGRESS',
    ...packetFields(flags(ingressEstablished)),
    isReply: false,
    source: ends.source,
    destination: ends.destination,
    explanation: 'to-endpoint',
    ...(mistaken !== undefined ? { mistaken } : {}),
  });
  return {
    ok: true,
    origin,
    target,
    tuple,
    redirects,
    ...(serverNames.length > 0 ? { serverNames } : {}),
    ...(counters.length > 0 ? { policyCounters: counters } : {}),
    ...(mistaken !== undefined ? { mistaken } : {}),
    sourceIdentityAtServer: sourceIdentity,
    destinationIdentity,
    established: established || ingressEstablished,
    atMs: now,
  };
}

/**
 * The server's answer travelling back: conntrack on each node finds the entry the request created
 * (CT_REPLY), so neither the server's egress nor the client's ingress policy is consulted. With
 * `closing`, the FIN moves the entries to the 10 s close timeout.
 */
export function returnReply(
  world: World,
  cluster: Cluster,
  passage: Passage,
  explanation: string[],
  closing: boolean,
): void {
  const now = Math.max(passage.atMs, world.timeMs);
  const { origin, target, tuple } = passage;
  const back = reversed(tuple);
  const notes: string[] = [];
  if (target.kind === 'pod') {
    const serverCt = ctLookup(cluster, target.node, 'egress', back, now);
    if (serverCt.status === 'reply' && serverCt.entry !== undefined) {
      ctTouch(serverCt.entry, now, { reply: true, closing });
      notes.push(`${target.node} (leaving ${target.pod?.metadata.name ?? tuple.destinationIP})`);
    }
  }
  if (origin.kind === 'pod' && origin.agent !== undefined) {
    const clientCt = ctLookup(cluster, origin.node, 'ingress', back, now);
    if (clientCt.status === 'reply' && clientCt.entry !== undefined) {
      ctTouch(clientCt.entry, now, { reply: true, closing });
      notes.push(`${origin.node} (entering ${origin.pod.metadata.name})`);
      recordFlow(cluster, {
        timeMs: now,
        node: origin.node,
        eventType: 'trace',
        verdict: 'FORWARDED',
        trafficDirection: 'EGRESS',
        ...packetFields(replyPacketOf(back, passage.established)),
        isReply: true,
        source: flowEndpoint(
          cluster,
          origin.agent,
          back.sourceIP,
          back.sourcePort,
          passage.destinationIdentity,
        ),
        destination: flowEndpoint(
          cluster,
          origin.agent,
          back.destinationIP,
          back.destinationPort,
          originIdentity(origin),
        ),
        explanation: 'to-endpoint (reply: conntrack CT_REPLY, no policy lookup)',
      });
    }
  }
  // Host endpoints (host firewall): the reply leaves or enters them as CT_REPLY too.
  const host = hostRepliesPass(cluster, passage, now, closing);
  if (host.atServer !== undefined) notes.unshift(host.atServer);
  if (host.atClient !== undefined) notes.push(host.atClient);
  if (notes.length > 0)
    explanation.push(
      `The reply matches the conntrack entries the request created (CT_REPLY) on ${notes.join(' and ')}, so it passes without a policy lookup.`,
    );
  // The client's egress and the server's ingress entries see the FIN too.
  if (closing) {
    if (origin.kind === 'pod') {
      const entry = ctLookup(cluster, origin.node, 'egress', tuple, now).entry;
      if (entry !== undefined) ctTouch(entry, now, { reply: false, closing: true });
    }
    if (target.kind === 'pod') {
      const entry = ctLookup(cluster, target.node, 'ingress', tuple, now).entry;
      if (entry !== undefined) ctTouch(entry, now, { reply: false, closing: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Applications on the far end.

/** What answers a TCP connection on a node's own address. */
function nodeApplication(cluster: Cluster, node: string, port: number): Application | undefined {
  const runtime = cluster.nodes[node];
  if (runtime === undefined) return undefined;
  if (runtime.role === 'control-plane' && port === cluster.apiServer.port) {
    return {
      name: 'kube-apiserver',
      ports: [port],
      exitsOnSigterm: true,
      respond: (request) => ({
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: `{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "forbidden: User \\"system:anonymous\\" cannot get path \\"${request.path}\\"",\n  "reason": "Forbidden",\n  "details": {},\n  "code": 403\n}\n`,
      }),
    };
  }
  if (port === 10250) {
    return {
      name: 'kubelet',
      ports: [port],
      exitsOnSigterm: true,
      respond: () => ({ status: 401, headers: { 'content-type': 'text/plain' }, body: 'Unauthorized' }),
    };
  }
  return undefined;
}

/** What answers on a host of the modelled internet. */
function worldApplication(host: ExternalHost | undefined, port: number): Application | undefined {
  if (host === undefined || !host.httpPorts.includes(port)) return undefined;
  return {
    name: host.name,
    ports: [...host.httpPorts],
    exitsOnSigterm: true,
    respond: (request) => siteResponse(host, request, request.port === 443),
  };
}

/** The application that accepts a TCP connection at the target, if any. */
export function applicationAt(cluster: Cluster, target: Target, port: number): Application | undefined {
  if (target.kind === 'pod') {
    if (target.pod === undefined || target.sandbox.state !== 'running') return undefined;
    return applicationListeningOn(target.pod, port, target.sandbox);
  }
  if (target.kind === 'node') return nodeApplication(cluster, target.node, port);
  return worldApplication(target.host, port);
}

/** A short name for the target in outcomes (`serverPod`). */
export function targetName(target: Target): string {
  if (target.kind === 'pod') return target.pod?.metadata.name ?? target.sandbox.podKey;
  if (target.kind === 'node') return target.node;
  return target.host?.name ?? target.ip;
}

// ---------------------------------------------------------------------------------------------
// Opening a connection.

/** A fresh ephemeral source port (the kernel's default range). */
export function ephemeralPort(world: World): number {
  return nextIntBetween(world.random, 32768, 60999);
}

/** Resolves a name for an origin: cluster DNS as packets when it exists, otherwise the model's shortcut. */
export type NameResolver = (
  world: World,
  origin: Origin,
  name: string,
  deadlineMs?: number,
) => NameResolution;

/** A resolved address, or why there is none (`timedOut`: the client's deadline passed first). */
export type NameResolution =
  | { ok: true; ip: string; elapsedMs: number }
  | { ok: false; elapsedMs: number; rcode?: string; timedOut?: true };

let nameResolver: NameResolver | undefined;

/** Installed by traffic.ts, which owns the DNS path (avoids an import cycle). */
export function setNameResolver(resolver: NameResolver): void {
  nameResolver = resolver;
}

/** Resolves the host of a request to an address, recording how. */
export function resolveHost(
  world: World,
  cluster: Cluster,
  origin: Origin,
  host: string,
  explanation: string[],
  deadlineMs?: number,
):
  | { ok: true; address: string; elapsedMs: number }
  | { ok: false; elapsedMs: number; rcode?: string; timedOut?: true } {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return { ok: true, address: host, elapsedMs: 0 };
  if (origin.kind === 'pod' && hasClusterDns(cluster) && nameResolver !== undefined) {
    const answer = nameResolver(world, origin, host, deadlineMs);
    if (answer.ok) return { ok: true, address: answer.ip, elapsedMs: answer.elapsedMs };
    explanation.push(
      answer.timedOut === true
        ? `The client stops waiting for the DNS lookup of ${host} after ${deadlineMs ?? 0} ms.`
        : `The DNS lookup of ${host} failed${answer.rcode !== undefined ? ` (${answer.rcode})` : ''}.`,
    );
    return answer;
  }
  const namespace = origin.kind === 'pod' ? origin.namespace : 'default';
  const address =
    origin.kind === 'pod'
      ? resolveWithoutDns(cluster, host, namespace)
      : upstreamAnswer(host, 0).answers[0]?.ip;
  if (address === undefined) {
    explanation.push(
      origin.kind === 'pod'
        ? `Cluster DNS has no record for ${host} in namespace ${namespace}.`
        : `${origin.node}'s resolver has no record for ${host}.`,
    );
    return { ok: false, elapsedMs: 5 };
  }
  return { ok: true, address, elapsedMs: 0 };
}

/** What an application-level exchange over an opened connection needs. */
export interface OpenedConnection {
  passage: Passage;
  /** A node port's first leg, from the client to the node, when the node forwarded the connection. */
  frontLeg?: Passage;
  address: string;
  backendIP: string;
  backendPort: number;
  elapsedMs: number;
  /** How long name resolution took, part of elapsedMs. */
  resolveMs?: number;
}

/**
 * Opens a TCP connection (or sends a UDP datagram) up to the server side: resolution, service
 * translation, the datapath. Returns either the passage or the outcome to report.
 */
export function connect(
  world: World,
  origin: Origin,
  request: {
    host: string;
    /** An address given instead of the host's (curl's `--resolve`). */
    address?: string;
    port: number;
    protocol: 'TCP' | 'UDP';
    timeoutMs: number;
    resolveTimeoutMs?: number;
    /** The client socket's port, when it is already bound (a UDP socket sending again). */
    sourcePort?: number;
  },
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const cluster = requireCluster(world);
  const resolved =
    request.address !== undefined
      ? { ok: true as const, address: request.address, elapsedMs: 0 }
      : resolveHost(world, cluster, origin, request.host, explanation, request.resolveTimeoutMs);
  if (!resolved.ok)
    return {
      kind: 'resolve-failed',
      elapsedMs: resolved.elapsedMs,
      explanation,
      ...(resolved.rcode !== undefined ? { dnsRcode: resolved.rcode } : {}),
      ...(resolved.timedOut === true ? { timedOut: true as const } : {}),
    };
  const address = resolved.address;
  const unreachable = unreachableFromOutside(cluster, origin, address, request.port);
  if (unreachable !== undefined) {
    explanation.push(unreachable.sentence);
    if (unreachable.outcome === 'timeout')
      return { kind: 'timeout', elapsedMs: resolved.elapsedMs + request.timeoutMs, address, explanation };
    if (unreachable.outcome === 'no-host')
      return {
        kind: 'error',
        elapsedMs: arpFailureMs,
        message: `curl: (7) Failed to connect to ${request.host} port ${request.port} after ${arpFailureMs} ms: Couldn't connect to server`,
        explanation,
      };
    return { kind: 'error', elapsedMs: 0, message: unreachable.sentence, explanation };
  }
  const frontend = request.protocol === 'TCP' ? nodePortFrontend(cluster, address, request.port) : undefined;
  const plan = frontend === undefined ? undefined : planNodePortFor(world, cluster, origin, frontend);
  if (plan !== undefined && frontend !== undefined && plan.kind !== 'socket')
    return connectThroughNode(
      world,
      cluster,
      origin,
      frontend,
      plan,
      { ...request, address, elapsedMs: resolved.elapsedMs },
      explanation,
    );
  if (plan !== undefined) explanation.push(plan.sentence);
  const translated = translateService(world, cluster, origin, address, request.port, explanation, frontend);
  if (translated === 'refused')
    return { kind: 'refused', elapsedMs: resolved.elapsedMs + 2, address, explanation };
  const { backendIP, backendPort } = translated;
  const target = locateTarget(cluster, backendIP);
  const elapsed = resolved.elapsedMs;
  if (target === undefined) {
    explanation.push(`No pod holds ${backendIP} any more, so nothing answers.`);
    return { kind: 'timeout', elapsedMs: elapsed + request.timeoutMs, address, explanation };
  }
  const tuple: PacketTuple = {
    protocol: request.protocol,
    sourceIP: sourceAddressFor(cluster, origin, target),
    sourcePort: request.sourcePort ?? ephemeralPort(world),
    destinationIP: backendIP,
    destinationPort: backendPort,
  };
  const sent = sendSynWithRetransmissions(
    world,
    cluster,
    origin,
    target,
    tuple,
    request,
    elapsed,
    explanation,
  );
  const passage = sent.passage;
  const waitedMs = sent.waitedMs;
  if (!passage.ok)
    return {
      kind: 'timeout',
      elapsedMs: elapsed + Math.min(request.timeoutMs, synGiveUpMs),
      address,
      explanation,
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    };
  return { passage, address, backendIP, backendPort, elapsedMs: elapsed + waitedMs, resolveMs: elapsed };
}

/** How the node receiving a node port's connection tells its source apart. */
function nodePortClientOf(origin: Origin): NodePortClient {
  if (origin.kind === 'pod') return { kind: 'pod', node: origin.node };
  return origin.external === true ? { kind: 'external' } : { kind: 'node', node: origin.node };
}

/** Plans a node port's connection, choosing backends with the world's generator. */
function planNodePortFor(
  world: World,
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
): NodePortPlan {
  return planNodePort(cluster, nodePortClientOf(origin), frontend, (backends: readonly Backend[]) =>
    backends.length === 0 ? undefined : backends[nextIntBetween(world.random, 0, backends.length - 1)],
  );
}

/**
 * The sender of a forwarded node port connection's second leg: the client itself, its node (whose
 * masquerading gave pod traffic the node's address), or the frontend node that SNATed it (to its
 * cilium_host address towards local pods and in tunnel mode, to its own address otherwise).
 */
function forwardingOrigin(
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
  plan: Extract<NodePortPlan, { kind: 'forward' }>,
): Origin {
  if (plan.source === 'client') return origin;
  const node = plan.source === 'client-node' ? origin.node : frontend.node;
  const agent = cluster.cilium?.agents[node];
  const runtime = cluster.nodes[node];
  const viaHost =
    plan.source === 'frontend' &&
    (plan.backend.node === frontend.node || cluster.cilium?.config.routingMode === 'tunnel');
  const ip = viaHost ? (agent?.routerIP ?? runtime?.internalIP ?? '') : (runtime?.internalIP ?? '');
  return { kind: 'node', node, ip, ...(agent !== undefined ? { agent } : {}) };
}

/** Hubble's drop on the frontend for a node port whose Service has no backend to use. */
function recordNoService(
  cluster: Cluster,
  now: number,
  frontend: NodePortFrontend,
  tuple: PacketTuple,
): void {
  const agent = cluster.cilium?.agents[frontend.node];
  if (agent === undefined) return;
  recordFlow(cluster, {
    timeMs: now,
    node: frontend.node,
    eventType: 'drop',
    verdict: 'DROPPED',
    dropReason: 'NO_SERVICE',
    trafficDirection: 'INGRESS',
    ...packetFields(packetOf(tuple, false)),
    source: flowEndpoint(
      cluster,
      agent,
      tuple.sourceIP,
      tuple.sourcePort,
      lookupIdentity(cluster, agent, tuple.sourceIP),
    ),
    destination: flowEndpoint(
      cluster,
      agent,
      tuple.destinationIP,
      tuple.destinationPort,
      ReservedIdentity.host,
    ),
    explanation: `${frontend.serviceName}'s node port has no backend to use`,
  });
}

/**
 * A node port's connection that the node forwards (kube-proxy, or bpf_host for clients outside
 * the socket LB): the client's packet to the node, through the client's egress policy (and the
 * host firewall where kube-proxy answers, which filters on the node's address), then the node's
 * packet to the backend, with the source the plan says (nodeport.ts).
 */
function connectThroughNode(
  world: World,
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
  plan: Exclude<NodePortPlan, { kind: 'socket' }>,
  request: { timeoutMs: number; sourcePort?: number; address: string; elapsedMs: number },
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const { address, elapsedMs } = request;
  const timeout = (mistaken?: MistakenIdentity): ConnectionOutcome => ({
    kind: 'timeout',
    elapsedMs: elapsedMs + Math.min(request.timeoutMs, synGiveUpMs),
    address,
    explanation,
    ...(mistaken !== undefined ? { mistaken } : {}),
  });
  explanation.push(plan.sentence);
  const nodeTarget: Target = { kind: 'node', node: frontend.node, ip: frontend.nodeIP };
  const frontTuple: PacketTuple = {
    protocol: 'TCP',
    sourceIP: sourceAddressFor(cluster, origin, nodeTarget),
    sourcePort: request.sourcePort ?? ephemeralPort(world),
    destinationIP: frontend.nodeIP,
    destinationPort: frontend.nodePort,
  };
  // bpf_host answers node ports before the host firewall sees them; the node's stack does not.
  const toStack = plan.kind === 'closed' || plan.handler === 'kube-proxy';
  const sent =
    origin.kind === 'pod' || toStack
      ? sendSynWithRetransmissions(
          world,
          cluster,
          origin,
          nodeTarget,
          frontTuple,
          { protocol: 'TCP', timeoutMs: request.timeoutMs },
          elapsedMs,
          explanation,
        )
      : undefined;
  const front = sent?.passage;
  if (front !== undefined && !front.ok) return timeout(front.mistaken);
  if (plan.kind === 'closed' || plan.kind === 'no-backend') {
    if (plan.kind === 'no-backend' && plan.handler === 'cilium')
      recordNoService(cluster, world.timeMs, frontend, frontTuple);
    if (plan.kind === 'no-backend' && plan.response === 'drop') return timeout();
    if (front !== undefined) returnReply(world, cluster, front, explanation, true);
    return { kind: 'refused', elapsedMs: elapsedMs + 2, address, explanation };
  }
  return forwardToBackend(
    world,
    cluster,
    origin,
    frontend,
    plan,
    front,
    frontTuple,
    {
      address,
      elapsedMs: elapsedMs + (sent?.waitedMs ?? 0),
      resolveMs: elapsedMs,
      timeoutMs: request.timeoutMs,
      timeout,
    },
    explanation,
  );
}

/** The second leg of a forwarded node port connection: the frontend node to the backend. */
function forwardToBackend(
  world: World,
  cluster: Cluster,
  origin: Origin,
  frontend: NodePortFrontend,
  plan: Extract<NodePortPlan, { kind: 'forward' }>,
  front: Passage | undefined,
  frontTuple: PacketTuple,
  outcome: {
    address: string;
    elapsedMs: number;
    resolveMs: number;
    timeoutMs: number;
    timeout: (mistaken?: MistakenIdentity) => ConnectionOutcome;
  },
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const target = locateTarget(cluster, plan.backend.ip);
  if (target?.kind !== 'pod') {
    explanation.push(`No pod holds ${plan.backend.ip} any more, so nothing answers.`);
    return outcome.timeout();
  }
  const from = forwardingOrigin(cluster, origin, frontend, plan);
  const tuple: PacketTuple = {
    protocol: 'TCP',
    sourceIP: plan.source === 'client' ? frontTuple.sourceIP : from.ip,
    sourcePort: plan.source === 'frontend' ? ephemeralPort(world) : frontTuple.sourcePort,
    destinationIP: plan.backend.ip,
    destinationPort: plan.backend.port,
  };
  // The client's kernel retransmits an unanswered SYN, and the node forwards every copy.
  const sent = sendSynWithRetransmissions(
    world,
    cluster,
    from,
    target,
    tuple,
    { protocol: 'TCP', timeoutMs: outcome.timeoutMs },
    outcome.elapsedMs,
    explanation,
    {
      forwarded: true,
      ...(plan.tunnelIdentity !== undefined ? { tunnelIdentity: plan.tunnelIdentity } : {}),
    },
  );
  const passage = sent.passage;
  if (!passage.ok) return outcome.timeout(passage.mistaken);
  return {
    passage:
      front === undefined ? passage : { ...passage, redirects: [...front.redirects, ...passage.redirects] },
    ...(front !== undefined ? { frontLeg: front } : {}),
    address: outcome.address,
    backendIP: plan.backend.ip,
    backendPort: plan.backend.port,
    elapsedMs: outcome.elapsedMs + sent.waitedMs,
    resolveMs: outcome.resolveMs,
  };
}

/**
 * How the client's kernel retransmits an unanswered SYN (net/ipv4/tcp_timer.c): the initial RTO is
 * 1 s (TCP_TIMEOUT_INIT, RFC 6298), doubling after each retransmission, up to
 * net.ipv4.tcp_syn_retries = 6 retransmissions; connect() fails with ETIMEDOUT after the last one's
 * timeout, 1 + 2 + 4 + 8 + 16 + 32 + 64 = 127 s after the first SYN.
 */
export const synRetransmission = { initialRtoMs: 1000, retries: 6 } as const;
export const synGiveUpMs = 127_000;

/**
 * Sends a connection's SYN and, while it goes unanswered, the retransmissions the client's kernel
 * sends before the client gives up (its timeout) or the kernel does (tcp_syn_retries). Every copy
 * goes through the datapath again, so a policy that drops the SYN drops each copy and reports each
 * (policy-verdict and drop events); a copy can also pass where the first did not (mutual
 * authentication once the auth map has the entry). UDP and ICMP are not retransmitted here.
 */
function sendSynWithRetransmissions(
  world: World,
  cluster: Cluster,
  origin: Origin,
  target: Target,
  tuple: PacketTuple,
  request: { protocol: 'TCP' | 'UDP'; timeoutMs: number },
  elapsedMs: number,
  explanation: string[],
  options: Pick<TraverseOptions, 'forwarded' | 'tunnelIdentity'> = {},
): { passage: Passage | Blocked; waitedMs: number } {
  let passage = traverse(world, cluster, origin, target, tuple, explanation, options);
  let waitedMs = 0;
  if (passage.ok) return { passage, waitedMs };
  explanation.push(passage.reason);
  if (request.protocol !== 'TCP') return { passage, waitedMs };
  let backoffMs: number = synRetransmission.initialRtoMs;
  for (let retry = 1; retry <= synRetransmission.retries && !passage.ok; retry++) {
    if (elapsedMs + waitedMs + backoffMs >= request.timeoutMs) break;
    waitedMs += backoffMs;
    backoffMs *= 2;
    explanation.push(
      `No SYN-ACK came back, so ${origin.kind === 'pod' ? origin.pod.metadata.name : origin.node}'s kernel retransmits the SYN ${(waitedMs / 1000).toFixed(0)} s after the first one.`,
    );
    const previous = passage.reason;
    passage = traverse(world, cluster, origin, target, tuple, explanation, {
      ...options,
      atMs: world.timeMs + waitedMs,
      retransmit: true,
    });
    // A copy dropped for the same reason adds nothing new; the auth path changes as the agent works.
    if (!passage.ok && (passage.reason !== previous || passage.auth !== undefined))
      explanation.push(passage.reason);
  }
  return { passage, waitedMs };
}

/**
 * Why the reader's machine cannot reach an address: it has a route to the Docker network, where
 * only the node containers (and their published ports) answer; the pod and service ranges exist
 * only inside the nodes, and the simulator does not model the reader's own internet traffic.
 */
export function unreachableFromOutside(
  cluster: Cluster,
  origin: Origin,
  address: string,
  port?: number,
): { outcome: 'timeout' | 'error' | 'no-host'; sentence: string } | undefined {
  if (origin.kind !== 'node' || origin.external !== true) return undefined;
  if (Object.values(cluster.nodes).some((node) => node.internalIP === address)) return undefined;
  const dockerNetwork = parsePrefix(dockerNetworkCIDR, true);
  const parsed = parsePrefix(`${address}/32`, true);
  if (dockerNetwork !== undefined && parsed !== undefined && prefixContains(dockerNetwork, parsed.network))
    return {
      outcome: 'no-host',
      sentence: `${address} is on the kind Docker network, but no container holds it: your machine's ARP requests go unanswered and the kernel reports the host unreachable.`,
    };
  if (inClusterRange(cluster, address))
    return {
      outcome: 'timeout',
      sentence: `Your machine has no route to ${address}: the pod and service ranges exist only inside the kind nodes, so the packet${port === undefined ? '' : ` to port ${port}`} leaves through your default route and nothing answers.`,
    };
  return {
    outcome: 'error',
    sentence: `${address} is outside the kind network: the simulator models your machine's traffic to the kind nodes (the Docker network 172.18.0.0/16) only.`,
  };
}

/** The source address a packet leaves with: the pod's, or for a node the address its route uses. */
export function sourceAddressFor(cluster: Cluster, origin: Origin, target: Target): string {
  if (origin.kind === 'pod') return origin.ip;
  // A node reaches pods through cilium_host, so its packets carry the router address.
  if (target.kind === 'pod') return origin.agent?.routerIP ?? origin.ip;
  return cluster.nodes[origin.node]?.internalIP ?? origin.ip;
}

/** Remembers a connection the client keeps open, returning its id. */
export function rememberSocket(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  host: string,
  port: number,
): string {
  const state = datapathState(cluster);
  const id = `conn-${state.nextSocketNumber++}`;
  const { origin, target, tuple } = opened.passage;
  const socket: OpenSocket = {
    id,
    ...(origin.kind === 'pod' ? { fromPodKey: origin.podKey } : { fromNode: origin.node }),
    protocol: tuple.protocol,
    sourceIP: tuple.sourceIP,
    sourcePort: tuple.sourcePort,
    host,
    address: opened.address,
    port,
    backendIP: opened.backendIP,
    backendPort: opened.backendPort,
    clientNode: origin.node,
    ...(target.kind === 'pod' || target.kind === 'node' ? { serverNode: target.node } : {}),
    openedMs: Math.max(opened.passage.atMs, world.timeMs),
  };
  state.sockets[id] = socket;
  return id;
}

/**
 * The URL the proxy logs: scheme, the Host header the client sent (curl leaves out the scheme's
 * default port, as browsers do) and the path.
 */
function requestUrl(tls: boolean, host: string, port: number, path: string): string {
  const scheme = tls ? 'https' : 'http';
  const defaultPort = tls ? 443 : 80;
  return `${scheme}://${host}${port === defaultPort ? '' : `:${port}`}${path}`;
}

/** An HTTP request sent over an opened connection. */
interface HttpExchangeRequest {
  host: string;
  port: number;
  http: Omit<HttpRequest, 'host' | 'port'> & { grpc?: boolean };
  /** The request travels inside TLS that Envoy terminated (terminatingTLS). */
  tls?: boolean;
  /** Envoy's answer when its own connection to the server fails (cilium/tls-interception.ts). */
  upstreamFailure?: HttpResponse;
}

/** What answered an HTTP request, and whether a proxy refused it (then no response is logged). */
interface HttpAnswer {
  response: HttpResponse;
  elapsedMs: number;
  proxyAnswered: boolean;
  denied?: true;
}

/** Runs an HTTP (or gRPC) request over a passage: the proxies in order, then the application. */
export function exchangeHttp(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  request: HttpExchangeRequest,
  explanation: string[],
  application: Application,
): { response: HttpResponse; elapsedMs: number; proxyAnswered: boolean } {
  const answer = answerHttp(world, cluster, opened, request, explanation, application);
  // Each proxy that let the request through logs the response on its way back (http-response).
  if (answer.denied !== true) recordHttpResponses(world, cluster, opened, request, answer);
  return { response: answer.response, elapsedMs: answer.elapsedMs, proxyAnswered: answer.proxyAnswered };
}

/** The two ends of an HTTP exchange as the node whose proxy saw it names them. */
function proxyFlowEnds(
  cluster: Cluster,
  opened: OpenedConnection,
  redirect: Redirect,
): { client: FlowEndpoint; server: FlowEndpoint } {
  const { passage, backendIP, backendPort } = opened;
  const { origin, target, tuple } = passage;
  const serverIdentity =
    target.kind === 'pod' ? (target.endpoint?.identity ?? 0) : passage.destinationIdentity;
  // The ingress proxy knows the client by the identity its node resolved for it.
  const clientIdentity =
    redirect.direction === 'INGRESS' ? passage.sourceIdentityAtServer : originIdentity(origin);
  return {
    client: flowEndpoint(cluster, redirect.observer, tuple.sourceIP, tuple.sourcePort, clientIdentity),
    server: flowEndpoint(cluster, redirect.observer, backendIP, backendPort, serverIdentity),
  };
}

/** The http-response records of the proxies a forwarded request went through. */
function recordHttpResponses(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  request: HttpExchangeRequest,
  answer: HttpAnswer,
): void {
  const { passage } = opened;
  for (const redirect of passage.redirects) {
    const { client, server } = proxyFlowEnds(cluster, opened, redirect);
    recordFlow(cluster, {
      timeMs: Math.max(passage.atMs, world.timeMs),
      node: redirect.node,
      eventType: 'l7',
      verdict: 'FORWARDED',
      trafficDirection: redirect.direction,
      protocol: 'TCP',
      isReply: true,
      source: server,
      destination: client,
      explanation: `the response passes back through ${redirect.node}'s Envoy`,
      l7: {
        type: 'http-response',
        method: request.http.method,
        url: requestUrl(request.tls === true, request.host, request.port, request.http.path),
        httpProtocol: request.http.grpc === true ? 'HTTP/2' : 'HTTP/1.1',
        code: answer.response.status,
        latencyMs: answer.elapsedMs,
      },
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    });
  }
}

/** The proxies' verdicts in order (each logs its http-request), then the application's answer. */
function answerHttp(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  request: HttpExchangeRequest,
  explanation: string[],
  application: Application,
): HttpAnswer {
  const { passage } = opened;
  const { target } = passage;
  const http = request.http;
  const grpc = http.grpc === true;
  // The node's Envoy answers redirected requests itself when its L7 rules refuse them.
  for (const redirect of passage.redirects) {
    const answer = evaluateHttpRequest(redirect.verdict, {
      method: http.method,
      path: http.path,
      host: request.host,
      headers: http.headers,
      grpc,
    });
    const ends = proxyFlowEnds(cluster, opened, redirect);
    recordFlow(cluster, {
      timeMs: Math.max(passage.atMs, world.timeMs),
      node: redirect.node,
      eventType: 'l7',
      verdict: answer.allowed ? 'FORWARDED' : 'DROPPED',
      trafficDirection: redirect.direction,
      protocol: 'TCP',
      source: ends.client,
      destination: ends.server,
      explanation: `${answer.explanation.layer}: ${answer.explanation.summary}`,
      l7: {
        type: 'http-request',
        method: http.method,
        url: requestUrl(request.tls === true, request.host, request.port, http.path),
        httpProtocol: grpc ? 'HTTP/2' : 'HTTP/1.1',
      },
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    });
    explanation.push(
      `${redirect.node}'s Envoy (cilium.l7policy filter, ${redirect.direction.toLowerCase()}) ${answer.allowed ? 'lets' : 'refuses'} ${http.method} ${http.path}: ${answer.explanation.summary}`,
    );
    if (!answer.allowed) {
      const response: HttpResponse = grpc
        ? {
            status: 200,
            headers: {
              'content-type': 'application/grpc',
              'grpc-status': String(answer.grpcStatus ?? 7),
              'grpc-message': answer.grpcMessage ?? 'Access denied',
              server: 'envoy',
            },
            body: '',
          }
        : {
            status: answer.httpStatus ?? 403,
            headers: { 'content-type': 'text/plain', server: 'envoy' },
            body: answer.body ?? 'Access denied\r\n',
          };
      return { response, elapsedMs: 4, proxyAnswered: true, denied: true };
    }
  }
  // Every rule let the request through; Envoy now needs the server, and may fail to reach it.
  if (request.upstreamFailure !== undefined)
    return { response: request.upstreamFailure, elapsedMs: 4, proxyAnswered: true };
  const pod = target.kind === 'pod' ? target.pod : undefined;
  if (grpc && application.grpc !== undefined && pod !== undefined) {
    const [, service = '', method = ''] = /^\/([^/]+)\/([^/]+)$/.exec(http.path) ?? [];
    const argument = http.headers['x-grpc-argument'];
    const reply = application.grpc({ service, method, ...(argument !== undefined ? { argument } : {}) }, pod);
    return {
      response: {
        status: 200,
        headers: {
          'content-type': 'application/grpc',
          'grpc-status': String(reply.status),
          'grpc-message': reply.message,
        },
        body: reply.body ?? '',
      },
      elapsedMs: 6,
      proxyAnswered: false,
    };
  }
  // HTTP servers answer HEAD as they would GET (RFC 9110 section 9.3.2); the client reads no body.
  const asked = {
    ...http,
    method: http.method === 'HEAD' ? 'GET' : http.method,
    host: request.host,
    port: request.port,
  };
  const response = (pod === undefined
    ? application.respond(asked, {} as Pod)
    : application.respond(asked, pod)) ?? {
    status: 200,
    headers: {},
    body: '',
  };
  return { response, elapsedMs: 6, proxyAnswered: false };
}

/**
 * TLS through Envoy's HTTP listener (docs: security/tls-visibility). A TLS connection redirected to
 * the HTTP proxy can only be parsed when the rule has `terminatingTLS`; Envoy then terminates it
 * with that Secret, applies the HTTP rules and opens its own connection to the server
 * (cilium/tls-interception.ts). Without `terminatingTLS` Envoy cannot read the encrypted bytes and
 * the connection is closed during the handshake. Returns curl's error when the handshake fails,
 * the 503 Envoy will answer when its upstream connection fails, or undefined when nothing intercepts.
 */
function interceptTls(
  cluster: Cluster,
  opened: OpenedConnection,
  request: ConnectionRequest,
  explanation: string[],
  atMs: number,
): { error: string } | { upstreamFailure?: HttpResponse } | undefined {
  const { passage, backendIP } = opened;
  if (request.tls === undefined || cluster.cilium?.config.l7Proxy !== true) return undefined;
  for (const redirect of passage.redirects) {
    const l7 = redirect.verdict.l7;
    if (l7?.parser !== 'http') continue;
    const where = `${redirect.node}'s Envoy (${redirect.direction.toLowerCase()})`;
    const terminating = l7.rules.find((rule) => rule.reference.terminatingTLS !== undefined)?.reference;
    if (terminating?.terminatingTLS === undefined) {
      explanation.push(
        `${where} is asked to parse HTTP on a TLS connection, but no rule on this port has terminatingTLS; it cannot read the encrypted bytes and closes the connection during the handshake.`,
      );
      return {
        error: `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to ${request.host}:${request.port}`,
      };
    }
    const ingress = redirect.direction === 'INGRESS';
    const outcome = interceptTlsConnection(
      cluster,
      {
        node: redirect.node,
        observer: redirect.observer,
        direction: redirect.direction,
        reference: terminating,
        podIP: ingress ? backendIP : passage.tuple.sourceIP,
        remoteIP: ingress ? passage.tuple.sourceIP : backendIP,
        remoteIdentity: ingress ? passage.sourceIdentityAtServer : passage.destinationIdentity,
        port: request.port,
        ...(request.tlsServerName !== undefined ? { sni: request.tlsServerName } : {}),
        ...(passage.target.kind === 'world' && passage.target.host !== undefined
          ? { server: passage.target.host }
          : {}),
        client: request.tls,
        host: request.host,
        atMs,
      },
      explanation,
    );
    if (outcome.kind === 'handshake-failed') return { error: outcome.message };
    return outcome.upstreamFailure !== undefined ? { upstreamFailure: outcome.upstreamFailure } : {};
  }
  return undefined;
}

/**
 * Finds the sender of a request and opens its TCP connection: how every TCP client starts (curl,
 * an OpenSSL or nc port check, a Kafka client). Returns the open connection or what to report.
 */
export function openTcpConnection(
  world: World,
  request: {
    fromPodKey?: string;
    fromNode?: string;
    host: string;
    address?: string;
    port: number;
    timeoutMs: number;
    resolveTimeoutMs?: number;
  },
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const origin = locateOrigin(requireCluster(world), request);
  if (typeof origin === 'string') return { kind: 'error', elapsedMs: 0, message: origin, explanation };
  return connect(world, origin, { ...request, protocol: 'TCP' }, explanation);
}

/** Opens a connection from a pod (or a node) and, if it gets through, sends the HTTP request. */
export function openConnection(world: World, request: ConnectionRequest): ConnectionOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const opened = openTcpConnection(world, request, explanation);
  if (!('passage' in opened)) return opened;
  // A request handed to a node's Envoy may wait on a worker a filter keeps busy (cilium/envoy.ts).
  const stalled = stallAtProxy(
    cluster,
    opened,
    request.port,
    request.timeoutMs,
    explanation,
    Math.max(opened.passage.atMs, world.timeMs),
  );
  if (stalled !== undefined) return stalled;
  const { passage, address, backendIP, backendPort } = opened;
  // A node port's connection has two legs whose conntrack entries the reply passes.
  const replyBoth = (closing: boolean): void => {
    returnReply(world, cluster, passage, explanation, closing);
    if (opened.frontLeg !== undefined) returnReply(world, cluster, opened.frontLeg, explanation, closing);
  };
  // A `serverNames` rule: Envoy reads the ClientHello's SNI and closes a connection it does not admit.
  // Enforced by Envoy, so only with the L7 proxy on (the docs: "requires L7 proxy enabled").
  const sniChecks = cluster.cilium?.config.l7Proxy === true ? (passage.serverNames ?? []) : [];
  const refusedSni = sniChecks.find(
    (check) => request.tlsServerName === undefined || !check.allowed.includes(request.tlsServerName),
  );
  if (refusedSni !== undefined) {
    explanation.push(
      `The ${refusedSni.direction.toLowerCase()} rule on ${refusedSni.node} admits only the TLS server names ${refusedSni.allowed.join(', ')}; Envoy reads ${request.tlsServerName === undefined ? 'no SNI' : `SNI ${request.tlsServerName}`} in the ClientHello and resets the connection.`,
    );
    replyBoth(true);
    // A reset during the handshake: curl reports the failed read (the docs' output for l4_sni.yaml).
    return {
      kind: 'error',
      elapsedMs: opened.elapsedMs + 3,
      message: 'curl: (35) Recv failure: Connection reset by peer',
      explanation,
    };
  }
  const intercepted = interceptTls(
    cluster,
    opened,
    request,
    explanation,
    Math.max(passage.atMs, world.timeMs),
  );
  if (intercepted !== undefined && 'error' in intercepted) {
    replyBoth(true);
    return { kind: 'error', elapsedMs: opened.elapsedMs + 3, message: intercepted.error, explanation };
  }
  const mistaken = passage.mistaken;
  const application = applicationAt(cluster, passage.target, backendPort);
  if (application === undefined) {
    if (passage.target.kind === 'world') {
      explanation.push(`Nothing on the modelled internet answers ${backendIP}:${backendPort}.`);
      return { kind: 'timeout', elapsedMs: opened.elapsedMs + request.timeoutMs, address, explanation };
    }
    explanation.push(
      `Nothing listens on ${backendIP}:${backendPort} in ${targetName(passage.target)}; the kernel answers with a reset.`,
    );
    replyBoth(true);
    return { kind: 'refused', elapsedMs: opened.elapsedMs + 3, address, explanation };
  }
  const untrusted =
    intercepted === undefined && passage.target.kind === 'world'
      ? directTlsFailure(passage.target.host, request.tls, explanation)
      : undefined;
  if (untrusted !== undefined) {
    replyBoth(true);
    return { kind: 'error', elapsedMs: opened.elapsedMs + 3, message: untrusted, explanation };
  }
  // Istio (mesh/traffic.ts): sidecars or ztunnel may end the exchange before the application.
  const meshAnswer = answerInMesh(world, opened, request, explanation, () => replyBoth(true));
  if (meshAnswer !== undefined) return meshAnswer;
  const http = request.http ?? { method: 'GET', path: '/', headers: {} };
  const result = exchangeHttp(
    world,
    cluster,
    opened,
    {
      host: request.host,
      port: request.port,
      http,
      ...(request.tls !== undefined ? { tls: true } : {}),
      ...(intercepted?.upstreamFailure !== undefined ? { upstreamFailure: intercepted.upstreamFailure } : {}),
    },
    explanation,
    application,
  );
  accountHttpExchange(
    cluster,
    passage.policyCounters ?? [],
    httpRequestBytes(request.host, request.port, http),
    request.keepOpen !== true,
  );
  replyBoth(request.keepOpen !== true);
  const connectionId =
    request.keepOpen === true
      ? rememberSocket(world, cluster, opened, request.host, request.port)
      : undefined;
  return {
    kind: 'response',
    elapsedMs: opened.elapsedMs + result.elapsedMs,
    address,
    response: result.response,
    serverPod: targetName(passage.target),
    explanation,
    ...(mistaken !== undefined ? { mistaken } : {}),
    ...(connectionId !== undefined ? { connectionId } : {}),
    ...(opened.resolveMs !== undefined ? { resolveMs: opened.resolveMs } : {}),
    local: { ip: passage.tuple.sourceIP, port: passage.tuple.sourcePort },
  };
}
