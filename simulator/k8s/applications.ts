/**
 * What a container does, decided by its image, so simulated workloads answer like the real ones:
 * Istio's helloworld sample, HashiCorp's http-echo, sleep/curl clients, and a generic HTTP server
 * for any other image that declares container ports.
 */
import type { Container, Pod } from './objects';

/** An HTTP request as it reaches an application. */
export interface HttpRequest {
  method: string;
  path: string;
  host: string;
  port: number;
  headers: Record<string, string>;
}

/** An application's answer. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A running application's behaviour. */
export interface Application {
  /** Short name for explanations: `helloworld v1`, `sleep`, `http-echo`. */
  name: string;
  /** TCP ports the process listens on. */
  ports: number[];
  /** Whether PID 1 exits on SIGTERM; `sleep` does not, so it waits out the grace period. */
  exitsOnSigterm: boolean;
  respond(request: HttpRequest, pod: Pod): HttpResponse | undefined;
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

/** Cilium's Star Wars demo service: the deathstar answers landing requests on port 80. */
function deathstar(ports: number[]): Application {
  return {
    name: 'deathstar',
    ports: ports.length > 0 ? ports : [80],
    exitsOnSigterm: true,
    respond(request) {
      if (request.method === 'POST' && request.path === '/v1/request-landing')
        return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'Ship landed\n' };
      if (request.method === 'PUT' && request.path === '/v1/exhaust-port') {
        return {
          status: 503,
          headers: { 'content-type': 'text/plain' },
          body: 'Panic: deathstar exploded\n\ngoroutine 1 [running]:\nmain.HandleGarbage(0x2080c3f50, 0x2, 0x4, 0x425c0, 0x5, 0xa)\n',
        };
      }
      if (request.method === 'GET' && request.path === '/v1')
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"name":"Death Star","model":"DS-1 Orbital Battle Station"}\n',
        };
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found\n' };
    },
  };
}

const idleClient = (name: string): Application => ({
  name,
  ports: [],
  exitsOnSigterm: false,
  respond: () => undefined,
});

/** The application a container runs, chosen by its image. */
export function applicationFor(container: Container): Application {
  const image = container.image;
  const ports = (container.ports ?? [])
    .filter((port) => (port.protocol ?? 'TCP') === 'TCP')
    .map((port) => port.containerPort);
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

/** The application of a pod's first container that listens on a port, for serving requests. */
export function applicationListeningOn(pod: Pod, port: number): Application | undefined {
  for (const container of pod.spec.containers) {
    const application = applicationFor(container);
    if (application.ports.includes(port)) return application;
  }
  return undefined;
}

/** Whether every container of a pod exits promptly on SIGTERM. */
export function podExitsOnSigterm(pod: Pod): boolean {
  return pod.spec.containers.every((container) => applicationFor(container).exitsOnSigterm);
}
