/**
 * The `pod.traffic` input: traffic beyond a single HTTP request, decided by the same datapath and
 * policy engine. DNS lookups (dns-lookup.ts, through the agent's DNS proxy), gRPC calls (grpc.ts),
 * Kafka requests (kafka.ts), pings (icmp-echo.ts), bare TCP connections (tcp-connect.ts), UDP
 * datagrams (udp-datagram.ts), and further requests on a connection the client kept open.
 *
 * Every function here changes the world (conntrack, the DNS cache, flows), so a terminal must call
 * them through the `pod.traffic` input event, never directly, for replays to stay exact.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import type { Cluster } from '../world';
import { ctLookup, ctTouch, type PacketTuple } from './conntrack';
import { exchangeHttp } from './proxy-redirection';
import { locateOrigin, locateTarget, targetName } from './connection-ends';
import { datapathState, type OpenSocket } from './datapath-state';
import type { KafkaCall } from '../k8s/applications';
import type { ConnectionOutcome, OpenedConnection, SendRequest, TrafficRequest } from './datapath-types';
import { resolveDns, type DnsOutcome } from './dns-lookup';
import { grpcFromConnection, grpcHttp, sendGrpc, type GrpcOutcome } from './grpc';
import { sendEcho, type EchoOutcome } from './icmp-echo';
import { exchangeKafka, kafkaErrorNames, kafkaRequest, type KafkaOutcome } from './kafka';
import { traverse } from './packet-path';
import { returnReply } from './reply-path';
import { applicationAt } from './server-applications';
import { tcpConnect, type TcpConnectOutcome } from './tcp-connect';
import { sendUdpDatagram, type UdpDatagramOutcome } from './udp-datagram';

/** The outcome of a request on an open connection. */
export type SendOutcome = ConnectionOutcome | GrpcOutcome | KafkaOutcome;

/**
 * Sends another request on an established connection. Conntrack knows it (CT_ESTABLISHED), so no
 * policy-verdict event is emitted, but the datapath still looks the packet up in the current policy
 * map: a deny added since the connection opened drops it. The reply passes as CT_REPLY.
 */
export function sendOnConnection(world: World, request: SendRequest): SendOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const socket = datapathState(cluster).sockets[request.connectionId];
  if (socket === undefined)
    return {
      kind: 'error',
      elapsedMs: 0,
      message: `no open connection ${request.connectionId}`,
      explanation,
    };
  const opened = resend(world, cluster, socket, request.timeoutMs, explanation);
  if (!('passage' in opened)) return opened;
  if (request.kafka !== undefined)
    return kafkaOnSocket(world, cluster, opened, socket, request.kafka, explanation);
  const { passage } = opened;
  const application = applicationAt(cluster, passage.target, socket.backendPort);
  if (application === undefined) {
    explanation.push(`Nothing listens on ${socket.backendIP}:${socket.backendPort} any more.`);
    return { kind: 'refused', elapsedMs: 3, address: socket.address, explanation };
  }
  const http =
    request.grpc !== undefined
      ? grpcHttp(request.grpc)
      : (request.http ?? { method: 'GET', path: '/', headers: {} });
  const result = exchangeHttp(
    world,
    cluster,
    opened,
    { host: socket.host, port: socket.port, http },
    explanation,
    application,
  );
  returnReply(world, cluster, passage, explanation, false);
  const outcome: ConnectionOutcome = {
    kind: 'response',
    elapsedMs: result.elapsedMs,
    address: socket.address,
    response: result.response,
    serverPod: targetName(passage.target),
    explanation,
    connectionId: socket.id,
    ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
  };
  return request.grpc !== undefined ? grpcFromConnection(outcome) : outcome;
}

