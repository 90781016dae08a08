/**
 * The path of one new connection through Cilium's datapath, decided on the state each node really
 * has: service translation on the client's node, the client endpoint's egress policy, the trip to
 * the server's node (where the source identity comes from the tunnel header or from that node's own
 * ipcache, depending on version and encryption), WireGuard's allowed-IPs check, the server
 * endpoint's ingress policy, and finally the application. Each step leaves Hubble flows on the node
 * that observed it, and the model compares what each node believed with the truth.
 */
import { nextIntBetween } from '../engine/prng';
import { getObject, listObjects } from '../k8s/api-store';
import { applicationListeningOn, type HttpRequest, type HttpResponse } from '../k8s/applications';
import type { Pod } from '../k8s/objects';
import type { Cluster, Sandbox, World } from '../world';
import { requireCluster } from '../world';
import { lookupIdentity, lookupIpcache } from './agent-ipcache';
import { sourceIdentityTransport } from './config';
import { endpointPolicyFor } from './endpoint-policy-cache';
import { flowCapacity, type AgentState, type LocalEndpoint } from './state';
import type { Flow, FlowEndpoint, MistakenIdentity } from './flow';
import { evaluateHttpRequest, lookupPolicy, type PolicyVerdict } from '../policy/index';
import { ReservedIdentity, reservedIdentityNames } from './reserved-identities';

/** A connection a client pod opens. */
export interface ConnectionRequest {
  fromPodKey: string;
  /** A service name, a cluster DNS name or an IP address. */
  host: string;
  port: number;
  protocol: 'TCP';
  /** The HTTP request to send once connected (curl sends one). */
  http?: Omit<HttpRequest, 'host' | 'port'>;
  timeoutMs: number;
}

/** Where the connection ended and why. */
export type ConnectionOutcome =
  | { kind: 'resolve-failed'; elapsedMs: number; explanation: string[] }
  | { kind: 'refused'; elapsedMs: number; address: string; explanation: string[] }
  | {
      kind: 'timeout';
      elapsedMs: number;
      address: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | {
      kind: 'response';
      elapsedMs: number;
      address: string;
      response: HttpResponse;
      serverPod: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | { kind: 'error'; elapsedMs: number; message: string; explanation: string[] };

interface Located {
  node: string;
  sandbox: Sandbox;
}

/** The sandbox that really holds an address right now (the truth, not any node's belief). */
export function sandboxOwningAddress(cluster: Cluster, ip: string): Located | undefined {
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    if (node === undefined || node.internalIP === ip) continue;
    for (const sandbox of Object.values(node.kubelet.sandboxes)) {
      if (
        sandbox.ip === ip &&
        sandbox.state !== 'removed' &&
        sandbox.state !== 'stopped' &&
        sandbox.state !== 'creating'
      )
        return { node: name, sandbox };
    }
  }
  return undefined;
}

function sandboxOfPod(cluster: Cluster, podKey: string): Located | undefined {
  for (const name of Object.keys(cluster.nodes).sort()) {
    const node = cluster.nodes[name];
    for (const sandbox of Object.values(node?.kubelet.sandboxes ?? {})) {
      if (sandbox.podKey === podKey) return { node: name, sandbox };
    }
  }
  return undefined;
}

/** Resolves a name the way a pod's resolver does with cluster DNS: short names in its namespace first. */
export function resolveServiceName(cluster: Cluster, host: string, namespace: string): string | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  const trimmed = host.replace(/\.$/, '');
  const parts = trimmed.split('.');
  const candidates: { name: string; namespace: string }[] = [];
  if (parts.length === 1) candidates.push({ name: trimmed, namespace });
  else if (parts.length >= 2 && (parts.length === 2 || parts[2] === 'svc'))
    candidates.push({ name: parts[0] ?? '', namespace: parts[1] ?? '' });
  for (const candidate of candidates) {
    const service = getObject(cluster.api, 'Service', `${candidate.namespace}/${candidate.name}`);
    if (service !== undefined) return service.spec.clusterIP;
  }
  return undefined;
}

