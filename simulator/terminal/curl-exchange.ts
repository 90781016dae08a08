/**
 * One HTTP request of a curl transfer: it goes into the model as a `pod.connect` input (name
 * resolution, service translation, policy, proxies, the application), and what comes back is turned
 * into what curl 8.5.0 reports: the response, or curl's error with its exit status and wording
 * (lib/multi.c `multi_handle_timeout`, lib/connect.c, lib/url.c at tag curl-8_5_0), plus the lines
 * `-v` prints.
 */
import type { ConnectionOutcome, ConnectionRequest } from '../cilium/datapath-types';
import { toHttpDate } from '../engine/virtual-time';
import { externalHostAt } from '../k8s/dns-world';
import { isStalledOutcome } from '../cilium/envoy';
import type { TerminalContext } from './context';
import { forwardReachesPod } from './machine-ports';
import { isLoopback } from '../cilium/loopback';
import { readersMachine } from '../cilium/datapath-types';
import { hostHeader, type CurlUrl } from './curl-url';

/** The curl release the simulator models; it appears in User-Agent and `--version`. */
const curlRelease = '8.5.0';

/**
 * How long Linux keeps retransmitting an unanswered SYN before connect() fails with ETIMEDOUT:
 * net.ipv4.tcp_syn_retries=6 with a 1 s initial timeout doubling each time (1+2+…+64 s).
 */
export const kernelConnectTimeoutMs = 127_000;

/** curl's own connect timeout when none is given (DEFAULT_CONNECT_TIMEOUT in lib/connect.h). */
const curlConnectTimeoutMs = 300_000;

/** Where a curl runs: a pod's network namespace, or a node's own (also the reader's machine). */
export type CurlOrigin = { fromPodKey: string } | { fromPodKey: ''; fromNode: string };

/** A request to send, with the time curl still allows it. */
export interface ExchangeRequest {
  url: CurlUrl;
  method: string;
  /** Header lines to send after curl's own (a `-H` with the same name replaces curl's; null removes it). */
  headers: readonly [string, string | null][];
  body?: string;
  /** Address pinned with `--resolve`. */
  pinnedAddress?: string;
  insecure: boolean;
  caFile?: string;
  /** Milliseconds left of `--max-time`, if set. */
  remainingMs?: number;
  connectTimeoutMs?: number;
  http2: boolean;
}

/** A response curl received. */
export interface ExchangeResponse {
  kind: 'response';
  status: number;
  headers: [string, string][];
  body: string;
  httpVersion: '1.1' | '2';
  remoteIP: string;
  localIP?: string;
  localPort?: number;
  resolveMs: number;
  elapsedMs: number;
}

/** A transfer curl gave up on, with its exit status and error text (without `curl: (N) `). */
export interface ExchangeFailure {
  kind: 'failure';
  exitCode: number;
  message: string;
  elapsedMs: number;
  remoteIP?: string;
  /** How far the transfer got, for `-v`: resolved, connected. */
  reached: 'nothing' | 'resolved' | 'connected';
  /** A proxy took the connection and never answers, and no `--max-time` ends the wait. */
  hangs?: true;
  /** The server's kernel answered the SYN with a reset (ECONNREFUSED, which `--retry-connrefused` retries). */
  refused?: true;
  /** The model cannot run this transfer; the message says why and is printed as it is. */
  unmodelled?: true;
}

export type ExchangeResult = ExchangeResponse | ExchangeFailure;

/**
 * The request headers curl sends, in its order (lib/http.c `Curl_http`): Host, User-Agent and
 * Accept (each replaced by a `-H` of the same name), the `-H` lines, then the body's Content-Length
 * and Content-Type (unless `-H` gave them).
 */
