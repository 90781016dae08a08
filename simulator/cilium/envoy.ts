/**
 * The node's Envoy as Cilium runs it (FACTS §7): one proxy per node, shared by every local endpoint
 * whose policy redirects HTTP to it. Its listeners follow the redirects the endpoints' compiled
 * policies ask for (`cilium-http-ingress:<proxy port>`, `cilium-http-egress:<proxy port>`), and it
 * can run extra HTTP filters (a Wasm module a team loaded). A filter stuck in a loop pins Envoy's
 * workers, so every request any redirected endpoint on that node sends or receives waits until the
 * client gives up, while traffic the datapath forwards without the proxy and other nodes carry on.
 * DNS (the agent's own proxy) and Kafka (the agent's parser) do not pass through Envoy.
 */
import type { Cluster, World } from '../world';
import { requireCluster } from '../world';
import type { ConnectionOutcome, OpenedConnection } from './datapath';
import type { AgentState, LocalEndpoint } from './state';
import { policyForEndpoint } from './local-identities';
import type { EndpointPolicy } from '../policy/index';

/** What a loaded extension does with each request. */
export type WasmBehaviour = 'pass' | 'infinite-loop';

/** An HTTP filter loaded into a node's Envoy next to cilium.l7policy (an envoy.filters.http.wasm module). */
export interface WasmFilter {
  name: string;
  /** Who asked for it (a team or namespace); the proxy runs it for everybody's requests. */
  owner: string;
  behaviour: WasmBehaviour;
  loadedMs: number;
}

/** One node's Envoy. */
export interface NodeEnvoy {
  wasmFilters: WasmFilter[];
  /** Requests that entered a stalled Envoy and never came out (for the narration). */
  stalledRequests: number;
}

/** Every node's Envoy, by node name (created on first use). */
export interface EnvoyState {
  nodes: Record<string, NodeEnvoy>;
}

/** A node's Envoy state, created on first use. */
export function nodeEnvoy(cluster: Cluster, node: string): NodeEnvoy {
  cluster.envoy ??= { nodes: {} };
  let state = cluster.envoy.nodes[node];
  if (state === undefined) {
    state = { wasmFilters: [], stalledRequests: 0 };
    cluster.envoy.nodes[node] = state;
  }
  return state;
}

/** The extension that keeps a node's Envoy from answering, if any. */
export function envoyStall(cluster: Cluster, node: string): WasmFilter | undefined {
  return cluster.envoy?.nodes[node]?.wasmFilters.find((filter) => filter.behaviour === 'infinite-loop');
}

/** Result of loading or unloading an extension, as the input reports it. */
export type EnvoyChangeResult = { ok: true } | { ok: false; error: string };

/** Loads an HTTP Wasm filter into a node's Envoy (input `envoy.wasm.load`). */
export function loadWasmFilter(
  world: World,
  node: string,
  filter: { name: string; owner: string; behaviour: WasmBehaviour },
): EnvoyChangeResult {
  const cluster = requireCluster(world);
  if (cluster.nodes[node] === undefined) return { ok: false, error: `no node named ${node}` };
  if (cluster.cilium === undefined) return { ok: false, error: 'Cilium is not installed' };
  if (!cluster.cilium.config.l7Proxy)
    return { ok: false, error: 'the L7 proxy is disabled (l7Proxy=false): this node runs no Envoy' };
  const state = nodeEnvoy(cluster, node);
  if (state.wasmFilters.some((existing) => existing.name === filter.name))
    return { ok: false, error: `${node}'s Envoy already runs a filter named ${filter.name}` };
  state.wasmFilters.push({ ...filter, loadedMs: world.timeMs });
  return { ok: true };
}

/** Removes an extension again (input `envoy.wasm.unload`); Envoy's workers are free once it is gone. */
export function unloadWasmFilter(world: World, node: string, name: string): EnvoyChangeResult {
  const cluster = requireCluster(world);
  const state = cluster.envoy?.nodes[node];
  const index = state?.wasmFilters.findIndex((filter) => filter.name === name) ?? -1;
  if (state === undefined || index < 0)
    return { ok: false, error: `${node}'s Envoy runs no filter named ${name}` };
  state.wasmFilters.splice(index, 1);
  return { ok: true };
}

/** A timeout that happened inside a node's Envoy: the TCP connection was accepted, no byte came back. */
export type StalledOutcome = Extract<ConnectionOutcome, { kind: 'timeout' }> & {
  stalledProxy: { node: string; filter: string; owner: string };
};

/** Whether an outcome is a request that hung in a node's Envoy. */
export function isStalledOutcome(outcome: ConnectionOutcome): outcome is StalledOutcome {
  return outcome.kind === 'timeout' && 'stalledProxy' in outcome;
}

/**
 * The datapath's hook where a connection is redirected to a node's proxy: when the Envoy of a node
 * the connection passes through (the client's for egress rules, the server's for ingress rules) is
 * stalled, the request waits there until the client's timeout. Envoy's listener still accepts the
 * connection, so the client sees a timeout with 0 bytes received rather than a refused connection.
 */
export function stallAtProxy(
  cluster: Cluster,
  opened: OpenedConnection,
  timeoutMs: number,
  explanation: string[],
): StalledOutcome | undefined {
  for (const redirect of opened.passage.redirects) {
    if (redirect.verdict.l7?.parser !== 'http') continue;
    const filter = envoyStall(cluster, redirect.node);
    if (filter === undefined) continue;
    nodeEnvoy(cluster, redirect.node).stalledRequests += 1;
    explanation.push(
      `${redirect.node}'s Envoy accepts the redirected connection (${redirect.direction.toLowerCase()}), but its workers are stuck in the Wasm filter ${filter.name} (loaded for ${filter.owner}): the request never reaches cilium.l7policy, and nothing answers before the client gives up.`,
    );
    return {
      kind: 'timeout',
      elapsedMs: opened.elapsedMs + timeoutMs,
      address: opened.address,
      explanation,
      ...(opened.passage.mistaken !== undefined ? { mistaken: opened.passage.mistaken } : {}),
      stalledProxy: { node: redirect.node, filter: filter.name, owner: filter.owner },
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

/** The ready local endpoints of an agent, by id. */
export function localEndpoints(agent: AgentState): LocalEndpoint[] {
  return Object.values(agent.endpoints)
    .filter((endpoint) => endpoint.state === 'ready')
    .sort((a, b) => a.id - b.id);
}

/** The listeners of a node's Envoy: one per proxy port some local endpoint redirects to. */
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
