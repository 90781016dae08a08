/**
 * Goals over Hubble flows: what the datapath reported while the reader worked. A flow is matched
 * by the real sender's identity (the truth the model keeps beside a stale belief), so "sleep-v2
 * reached helloworld-v1" holds even when the observing node named the flow after sleep-v1.
 */
import type { Flow, Verdict } from '../../cilium/flow';
import type { Cluster } from '../../world';
import { identityMatches, nodesChosen } from '../pods';
import type { GoalCheck, PodMatch } from '../types';
import type { GoalContext } from './context';

/** The identity of whoever really sent a flow. */
function senderIdentity(flow: Flow): number {
  return flow.mistaken?.actualIdentity ?? flow.source.identity;
}

interface FlowQuery {
  from: PodMatch;
  to: PodMatch;
  port: number;
  verdict: Verdict;
  nodes?: readonly string[];
  mistaken?: boolean;
  authenticated?: boolean;
}

function flowMatches(cluster: Cluster, flow: Flow, query: FlowQuery): boolean {
  if (flow.verdict !== query.verdict || flow.destination.port !== query.port) return false;
  if (query.nodes !== undefined && !query.nodes.includes(flow.node)) return false;
  if (query.mistaken !== undefined && (flow.mistaken !== undefined) !== query.mistaken) return false;
  if (query.authenticated !== undefined && (flow.authType === 'SPIRE') !== query.authenticated) return false;
  return (
    identityMatches(cluster, senderIdentity(flow), query.from) &&
    identityMatches(cluster, flow.destination.identity, query.to)
  );
}

/** Whether any recorded flow matches (newest first: the flow a goal waits for is usually recent). */
export function flowSeen(context: GoalContext, query: FlowQuery): boolean {
  const cluster = context.world.cluster;
  const flows = cluster?.cilium?.flows;
  if (cluster === undefined || flows === undefined) return false;
  for (let i = flows.length - 1; i >= 0; i--) {
    const flow = flows[i];
    if (flow !== undefined && flowMatches(cluster, flow, query)) return true;
  }
  return false;
}

/** Evaluates a `flow` goal. */
export function checkFlow(context: GoalContext, check: Extract<GoalCheck, { kind: 'flow' }>): boolean {
  return flowSeen(context, {
    from: check.from,
    to: check.to,
    port: check.port,
    verdict: check.verdict,
    ...(check.node !== undefined ? { nodes: nodesChosen(context.world, check.node) } : {}),
    ...(check.mistaken !== undefined ? { mistaken: check.mistaken } : {}),
    ...(check.authenticated !== undefined ? { authenticated: check.authenticated } : {}),
  });
}
