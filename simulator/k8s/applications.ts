/**
 * What a container does, decided by its image, so simulated workloads answer like the real ones:
 * Istio's helloworld sample, HashiCorp's http-echo, sleep/curl clients, and a generic HTTP server
 * for any other image that declares container ports.
 */
import type { Container, Pod } from './objects';
import type { Sandbox } from './sandbox';
import { deathstar } from './demo-apps/deathstar';
import { doorManager } from './demo-apps/door-manager';
import { elasticsearch } from './demo-apps/elasticsearch';
import { kafkaBroker } from './demo-apps/kafka-broker';
import { jsonMock } from './demo-apps/json-mock';
import { sandboxMemory, scratchMemory, type ApplicationMemory } from './demo-apps/state';
import type { Application } from './application-types';
export type {
  HttpRequest,
  HttpResponse,
  GrpcCall,
  GrpcReply,
  KafkaCall,
  KafkaReply,
  Application,
} from './application-types';

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

/** nginx's default index.html (the docker-library image's /usr/share/nginx/html/index.html). */
const nginxWelcome = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

/**
 * The web servers readers start with `kubectl create deployment web --image=nginx` (or httpd): they
 * listen on port 80 by their own configuration, whatever container ports the manifest declares,
 * and serve their default page at `/` (404 elsewhere).
 */
function webServer(image: string): Application {
  const nginx = /(^|\/)nginx(:|@|$)/.test(image);
  const page = nginx ? nginxWelcome : '<html><body><h1>It works!</h1></body></html>\n';
  return {
    name: nginx ? 'nginx' : 'httpd',
    ports: [80],
    exitsOnSigterm: true,
    respond: (request) =>
      request.path === '/' || request.path === '/index.html'
        ? { status: 200, headers: { 'content-type': 'text/html' }, body: page }
        : {
            status: 404,
            headers: { 'content-type': 'text/html' },
            body: nginx
              ? '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
              : '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n',
          },
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
  // A bare nginx or httpd (`kubectl create deployment web --image=nginx`) serves its default page on
  // 80; one that declares ports keeps the model's generic answer, which the scenarios are written for.
  if (/(^|\/)(nginx|httpd)(:|@|$)/.test(image) && command === '' && ports.length === 0)
    return webServer(image);
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
