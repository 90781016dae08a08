/**
 * Connections to the client's own loopback (`localhost`, 127.0.0.0/8, ::1). The kernel delivers
 * them on `lo` inside the client's network namespace: no packet reaches the pod's veth, so none of
 * Cilium's BPF programs, its policy, its proxy or Hubble sees them. A pod reaches the servers of its
 * own containers, which share its network namespace (the Kubernetes networking model: containers of
 * a pod talk over localhost); a kind node reaches its own host-network servers.
 */
import type { Pod } from '../k8s/objects';
import type { Cluster, World } from '../world';
import { applicationAt } from './server-applications';
import { ephemeralPort, locateOrigin } from './connection-ends';
import type { ConnectionOutcome, ConnectionRequest, Target } from './datapath-types';

/** Whether a host name or address is the machine's own loopback. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host === '::1' ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/**
 * What a connection to the client's own loopback gets, or undefined when the destination is not
 * the loopback (or the client is the reader's machine, whose loopback the terminal answers).
 */
export function loopbackConnection(
  world: World,
  cluster: Cluster,
  request: ConnectionRequest,
): ConnectionOutcome | undefined {
  const host = request.address ?? request.host;
  if (!isLoopback(host)) return undefined;
  const origin = locateOrigin(cluster, request);
  if (typeof origin === 'string') return { kind: 'error', elapsedMs: 0, message: origin, explanation: [] };
  if (origin.kind === 'node' && origin.external === true) return undefined;
  // localhost is 127.0.0.1 in /etc/hosts; a server bound to 0.0.0.0 answers there.
  const address = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  const target: Target =
    origin.kind === 'pod'
      ? { kind: 'pod', node: origin.node, sandbox: origin.sandbox, pod: origin.pod }
      : { kind: 'node', node: origin.node, ip: address };
  const place = origin.kind === 'pod' ? `pod ${origin.podKey}` : `node ${origin.node}`;
  const explanation = [
    `${host} is the client's own loopback: the kernel delivers it on lo inside the ${place}'s network namespace, so no Cilium program, policy or proxy sees it.`,
  ];
  const application = applicationAt(cluster, target, request.port);
  if (application === undefined) {
    explanation.push(`Nothing listens on port ${request.port} there; the kernel answers with a reset.`);
    return { kind: 'refused', elapsedMs: 0, address, explanation };
  }
  const http = request.http ?? { method: 'GET', path: '/', headers: {} };
  // HTTP servers answer HEAD as they would GET (RFC 9110 section 9.3.2); the client reads no body.
  const asked = {
    ...http,
    method: http.method === 'HEAD' ? 'GET' : http.method,
    host: request.host,
    port: request.port,
  };
  // A node's own servers answer without a pod, as they do over the node's address.
  const answered = application.respond(asked, origin.kind === 'pod' ? origin.pod : ({} as Pod));
  const response = { status: 200, headers: {}, body: '', ...answered };
  delete response.processExit;
  explanation.push(`The ${application.name} server in the ${place} answers ${response.status}.`);
  return {
    kind: 'response',
    elapsedMs: 1,
    address,
    response,
    serverPod: origin.kind === 'pod' ? origin.podKey : origin.node,
    explanation,
    local: { ip: address, port: ephemeralPort(world) },
  };
}
