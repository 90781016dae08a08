/**
 * Envoy's state in the cluster as the world holds it, and the CiliumEnvoyConfig input (envoy.ts and
 * envoy-config-resources.ts run them): plain data that imports nothing, so world.ts and events.ts
 * can name it without a cycle.
 */

/** What a filter does with each request it sees (a property of the module the lab ships). */
export type FilterBehaviour = 'pass' | 'infinite-loop';

/** One HTTP filter of a CiliumEnvoyConfig listener, as its manifest names it. */
export interface EnvoyConfigHttpFilter {
  name: string;
  /** The filter's typed_config @type, e.g. `type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm`. */
  typeUrl: string;
  /** A Wasm filter's module file (`vm_config.code.local.filename`). */
  wasmModule?: string;
  /** A Lua filter's code (`default_source_code.inline_string`). */
  luaCode?: string;
  /** What the filter's code does with each request (the model does not run Lua or Wasm). */
  behaviour: FilterBehaviour;
}

/** One listener of a CiliumEnvoyConfig. */
export interface EnvoyConfigListener {
  /** The name in the manifest. */
  name: string;
  /** The name the agent gives Envoy (qualified from 1.13). */
  qualifiedName: string;
  /** The proxy port the agent allocated for it. */
  port: number;
  httpFilters: EnvoyConfigHttpFilter[];
  /** The RouteConfiguration its HTTP connection manager asks for over RDS, qualified like the listener. */
  routeConfigName: string;
}

/** A CiliumEnvoyConfig as the agents read it. */
export interface CiliumEnvoyConfigResource {
  namespace: string;
  name: string;
  /** Services whose traffic the datapath redirects to the first listener. */
  services: { name: string; namespace: string }[];
  listeners: EnvoyConfigListener[];
  createdMs: number;
  /** Why the agents did not add its listeners, if they did not. */
  refusal?: string;
}

/** What the input carries: the manifest's content. */
export interface CiliumEnvoyConfigInput {
  namespace: string;
  name: string;
  services: { name: string; namespace?: string }[];
  listeners: { name: string; routeConfigName: string; httpFilters: EnvoyConfigHttpFilter[] }[];
}

/** One worker thread of a node's Envoy. */
export interface EnvoyWorker {
  /** The filter this worker never came back from, if any. */
  stuckIn?: { listener: string; filter: string; config: string; sinceMs: number };
}

/** One node's Envoy process. */
export interface NodeEnvoy {
  workers: EnvoyWorker[];
  /** How many times this Envoy process was started (the agent restarts it when it exits). */
  starts: number;
  /** Requests that entered a stuck worker and never came out (for the narration). */
  stalledRequests: number;
}

/** Every node's Envoy, by node name (created on first use), and the CiliumEnvoyConfigs the agents read. */
export interface EnvoyState {
  nodes: Record<string, NodeEnvoy>;
  /** CiliumEnvoyConfig objects by `namespace/name`. */
  configs?: Record<string, CiliumEnvoyConfigResource>;
}

// Envoy's slot in a cluster (world.ts ClusterLayers).
declare module '../world' {
  interface ClusterLayers {
    /** Each node's Envoy process and the CiliumEnvoyConfigs the agents read (cilium/envoy.ts). */
    envoy?: EnvoyState;
  }
}
