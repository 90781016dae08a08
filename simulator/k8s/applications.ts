/**
 * What a container does, decided by its image, so simulated workloads answer like the real ones:
 * Istio's helloworld sample, HashiCorp's http-echo, sleep/curl clients, and a generic HTTP server
 * for any other image that declares container ports.
 */
import type { Container, Pod } from './objects';
import type { Sandbox } from '../world';
import { deathstar } from './demo-apps/deathstar';
import { doorManager } from './demo-apps/door-manager';
import { elasticsearch } from './demo-apps/elasticsearch';
import { kafkaBroker } from './demo-apps/kafka-broker';
import { jsonMock } from './demo-apps/json-mock';
import { sandboxMemory, scratchMemory, type ApplicationMemory } from './demo-apps/state';

/** An HTTP request as it reaches an application. */
export interface HttpRequest {
  method: string;
  path: string;
  host: string;
  port: number;
  headers: Record<string, string>;
  /** The request body (curl `-d`), when there is one. */
  body?: string;
}

/** An application's answer. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Set when handling the request makes the process end a while after it answered (the deathstar's
   * exhaust port): the kubelet then sees the container exit (k8s/container-lifecycle.ts).
   */
  processExit?: { afterMs: number; exitCode: number; output: string };
}

/** A gRPC call as it reaches a server: `/package.Service/Method` over HTTP/2. */
export interface GrpcCall {
  service: string;
  method: string;
  /** The request message, as the demo clients pass it (e.g. a door id). */
  argument?: string;
}

/** A gRPC server's answer: status 0 with a message, or an error status. */
export interface GrpcReply {
  status: number;
  message: string;
  body?: string;
}

/** A Kafka request as a broker sees it. */
export interface KafkaCall {
  apiKey: string;
  apiVersion: number;
  clientID?: string;
  topics: string[];
  /** Messages to produce. */
  messages?: string[];
  /** Where a fetch starts reading the topic's log. */
  offset?: number;
}

/** A broker's answer: an error code and, for a fetch, the messages of the topic from the offset asked. */
export interface KafkaReply {
  errorCode: number;
  messages?: string[];
  /** The end of the topic's log after the request (produce, fetch, list-offsets). */
  highWatermark?: number;
  /** Where a produce's first message was written. */
  baseOffset?: number;
}

/** A running application's behaviour. */
export interface Application {
  /** Short name for explanations: `helloworld v1`, `sleep`, `http-echo`. */
  name: string;
  /** TCP ports the process listens on. */
  ports: number[];
  /** UDP ports the process listens on (a DNS server's 53). */
  udpPorts?: number[];
  /** Whether PID 1 exits on SIGTERM; `sleep` does not, so it waits out the grace period. */
  exitsOnSigterm: boolean;
  respond(request: HttpRequest, pod: Pod): HttpResponse | undefined;
  /** Set for gRPC servers: answers one call. */
  grpc?(call: GrpcCall, pod: Pod): GrpcReply;
  /** Set for Kafka brokers: answers one request. */
  kafka?(call: KafkaCall, pod: Pod): KafkaReply;
  /** True for DNS servers; the cluster model (cilium/dns-world.ts) supplies the answers. */
  dns?: boolean;
}

const flaskNotFound =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';

function helloworld(version: string, ports: number[]): Application {
  return {
    name: `helloworld ${version}`,
    ports: ports.length > 0 ? ports : [5000],
    exitsOnSigterm: true,
    respond(request, pod) {
      if (request.method === 'GET' && request.path === '/hello') {
        return {
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: `Hello version: ${version}, instance: ${pod.metadata.name}\n`,
        };
      }
      return { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, body: flaskNotFound };
    },
  };
}

function httpEcho(container: Container): Application {
  const args = container.args ?? [];
  const listen = args.find((arg) => arg.startsWith('-listen='))?.slice('-listen='.length) ?? ':5678';
  const port = Number(listen.split(':').pop() ?? 5678) || 5678;
  const text = args.find((arg) => arg.startsWith('-text='))?.slice('-text='.length) ?? '';
  return {
    name: 'http-echo',
    ports: [port],
    exitsOnSigterm: true,
    respond: () => ({
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `${text}\n`,
    }),
  };
}

