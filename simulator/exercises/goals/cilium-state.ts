/**
 * Goals over Cilium's own state: the installed configuration, the host endpoint's enforcement,
 * audit mode, and what an agent's ipcache believes about an address.
 */
import { lookupIpcache } from '../../cilium/agent-ipcache';
import { parseCiliumVersion } from '../../cilium/config';
import { hostEndpointPolicyFor } from '../../cilium/endpoint-policy-cache';
import { effectiveAuditMode } from '../../cilium/endpoint-options';
import { getObject, listObjects } from '../../k8s/api-store';
import type { Pod } from '../../k8s/objects';
import { podKey } from '../../queries';
import { sandboxOwningAddress } from '../../cilium/connection-ends';
import { identityMatches, nodesChosen, podMatches, runningPodsMatching } from '../pods';
import { readerReachesApiServer } from '../probe';
import type { GoalCheck } from '../types';
import type { GoalContext } from './context';

/** Evaluates `cilium-config`: the release is at least `minVersion` and every Helm value is set so. */
export function checkCiliumConfig(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'cilium-config' }>,
): boolean {
  const config = context.world.cluster?.cilium?.config;
  if (config === undefined) return false;
  if (check.minVersion !== undefined) {
    const have = parseCiliumVersion(config.version);
    const want = parseCiliumVersion(check.minVersion);
    if (have === undefined || want === undefined) return false;
    const order = [have.major - want.major, have.minor - want.minor, have.patch - want.patch].find(
      (d) => d !== 0,
    );
    if (order !== undefined && order < 0) return false;
  }
  return Object.entries(check.values ?? {}).every(([key, value]) => config.values[key] === value);
}

/**
 * Evaluates `host-firewall-enforcing`: the host firewall is on and the host endpoint of the node
 * (or of every node) is not in audit mode and has a host policy selecting it, so its ingress is
 * default-deny.
 */
export function checkHostFirewallEnforcing(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'host-firewall-enforcing' }>,
): boolean {
  const cluster = context.world.cluster;
  const cilium = cluster?.cilium;
  if (cluster === undefined || cilium === undefined || cilium.config.hostFirewall !== true) return false;
  const agents = check.node === undefined ? Object.values(cilium.agents) : [cilium.agents[check.node]];
  return (
    agents.length > 0 &&
    agents.every((agent) => {
      const policy = agent === undefined ? undefined : hostEndpointPolicyFor(cluster, agent);
      return (
        policy !== undefined && !policy.auditMode && policy.ingress.enforced && policy.ingress.defaultDeny
      );
    })
  );
}

/** Evaluates `node-ready`: every chosen node is Ready and its agent is in touch with the API server. */
export function checkNodeReady(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'node-ready' }>,
): boolean {
  const cluster = context.world.cluster;
  if (cluster === undefined) return false;
  const nodes = nodesChosen(context.world, check.node);
  return (
    nodes.length > 0 &&
    nodes.every((name) => {
      const ready = getObject(cluster.api, 'Node', name)?.status?.conditions?.find(
        (condition) => condition.type === 'Ready',
      );
      const agent = cluster.cilium?.agents[name];
      return ready?.status === 'True' && agent !== undefined && agent.cutOffSinceMs === undefined;
    })
  );
}

/** Evaluates `api-server-reachable`, probing from the reader's machine on a copy of the world. */
export function checkApiServerReachable(context: GoalContext): boolean {
  return readerReachesApiServer(context.prober);
}

/** Evaluates `no-audit-mode`: neither the agents' setting nor any endpoint's own option audits. */
export function checkNoAuditMode(context: GoalContext): boolean {
  const cilium = context.world.cluster?.cilium;
  if (cilium === undefined) return false;
  if (cilium.config.policyAuditMode) return false;
  return Object.values(cilium.agents).every(
    (agent) =>
      !effectiveAuditMode(cilium.config, agent.hostEndpointOptions) &&
      Object.values(agent.endpoints).every(
        (endpoint) => !effectiveAuditMode(cilium.config, endpoint.options),
      ),
  );
}

/**
 * Evaluates `ipcache-entry`: a chosen node maps the address of a running matching pod (or of
 * every one, with `every`) to a matching identity.
 */
export function checkIpcacheEntry(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'ipcache-entry' }>,
): boolean {
  const cluster = context.world.cluster;
  if (cluster === undefined) return false;
  const pods = runningPodsMatching(context.world, check.pod);
  if (pods.length === 0) return false;
  return nodesChosen(context.world, check.node).some((node) => {
    const agent = cluster.cilium?.agents[node];
    if (agent === undefined) return false;
    const mapped = (pod: Pod): boolean => {
      const ip = pod.status.podIP;
      return (
        ip !== undefined &&
        identityMatches(cluster, lookupIpcache(cluster, agent, ip).identity, check.identityOf)
      );
    };
    return check.every === true ? pods.every(mapped) : pods.some(mapped);
  });
}

/** The pods whose address some cut-off node maps to an identity that is not theirs. */
function podsMistakenByCutOffNodes(context: GoalContext): Set<string> {
  const cluster = context.world.cluster;
  const mistaken = new Set<string>();
  if (cluster === undefined) return mistaken;
  for (const node of nodesChosen(context.world, { cutOff: true })) {
    const agent = cluster.cilium?.agents[node];
    if (agent === undefined) continue;
    for (const pod of listObjects(cluster.api, 'Pod')) {
      const ip = pod.status.podIP;
      if (ip === undefined || pod.spec.hostNetwork === true) continue;
      // Only the pod that really holds the address now (a terminating pod may still list it).
      if (sandboxOwningAddress(cluster, ip)?.sandbox.podKey !== podKey(pod)) continue;
      // An entry learnt from a CiliumEndpoint that names another identity than the pod's own; an
      // address the frozen view never heard of is unknown to it (world), not mistaken for someone.
      const believed = lookupIpcache(cluster, agent, ip);
      const own = getObject(cluster.api, 'CiliumEndpoint', podKey(pod))?.status?.identity?.id;
      if (believed.podName !== undefined && own !== undefined && believed.identity !== own)
        mistaken.add(pod.metadata.name);
    }
  }
  return mistaken;
}

/**
 * Evaluates `stale-pods-labelled`: the pods carrying the label are exactly those whose address a
 * cut-off node maps to another identity (and there is at least one).
 */
export function checkStalePodsLabelled(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'stale-pods-labelled' }>,
): boolean {
  const cluster = context.world.cluster;
  if (cluster === undefined) return false;
  const mistaken = podsMistakenByCutOffNodes(context);
  const labelled = listObjects(cluster.api, 'Pod')
    .filter((pod) => podMatches(pod, { labels: { [check.label]: check.value } }))
    .map((pod) => pod.metadata.name);
  return (
    mistaken.size > 0 && labelled.length === mistaken.size && labelled.every((name) => mistaken.has(name))
  );
}
