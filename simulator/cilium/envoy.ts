/**
 * The node's Envoy as Cilium runs it (Documentation/security/network/proxy/envoy.rst in
 * cilium/cilium; the filters in cilium/proxy): one proxy process per node, shared by every local
 * endpoint whose policy redirects HTTP to it and by every listener a CiliumEnvoyConfig adds.
 *
 * - The agent owns the policy listeners (`cilium-http-ingress:<proxy port>`,
 *   `cilium-http-egress:<proxy port>`) and their filter chain (cilium.bpf_metadata, cilium.network,
 *   cilium.l7policy, router); nobody else can add a filter to them.
 * - A tenant adds its own filters through a CiliumEnvoyConfig (cilium/envoy-config-resources.ts),
 *   which becomes separate listeners in the same process.
 * - What the listeners share is the process's worker threads. Envoy since 1.20 opens one listen
 *   socket per worker with SO_REUSEPORT (Cilium turns that off only with bpf.tproxy), so the kernel
 *   hands each new connection to the worker its 4-tuple hashes to. A filter that never returns pins
 *   the worker that ran it; every connection hashed to that worker afterwards, on any listener,
 *   waits in its accept queue until the client gives up. Removing the filter's listener does not free
 *   the worker (it never returns to its event loop to see the change); only a new Envoy process does.
 *
 * DNS (the agent's own proxy) and Kafka (the agent's parser) do not pass through Envoy.
 */
import type { Cluster, World } from '../world';
import { requireCluster } from '../world';
import { listObjects } from '../k8s/api-store';
import type { ConnectionOutcome, OpenedConnection } from './datapath-types';
import type { AgentState, LocalEndpoint } from './state';
import { policyForEndpoint } from './local-identities';
import type { EndpointPolicy } from '../policy/index';
import type { CiliumEnvoyConfigResource, EnvoyConfigListener, EnvoyWorker, NodeEnvoy } from './envoy-state';
export type { EnvoyWorker, NodeEnvoy, EnvoyState } from './envoy-state';

/**
 * Worker threads of each node's Envoy. Envoy's `--concurrency` defaults to the number of hardware
 * threads, and Cilium's agent passes none (pkg/envoy/envoy.go starts `cilium-envoy -l … -c … --base-id
 * …`); the simulated kind host has 2, which every node container sees.
 */
export const envoyWorkerThreads = 2;

const freshWorkers = (): EnvoyWorker[] => Array.from({ length: envoyWorkerThreads }, () => ({}));

/** A node's Envoy state, created on first use. */
function nodeEnvoy(cluster: Cluster, node: string): NodeEnvoy {
  cluster.envoy ??= { nodes: {} };
  let state = cluster.envoy.nodes[node];
  if (state === undefined) {
    state = { workers: freshWorkers(), starts: 1, stalledRequests: 0 };
    cluster.envoy.nodes[node] = state;
  }
  return state;
}

/** The workers of a node's Envoy that a filter keeps busy. */
export function stuckWorkers(cluster: Cluster, node: string): EnvoyWorker[] {
  return (cluster.envoy?.nodes[node]?.workers ?? []).filter((worker) => worker.stuckIn !== undefined);
}

/** Result of an Envoy input, as the input reports it. */
export type EnvoyChangeResult = { ok: true } | { ok: false; error: string };

/**
 * Kills and restarts a node's Envoy (input `envoy.restart`). Up to 1.15 Envoy runs inside the agent
 * pod and the agent starts a new process when the old one exits (pkg/envoy/envoy.go, "Envoy: Proxy
 * crashed" then a restart after 100 ms); from 1.16 it is the node's cilium-envoy DaemonSet pod. The
 * agent then pushes every listener again, so the new process has fresh workers and the same config.
 */
export function restartEnvoy(world: World, node: string): EnvoyChangeResult {
  const cluster = requireCluster(world);
  if (cluster.nodes[node] === undefined) return { ok: false, error: `no node named ${node}` };
  if (cluster.cilium === undefined) return { ok: false, error: 'Cilium is not installed' };
  if (!cluster.cilium.config.l7Proxy)
    return { ok: false, error: 'the L7 proxy is disabled (l7Proxy=false): this node runs no Envoy' };
  const state = nodeEnvoy(cluster, node);
  state.workers = freshWorkers();
  state.starts += 1;
  return { ok: true };
}

/** A timeout that happened inside a node's Envoy: the TCP connection was accepted, no byte came back. */
export type StalledOutcome = Extract<ConnectionOutcome, { kind: 'timeout' }> & {
  stalledProxy: { node: string; listener: string; filter: string; config: string };
};

