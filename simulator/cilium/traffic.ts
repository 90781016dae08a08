/**
 * Traffic beyond a single HTTP request, decided by the same datapath and policy engine: DNS lookups
 * (dns-lookup.ts, through the agent's DNS proxy), gRPC calls (HTTP/2 POSTs to
 * `/package.Service/Method`, refused with grpc-status 7 PERMISSION_DENIED), Kafka requests (refused
 * with error 29 TOPIC_AUTHORIZATION_FAILED) and further requests on a connection the client kept open.
 *
 * Every function here changes the world (conntrack, the DNS cache, flows), so a terminal must call
 * them through the `pod.traffic` input event, never directly, for replays to stay exact.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import type { HttpRequest, KafkaCall } from '../k8s/applications';
import { evaluateKafkaRequest } from '../policy/index';
import { ctLookup, ctTouch, type PacketTuple } from './conntrack';
import type { MistakenIdentity } from './flow';
import { datapathState } from './datapath-state';
import {
  applicationAt,
  exchangeHttp,
  flowEndpoint,
  locateOrigin,
  locateTarget,
  openConnection,
  openTcpConnection,
  recordFlow,
  rememberSocket,
  returnReply,
  targetName,
  traverse,
  type ConnectionOutcome,
  type OpenedConnection,
} from './datapath';
import { resolveDns, type DnsOutcome, type DnsRequest } from './dns-lookup';
import { sendEcho, type EchoOutcome, type EchoRequest } from './icmp-echo';
import { tcpConnect, type TcpConnectOutcome, type TcpConnectRequest } from './tcp-connect';
import { sendUdpDatagram, type UdpDatagramOutcome, type UdpDatagramRequest } from './udp-datagram';

export { resolveDns, type DnsOutcome, type DnsQueryLog, type DnsRequest } from './dns-lookup';

// ---------------------------------------------------------------------------------------------
// gRPC.

/** A gRPC call: `service` is `package.Service`, the path is `/package.Service/Method`. */
export interface GrpcRequest {
  fromPodKey?: string;
  fromNode?: string;
  host: string;
  port: number;
  service: string;
  method: string;
  /** The demo clients' single argument (e.g. a door id). */
  argument?: string;
  timeoutMs: number;
  keepOpen?: boolean;
}

/** A gRPC status (0 OK, 7 PERMISSION_DENIED, 12 UNIMPLEMENTED, 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED). */
export interface GrpcOutcome {
  kind: 'grpc';
  status: number;
  statusName: string;
  message: string;
  body: string;
  elapsedMs: number;
  explanation: string[];
  /** Set when Envoy answered instead of the server. */
  deniedByProxy: boolean;
  serverPod?: string;
  connectionId?: string;
  mistaken?: MistakenIdentity;
}

/** Status names of the gRPC codes the model produces. */
export const grpcStatusNames: Readonly<Record<number, string>> = {
  0: 'OK',
  4: 'DEADLINE_EXCEEDED',
  7: 'PERMISSION_DENIED',
  12: 'UNIMPLEMENTED',
  14: 'UNAVAILABLE',
};

