/**
 * What `curl --unix-socket <admin socket> http://localhost/config_dump` prints in a cilium-agent pod:
 * Envoy's admin config dump (1-space indented JSON, proto field names), reduced to the bootstrap's
 * identity and the dynamic listeners the agent added over LDS. Each policy listener is built as the
 * agent's xDS server builds an HTTP proxy listener (pkg/envoy/server.go, getListenerConf): listener
 * filters tls_inspector and cilium.bpf_metadata, a plain and a TLS filter chain, each with the
 * network filter cilium.network and an HTTP connection manager whose HTTP filters are
 * cilium.l7policy then envoy.filters.http.router. A CiliumEnvoyConfig listener
 * (cilium/envoy-config-resources.ts) keeps its own HTTP filters, with cilium.network and
 * cilium.l7policy injected by the agent; nothing is ever added to the policy listeners.
 *
 * The sockets moved from /var/run/cilium to /var/run/cilium/envoy/sockets in 1.14 (commit c578f20
 * "envoy proxy: separate directory for envoy proxy sockets", pkg/envoy/sockets.go).
 */
import type { Cluster } from '../world';
import type { AgentState } from './state';
import type { CiliumConfig } from './config';
import { toTimestamp } from '../engine/virtual-time';
import { envoyListeners, type EnvoyListener } from './envoy';
import {
  activeEnvoyConfigs,
  luaFilterTypeUrl,
  wasmFilterTypeUrl,
  type EnvoyConfigHttpFilter,
  type EnvoyConfigListener,
} from './envoy-config-resources';
import { agentView } from './agent-ipcache';
import { listObjects } from '../k8s/api-store';

/** Where the agent and Envoy keep their UNIX sockets, by version. */
export function envoySockets(config: CiliumConfig | undefined): { admin: string; accessLog: string } {
  const directory =
    config !== undefined && config.versionMinor >= 14 ? '/var/run/cilium/envoy/sockets' : '/var/run/cilium';
  return config !== undefined && config.versionMinor >= 14
    ? { admin: `${directory}/admin.sock`, accessLog: `${directory}/access_log.sock` }
    : { admin: `${directory}/envoy-admin.sock`, accessLog: `${directory}/access_log.sock` };
}

function l7PolicyFilter(accessLogPath: string): unknown {
  return {
    name: 'cilium.l7policy',
    typed_config: { '@type': 'type.googleapis.com/cilium.L7Policy', access_log_path: accessLogPath },
  };
}

/** A tenant's HTTP filter as its CiliumEnvoyConfig wrote it. */
function tenantFilter(filter: EnvoyConfigHttpFilter): unknown {
  if (filter.typeUrl === wasmFilterTypeUrl)
    return {
      name: filter.name,
      typed_config: {
        '@type': wasmFilterTypeUrl,
        config: {
          name: filter.name,
          vm_config: {
            runtime: 'envoy.wasm.runtime.v8',
            code: { local: { filename: filter.wasmModule ?? '' } },
          },
        },
      },
    };
  if (filter.typeUrl === luaFilterTypeUrl)
    return {
      name: filter.name,
      typed_config: {
        '@type': luaFilterTypeUrl,
        default_source_code: { inline_string: filter.luaCode ?? '' },
      },
    };
  return { name: filter.name, typed_config: { '@type': filter.typeUrl } };
}

function httpFilters(accessLogPath: string, tenant: readonly EnvoyConfigHttpFilter[] = []): unknown[] {
  return [...tenant.map(tenantFilter), l7PolicyFilter(accessLogPath), { name: 'envoy.filters.http.router' }];
}

function route(cluster: string, grpc: boolean): unknown {
  return {
    match: grpc ? { prefix: '/', grpc: {} } : { prefix: '/' },
    route: {
      cluster,
      timeout: '3600s',
      ...(grpc ? { max_stream_duration: { grpc_timeout_header_max: '0s' } } : {}),
      retry_policy: { retry_on: '5xx', num_retries: 3, per_try_timeout: '0s' },
    },
  };
}

function filterChain(cluster: string, tls: boolean, accessLogPath: string): unknown {
  return {
    ...(tls ? { filter_chain_match: { transport_protocol: 'tls' } } : {}),
    filters: [
      { name: 'cilium.network' },
      {
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: {
          '@type':
            'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          stat_prefix: 'proxy',
          route_config: {
            virtual_hosts: [
              {
                name: 'default_route',
                domains: ['*'],
                routes: [route(cluster, true), route(cluster, false)],
              },
            ],
          },
          http_filters: httpFilters(accessLogPath),
          stream_idle_timeout: '0s',
        },
      },
    ],
    ...(tls ? { transport_socket: { name: 'cilium.tls_wrapper' } } : {}),
  };
}

