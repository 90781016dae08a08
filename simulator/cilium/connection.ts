/**
 * A client's connection from start to answer, composed from the stages of the packet's path:
 * name resolution (host-resolution.ts), service translation on the client's node
 * (service-translation.ts, or a node port the node forwards: nodeport-forwarding.ts), the SYN and
 * its retransmissions through both nodes' policies (syn-retransmission.ts, packet-path.ts), the
 * node proxies (proxy-redirection.ts, envoy.ts), the Istio mesh where it runs (application-proxies.ts),
 * the application (server-applications.ts) and the reply (reply-path.ts). A connection the client
 * keeps open is remembered as a socket for later requests (traffic.ts).
 */
import type { Application, HttpResponse } from '../k8s/applications';
import type { Cluster, World } from '../world';
import { requireCluster } from '../world';
import { answerInProxies } from './application-proxies';
import type { PacketTuple } from './conntrack';
import {
  arpFailureMs,
  ephemeralPort,
  locateOrigin,
  locateTarget,
  sourceAddressFor,
  targetName,
  unreachableFromOutside,
} from './connection-ends';
import { datapathState, type OpenSocket } from './datapath-state';
import type { ConnectionOutcome, ConnectionRequest, OpenedConnection, Origin } from './datapath-types';
import { stallAtProxy } from './envoy';
import { resolveHost } from './host-resolution';
import { loopbackConnection } from './loopback';
import { nodePortFrontend } from './nodeport';
import { connectThroughNode, planNodePortFor } from './nodeport-forwarding';
import { accountHttpExchange, httpRequestBytes } from './policy-stats';
import { exchangeHttp, interceptTls, refusedServerName } from './proxy-redirection';
import { returnReply } from './reply-path';
import { applicationAt } from './server-applications';
import { translateService } from './service-translation';
import { sendSynWithRetransmissions, synGiveUpMs } from './syn-retransmission';
import { directTlsFailure } from './tls-interception';

/** What a client asks of connect(). */
interface ConnectRequest {
  host: string;
  /** An address given instead of the host's (curl's `--resolve`). */
  address?: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  timeoutMs: number;
  resolveTimeoutMs?: number;
  /** The client socket's port, when it is already bound (a UDP socket sending again). */
  sourcePort?: number;
}

/**
 * Opens a TCP connection (or sends a UDP datagram) up to the server side: resolution, service
 * translation, the datapath. Returns either the passage or the outcome to report.
 */
export function connect(
  world: World,
  origin: Origin,
  request: ConnectRequest,
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const cluster = requireCluster(world);
  const destination = resolveDestination(world, cluster, origin, request, explanation);
  if ('kind' in destination) return destination;
  const { address, elapsedMs: elapsed } = destination;
  const frontend = request.protocol === 'TCP' ? nodePortFrontend(cluster, address, request.port) : undefined;
  const plan = frontend === undefined ? undefined : planNodePortFor(world, cluster, origin, frontend);
  if (plan !== undefined && frontend !== undefined && plan.kind !== 'socket')
    return connectThroughNode(
      world,
      cluster,
      origin,
      frontend,
      plan,
      { ...request, address, elapsedMs: elapsed },
      explanation,
    );
  if (plan !== undefined) explanation.push(plan.sentence);
  const translated = translateService(world, cluster, origin, address, request.port, explanation, frontend);
  if (translated === 'refused') return { kind: 'refused', elapsedMs: elapsed + 2, address, explanation };
  const { backendIP, backendPort } = translated;
  const target = locateTarget(cluster, backendIP);
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
  if (!passage.ok)
    return {
      kind: 'timeout',
      elapsedMs: elapsed + Math.min(request.timeoutMs, synGiveUpMs),
      address,
      explanation,
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    };
  return { passage, address, backendIP, backendPort, elapsedMs: elapsed + sent.waitedMs, resolveMs: elapsed };
}

/** The address the client sends to, or why it sends nothing (a failed lookup, no route). */
function resolveDestination(
  world: World,
  cluster: Cluster,
  origin: Origin,
  request: ConnectRequest,
  explanation: string[],
): { address: string; elapsedMs: number } | ConnectionOutcome {
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
  if (unreachable === undefined) return { address, elapsedMs: resolved.elapsedMs };
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
  const loopback = loopbackConnection(world, cluster, request);
  if (loopback !== undefined) return loopback;
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
  // A node port's connection has two legs whose conntrack entries the reply passes.
  const replyBoth = (closing: boolean): void => {
    returnReply(world, cluster, opened.passage, explanation, closing);
    if (opened.frontLeg !== undefined) returnReply(world, cluster, opened.frontLeg, explanation, closing);
  };
  const reached = reachApplication(world, cluster, opened, request, explanation, replyBoth);
  if ('kind' in reached) return reached;
  const { passage, address } = opened;
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
      ...(reached.upstreamFailure !== undefined ? { upstreamFailure: reached.upstreamFailure } : {}),
    },
    explanation,
    reached.application,
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
    ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    ...(connectionId !== undefined ? { connectionId } : {}),
    ...(opened.resolveMs !== undefined ? { resolveMs: opened.resolveMs } : {}),
    local: { ip: passage.tuple.sourceIP, port: passage.tuple.sourcePort },
  };
}

/**
 * What stands between an opened connection and the application's HTTP answer: Envoy's SNI check
 * and TLS interception, a listener on the port, the certificate of a site on the internet, and
 * the Istio mesh. Returns the application to ask, or what the client gets instead.
 */
function reachApplication(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  request: ConnectionRequest,
  explanation: string[],
  replyBoth: (closing: boolean) => void,
): { application: Application; upstreamFailure?: HttpResponse } | ConnectionOutcome {
  const { passage, address, backendIP, backendPort } = opened;
  const tlsError = (message: string): ConnectionOutcome => {
    replyBoth(true);
    return { kind: 'error', elapsedMs: opened.elapsedMs + 3, message, explanation };
  };
  // A reset during the handshake: curl reports the failed read (the docs' output for l4_sni.yaml).
  if (refusedServerName(cluster, passage, request.tlsServerName, explanation) !== undefined)
    return tlsError('curl: (35) Recv failure: Connection reset by peer');
  const intercepted = interceptTls(
    cluster,
    opened,
    request,
    explanation,
    Math.max(passage.atMs, world.timeMs),
  );
  if (intercepted !== undefined && 'error' in intercepted) return tlsError(intercepted.error);
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
  if (untrusted !== undefined) return tlsError(untrusted);
  // Istio (mesh/traffic.ts, through application-proxies.ts): sidecars or ztunnel may end the
  // exchange before the application.
  const meshAnswer = answerInProxies(world, opened, request, explanation, () => replyBoth(true));
  if (meshAnswer !== undefined) return meshAnswer;
  return {
    application,
    ...(intercepted?.upstreamFailure !== undefined ? { upstreamFailure: intercepted.upstreamFailure } : {}),
  };
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
