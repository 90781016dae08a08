/**
 * The two endpoints every agent creates for itself at start-up: the host endpoint (identity
 * reserved:host, which host policies select) and the health endpoint. The model does not allocate
 * them, so their ids are derived from the node's name: stable across runs and replays, and never an
 * id one of the agent's pod endpoints holds. The host endpoint is restored with its id when an
 * agent restarts; the health endpoint is launched anew with a new id (cilium/infra-endpoints.ts),
 * so its id also depends on how many times an agent started on the node. The CLI, the datapath's
 * monitor events and `endpoint config` all name them through these functions, so they agree on the
 * numbers.
 */
import type { Cluster } from '../world';
import { hashString64 } from '../engine/state-hash';
import { hostEndpointLabels } from './endpoint-policy-cache';
import { labelSetToStrings } from './labels';
import type { AgentState, LocalEndpoint } from './state';

/** Endpoint ids are 1-4095 (pkg/endpoint/id: MaxEndpointID). */
export const maxEndpointId = 4095;

/** The ids of an agent's host and health endpoints. */
export function agentEndpointIds(agent: AgentState): { host: number; health: number } {
  const used = new Set(Object.keys(agent.endpoints).map(Number));
  const pick = (seed: string): number => {
    let id = (parseInt(hashString64(seed).slice(0, 8), 16) % maxEndpointId) + 1;
    while (used.has(id)) id = (id % maxEndpointId) + 1;
    used.add(id);
    return id;
  };
  // The host's id is picked first, so the health endpoint steps aside if the two ever collide.
  const host = pick(`${agent.node}/host`);
  // The first start keeps the seed of the model's earlier releases, so their ids stay as they were.
  const starts = agent.startCount ?? 1;
  const health = pick(starts <= 1 ? `${agent.node}/health` : `${agent.node}/health#${starts}`);
  return { host, health };
}

/** The id of the agent's host endpoint. */
export function hostEndpointId(agent: AgentState): number {
  return agentEndpointIds(agent).host;
}

/** One of an agent's endpoints, found by id: a pod's, the host's or the health endpoint. */
export type AgentEndpoint =
  | { kind: 'pod'; id: number; endpoint: LocalEndpoint }
  | { kind: 'host'; id: number }
  | { kind: 'health'; id: number };

/** The endpoint with this id on the agent, as the agent's API finds it (disconnected ones are gone). */
export function findAgentEndpoint(agent: AgentState, id: number): AgentEndpoint | undefined {
  const endpoint = agent.endpoints[String(id)];
  if (endpoint !== undefined && endpoint.state !== 'disconnected') return { kind: 'pod', id, endpoint };
  const ids = agentEndpointIds(agent);
  if (id === ids.host) return { kind: 'host', id };
  if (id === ids.health) return { kind: 'health', id };
  return undefined;
}

/**
 * The host endpoint's labels as `endpoint list` shows them: `reserved:host` and the Node's labels
 * that Cilium's identity label filter keeps, the same set host policies are matched against.
 */
export function hostEndpointDisplayLabels(cluster: Cluster, agent: AgentState): string[] {
  return labelSetToStrings(hostEndpointLabels(cluster, agent));
}
