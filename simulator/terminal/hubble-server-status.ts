/**
 * What Hubble's ServerStatus answers: an agent's Hubble server for its own node, and Hubble Relay
 * for every node it reaches (pkg/hubble/observer LocalObserverServer.ServerStatus and getFlowRate,
 * pkg/hubble/relay/observer ServerStatus at v1.18.5), and how the hubble CLI prints it in its
 * default compact form (hubble/pkg/printer WriteServerStatusResponse).
 *
 * An agent's flows live in memory, so a restarted agent starts an empty ring (its flows before the
 * restart are gone). The model keeps one ring of `flowCapacity` flows for the whole cluster where
 * each real node keeps its own of that size, so after a long, busy session the counts here are
 * lower than a real cluster's.
 */
import { flowCapacity, type AgentState } from '../cilium/state';
import type { Flow } from '../cilium/flow';
import type { World } from '../world';

/** One server's status (observer.proto ServerStatusResponse, the fields the CLI prints). */
export interface ServerStatus {
  numFlows: number;
  maxFlows: number;
  seenFlows: number;
  uptimeMs: number;
  /** Flows per second over the last minute (getFlowRate). */
  flowsRate: number;
  /** Relay only: the nodes it reaches and the names of those it does not. */
  connectedNodes?: number;
  unavailableNodes?: string[];
}

/** The flows an agent's Hubble still holds: its node's, since it last started. */
function agentFlows(world: World, agent: AgentState): Flow[] {
  const started = agent.startedAtMs ?? 0;
  return (world.cluster?.cilium?.flows ?? []).filter(
    (flow) => flow.node === agent.node && flow.timeMs >= started,
  );
}

/**
 * Flows per second over the last minute, or, when the ring holds less than a minute, over the span
 * from its oldest flow (getFlowRate stops at the ring's beginning and measures from there). The
 * model's clock can put a flow at the very moment of the question; a millisecond stands in for
 * the nanoseconds that separate them on a real machine.
 */
function flowRate(flows: readonly Flow[], nowMs: number): number {
  let since = nowMs - 60_000;
  const oldest = flows[0];
  if (oldest !== undefined && oldest.timeMs > since) since = oldest.timeMs;
  const recent = flows.filter((flow) => flow.timeMs >= since).length;
  return recent / (Math.max(1, nowMs - since) / 1000);
}

/** An agent's Hubble server status. */
export function agentServerStatus(world: World, agent: AgentState): ServerStatus {
  const flows = agentFlows(world, agent);
  const numFlows = Math.min(flows.length, flowCapacity);
  return {
    numFlows,
    maxFlows: flowCapacity,
    seenFlows: flows.length,
    uptimeMs: world.timeMs - (agent.startedAtMs ?? 0),
    flowsRate: flowRate(flows, world.timeMs),
  };
}

/** The agents Hubble Relay knows of (its peers, one per Cilium node), by node name. */
export function relayPeers(world: World): AgentState[] {
  const agents = world.cluster?.cilium?.agents ?? {};
  return Object.keys(agents)
    .sort()
    .map((node) => agents[node])
    .filter((agent): agent is AgentState => agent !== undefined);
}

/** Relay's status: the sum over the agents it reaches, the oldest uptime among them. */
export function relayServerStatus(world: World): ServerStatus {
  const status: ServerStatus = {
    numFlows: 0,
    maxFlows: 0,
    seenFlows: 0,
    uptimeMs: 0,
    flowsRate: 0,
    connectedNodes: 0,
    unavailableNodes: [],
  };
  for (const agent of relayPeers(world)) {
    if (!agent.running) {
      status.unavailableNodes?.push(agent.node);
      continue;
    }
    const one = agentServerStatus(world, agent);
    status.connectedNodes = (status.connectedNodes ?? 0) + 1;
    status.numFlows += one.numFlows;
    status.maxFlows += one.maxFlows;
    status.seenFlows += one.seenFlows;
    status.flowsRate += one.flowsRate;
    status.uptimeMs = Math.max(status.uptimeMs, one.uptimeMs);
  }
  return status;
}

/** Go's digit grouping for counts (the printer's uint64Grouping): `12,285`. */
const grouped = (value: number): string => value.toLocaleString('en-US');

/** `hubble status` in its compact form, after the health check line. */
export function compactServerStatus(status: ServerStatus): string {
  const ratio = status.maxFlows > 0 ? ` (${((status.numFlows / status.maxFlows) * 100).toFixed(2)}%)` : '';
  const lines = [`Current/Max Flows: ${grouped(status.numFlows)}/${grouped(status.maxFlows)}${ratio}`];
  const uptimeSeconds = status.uptimeMs / 1000;
  const perSecond =
    status.flowsRate > 0
      ? status.flowsRate.toFixed(2)
      : uptimeSeconds > 0
        ? (status.seenFlows / uptimeSeconds).toFixed(2)
        : 'N/A';
  lines.push(`Flows/s: ${perSecond}`);
  const unavailable = status.unavailableNodes ?? [];
  if (status.connectedNodes !== undefined)
    lines.push(`Connected Nodes: ${status.connectedNodes}/${status.connectedNodes + unavailable.length}`);
  if (unavailable.length > 0)
    lines.push(`Unavailable Nodes: ${unavailable.length}`, ...unavailable.map((node) => `  - ${node}`));
  return `${lines.join('\n')}\n`;
}

/** `hubble status` inside an agent pod, which asks that agent's server over its Unix socket. */
export function agentHubbleStatus(world: World, agent: AgentState): string {
  return `Healthcheck (via unix:///var/run/cilium/hubble.sock): Ok\n${compactServerStatus(agentServerStatus(world, agent))}`;
}