export function requestHeaders(request: ExchangeRequest): [string, string][] {
  const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
  const given = (name: string): boolean => request.headers.some(([other]) => same(other, name));
  const own: [string, string | null][] = [
    ['Host', hostHeader(request.url)],
    ['User-Agent', `curl/${curlRelease}`],
    ['Accept', '*/*'],
  ];
  const replaced = own.map(
    ([name, value]) => request.headers.find(([other]) => same(other, name)) ?? [name, value],
  );
  const custom = request.headers.filter(([name]) => !own.some(([other]) => same(other, name)));
  const body: [string, string][] = [];
  if (request.body !== undefined && !given('Content-Length'))
    body.push(['Content-Length', String(utf8Length(request.body))]);
  if (request.body !== undefined && !given('Content-Type'))
    body.push(['Content-Type', 'application/x-www-form-urlencoded']);
  // `-H "Name:"` (null) removes a header curl would send.
  return [...replaced, ...custom, ...body].filter((header): header is [string, string] => header[1] !== null);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The deadline curl applies while resolving and connecting, and which limit it is. */
function connectDeadline(request: ExchangeRequest): { ms: number; kernel: boolean } {
  const curlLimit = Math.min(
    request.connectTimeoutMs ?? curlConnectTimeoutMs,
    request.remainingMs ?? Infinity,
  );
  return curlLimit > kernelConnectTimeoutMs
    ? { ms: kernelConnectTimeoutMs, kernel: true }
    : { ms: curlLimit, kernel: false };
}

/** Sends one request through the model and reads what came back as curl does. */
export function exchange(
  context: TerminalContext,
  origin: CurlOrigin,
  request: ExchangeRequest,
): ExchangeResult {
  const deadline = connectDeadline(request);
  const headers = Object.fromEntries(
    requestHeaders(request).map(([name, value]) => [name.toLowerCase(), value] as const),
  );
  const https = request.url.scheme === 'https';
  const connection: ConnectionRequest = {
    ...origin,
    host: request.url.host,
    port: request.url.port,
    protocol: 'TCP',
    http: {
      method: request.method,
      path: request.url.path,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    timeoutMs: deadline.ms,
    resolveTimeoutMs: deadline.ms,
    ...(request.pinnedAddress !== undefined ? { address: request.pinnedAddress } : {}),
    // curl sends the host name as SNI in its ClientHello, never an IP address.
    ...(https && !/^\d+\.\d+\.\d+\.\d+$/.test(request.url.host) ? { tlsServerName: request.url.host } : {}),
    ...(https
      ? {
          tls: {
            insecure: request.insecure,
            ...(request.caFile !== undefined ? { caFile: request.caFile } : {}),
          },
        }
      : {}),
  };
  const local = throughMachinePort(context, origin, connection);
  if (local !== undefined && 'kind' in local) return local;
  const result = context.input({ type: 'pod.connect', request: local ?? connection });
  if (!result.ok || result.connection === undefined)
    return {
      kind: 'failure',
      exitCode: 7,
      message: result.ok ? 'no connection' : result.error,
      elapsedMs: 0,
      reached: 'nothing',
    };
  return readOutcome(result.connection, request, deadline, context.simulation.state.timeMs);
}

/**
 * The reader's machine's own loopback: a port a port-forward listens on leads into its pod, where
 * the request arrives over the pod's loopback (cilium/loopback.ts); any other port refuses. Returns
 * the request to send from the pod, curl's failure, or undefined for any other destination.
 */
function throughMachinePort(
  context: TerminalContext,
  origin: CurlOrigin,
  connection: ConnectionRequest,
): ConnectionRequest | ExchangeResult | undefined {
  if (!('fromNode' in origin) || origin.fromNode !== readersMachine) return undefined;
  const host = connection.address ?? connection.host;
  if (!isLoopback(host)) return undefined;
  const forward = context.machinePorts?.at(connection.port);
  if (forward === undefined)
    return {
      ...failure(
        7,
        `Failed to connect to ${connection.host} port ${connection.port} after 0 ms: Couldn't connect to server`,
        0,
        'resolved',
      ),
      refused: true,
    };
  forward.onConnection?.();
  // The forward accepts the connection, then finds no pod to stream to, and closes it.
  if (!forwardReachesPod(context.simulation.state, forward))
    return failure(52, 'Empty reply from server', 1, 'connected');
  const request = { ...connection };
  delete request.fromNode;
  return {
    ...request,
    fromPodKey: `${forward.namespace}/${forward.pod}`,
    host: 'localhost',
    port: forward.podPort,
  };
}

/** What curl makes of the model's outcome. */
function readOutcome(
  outcome: ConnectionOutcome,
  request: ExchangeRequest,
  deadline: { ms: number; kernel: boolean },
  nowMs: number,
): ExchangeResult {
  const { host, port } = request.url;
  switch (outcome.kind) {
    case 'response':
      return responseOf(outcome, request, nowMs + outcome.elapsedMs);
    case 'resolve-failed':
      return outcome.timedOut === true
        ? failure(28, `Resolving timed out after ${deadline.ms + 1} milliseconds`, deadline.ms, 'nothing')
        : failure(6, `Could not resolve host: ${host}`, outcome.elapsedMs, 'nothing');
    case 'refused':
      return {
        ...failure(
          7,
          `Failed to connect to ${host} port ${port} after ${outcome.elapsedMs} ms: Couldn't connect to server`,
          outcome.elapsedMs,
          'resolved',
        ),
        remoteIP: outcome.address,
        refused: true,
      };
    case 'timeout':
      return { ...timeoutFailure(outcome, request, deadline), remoteIP: outcome.address };
    case 'error': {
      // The datapath words some failures as curl does (`curl: (56) …`); anything else is the model's.
      const code = /^curl: \((\d+)\) (.*)$/s.exec(outcome.message);
      return code === null
        ? { ...failure(1, outcome.message, outcome.elapsedMs, 'nothing'), unmodelled: true }
        : failure(
            Number(code[1]),
            code[2] ?? '',
            outcome.elapsedMs,
            Number(code[1]) === 7 ? 'resolved' : 'connected',
          );
    }
  }
}

function failure(
  exitCode: number,
  message: string,
  elapsedMs: number,
  reached: ExchangeFailure['reached'],
): ExchangeFailure {
  return { kind: 'failure', exitCode, message, elapsedMs, reached };
}

/** A connection that never completed, or a proxy that accepted it and never answered. */
function timeoutFailure(
  outcome: Extract<ConnectionOutcome, { kind: 'timeout' }>,
  request: ExchangeRequest,
  deadline: { ms: number; kernel: boolean },
): ExchangeFailure {
  if (isStalledOutcome(outcome)) {
    // Only --max-time ends the wait for an answer; without it curl waits until it is interrupted.
    if (request.remainingMs === undefined)
      return { ...failure(28, 'Operation timed out', deadline.ms, 'connected'), hangs: true };
    const limit = request.remainingMs;
    return failure(
      28,
      `Operation timed out after ${limit + 1} milliseconds with 0 bytes received`,
      limit,
      'connected',
    );
  }
  if (deadline.kernel)
    // The kernel gave up on the SYN (ETIMEDOUT), which curl reports as a timeout.
    return failure(
      28,
      `Failed to connect to ${request.url.host} port ${request.url.port} after ${deadline.ms + 2} ms: Couldn't connect to server`,
      deadline.ms,
      'resolved',
    );
  return failure(28, `Connection timed out after ${deadline.ms + 1} milliseconds`, deadline.ms, 'resolved');
}

/** The response, with the headers the server's HTTP stack adds (length, date). */
function responseOf(
  outcome: Extract<ConnectionOutcome, { kind: 'response' }>,
  request: ExchangeRequest,
  answeredMs: number,
): ExchangeResponse {
  const site = externalHostAt(outcome.address);
  const http2 = request.url.scheme === 'https' && request.http2 && site?.http2 !== false;
  const envoy = Object.entries(outcome.response.headers).some(
    ([name, value]) => name === 'server' && value === 'envoy',
  );
  const headers: [string, string][] = Object.entries(outcome.response.headers).map(([name, value]) => [
    http2 || envoy ? name.toLowerCase() : canonicalHeaderName(name),
    value,
  ]);
  const has = (name: string): boolean => headers.some(([other]) => other.toLowerCase() === name);
  const body = request.method === 'HEAD' ? '' : outcome.response.body;
  const lower = http2 || envoy;
  if (!has('content-length'))
    headers.push([lower ? 'content-length' : 'Content-Length', String(utf8Length(outcome.response.body))]);
  if (!has('date')) headers.push([lower ? 'date' : 'Date', toHttpDate(answeredMs)]);
  return {
    kind: 'response',
    status: outcome.response.status,
    headers,
    body,
    httpVersion: http2 ? '2' : '1.1',
    remoteIP: outcome.address,
    ...(outcome.local !== undefined ? { localIP: outcome.local.ip, localPort: outcome.local.port } : {}),
    resolveMs: outcome.resolveMs ?? 0,
    elapsedMs: outcome.elapsedMs,
  };
}

/** `content-type` → `Content-Type`, as HTTP/1.1 servers other than Envoy write header names. */
function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part === '' ? part : `${part[0]?.toUpperCase() ?? ''}${part.slice(1).toLowerCase()}`))
    .join('-');
}