/** One policy listener as the agent configures it for Envoy. */
function listenerConfig(listener: EnvoyListener, accessLogPath = '/var/run/cilium/access_log.sock'): unknown {
  const ingress = listener.direction === 'ingress';
  const cluster = ingress ? 'ingress-cluster' : 'egress-cluster';
  return {
    '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
    name: listener.name,
    address: { socket_address: { address: '::', port_value: listener.port, ipv4_compat: true } },
    filter_chains: [
      filterChain(cluster, false, accessLogPath),
      filterChain(`${cluster}-tls`, true, accessLogPath),
    ],
    transparent: true,
    socket_options: [
      {
        description: 'Listener socket mark',
        level: '1',
        name: '36',
        int_value: ingress ? '2560' : '2816',
      },
    ],
    listener_filters: [
      { name: 'envoy.filters.listener.tls_inspector' },
      {
        name: 'cilium.bpf_metadata',
        typed_config: {
          '@type': 'type.googleapis.com/cilium.BpfMetadata',
          ...(ingress ? { is_ingress: true } : {}),
          bpf_root: '/sys/fs/bpf',
        },
      },
    ],
  };
}

/** The agent's xDS server as a config source, which the agent fills into a CEC's RDS reference. */
const ciliumXdsSource = {
  api_config_source: {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc-cilium' } }],
    set_node_on_first_message_only: true,
  },
  resource_api_version: 'V3',
};

/**
 * A CiliumEnvoyConfig listener as the agent hands it to Envoy: the tenant's HTTP filters first, then
 * the cilium.l7policy the agent injects before the router; an agent-allocated proxy port; the
 * cilium.bpf_metadata listener filter and the socket mark the agent adds.
 */
function envoyConfigListenerConfig(listener: EnvoyConfigListener, accessLogPath: string): unknown {
  return {
    '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
    name: listener.qualifiedName,
    address: { socket_address: { address: '::', port_value: listener.port, ipv4_compat: true } },
    filter_chains: [
      {
        filters: [
          { name: 'cilium.network' },
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type':
                'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: listener.name,
              rds: { config_source: ciliumXdsSource, route_config_name: listener.routeConfigName },
              http_filters: httpFilters(accessLogPath, listener.httpFilters),
            },
          },
        ],
      },
    ],
    transparent: true,
    socket_options: [{ description: 'Listener socket mark', level: '1', name: '36', int_value: '2816' }],
    listener_filters: [
      {
        name: 'cilium.bpf_metadata',
        typed_config: { '@type': 'type.googleapis.com/cilium.BpfMetadata', bpf_root: '/sys/fs/bpf' },
      },
    ],
  };
}

/** Every listener of a node's Envoy by name: the agent's policy listeners and the CEC listeners. */
export function envoyListenerConfigs(
  cluster: Cluster,
  agent: AgentState,
): { name: string; config: unknown }[] {
  const { accessLog } = envoySockets(cluster.cilium?.config);
  const policy = envoyListeners(cluster, agent).map((listener) => ({
    name: listener.name,
    config: listenerConfig(listener, accessLog),
  }));
  const tenants = activeEnvoyConfigs(cluster).flatMap((config) =>
    config.listeners.map((listener) => ({
      name: listener.qualifiedName,
      config: envoyConfigListenerConfig(listener, accessLog),
    })),
  );
  return [...policy, ...tenants].sort((a, b) => a.name.localeCompare(b.name));
}

/** The config dump of a node's Envoy, as its admin socket prints it. */
export function envoyConfigDump(cluster: Cluster, agent: AgentState): string {
  const listeners = envoyListenerConfigs(cluster, agent);
  const sockets = envoySockets(cluster.cilium?.config);
  const view = agentView(cluster, agent);
  const version = String((view?.policyRevision ?? 0) + 1);
  const nodeIP = cluster.nodes[agent.node]?.internalIP ?? '127.0.0.1';
  const updated = lastPolicyChange(cluster);
  const dump = {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
        bootstrap: {
          node: { id: `host~${nodeIP}~no-id~localdomain`, cluster: 'ingress-cluster' },
          static_resources: {
            clusters: [
              'egress-cluster',
              'egress-cluster-tls',
              'ingress-cluster',
              'ingress-cluster-tls',
              'xds-grpc-cilium',
            ].map((name) => ({ name })),
          },
          dynamic_resources: {
            lds_config: { api_config_source: { api_type: 'GRPC', cluster_names: ['xds-grpc-cilium'] } },
          },
          admin: { address: { pipe: { path: sockets.admin } } },
        },
        last_updated: updated,
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        version_info: version,
        dynamic_listeners: listeners.map((listener) => ({
          name: listener.name,
          active_state: { version_info: version, listener: listener.config, last_updated: updated },
        })),
      },
    ],
  };
  return `${JSON.stringify(dump, null, 1)}\n`;
}

/** When the listeners last changed: the newest Cilium policy object's creation (the agent's start before any). */
function lastPolicyChange(cluster: Cluster): string {
  let newest = toTimestamp(0);
  for (const kind of ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy'] as const) {
    for (const policy of listObjects(cluster.api, kind))
      if (policy.metadata.creationTimestamp > newest) newest = policy.metadata.creationTimestamp;
  }
  return newest;
}
