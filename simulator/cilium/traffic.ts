/**
 * Traffic beyond a single HTTP request, decided by the same datapath and policy engine: DNS through
 * the agent's DNS proxy (which answers REFUSED, or NXDOMAIN, for names the L7 DNS rules do not allow,
 * and teaches toFQDNs the addresses of the answers it lets through), gRPC calls (HTTP/2 POSTs to
 * `/package.Service/Method`, refused with grpc-status 7 PERMISSION_DENIED), Kafka requests (refused
 * with error 29 TOPIC_AUTHORIZATION_FAILED) and further requests on a connection the client kept open.
 *
 * Every function here changes the world (conntrack, the DNS cache, flows), so a terminal must call
 * them through the `pod.traffic` input event, never directly, for replays to stay exact.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { applicationListeningOnUdp, type HttpRequest, type KafkaCall } from '../k8s/applications';
import { evaluateDnsQuery, evaluateKafkaRequest } from '../policy/index';
import { ctLookup, ctTouch, type PacketTuple } from './conntrack';
import { datapathState } from './datapath-state';
import { dnsQueryFrameBytes } from './policy-stats';
import {
  applicationAt,
  describeIdentity,
  ephemeralPort,
  exchangeHttp,
  flowEndpoint,
  locateOrigin,
  locateTarget,
  openConnection,
  openTcpConnection,
  recordFlow,
  rememberSocket,
  returnReply,
  setNameResolver,
  targetName,
  translateService,
  traverse,
  type ConnectionOutcome,
  type OpenedConnection,
  type Origin,
  type Passage,
  type Redirect,
} from './datapath';
import {
  clusterDnsIP,
  coreDnsAnswer,
  hasClusterDns,
  searchCandidates,
  upstreamAnswer,
  type DnsRecord,
  type DnsReply,
} from './dns-world';
import { canonicalName, fqdnSettings, learnDnsAnswer } from './fqdn';
import { remoteIdentityFor, syncLocalIdentities } from './local-identities';
import type { MistakenIdentity } from './flow';
import { sendEcho, type EchoOutcome, type EchoRequest } from './icmp-echo';
import { tcpConnect, type TcpConnectOutcome, type TcpConnectRequest } from './tcp-connect';
import { sendUdpDatagram, type UdpDatagramOutcome, type UdpDatagramRequest } from './udp-datagram';

// ---------------------------------------------------------------------------------------------
// DNS.

/** A DNS lookup from a pod (or a node): `nslookup`, `dig`, or the resolver inside curl. */
export interface DnsRequest {
  fromPodKey?: string;
  fromNode?: string;
  name: string;
  /** The server to ask; defaults to the pod's resolv.conf nameserver (the kube-dns ClusterIP). */
  server?: string;
  /** Per-query timeout (resolv.conf's `timeout:5`). */
  timeoutMs?: number;
  /** Walk the resolv.conf search list (ndots:5) as getaddrinfo does; false asks for the name as given. */
  searchList?: boolean;
}

/** One query the stub resolver sent and what came back. */
export interface DnsQueryLog {
  name: string;
  result: 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'timeout' | 'refused';
  /** Who answered: the agent's DNS proxy (a refusal), CoreDNS, or a resolver on the internet. */
  answeredBy?: 'dns-proxy' | 'coredns' | 'upstream';
  /** Whether the DNS proxy saw the query (so toFQDNs could learn from the answer). */
  proxied: boolean;
}

/** The outcome of a DNS lookup. */
export interface DnsOutcome {
  kind: 'answer' | 'timeout' | 'error';
  /** The rcode of the final answer (NOERROR with answers, or the failure that ended the search). */
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  /** The name that was answered (after the search list), and its records. */
  name: string;
  answers: DnsRecord[];
  server: string;
  elapsedMs: number;
  queries: DnsQueryLog[];
  explanation: string[];
  message?: string;
  mistaken?: MistakenIdentity;
}

type QueryResult =
  | {
      kind: 'reply';
      rcode: DnsReply['rcode'];
      answers: DnsRecord[];
      by: 'dns-proxy' | 'coredns' | 'upstream';
      proxied: boolean;
      elapsedMs: number;
    }
  | { kind: 'timeout' | 'refused'; proxied: boolean; elapsedMs: number; mistaken?: MistakenIdentity };

function dnsProxyRedirect(passage: Passage): Redirect | undefined {
  return passage.redirects.find((redirect) => redirect.verdict.l7?.parser === 'dns');
}

