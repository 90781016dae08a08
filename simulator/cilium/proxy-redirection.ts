/**
 * The proxies a redirected connection passes before the application: when a policy-map entry
 * names a proxy port, the datapath hands the connection to the node's Envoy (upstream: the
 * `proxy_port` of `bpf/lib/policy.h`, the redirect in `bpf/lib/proxy.h`, the listeners the agent
 * configures in `pkg/proxy`). Envoy reads the TLS ClientHello's SNI for `serverNames` rules,
 * terminates TLS with a `terminatingTLS` Secret (tls-interception.ts), applies the L7 rules to
 * each HTTP or gRPC request (logging an `http-request` each, and an `http-response` for each
 * request it forwards), and answers a refused request itself. Kafka and DNS have their own
 * parsers (kafka.ts, dns-query.ts).
 */
import type { Application, HttpRequest, HttpResponse } from '../k8s/applications';
import type { Pod } from '../k8s/objects';
import { scheduleRequestedExit } from '../k8s/container-lifecycle';
import { evaluateHttpRequest, type L7Answer } from '../policy/index';
import type { Cluster, World } from '../world';
import { originIdentity } from './connection-ends';
import type {
  ConnectionRequest,
  OpenedConnection,
  Passage,
  Redirect,
  ServerNameCheck,
} from './datapath-types';
import type { FlowEndpoint } from './flow';
import { interceptTlsConnection } from './tls-interception';
import { flowEndpoint, recordFlow } from './verdict-flows';

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
export interface HttpExchangeRequest {
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
  const answer =
    proxiesRefuse(world, cluster, opened, request, explanation) ??
    applicationAnswer(opened.passage, request, application);
  const { processExit, ...response } = answer.response;
  const target = opened.passage.target;
  if (processExit !== undefined && answer.denied !== true && target.kind === 'pod') {
    scheduleRequestedExit(world, target.node, target.sandbox, processExit);
    explanation.push(
      `The ${application.name} server's handler ends its process ${processExit.afterMs / 1000} s after answering (exit code ${processExit.exitCode}); the kubelet restarts the container.`,
    );
  }
  answer.response = response;
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

/**
 * The proxies' verdicts in order, each logging its http-request: the answer of the first that
 * refuses the request, Envoy's own when every rule let it through but its upstream connection
 * failed, or undefined when the request goes on to the application.
 */
function proxiesRefuse(
  world: World,
  cluster: Cluster,
  opened: OpenedConnection,
  request: HttpExchangeRequest,
  explanation: string[],
): HttpAnswer | undefined {
  const { passage } = opened;
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
      // The L7 parser sets is_reply from the access log's type: a request is not a reply.
      isReply: false,
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
    if (!answer.allowed)
      return { response: envoyRefusal(answer, grpc), elapsedMs: 4, proxyAnswered: true, denied: true };
  }
  // Every rule let the request through; Envoy now needs the server, and may fail to reach it.
  if (request.upstreamFailure !== undefined)
    return { response: request.upstreamFailure, elapsedMs: 4, proxyAnswered: true };
  return undefined;
}

/** What Envoy answers for a request its L7 rules refuse: 403 for HTTP, a grpc-status for gRPC. */
function envoyRefusal(answer: L7Answer, grpc: boolean): HttpResponse {
  if (grpc)
    return {
      status: 200,
      headers: {
        'content-type': 'application/grpc',
        'grpc-status': String(answer.grpcStatus ?? 7),
        'grpc-message': answer.grpcMessage ?? 'Access denied',
        server: 'envoy',
      },
      body: '',
    };
  return {
    status: answer.httpStatus ?? 403,
    headers: { 'content-type': 'text/plain', server: 'envoy' },
    body: answer.body ?? 'Access denied\r\n',
  };
}

/** The application's own answer to a request that reached it. */
function applicationAnswer(
  passage: Passage,
  request: HttpExchangeRequest,
  application: Application,
): HttpAnswer {
  const http = request.http;
  const pod = passage.target.kind === 'pod' ? passage.target.pod : undefined;
  if (http.grpc === true && application.grpc !== undefined && pod !== undefined) {
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
 * A `serverNames` rule: Envoy reads the ClientHello's SNI and resets a connection whose name it
 * does not admit. Enforced by Envoy, so only with the L7 proxy on (the docs: "requires L7 proxy
 * enabled"). Returns the check that refused the connection, after explaining it.
 */
export function refusedServerName(
  cluster: Cluster,
  passage: Passage,
  tlsServerName: string | undefined,
  explanation: string[],
): ServerNameCheck | undefined {
  const checks = cluster.cilium?.config.l7Proxy === true ? (passage.serverNames ?? []) : [];
  const refused = checks.find(
    (check) => tlsServerName === undefined || !check.allowed.includes(tlsServerName),
  );
  if (refused !== undefined)
    explanation.push(
      `The ${refused.direction.toLowerCase()} rule on ${refused.node} admits only the TLS server names ${refused.allowed.join(', ')}; Envoy reads ${tlsServerName === undefined ? 'no SNI' : `SNI ${tlsServerName}`} in the ClientHello and resets the connection.`,
    );
  return refused;
}

/**
 * TLS through Envoy's HTTP listener (docs: security/tls-visibility). A TLS connection redirected to
 * the HTTP proxy can only be parsed when the rule has `terminatingTLS`; Envoy then terminates it
 * with that Secret, applies the HTTP rules and opens its own connection to the server
 * (cilium/tls-interception.ts). Without `terminatingTLS` Envoy cannot read the encrypted bytes and
 * the connection is closed during the handshake. Returns curl's error when the handshake fails,
 * the 503 Envoy will answer when its upstream connection fails, or undefined when nothing intercepts.
 */
export function interceptTls(
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