function grpcFromConnection(outcome: ConnectionOutcome): GrpcOutcome {
  const base = {
    body: '',
    deniedByProxy: false,
    explanation: outcome.explanation,
    elapsedMs: outcome.elapsedMs,
  };
  switch (outcome.kind) {
    case 'response': {
      const status = Number(outcome.response.headers['grpc-status'] ?? 2);
      return {
        ...base,
        kind: 'grpc',
        status,
        statusName: grpcStatusNames[status] ?? 'UNKNOWN',
        message: outcome.response.headers['grpc-message'] ?? '',
        body: outcome.response.body,
        deniedByProxy: outcome.response.headers.server === 'envoy',
        serverPod: outcome.serverPod,
        ...(outcome.connectionId !== undefined ? { connectionId: outcome.connectionId } : {}),
        ...(outcome.mistaken !== undefined ? { mistaken: outcome.mistaken } : {}),
      };
    }
    case 'timeout':
      return {
        ...base,
        kind: 'grpc',
        status: 4,
        statusName: 'DEADLINE_EXCEEDED',
        message: 'Deadline Exceeded',
        ...(outcome.mistaken !== undefined ? { mistaken: outcome.mistaken } : {}),
      };
    case 'refused':
      return {
        ...base,
        kind: 'grpc',
        status: 14,
        statusName: 'UNAVAILABLE',
        message: 'failed to connect to all addresses',
      };
    case 'resolve-failed':
      return {
        ...base,
        kind: 'grpc',
        status: 14,
        statusName: 'UNAVAILABLE',
        message: 'DNS resolution failed',
      };
    case 'error':
      return { ...base, kind: 'grpc', status: 14, statusName: 'UNAVAILABLE', message: outcome.message };
  }
}

function grpcHttp(
  request: Pick<GrpcRequest, 'service' | 'method' | 'argument'>,
): Omit<HttpRequest, 'host' | 'port'> & { grpc: true } {
  return {
    method: 'POST',
    path: `/${request.service}/${request.method}`,
    headers: {
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(request.argument !== undefined ? { 'x-grpc-argument': request.argument } : {}),
    },
    grpc: true,
  };
}

