/**
 * CiliumEnvoyConfig (docs: network/servicemesh/l7-traffic-management): the way anyone but the agent
 * puts configuration into a node's Envoy. A CEC carries its own Envoy resources (listeners, routes,
 * clusters); the agent adds them to every node's Envoy next to its own policy listeners, and
 * redirects the traffic of the Services the CEC lists to the CEC's listener on the client's node.
 * It never edits the agent's `cilium-http-ingress`/`-egress` listeners: a tenant's filter runs in a
 * listener of its own, in the same Envoy process.
 *
 * Upstream facts the model follows:
 * - The agent names a CEC listener `<namespace>/<cec name>/<listener name>` from 1.13
 *   (pkg/policy/api ResourceQualifiedName); 1.12 kept the name as written.
 * - For a listener without an address the agent allocates a proxy port, adds the listener filter
 *   cilium.bpf_metadata, and injects cilium.network before the HTTP connection manager and
 *   cilium.l7policy before the router (pkg/envoy/ciliumenvoyconfig.go, ParseResources).
 * - The agent decodes the resources with the Envoy extension types compiled into it. Up to 1.14 the
 *   list has no Wasm or Lua HTTP filter (1.12: the imports of pkg/envoy/ciliumenvoyconfig.go); 1.15
 *   adds them (pkg/envoy/resource/envoy.go, commits cd83ba1 and cc56e70 "envoy: Sync supported
 *   resources in CiliumEnvoyConfig"). The cilium-envoy binary itself has had the Wasm filter and the
 *   V8 runtime since 1.12 (cilium/proxy envoy_build_config/extensions_build_config.bzl).
 * - The agents watch CECs only when enabled: `envoyConfig.enabled` from 1.14, implied by
 *   `ingressController.enabled`, or the agent flag `enable-envoy-config` (`extraConfig`).
 *
 * The model keeps CECs in the Envoy state rather than in the API server (as it keeps a waypoint's
 * Gateway in the mesh state); a scenario applies one with the input `envoy.config.apply`.
 */
import type { Cluster, World } from '../world';
import { requireCluster } from '../world';
import type { CiliumConfig } from './config';
import type { EnvoyChangeResult } from './envoy';
import type { CiliumEnvoyConfigResource, CiliumEnvoyConfigInput } from './envoy-state';
export type {
  FilterBehaviour,
  EnvoyConfigHttpFilter,
  EnvoyConfigListener,
  CiliumEnvoyConfigResource,
  CiliumEnvoyConfigInput,
} from './envoy-state';

export const wasmFilterTypeUrl = 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm';
export const luaFilterTypeUrl = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua';

/** The first proxy port the model gives CEC listeners (after the agent's policy listeners, 10001-10006). */
const firstEnvoyConfigPort = 10007;

/** Whether the agents of this configuration watch CiliumEnvoyConfig objects. */
function envoyConfigEnabled(config: CiliumConfig): boolean {
  const values = config.values;
  return (
    (config.versionMinor >= 14 && values['envoyConfig.enabled'] === 'true') ||
    values['ingressController.enabled'] === 'true' ||
    values['extraConfig.enable-envoy-config'] === 'true'
  );
}

/** The Envoy name the agent uses for a CEC listener or route configuration. */
export function qualifiedListenerName(
  config: CiliumConfig,
  namespace: string,
  cec: string,
  listener: string,
): string {
  return config.versionMinor >= 13 && !listener.includes('/') ? `${namespace}/${cec}/${listener}` : listener;
}

/** Why an agent of this version cannot decode a filter type, if it cannot. */
function unknownFilterType(config: CiliumConfig, input: CiliumEnvoyConfigInput): string | undefined {
  const types = input.listeners.flatMap((listener) => listener.httpFilters.map((filter) => filter.typeUrl));
  const newer = types.find((type) => type === wasmFilterTypeUrl || type === luaFilterTypeUrl);
  if (newer === undefined || config.versionMinor >= 15) return undefined;
  return `the ${config.version} agent has no Go type for ${newer} and cannot decode the listener, so it adds none (Wasm and Lua HTTP filters are decoded from 1.15)`;
}

/** Adds or replaces a CiliumEnvoyConfig (input `envoy.config.apply`). */
export function applyEnvoyConfig(world: World, input: CiliumEnvoyConfigInput): EnvoyChangeResult {
  const cluster = requireCluster(world);
  const cilium = cluster.cilium;
  if (cilium === undefined) return { ok: false, error: 'Cilium is not installed' };
  if (!cilium.config.l7Proxy)
    return { ok: false, error: 'the L7 proxy is disabled (l7Proxy=false): the nodes run no Envoy' };
  if (!envoyConfigEnabled(cilium.config))
    return {
      ok: false,
      error: `the agents do not watch CiliumEnvoyConfig objects; install Cilium with ${cilium.config.versionMinor >= 14 ? 'envoyConfig.enabled=true' : 'extraConfig.enable-envoy-config=true'}`,
    };
  cluster.envoy ??= { nodes: {} };
  const configs = (cluster.envoy.configs ??= {});
  const key = `${input.namespace}/${input.name}`;
  const existing = configs[key];
  const taken = Object.entries(configs)
    .filter(([other]) => other !== key)
    .flatMap(([, config]) => config.listeners.map((listener) => listener.port));
  let port = Math.max(firstEnvoyConfigPort - 1, ...taken) + 1;
  const refusal = unknownFilterType(cilium.config, input);
  configs[key] = {
    namespace: input.namespace,
    name: input.name,
    services: input.services.map((service) => ({
      name: service.name,
      namespace: service.namespace ?? input.namespace,
    })),
    listeners:
      refusal !== undefined
        ? []
        : input.listeners.map((listener) => ({
            name: listener.name,
            qualifiedName: qualifiedListenerName(cilium.config, input.namespace, input.name, listener.name),
            port: port++,
            httpFilters: listener.httpFilters.map((filter) => ({ ...filter })),
            routeConfigName: qualifiedListenerName(
              cilium.config,
              input.namespace,
              input.name,
              listener.routeConfigName,
            ),
          })),
    createdMs: existing?.createdMs ?? world.timeMs,
    ...(refusal !== undefined ? { refusal } : {}),
  };
  return { ok: true };
}

/** Deletes a CiliumEnvoyConfig (input `envoy.config.delete`): the agents remove its listeners. */
export function deleteEnvoyConfig(world: World, namespace: string, name: string): EnvoyChangeResult {
  const cluster = requireCluster(world);
  const configs = cluster.envoy?.configs;
  const key = `${namespace}/${name}`;
  if (configs?.[key] === undefined)
    return {
      ok: false,
      error: `Error from server (NotFound): ciliumenvoyconfigs.cilium.io "${name}" not found`,
    };
  // Removing the listener is a configuration change: a worker stuck in one of its filters never
  // returns to its event loop to drain it, so it stays stuck (cilium/envoy.ts).
  delete configs[key];
  return { ok: true };
}

/** The CiliumEnvoyConfigs whose listeners every node's Envoy has, by name. */
export function activeEnvoyConfigs(cluster: Cluster): CiliumEnvoyConfigResource[] {
  return Object.values(cluster.envoy?.configs ?? {})
    .filter((config) => config.refusal === undefined)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