/** An identity as a sentence names it: `reserved:world (2)` or `36537 (app=sleep, version=v1)`. */
function describeIdentity(cluster: Cluster, agent: AgentState, id: number): string {
  const name = reservedIdentityNames[id];
  if (name !== undefined) return `reserved:${name} (${id})`;
  const labels = cluster.cilium?.views[agent.viewId]?.identities[String(id)];
  const app = labels?.['k8s:app'];
  const version = labels?.['k8s:version'];
  return app !== undefined
    ? `${id} (app=${app}${version !== undefined ? `, version=${version}` : ''})`
    : String(id);
}

function recordFlow(cluster: Cluster, flow: Omit<Flow, 'number'>): void {
  const cilium = cluster.cilium;
  if (cilium === undefined) return;
  cilium.flows.push({ ...flow, number: cilium.nextFlowNumber++ });
  if (cilium.flows.length > flowCapacity) cilium.flows.splice(0, cilium.flows.length - flowCapacity);
}

function flowEndpoint(
  cluster: Cluster,
  observer: AgentState,
  ip: string,
  port: number,
  identity: number,
): FlowEndpoint {
  // Hubble names remote addresses from the observing node's ipcache, stale or not.
  const entry = lookupIpcache(cluster, observer, ip);
  const endpoint: FlowEndpoint = { ip, port, identity };
  if (entry.namespace !== undefined) endpoint.namespace = entry.namespace;
  if (entry.podName !== undefined) endpoint.podName = entry.podName;
  return endpoint;
}

function endpointOf(agent: AgentState, sandbox: Sandbox): LocalEndpoint | undefined {
  return sandbox.endpointId === undefined ? undefined : agent.endpoints[String(sandbox.endpointId)];
}

function decide(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
  direction: 'ingress' | 'egress',
  remoteIdentity: number,
  port: number,
): PolicyVerdict | undefined {
  const policy = endpointPolicyFor(cluster, agent, endpoint);
  if (policy === undefined) return undefined;
  return lookupPolicy(policy, { direction, remoteIdentity, port, protocol: 'TCP' });
}

/**
 * The receiving node's verdict for a new connection from an address, when the source identity
 * comes from its ipcache: the hot path of the datapath (one ipcache and one policy-map lookup).
 */
export function ingressVerdictFromIpcache(
  cluster: Cluster,
  agent: AgentState,
  endpoint: LocalEndpoint,
  sourceIP: string,
  port: number,
): PolicyVerdict | undefined {
  return decide(cluster, agent, endpoint, 'ingress', lookupIdentity(cluster, agent, sourceIP), port);
}

/** Records the policy-verdict event the deciding node emits for a new connection's SYN. */
function recordPolicyVerdict(
  cluster: Cluster,
  timeMs: number,
  node: string,
  direction: 'INGRESS' | 'EGRESS',
  verdict: PolicyVerdict,
  ends: { source: FlowEndpoint; destination: FlowEndpoint; mistaken?: MistakenIdentity | undefined },
): void {
  const denied = verdict.decision === 'denied';
  recordFlow(cluster, {
    timeMs,
    node,
    eventType: 'policy-verdict',
    verdict: denied ? 'DROPPED' : verdict.decision === 'audit' ? 'AUDIT' : 'FORWARDED',
    ...(denied
      ? { dropReason: verdict.dropReason === 181 ? ('POLICY_DENY' as const) : ('POLICY_DENIED' as const) }
      : {}),
    trafficDirection: direction,
    matchType: verdict.matchType,
    protocol: 'TCP',
    tcpFlags: 'SYN',
    source: ends.source,
    destination: ends.destination,
    explanation: verdict.explanation.summary,
    ...(ends.mistaken !== undefined ? { mistaken: ends.mistaken } : {}),
  });
}