/** Makes one gRPC call (an HTTP/2 POST to `/package.Service/Method`) through the datapath and Envoy. */
export function sendGrpc(world: World, request: GrpcRequest): GrpcOutcome {
  return grpcFromConnection(
    openConnection(world, {
      fromPodKey: request.fromPodKey ?? '',
      ...(request.fromNode !== undefined ? { fromNode: request.fromNode } : {}),
      host: request.host,
      port: request.port,
      protocol: 'TCP',
      http: grpcHttp(request),
      timeoutMs: request.timeoutMs,
      ...(request.keepOpen !== undefined ? { keepOpen: request.keepOpen } : {}),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Kafka.

/** A Kafka request from a client pod to a broker. */
export interface KafkaRequest extends KafkaCall {
  fromPodKey?: string;
  fromNode?: string;
  host: string;
  port: number;
  timeoutMs: number;
  keepOpen?: boolean;
}

/** A broker's (or the Kafka proxy's) answer, or how the connection failed. */
export type KafkaOutcome =
  | {
      kind: 'kafka';
      /** 0 NONE, 29 TOPIC_AUTHORIZATION_FAILED. */
      errorCode: number;
      errorName: string;
      messages: string[];
      /** The end of the topic's log, when the broker answered. */
      highWatermark?: number;
      deniedByProxy: boolean;
      serverPod: string;
      elapsedMs: number;
      explanation: string[];
      connectionId?: string;
      mistaken?: MistakenIdentity;
    }
  | Exclude<ConnectionOutcome, { kind: 'response' }>;

/** Error names of the Kafka codes the model produces. */
export const kafkaErrorNames: Readonly<Record<number, string>> = {
  0: 'NONE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  29: 'TOPIC_AUTHORIZATION_FAILED',
};

function exchangeKafka(
  world: World,
  opened: OpenedConnection,
  call: KafkaCall,
  explanation: string[],
): { errorCode: number; messages: string[]; highWatermark?: number; deniedByProxy: boolean } | undefined {
  const cluster = requireCluster(world);
  const { passage } = opened;
  const application = applicationAt(cluster, passage.target, opened.backendPort);
  const pod = passage.target.kind === 'pod' ? passage.target.pod : undefined;
  if (application?.kafka === undefined || pod === undefined) return undefined;
  const { tuple, origin } = passage;
  const serverIdentity = passage.target.kind === 'pod' ? (passage.target.endpoint?.identity ?? 0) : 0;
  for (const redirect of passage.redirects) {
    const answer = evaluateKafkaRequest(redirect.verdict, {
      apiKey: call.apiKey,
      apiVersion: call.apiVersion,
      ...(call.clientID !== undefined ? { clientID: call.clientID } : {}),
      topics: call.topics,
    });
    recordFlow(cluster, {
      timeMs: world.timeMs,
      node: redirect.node,
      eventType: 'l7',
      verdict: answer.allowed ? 'FORWARDED' : 'DROPPED',
      trafficDirection: redirect.direction,
      protocol: 'TCP',
      source: flowEndpoint(
        cluster,
        redirect.observer,
        tuple.sourceIP,
        tuple.sourcePort,
        redirect.direction === 'INGRESS'
          ? passage.sourceIdentityAtServer
          : origin.kind === 'pod'
            ? (origin.endpoint?.identity ?? 0)
            : 1,
      ),
      destination: flowEndpoint(
        cluster,
        redirect.observer,
        tuple.destinationIP,
        tuple.destinationPort,
        serverIdentity,
      ),
      explanation: `${answer.explanation.layer}: ${answer.explanation.summary}`,
      l7: {
        type: 'kafka-request',
        method: '',
        url: '',
        kafka: {
          apiKey: call.apiKey,
          apiVersion: call.apiVersion,
          ...(call.clientID !== undefined ? { clientID: call.clientID } : {}),
          ...(call.topics[0] !== undefined ? { topic: call.topics.join(',') } : {}),
          ...(answer.allowed ? {} : { errorCode: 29 }),
        },
      },
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    });
    explanation.push(
      `${redirect.node}'s Kafka proxy ${answer.allowed ? 'lets' : 'refuses'} ${call.apiKey} on ${call.topics.join(', ') || 'no topic'}: ${answer.explanation.summary}`,
    );
    if (!answer.allowed) return { errorCode: answer.kafkaErrorCode ?? 29, messages: [], deniedByProxy: true };
  }
  const reply = application.kafka(call, pod);
  return {
    errorCode: reply.errorCode,
    messages: reply.messages ?? [],
    ...(reply.highWatermark !== undefined ? { highWatermark: reply.highWatermark } : {}),
    deniedByProxy: false,
  };
}

/** Sends one Kafka request (produce, fetch, metadata, …) to a broker through the datapath and the Kafka proxy. */
export function kafkaRequest(world: World, request: KafkaRequest): KafkaOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const opened = openTcpConnection(world, request, explanation);
  if (!('passage' in opened)) {
    if (opened.kind === 'response')
      return { kind: 'error', elapsedMs: opened.elapsedMs, message: 'unexpected HTTP answer', explanation };
    return opened;
  }
  const call: KafkaCall = {
    apiKey: request.apiKey,
    apiVersion: request.apiVersion,
    topics: request.topics,
    ...(request.clientID !== undefined ? { clientID: request.clientID } : {}),
    ...(request.messages !== undefined ? { messages: request.messages } : {}),
    ...(request.offset !== undefined ? { offset: request.offset } : {}),
  };
  const result = exchangeKafka(world, opened, call, explanation);
  if (result === undefined) {
    explanation.push(`No Kafka broker listens on ${opened.backendIP}:${opened.backendPort}.`);
    returnReply(world, cluster, opened.passage, explanation, true);
    return { kind: 'refused', elapsedMs: opened.elapsedMs + 3, address: opened.address, explanation };
  }
  returnReply(world, cluster, opened.passage, explanation, request.keepOpen !== true);
  const connectionId =
    request.keepOpen === true
      ? rememberSocket(world, cluster, opened, request.host, request.port)
      : undefined;
  return {
    kind: 'kafka',
    errorCode: result.errorCode,
    errorName: kafkaErrorNames[result.errorCode] ?? 'UNKNOWN',
    messages: result.messages,
    ...(result.highWatermark !== undefined ? { highWatermark: result.highWatermark } : {}),
    deniedByProxy: result.deniedByProxy,
    serverPod: targetName(opened.passage.target),
    elapsedMs: opened.elapsedMs + 5,
    explanation,
    ...(connectionId !== undefined ? { connectionId } : {}),
    ...(opened.passage.mistaken !== undefined ? { mistaken: opened.passage.mistaken } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Open connections.

/** One more request on a connection the client kept open. */
export interface SendRequest {
  connectionId: string;
  http?: Omit<HttpRequest, 'host' | 'port'>;
  grpc?: { service: string; method: string; argument?: string };
  kafka?: KafkaCall;
  timeoutMs: number;
}

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
  const origin = locateOrigin(cluster, socket);
  if (typeof origin === 'string') return { kind: 'error', elapsedMs: 0, message: origin, explanation };
  const target = locateTarget(cluster, socket.backendIP);
  if (target === undefined) {
    explanation.push(`No pod holds ${socket.backendIP} any more, so nothing answers.`);
    return { kind: 'timeout', elapsedMs: request.timeoutMs, address: socket.address, explanation };
  }
  const tuple: PacketTuple = {
    protocol: socket.protocol,
    sourceIP: socket.sourceIP,
    sourcePort: socket.sourcePort,
    destinationIP: socket.backendIP,
    destinationPort: socket.backendPort,
  };
  const passage = traverse(world, cluster, origin, target, tuple, explanation);
  if (!passage.ok) {
    explanation.push(passage.reason);
    return {
      kind: 'timeout',
      elapsedMs: request.timeoutMs,
      address: socket.address,
      explanation,
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    };
  }
  const opened: OpenedConnection = {
    passage,
    address: socket.address,
    backendIP: socket.backendIP,
    backendPort: socket.backendPort,
    elapsedMs: 0,
  };
  const application = applicationAt(cluster, target, socket.backendPort);
  if (request.kafka !== undefined) {
    const result = exchangeKafka(world, opened, request.kafka, explanation);
    returnReply(world, cluster, passage, explanation, false);
    if (result === undefined) return { kind: 'refused', elapsedMs: 3, address: socket.address, explanation };
    return {
      kind: 'kafka',
      errorCode: result.errorCode,
      errorName: kafkaErrorNames[result.errorCode] ?? 'UNKNOWN',
      messages: result.messages,
      ...(result.highWatermark !== undefined ? { highWatermark: result.highWatermark } : {}),
      deniedByProxy: result.deniedByProxy,
      serverPod: targetName(target),
      elapsedMs: 5,
      explanation,
      connectionId: socket.id,
    };
  }
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
    serverPod: targetName(target),
    explanation,
    connectionId: socket.id,
    ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
  };
  return request.grpc !== undefined ? grpcFromConnection(outcome) : outcome;
}

/** Closes a connection the client kept open: the FIN moves its conntrack entries to the close timeout. */
export function closeConnection(world: World, connectionId: string): { closed: boolean } {
  const cluster = requireCluster(world);
  const state = datapathState(cluster);
  const socket = state.sockets[connectionId];
  if (socket === undefined) return { closed: false };
  const tuple: PacketTuple = {
    protocol: socket.protocol,
    sourceIP: socket.sourceIP,
    sourcePort: socket.sourcePort,
    destinationIP: socket.backendIP,
    destinationPort: socket.backendPort,
  };
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

/** Everything the `pod.traffic` input can ask for. */
export type TrafficRequest =
  | ({ kind: 'dns' } & DnsRequest)
  | ({ kind: 'grpc' } & GrpcRequest)
  | ({ kind: 'kafka' } & KafkaRequest)
  | ({ kind: 'send' } & SendRequest)
  | ({ kind: 'icmp-echo' } & EchoRequest)
  | ({ kind: 'tcp-connect' } & TcpConnectRequest)
  | ({ kind: 'udp-datagram' } & UdpDatagramRequest)
  | { kind: 'close'; connectionId: string };

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
