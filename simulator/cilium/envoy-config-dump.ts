/**
 * What `curl --unix-socket /var/run/cilium/envoy-admin.sock http://localhost/config_dump` prints in a
 * cilium-agent pod: Envoy's admin config dump (1-space indented JSON, proto field names), reduced to
 * the bootstrap's identity and the dynamic listeners the agent added over LDS. Each listener is
 * built as the agent's xDS server builds an HTTP proxy listener (pkg/envoy/server.go,
 * getListenerConf): listener filters tls_inspector and cilium.bpf_metadata, a plain and a TLS filter
 * chain, each with the network filter cilium.network and an HTTP connection manager whose HTTP
 * filters are cilium.l7policy then envoy.filters.http.router. A Wasm module loaded on the node (the
 * blast-radius scenario) shows up as one more HTTP filter ahead of cilium.l7policy.
 */
import type { Cluster } from '../world';
import type { AgentState } from './state';
import { toTimestamp } from '../engine/virtual-time';
import { envoyListeners, type EnvoyListener, type WasmFilter } from './envoy';
import { agentView } from './agent-ipcache';
import { listObjects } from '../k8s/api-store';

const accessLogPath = '/var/run/cilium/access_log.sock';

function httpFilters(wasm: readonly WasmFilter[]): unknown[] {
  return [
    ...wasm.map((filter) => ({
      name: 'envoy.filters.http.wasm',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm',
        config: {
          name: filter.name,
          root_id: filter.name,
          vm_config: {
            runtime: 'envoy.wasm.runtime.v8',
            code: { local: { filename: `/var/lib/cilium/wasm/${filter.name}.wasm` } },
          },
        },
      },
    })),
    {
      name: 'cilium.l7policy',
      typed_config: { '@type': 'type.googleapis.com/cilium.L7Policy', access_log_path: accessLogPath },
    },
    { name: 'envoy.filters.http.router' },
  ];
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

function filterChain(cluster: string, tls: boolean, wasm: readonly WasmFilter[]): unknown {
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
          http_filters: httpFilters(wasm),
          stream_idle_timeout: '0s',
        },
      },
    ],
    ...(tls ? { transport_socket: { name: 'cilium.tls_wrapper' } } : {}),
  };
}

/** One listener as the agent configures it for Envoy. */
export function listenerConfig(listener: EnvoyListener, wasm: readonly WasmFilter[] = []): unknown {
  const ingress = listener.direction === 'ingress';
  const cluster = ingress ? 'ingress-cluster' : 'egress-cluster';
  return {
    '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
    name: listener.name,
    address: { socket_address: { address: '::', port_value: listener.port, ipv4_compat: true } },
    filter_chains: [filterChain(cluster, false, wasm), filterChain(`${cluster}-tls`, true, wasm)],
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

/** The config dump of a node's Envoy, as its admin socket prints it. */
export function envoyConfigDump(cluster: Cluster, agent: AgentState): string {
  const listeners = envoyListeners(cluster, agent);
  const wasm = cluster.envoy?.nodes[agent.node]?.wasmFilters ?? [];
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
          admin: { address: { pipe: { path: '/var/run/cilium/envoy-admin.sock' } } },
        },
        last_updated: updated,
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        version_info: version,
        dynamic_listeners: listeners.map((listener) => ({
          name: listener.name,
          active_state: {
            version_info: version,
            listener: listenerConfig(listener, wasm),
            last_updated: updated,
          },
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