function genericServer(image: string, ports: number[]): Application {
  return {
    name: image.split('/').pop() ?? image,
    ports,
    exitsOnSigterm: true,
    respond: (request) => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: `ok: ${request.method} ${request.path}\n`,
    }),
  };
}

/** CoreDNS: answers DNS on 53 (UDP and TCP) and serves metrics on 9153. */
function coreDns(): Application {
  return {
    name: 'coredns',
    ports: [53, 9153],
    udpPorts: [53],
    exitsOnSigterm: true,
    dns: true,
    respond: (request) =>
      request.port === 9153
        ? { status: 200, headers: { 'content-type': 'text/plain' }, body: '# HELP coredns_build_info\n' }
        : undefined,
  };
}

const idleClient = (name: string): Application => ({
  name,
  ports: [],
  exitsOnSigterm: false,
  respond: () => undefined,
});

/** The application a container runs, chosen by its image; `state` is what it keeps in memory. */
export function applicationFor(
  container: Container,
  memory: ApplicationMemory = scratchMemory(),
): Application {
  const image = container.image;
  const ports = (container.ports ?? [])
    .filter((port) => (port.protocol ?? 'TCP') === 'TCP')
    .map((port) => port.containerPort);
  if (/(^|\/)coredns(:|$)/.test(image)) return coreDns();
  if (/cc-grpc-demo|cc-door/.test(image)) return doorManager(ports);
  if (/kafka/.test(image) && !/client/.test(image) && (ports.length === 0 || ports.includes(9092)))
    return kafkaBroker(container, ports, memory);
  if (/elasticsearch/.test(image)) return elasticsearch(ports, memory);
  if (/cilium\/json-mock/.test(image)) return jsonMock(container);
  const helloMatch = /examples-helloworld-(v\d+)/.exec(image);
  if (helloMatch?.[1] !== undefined) return helloworld(helloMatch[1], ports);
  if (image.includes('http-echo')) return httpEcho(container);
  if (/cilium\/starwars/.test(image)) return deathstar(ports);
  const command = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  if (/(^|\/)(curl|sleep|netshoot|busybox|alpine)(:|$)/.test(image) || /\bsleep\b/.test(command)) {
    if (ports.length === 0) return idleClient(image.includes('curl') ? 'curl' : 'sleep');
  }
  if (ports.length > 0) return genericServer(image, ports);
  return idleClient(image.split('/').pop() ?? image);
}

/**
 * The application of a pod's first container that listens on a port, for serving requests; with
 * the pod's sandbox, the application keeps its data there (world.ts `Sandbox.applications`).
 */
export function applicationListeningOn(pod: Pod, port: number, sandbox?: Sandbox): Application | undefined {
  for (const container of pod.spec.containers) {
    const memory = sandbox === undefined ? scratchMemory() : sandboxMemory(sandbox, container.name);
    const application = applicationFor(container, memory);
    if (application.ports.includes(port)) return application;
  }
  return undefined;
}

/** The application of a pod listening on a UDP port (a DNS server), if any. */
export function applicationListeningOnUdp(pod: Pod, port: number): Application | undefined {
  for (const container of pod.spec.containers) {
    const application = applicationFor(container);
    if (application.udpPorts?.includes(port) === true) return application;
  }
  return undefined;
}

/** Whether every container of a pod exits promptly on SIGTERM. */
export function podExitsOnSigterm(pod: Pod): boolean {
  for (const container of pod.spec.containers) if (!containerExitsOnSigterm(container)) return false;
  return true;
}

/** Answers per container object: stored containers are never mutated, and pods share them. */
const exitsOnSigtermMemo = new WeakMap<Container, boolean>();

function containerExitsOnSigterm(container: Container): boolean {
  let exits = exitsOnSigtermMemo.get(container);
  if (exits === undefined) {
    exits = applicationFor(container).exitsOnSigterm;
    exitsOnSigtermMemo.set(container, exits);
  }
  return exits;
}