/** Opens a connection from a pod and, if it gets through, sends the HTTP request. */
export function openConnection(world: World, request: ConnectionRequest): ConnectionOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const client: Pod | undefined = getObject(cluster.api, 'Pod', request.fromPodKey);
  const clientLocation = sandboxOfPod(cluster, request.fromPodKey);
  if (
    client === undefined ||
    clientLocation === undefined ||
    clientLocation.sandbox.state !== 'running' ||
    clientLocation.sandbox.ip === undefined
  ) {
    return { kind: 'error', elapsedMs: 0, message: 'the client pod is not running', explanation };
  }
  const namespace = client.metadata.namespace ?? 'default';
  const cilium = cluster.cilium;
  const sourceIP = clientLocation.sandbox.ip;
  const address = resolveServiceName(cluster, request.host, namespace);
  if (address === undefined) {
    explanation.push(`Cluster DNS has no record for ${request.host} in namespace ${namespace}.`);
    return { kind: 'resolve-failed', elapsedMs: 5, explanation };
  }
  const clientAgent = cilium?.agents[clientLocation.node];
  // Service translation happens on the client's node, from that node's view of the Endpoints.
  let backendIP = address;
  let backendPort = request.port;
  const service = listObjects(cluster.api, 'Service').find(
    (candidate) => candidate.spec.clusterIP === address,
  );
  if (service !== undefined) {
    const serviceKey = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    const view = clientAgent === undefined ? undefined : cilium?.views[clientAgent.viewId];
    const servicePort = service.spec.ports.find((port) => port.port === request.port);
    const backends = (view?.serviceBackends[serviceKey] ?? []).filter(() => servicePort !== undefined);
    if (backends.length === 0) {
      explanation.push(
        `${service.metadata.name} (${address}) has no ready backend in ${clientLocation.node}'s view, so the connection is rejected at once.`,
      );
      return { kind: 'refused', elapsedMs: 2, address, explanation };
    }
    const backend = backends[nextIntBetween(world.random, 0, backends.length - 1)];
    if (backend === undefined) return { kind: 'refused', elapsedMs: 2, address, explanation };
    backendIP = backend.ip;
    const target = servicePort?.targetPort;
    backendPort = typeof target === 'number' ? target : request.port;
    explanation.push(
      `${clientLocation.node} translates ${service.metadata.name} (${address}:${request.port}) to backend ${backendIP}:${backendPort}.`,
    );
  }
  const server = sandboxOwningAddress(cluster, backendIP);
  const timeout = (reason: string, mistaken?: MistakenIdentity): ConnectionOutcome => {
    explanation.push(reason);
    return mistaken === undefined
      ? { kind: 'timeout', elapsedMs: request.timeoutMs, address, explanation }
      : { kind: 'timeout', elapsedMs: request.timeoutMs, address, explanation, mistaken };
  };
  if (server === undefined) return timeout(`No pod holds ${backendIP} any more, so nothing answers.`);
  const serverPod = getObject(cluster.api, 'Pod', server.sandbox.podKey);
  const serverAgent = cilium?.agents[server.node];
  const clientEndpoint =
    clientAgent === undefined ? undefined : endpointOf(clientAgent, clientLocation.sandbox);
  const serverEndpoint = serverAgent === undefined ? undefined : endpointOf(serverAgent, server.sandbox);
  const sourcePort = nextIntBetween(world.random, 32768, 60999);
  let mistaken: MistakenIdentity | undefined;
  /** Verdicts that redirect the connection to a node's L7 proxy, client side first. */
  const redirects: {
    node: string;
    direction: 'INGRESS' | 'EGRESS';
    verdict: PolicyVerdict;
    observer: AgentState;
  }[] = [];
  if (
    cilium !== undefined &&
    clientAgent !== undefined &&
    serverAgent !== undefined &&
    clientEndpoint !== undefined &&
    serverEndpoint !== undefined
  ) {
    // Egress, on the client's node: the destination's identity comes from that node's ipcache.
    const destinationIdentity = lookupIpcache(cluster, clientAgent, backendIP).identity;
    const egress = decide(cluster, clientAgent, clientEndpoint, 'egress', destinationIdentity, backendPort);
    if (egress !== undefined && egress.decision === 'denied') {
      recordPolicyVerdict(cluster, world.timeMs, clientLocation.node, 'EGRESS', egress, {
        source: flowEndpoint(cluster, clientAgent, sourceIP, sourcePort, clientEndpoint.identity),
        destination: flowEndpoint(cluster, clientAgent, backendIP, backendPort, destinationIdentity),
      });
      return timeout(
        `Egress policy of ${client.metadata.name} on ${clientLocation.node} drops the SYN: ${egress.explanation.summary}`,
      );
    }
    if (egress?.l7 !== undefined && (egress.proxyPort ?? 0) > 0) {
      redirects.push({
        node: clientLocation.node,
        direction: 'EGRESS',
        verdict: egress,
        observer: clientAgent,
      });
    }
    // The trip to the server's node decides where the receiver learns the source identity.
    let sourceIdentity = clientEndpoint.identity;
    if (server.node === clientLocation.node) {
      explanation.push(
        `Client and server share ${server.node}; the datapath knows the local source endpoint's identity ${describeIdentity(cluster, serverAgent, sourceIdentity)}.`,
      );
    } else {
      const transport = sourceIdentityTransport(cilium.config);
      const receiverEntry = lookupIpcache(cluster, serverAgent, sourceIP);
      if (cilium.config.encryption === 'wireguard') {
        const clientNodeIP = cluster.nodes[clientLocation.node]?.internalIP ?? '';
        // WireGuard accepts an inner source address only if it is in the sending peer's allowed IPs,
        // which the receiving agent fills from its own ipcache.
        if (receiverEntry.hostIP !== clientNodeIP) {
          return timeout(
            `${server.node}'s WireGuard device drops the packet: ${sourceIP} is not in the allowed IPs of peer ${clientLocation.node}, because ${server.node}'s ipcache ${receiverEntry.identity === ReservedIdentity.world ? 'has no entry for it' : `places it behind ${receiverEntry.hostIP}`}.`,
          );
        }
      }
      if (transport === 'ipcache') {
        sourceIdentity = receiverEntry.identity;
        explanation.push(
          `Cilium ${cilium.config.versionMajor}.${cilium.config.versionMinor} with ${cilium.config.encryption === 'wireguard' ? 'WireGuard' : cilium.config.encryption === 'ipsec' ? 'IPsec' : 'native routing'} carries no identity to ${server.node}; it looks ${sourceIP} up in its own ipcache and finds identity ${describeIdentity(cluster, serverAgent, sourceIdentity)}.`,
        );
      } else {
        explanation.push(
          `${clientLocation.node} writes the source identity ${describeIdentity(cluster, serverAgent, sourceIdentity)} into the tunnel header; ${server.node} takes it from there, not from its ipcache.`,
        );
      }
    }
    if (sourceIdentity !== clientEndpoint.identity) {
      const believedPod = lookupIpcache(cluster, serverAgent, sourceIP).podName;
      mistaken = {
        believedIdentity: sourceIdentity,
        actualIdentity: clientEndpoint.identity,
        actualPod: client.metadata.name,
        ...(believedPod !== undefined ? { believedPod } : {}),
        sentence: `${server.node} believed ${sourceIP} was identity ${sourceIdentity}${believedPod !== undefined ? ` (${believedPod})` : ''}, but ${client.metadata.name} with identity ${clientEndpoint.identity} sent it.`,
      };
    }
    const ingress = decide(cluster, serverAgent, serverEndpoint, 'ingress', sourceIdentity, backendPort);
    const source = flowEndpoint(cluster, serverAgent, sourceIP, sourcePort, sourceIdentity);
    const destination = flowEndpoint(cluster, serverAgent, backendIP, backendPort, serverEndpoint.identity);
    if (ingress !== undefined && ingress.decision === 'denied') {
      recordPolicyVerdict(cluster, world.timeMs, server.node, 'INGRESS', ingress, {
        source,
        destination,
        mistaken,
      });
      return timeout(
        `Ingress policy of ${serverPod?.metadata.name ?? backendIP} on ${server.node} drops the SYN: ${ingress.explanation.summary}`,
        mistaken,
      );
    }
    if (ingress !== undefined && ingress.decision !== 'denied' && serverEndpointEnforces(ingress)) {
      recordPolicyVerdict(cluster, world.timeMs, server.node, 'INGRESS', ingress, {
        source,
        destination,
        mistaken,
      });
      explanation.push(`Ingress policy on ${server.node} allows it: ${ingress.explanation.summary}`);
    }
    if (ingress?.l7 !== undefined && (ingress.proxyPort ?? 0) > 0) {
      redirects.push({ node: server.node, direction: 'INGRESS', verdict: ingress, observer: serverAgent });
    }
    recordFlow(cluster, {
      timeMs: world.timeMs,
      node: server.node,
      eventType: 'trace',
      verdict: 'FORWARDED',
      trafficDirection: 'INGRESS',
      protocol: 'TCP',
      tcpFlags: 'SYN',
      source,
      destination,
      explanation: 'to-endpoint',
      ...(mistaken !== undefined ? { mistaken } : {}),
    });
  }
  if (serverPod === undefined) return timeout(`No pod object for ${backendIP}.`);
  const application = applicationListeningOn(serverPod, backendPort);
  if (application === undefined || server.sandbox.state !== 'running') {
    explanation.push(
      `Nothing listens on ${backendIP}:${backendPort} in ${serverPod.metadata.name}; the kernel answers with a reset.`,
    );
    return { kind: 'refused', elapsedMs: 3, address, explanation };
  }
  const http = request.http ?? { method: 'GET', path: '/', headers: {} };
  // The node's Envoy answers redirected requests itself when its L7 rules refuse them.
  for (const redirect of redirects) {
    const answer = evaluateHttpRequest(redirect.verdict, {
      method: http.method,
      path: http.path,
      host: request.host,
      headers: http.headers,
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
        sourceIP,
        sourcePort,
        redirect.direction === 'INGRESS'
          ? (mistaken?.believedIdentity ?? clientEndpoint?.identity ?? 0)
          : (clientEndpoint?.identity ?? 0),
      ),
      destination: flowEndpoint(
        cluster,
        redirect.observer,
        backendIP,
        backendPort,
        serverEndpoint?.identity ?? 0,
      ),
      explanation: answer.explanation.summary,
      l7: {
        type: 'http-request',
        method: http.method,
        url: `http://${request.host}:${request.port}${http.path}`,
      },
      ...(mistaken !== undefined ? { mistaken } : {}),
    });
    explanation.push(
      `${redirect.node}'s Envoy (cilium.l7policy filter) ${answer.allowed ? 'lets' : 'refuses'} ${http.method} ${http.path}: ${answer.explanation.summary}`,
    );
    if (!answer.allowed) {
      const response: HttpResponse = {
        status: answer.httpStatus ?? 403,
        headers: { 'content-type': 'text/plain', server: 'envoy' },
        body: answer.body ?? 'Access denied\r\n',
      };
      return {
        kind: 'response',
        elapsedMs: 4,
        address,
        response,
        serverPod: serverPod.metadata.name,
        explanation,
        ...(mistaken !== undefined ? { mistaken } : {}),
      };
    }
  }
  const response = application.respond({ ...http, host: request.host, port: request.port }, serverPod) ?? {
    status: 200,
    headers: {},
    body: '',
  };
  return mistaken === undefined
    ? { kind: 'response', elapsedMs: 6, address, response, serverPod: serverPod.metadata.name, explanation }
    : {
        kind: 'response',
        elapsedMs: 6,
        address,
        response,
        serverPod: serverPod.metadata.name,
        explanation,
        mistaken,
      };
}

/** Whether the verdict came from an enforcing policy (only then does Hubble emit a policy-verdict event). */
function serverEndpointEnforces(verdict: PolicyVerdict): boolean {
  return verdict.explanation.layer !== 'enforcement';
}
