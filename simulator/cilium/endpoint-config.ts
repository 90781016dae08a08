/**
 * `PATCH /endpoint/{id}/config` on a node's agent (input `cilium.endpoint.config`, which
 * `cilium-dbg endpoint config ID Name=value…` sends): the options land on the endpoint itself, a
 * pod's or the agent's host or health endpoint. The agent serves its own API, so this works while
 * it is cut off from the API server too.
 *
 * The agent regenerates the endpoint in the background; the model applies the change at once: the
 * next verdict of that endpoint uses it (endpoint-policy-cache.ts reads the options).
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { findAgentEndpoint } from './agent-endpoints';
import { endpointShareOf } from './daemon-options';

export type EndpointConfigResult = { ok: true } | { ok: false; error: string };

/** Merges option settings into an endpoint's own, keys sorted so equal worlds serialise alike. */
function merged(
  current: Readonly<Record<string, number>> | undefined,
  changes: Readonly<Record<string, number>>,
): Record<string, number> {
  const all = { ...current, ...changes };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((name) => [name, all[name] ?? 0]),
  );
}

/** Applies option settings to one endpoint of a node's agent. */
export function configureEndpoint(
  world: World,
  node: string,
  endpointId: number,
  options: Readonly<Record<string, number>>,
): EndpointConfigResult {
  const agent = requireCluster(world).cilium?.agents[node];
  if (agent === undefined) return { ok: false, error: `no Cilium agent runs on ${node}` };
  const target = findAgentEndpoint(agent, endpointId);
  if (target === undefined)
    return { ok: false, error: '[PATCH /endpoint/{id}/config][404] patchEndpointIdConfigNotFound ' };
  if (target.kind === 'pod') target.endpoint.options = merged(target.endpoint.options, options);
  else if (target.kind === 'host') agent.hostEndpointOptions = merged(agent.hostEndpointOptions, options);
  else agent.healthEndpointOptions = merged(agent.healthEndpointOptions, options);
  return { ok: true };
}

/**
 * `PATCH /config` on a node's agent (input `cilium.agent.config`, which `cilium-dbg config
 * Name=value…` sends): the agent's own options change, and every endpoint it manages takes the
 * same settings for the options an endpoint has (daemon/restapi/config.go: ApplyValidated, then
 * OverrideEndpointOpts), so `PolicyAuditMode=true` puts the whole node in audit mode at once.
 */
export function configureAgent(
  world: World,
  node: string,
  options: Readonly<Record<string, number>>,
): EndpointConfigResult {
  const agent = requireCluster(world).cilium?.agents[node];
  if (agent === undefined) return { ok: false, error: `no Cilium agent runs on ${node}` };
  agent.daemonOptions = merged(agent.daemonOptions, options);
  const forEndpoints = endpointShareOf(agent.config ?? requireCluster(world).cilium?.config, options);
  if (Object.keys(forEndpoints).length === 0) return { ok: true };
  for (const endpoint of Object.values(agent.endpoints))
    endpoint.options = merged(endpoint.options, forEndpoints);
  agent.hostEndpointOptions = merged(agent.hostEndpointOptions, forEndpoints);
  agent.healthEndpointOptions = merged(agent.healthEndpointOptions, forEndpoints);
  return { ok: true };
}