/** The next packet of an open connection through the datapath, from the socket's two ends today. */
function resend(
  world: World,
  cluster: Cluster,
  socket: OpenSocket,
  timeoutMs: number,
  explanation: string[],
): OpenedConnection | ConnectionOutcome {
  const origin = locateOrigin(cluster, socket);
  if (typeof origin === 'string') return { kind: 'error', elapsedMs: 0, message: origin, explanation };
  const target = locateTarget(cluster, socket.backendIP);
  if (target === undefined) {
    explanation.push(`No pod holds ${socket.backendIP} any more, so nothing answers.`);
    return { kind: 'timeout', elapsedMs: timeoutMs, address: socket.address, explanation };
  }
  const passage = traverse(world, cluster, origin, target, socketTuple(socket), explanation);
  if (!passage.ok) {
    explanation.push(passage.reason);
    return {
      kind: 'timeout',
      elapsedMs: timeoutMs,
      address: socket.address,
      explanation,
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    };
  }
  return {
    passage,
    address: socket.address,
    backendIP: socket.backendIP,
    backendPort: socket.backendPort,
    elapsedMs: 0,
  };
}

/** A Kafka request on an open connection. */
function kafkaOnSocket(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  socket: OpenSocket,
  call: KafkaCall,
  explanation: string[],
): KafkaOutcome {
  const result = exchangeKafka(world, opened, call, explanation);
  returnReply(world, cluster, opened.passage, explanation, false);
  if (result === undefined) return { kind: 'refused', elapsedMs: 3, address: socket.address, explanation };
  return {
    kind: 'kafka',
    errorCode: result.errorCode,
    errorName: kafkaErrorNames[result.errorCode] ?? 'UNKNOWN',
    messages: result.messages,
    ...(result.highWatermark !== undefined ? { highWatermark: result.highWatermark } : {}),
    deniedByProxy: result.deniedByProxy,
    serverPod: targetName(opened.passage.target),
    elapsedMs: 5,
    explanation,
    connectionId: socket.id,
  };
}

/** The tuple of a socket's packets in the original direction. */
function socketTuple(socket: OpenSocket): PacketTuple {
  return {
    protocol: socket.protocol,
    sourceIP: socket.sourceIP,
    sourcePort: socket.sourcePort,
    destinationIP: socket.backendIP,
    destinationPort: socket.backendPort,
  };
}

/** Closes a connection the client kept open: the FIN moves its conntrack entries to the close timeout. */
function closeConnection(world: World, connectionId: string): { closed: boolean } {
  const cluster = requireCluster(world);
  const state = datapathState(cluster);
  const socket = state.sockets[connectionId];
  if (socket === undefined) return { closed: false };
  const tuple = socketTuple(socket);
  const client = ctLookup(cluster, socket.clientNode, 'egress', tuple, world.timeMs).entry;
  if (client !== undefined) ctTouch(client, world.timeMs, { reply: false, closing: true });
  if (socket.serverNode !== undefined) {
    const server = ctLookup(cluster, socket.serverNode, 'ingress', tuple, world.timeMs).entry;
    if (server !== undefined) ctTouch(server, world.timeMs, { reply: false, closing: true });
  }
  delete state.sockets[connectionId];
  return { closed: true };
}

// ---------------------------------------------------------------------------------------------
// The input event.

/** What `pod.traffic` reports back. */
export type TrafficOutcome =
  | ({ request: 'dns' } & DnsOutcome)
  | ({ request: 'grpc' } & GrpcOutcome)
  | ({ request: 'kafka' } & KafkaOutcome)
  | ({ request: 'send' } & SendOutcome)
  | ({ request: 'icmp-echo' } & EchoOutcome)
  | ({ request: 'tcp-connect' } & TcpConnectOutcome)
  | ({ request: 'udp-datagram' } & UdpDatagramOutcome)
  | { request: 'close'; closed: boolean };

/** Handles one `pod.traffic` input. */
export function handleTraffic(world: World, request: TrafficRequest): TrafficOutcome {
  switch (request.kind) {
    case 'dns':
      return { request: 'dns', ...resolveDns(world, request) };
    case 'grpc':
      return { request: 'grpc', ...sendGrpc(world, request) };
    case 'kafka':
      return { request: 'kafka', ...kafkaRequest(world, request) };
    case 'send':
      return { request: 'send', ...sendOnConnection(world, request) };
    case 'icmp-echo':
      return { request: 'icmp-echo', ...sendEcho(world, request) };
    case 'tcp-connect':
      return { request: 'tcp-connect', ...tcpConnect(world, request) };
    case 'udp-datagram':
      return { request: 'udp-datagram', ...sendUdpDatagram(world, request) };
    case 'close':
      return { request: 'close', ...closeConnection(world, request.connectionId) };
  }
}