/** Whether an outcome is a request that hung in a node's Envoy. */
export function isStalledOutcome(outcome: ConnectionOutcome): outcome is StalledOutcome {
  return outcome.kind === 'timeout' && 'stalledProxy' in outcome;
}

/** FNV-1a over a connection's addresses and ports: which per-worker socket the kernel picks. */
function reusePortWorker(tuple: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < tuple.length; i++) {
    hash ^= tuple.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % envoyWorkerThreads;
}

/** One listener of a node's Envoy that a connection is handed to. */
interface EnvoyHop {
  node: string;
  listener: string;
  /** The 4-tuple the listener's socket sees (for the worker choice). */
  tuple: string;
  /** The tenant's HTTP filters on this listener, when a CiliumEnvoyConfig added it. */
  config?: { key: string; listener: EnvoyConfigListener };
  why: string;
}

/** The CiliumEnvoyConfig listener the client's node redirects a Service connection to, if any. */
function envoyConfigHop(cluster: Cluster, opened: OpenedConnection, port: number): EnvoyHop | undefined {
  const { origin, tuple } = opened.passage;
  const service = listObjects(cluster.api, 'Service').find(
    (candidate) => candidate.spec.clusterIP === opened.address,
  );
  if (service === undefined) return undefined;
  const config = envoyConfigForService(
    cluster,
    service.metadata.namespace ?? 'default',
    service.metadata.name,
  );
  const listener = config?.listeners[0];
  if (config === undefined || listener === undefined) return undefined;
  const key = `${config.namespace}/${config.name}`;
  return {
    node: origin.node,
    listener: listener.qualifiedName,
    tuple: `${tuple.sourceIP}:${tuple.sourcePort}>${opened.address}:${port}`,
    config: { key, listener },
    why: `${origin.node} redirects ${service.metadata.namespace ?? 'default'}/${service.metadata.name} to the listener ${listener.qualifiedName} of CiliumEnvoyConfig ${key}`,
  };
}

/**
 * The CiliumEnvoyConfig whose `services` list a Service, when the agents act on it: the listener
 * exists and the datapath redirects the Service's traffic to it (L7 load balancing needs the
 * kube-proxy replacement, or NodePort support, to translate services in BPF).
 */
function envoyConfigForService(
  cluster: Cluster,
  namespace: string,
  name: string,
): CiliumEnvoyConfigResource | undefined {
  const values = cluster.cilium?.config.values ?? {};
  const bpfServices =
    values.kubeProxyReplacement === 'true' ||
    values.kubeProxyReplacement === 'strict' ||
    values['nodePort.enabled'] === 'true';
  if (!bpfServices) return undefined;
  return Object.values(cluster.envoy?.configs ?? {})
    .filter((config) => config.refusal === undefined)
    .find((config) =>
      config.services.some((service) => service.namespace === namespace && service.name === name),
    );
}

/** Every Envoy listener a connection passes: a CiliumEnvoyConfig's on the client node, then the policy redirects. */
function envoyHops(cluster: Cluster, opened: OpenedConnection, port: number): EnvoyHop[] {
  const hops: EnvoyHop[] = [];
  const configHop = envoyConfigHop(cluster, opened, port);
  if (configHop !== undefined) hops.push(configHop);
  const { tuple } = opened.passage;
  for (const redirect of opened.passage.redirects) {
    if (redirect.verdict.l7?.parser !== 'http') continue;
    const direction = redirect.direction === 'INGRESS' ? 'ingress' : 'egress';
    const proxyPort = redirect.verdict.proxyPort ?? 0;
    hops.push({
      node: redirect.node,
      listener: `cilium-http-${direction}:${proxyPort}`,
      tuple: `${tuple.sourceIP}:${tuple.sourcePort}>${tuple.destinationIP}:${tuple.destinationPort}`,
      why: `the ${direction} policy redirects the connection to ${redirect.node}'s listener cilium-http-${direction}:${proxyPort}`,
    });
  }
  return hops;
}

/** The first HTTP filter of a listener that never returns, if any. */
function loopingFilter(listener: EnvoyConfigListener): string | undefined {
  return listener.httpFilters.find((filter) => filter.behaviour === 'infinite-loop')?.name;
}

/**
 * The datapath's hook where a connection reaches a node's Envoy (a CiliumEnvoyConfig listener on the
 * client's node, then the policy listeners): the kernel hands it to one worker; a worker stuck in a
 * filter never accepts it, and a worker that runs a looping filter becomes stuck. Either way the
 * client sees a timeout with 0 bytes received, not a refused connection.
 */