/** Sends one DNS query as a UDP datagram through the datapath and the DNS proxy. */
function dnsQuery(
  world: World,
  origin: Origin,
  name: string,
  server: string,
  timeoutMs: number,
  explanation: string[],
): QueryResult {
  const cluster = requireCluster(world);
  const translated = translateService(world, cluster, origin, server, 53, explanation);
  if (translated === 'refused') return { kind: 'refused', proxied: false, elapsedMs: 1 };
  const target = locateTarget(cluster, translated.backendIP);
  if (target === undefined) {
    explanation.push(`No pod holds ${translated.backendIP} any more, so the query goes unanswered.`);
    return { kind: 'timeout', proxied: false, elapsedMs: timeoutMs };
  }
  const tuple: PacketTuple = {
    protocol: 'UDP',
    sourceIP: origin.kind === 'pod' ? origin.ip : (cluster.nodes[origin.node]?.internalIP ?? origin.ip),
    sourcePort: ephemeralPort(world),
    destinationIP: translated.backendIP,
    destinationPort: translated.backendPort,
  };
  const passage = traverse(world, cluster, origin, target, tuple, explanation, {
    frameBytes: dnsQueryFrameBytes(name),
  });
  if (!passage.ok) {
    explanation.push(passage.reason);
    return {
      kind: 'timeout',
      proxied: false,
      elapsedMs: timeoutMs,
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    };
  }
  const settings = fqdnSettings(cluster);
  const redirect = dnsProxyRedirect(passage);
  const qname = canonicalName(name);
  const serverIdentity =
    target.kind === 'pod' ? (target.endpoint?.identity ?? 0) : passage.destinationIdentity;
  const l7Flow = (
    type: 'dns-request' | 'dns-response',
    allowed: boolean,
    summary: string,
    extra: { rcode?: string; ips?: string[]; ttl?: number },
  ): void => {
    if (redirect === undefined) return;
    const request = type === 'dns-request';
    const client = flowEndpoint(
      cluster,
      redirect.observer,
      tuple.sourceIP,
      tuple.sourcePort,
      origin.kind === 'pod' ? (origin.endpoint?.identity ?? 0) : 1,
    );
    const dnsServer = flowEndpoint(
      cluster,
      redirect.observer,
      tuple.destinationIP,
      tuple.destinationPort,
      serverIdentity,
    );
    recordFlow(cluster, {
      timeMs: world.timeMs,
      node: redirect.node,
      eventType: 'l7',
      verdict: allowed ? 'FORWARDED' : 'DROPPED',
      trafficDirection: redirect.direction,
      protocol: 'UDP',
      isReply: !request,
      source: request ? client : dnsServer,
      destination: request ? dnsServer : client,
      explanation: summary,
      l7: { type, method: '', url: '', dns: { query: qname, qtypes: ['A'], ...extra } },
    });
  };
  if (redirect !== undefined) {
    const answer = evaluateDnsQuery(redirect.verdict, { name: qname }, settings.rejectResponseCode);
    l7Flow('dns-request', answer.allowed, `l7: ${answer.explanation.summary}`, {});
    explanation.push(
      `${redirect.node}'s DNS proxy (in the cilium agent) ${answer.allowed ? 'forwards' : 'refuses'} the query for ${qname}: ${answer.explanation.summary}`,
    );
    if (!answer.allowed) {
      const rcode = answer.dnsRcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'REFUSED';
      l7Flow('dns-response', true, `the DNS proxy answers ${rcode}`, { rcode });
      returnReply(world, cluster, passage, explanation, false);
      return { kind: 'reply', rcode, answers: [], by: 'dns-proxy', proxied: true, elapsedMs: 1 };
    }
  }
  const state = datapathState(cluster);
  let reply: DnsReply | undefined;
  let by: 'coredns' | 'upstream' = 'coredns';
  if (target.kind === 'pod' && target.pod !== undefined && target.sandbox.state === 'running') {
    if (applicationListeningOnUdp(target.pod, translated.backendPort)?.dns === true)
      reply = coreDnsAnswer(cluster, qname, state.upstreamQueries++);
  } else if (target.kind === 'world' && target.host?.resolver === true && translated.backendPort === 53) {
    reply = upstreamAnswer(qname, state.upstreamQueries++);
    by = 'upstream';
  }
  if (reply === undefined) {
    explanation.push(
      `Nothing answers DNS on ${tuple.destinationIP}:${tuple.destinationPort} (${targetName(target)}).`,
    );
    return { kind: 'timeout', proxied: redirect !== undefined, elapsedMs: timeoutMs };
  }
  explanation.push(
    `${reply.source}: ${reply.rcode}${reply.answers.length > 0 ? ` ${reply.answers.map((record) => `${record.ip} (TTL ${record.ttlSeconds})`).join(', ')}` : ''}.`,
  );
  if (redirect !== undefined) {
    l7Flow('dns-response', true, `${reply.rcode} for ${qname}`, {
      rcode: reply.rcode,
      ips: reply.answers.map((record) => record.ip),
      ...(reply.answers[0] !== undefined ? { ttl: reply.answers[0].ttlSeconds } : {}),
    });
    // The proxy reads the answer on its way back and remembers the addresses for toFQDNs.
    if (
      origin.kind === 'pod' &&
      origin.endpoint !== undefined &&
      origin.agent !== undefined &&
      reply.answers.length > 0
    ) {
      const evicted = learnDnsAnswer(
        cluster,
        origin.node,
        origin.endpoint.id,
        qname,
        reply.answers.map((record) => ({ ip: record.ip, ttlSeconds: record.ttlSeconds })),
        world.timeMs,
      );
      syncLocalIdentities(cluster, origin.agent, world.timeMs);
      const kept = Math.max(reply.answers[0]?.ttlSeconds ?? 0, settings.minTtlSeconds);
      explanation.push(
        `The DNS proxy records ${reply.answers.map((record) => record.ip).join(', ')} for ${qname} on endpoint ${origin.endpoint.id} for ${kept} s (answer TTL ${reply.answers[0]?.ttlSeconds ?? 0} s, --tofqdns-min-ttl ${settings.minTtlSeconds} s)${evicted.length > 0 ? `; over --tofqdns-endpoint-max-ip-per-hostname=${settings.maxIpsPerHostname} it forgets ${evicted.join(', ')}` : ''}.`,
      );
      for (const record of reply.answers) {
        const identity = remoteIdentityFor(cluster, origin.agent, record.ip);
        explanation.push(
          `${record.ip} now has identity ${describeIdentity(cluster, origin.agent, identity)} on ${origin.node}.`,
        );
      }
    }
  }
  returnReply(world, cluster, passage, explanation, false);
  return {
    kind: 'reply',
    rcode: reply.rcode,
    answers: reply.answers,
    by,
    proxied: redirect !== undefined,
    elapsedMs: by === 'upstream' ? 12 : 2,
  };
}