export function stallAtProxy(
  cluster: Cluster,
  opened: OpenedConnection,
  port: number,
  timeoutMs: number,
  explanation: string[],
  atMs: number,
): StalledOutcome | undefined {
  if (cluster.cilium?.config.l7Proxy !== true) return undefined;
  for (const hop of envoyHops(cluster, opened, port)) {
    const envoy = nodeEnvoy(cluster, hop.node);
    const index = reusePortWorker(hop.tuple);
    const worker = envoy.workers[index];
    if (worker === undefined) continue;
    const filter = hop.config === undefined ? undefined : loopingFilter(hop.config.listener);
    if (worker.stuckIn === undefined && filter === undefined) continue;
    envoy.stalledRequests += 1;
    if (worker.stuckIn === undefined && filter !== undefined && hop.config !== undefined) {
      worker.stuckIn = { listener: hop.listener, filter, config: hop.config.key, sinceMs: atMs };
      explanation.push(
        `${hop.why}; worker ${index} of its ${envoyWorkerThreads} runs the HTTP filter ${filter}, which never returns: the worker is stuck from now on, and the request never reaches the router.`,
      );
    } else {
      explanation.push(
        `${hop.why}; the kernel queues it on worker ${index}, which has been stuck in ${worker.stuckIn?.filter ?? '?'} (listener ${worker.stuckIn?.listener ?? '?'}) since ${((worker.stuckIn?.sinceMs ?? 0) / 1000).toFixed(1)} s: nothing accepts the connection before the client gives up.`,
      );
    }
    const stuck = worker.stuckIn ?? { listener: hop.listener, filter: filter ?? '', config: '' };
    return {
      kind: 'timeout',
      elapsedMs: opened.elapsedMs + timeoutMs,
      address: opened.address,
      explanation,
      ...(opened.passage.mistaken !== undefined ? { mistaken: opened.passage.mistaken } : {}),
      stalledProxy: { node: hop.node, listener: stuck.listener, filter: stuck.filter, config: stuck.config },
    };
  }
  return undefined;
}

/** One proxy listener a node's Envoy has because some local endpoint's policy redirects to it. */
export interface EnvoyListener {
  /** `cilium-http-ingress:10001`: the proxy port's name and number, as the agent names Envoy listeners. */
  name: string;
  direction: 'ingress' | 'egress';
  port: number;
  /** Endpoints (ids) whose policy-map entries redirect to this listener. */
  endpointIds: number[];
}

/** The redirects of one endpoint's policy, by direction and proxy port (HTTP only: Envoy's share). */
export function httpRedirects(policy: EndpointPolicy): { direction: 'ingress' | 'egress'; port: number }[] {
  const found = new Map<string, { direction: 'ingress' | 'egress'; port: number }>();
  for (const direction of ['ingress', 'egress'] as const) {
    for (const byKey of policy[direction].entries.values()) {
      for (const entry of byKey.values()) {
        if (entry.deny || entry.proxyPort === 0 || entry.l7?.parser !== 'http') continue;
        found.set(`${direction}|${entry.proxyPort}`, { direction, port: entry.proxyPort });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.direction.localeCompare(b.direction) || a.port - b.port);
}

/**
 * The local endpoints of an agent whose policy the proxy serves, by id: the ready ones, and those a
 * restarted agent is restoring or regenerating, which keep the policy they had meanwhile.
 */
export function localEndpoints(agent: AgentState): LocalEndpoint[] {
  const serving = ['ready', 'restoring', 'waiting-to-regenerate', 'regenerating'];
  return Object.values(agent.endpoints)
    .filter((endpoint) => serving.includes(endpoint.state))
    .sort((a, b) => a.id - b.id);
}

/** The agent's own listeners of a node's Envoy: one per proxy port some local endpoint redirects to. */
export function envoyListeners(cluster: Cluster, agent: AgentState): EnvoyListener[] {
  const listeners = new Map<string, EnvoyListener>();
  for (const endpoint of localEndpoints(agent)) {
    const policy = policyForEndpoint(cluster, agent, endpoint);
    if (policy === undefined) continue;
    for (const redirect of httpRedirects(policy)) {
      const name = `cilium-http-${redirect.direction}:${redirect.port}`;
      const listener = listeners.get(name) ?? {
        name,
        direction: redirect.direction,
        port: redirect.port,
        endpointIds: [],
      };
      listener.endpointIds.push(endpoint.id);
      listeners.set(name, listener);
    }
  }
  return [...listeners.values()].sort((a, b) => a.name.localeCompare(b.name));
}