/** Resolves a name from a pod or a node the way its stub resolver does, query by query. */
export function resolveDns(world: World, request: DnsRequest): DnsOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const origin = locateOrigin(cluster, request);
  const server = request.server ?? clusterDnsIP(cluster);
  const base = {
    name: canonicalName(request.name),
    answers: [],
    server,
    queries: [] as DnsQueryLog[],
    explanation,
  };
  if (typeof origin === 'string') return { ...base, kind: 'error', elapsedMs: 0, message: origin };
  if (request.server === undefined && !hasClusterDns(cluster)) {
    explanation.push(
      `The cluster runs no CoreDNS (no kube-system/kube-dns Service), so ${server} does not answer.`,
    );
    return { ...base, kind: 'timeout', elapsedMs: request.timeoutMs ?? 5000 };
  }
  const namespace = origin.kind === 'pod' ? origin.namespace : 'default';
  const candidates =
    request.searchList === false || origin.kind === 'node'
      ? [canonicalName(request.name)]
      : searchCandidates(request.name, namespace);
  let elapsed = 0;
  let last: DnsQueryLog | undefined;
  for (const candidate of candidates) {
    const result = dnsQuery(world, origin, candidate, server, request.timeoutMs ?? 5000, explanation);
    elapsed += result.elapsedMs;
    if (result.kind !== 'reply') {
      base.queries.push({ name: candidate, result: result.kind, proxied: result.proxied });
      return {
        ...base,
        kind: 'timeout',
        elapsedMs: elapsed,
        ...(result.kind === 'timeout' && result.mistaken !== undefined ? { mistaken: result.mistaken } : {}),
      };
    }
    last = { name: candidate, result: result.rcode, answeredBy: result.by, proxied: result.proxied };
    base.queries.push(last);
    if (result.rcode === 'NOERROR' && result.answers.length > 0)
      return {
        ...base,
        kind: 'answer',
        rcode: 'NOERROR',
        name: candidate,
        answers: result.answers,
        elapsedMs: elapsed,
      };
    // A refusal ends the search (musl and glibc give up on REFUSED; only NXDOMAIN moves on).
    if (result.rcode === 'REFUSED') {
      explanation.push(`The resolver stops at REFUSED instead of trying the rest of its search list.`);
      return { ...base, kind: 'answer', rcode: 'REFUSED', name: candidate, elapsedMs: elapsed };
    }
  }
  return { ...base, kind: 'answer', rcode: 'NXDOMAIN', name: last?.name ?? base.name, elapsedMs: elapsed };
}

// Connections resolve names through the same path when the cluster runs CoreDNS.
setNameResolver((world, origin, name) => {
  const outcome = resolveDns(world, {
    ...(origin.kind === 'pod' ? { fromPodKey: origin.podKey } : { fromNode: origin.node }),
    name,
  });
  const first = outcome.answers[0];
  if (outcome.kind === 'answer' && first !== undefined)
    return { ok: true, ip: first.ip, elapsedMs: outcome.elapsedMs };
  return {
    ok: false,
    elapsedMs: outcome.elapsedMs,
    ...(outcome.rcode !== undefined ? { rcode: outcome.rcode } : {}),
  };
});

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
  29: 'TOPIC_AUTHORIZATION_FAILED',
};

function exchangeKafka(
  world: World,
  opened: OpenedConnection,
  call: KafkaCall,
  explanation: string[],
): { errorCode: number; messages: string[]; deniedByProxy: boolean } | undefined {
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
  return { errorCode: reply.errorCode, messages: reply.messages ?? [], deniedByProxy: false };
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
