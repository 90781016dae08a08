/**
 * The lab's CiliumEnvoyConfig: tenant-a's own listener for its `shop` Service, with a Lua filter that
 * never returns from its request callback before the router. The manifest follows the shape of
 * Cilium's own example (docs: network/servicemesh/envoy-traffic-management, `services`,
 * `backendServices`, a Listener, a RouteConfiguration and an EDS Cluster named `<namespace>/<service>`);
 * the model reads the same data (`shopEnvoyConfig`), and the YAML is generated from it, so the file a
 * reader opens is what the agents act on.
 */
import { luaFilterTypeUrl, type CiliumEnvoyConfigInput } from '../../cilium/envoy-config-resources';

const loopingLua = `function envoy_on_request(request_handle)
  -- meant to rewrite a header; never leaves the loop
  while true do end
end
`;

/** tenant-a's CiliumEnvoyConfig as the agents read it. */
export const shopEnvoyConfig: CiliumEnvoyConfigInput = {
  namespace: 'tenant-a',
  name: 'shop-header-rewrite',
  services: [{ name: 'shop', namespace: 'tenant-a' }],
  listeners: [
    {
      name: 'shop-listener',
      routeConfigName: 'shop-listener-route',
      httpFilters: [
        {
          name: 'envoy.filters.http.lua',
          typeUrl: luaFilterTypeUrl,
          luaCode: loopingLua,
          behaviour: 'infinite-loop',
        },
      ],
    },
  ],
};

const indent = (text: string, spaces: number): string =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');

/** The manifest of a CiliumEnvoyConfig with one HTTP listener per entry, routed to its first Service. */
export function envoyConfigYaml(config: CiliumEnvoyConfigInput): string {
  const service = config.services[0];
  const serviceNamespace = service?.namespace ?? config.namespace;
  const cluster = `${serviceNamespace}/${service?.name ?? config.name}`;
  const services = config.services
    .map((entry) => `  - name: ${entry.name}\n    namespace: ${entry.namespace ?? config.namespace}`)
    .join('\n');
  const listeners = config.listeners
    .map((listener) => {
      const filters = listener.httpFilters
        .map((filter) => {
          const head = `          - name: ${filter.name}\n            typed_config:\n              "@type": ${filter.typeUrl}`;
          if (filter.luaCode !== undefined)
            return `${head}\n              default_source_code:\n                inline_string: |\n${indent(filter.luaCode, 18)}`;
          if (filter.wasmModule !== undefined)
            return `${head}\n              config:\n                vm_config:\n                  runtime: envoy.wasm.runtime.v8\n                  code:\n                    local:\n                      filename: ${filter.wasmModule}`;
          return head;
        })
        .join('\n');
      return `  - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
    name: ${listener.name}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${listener.name}
          rds:
            route_config_name: ${listener.routeConfigName}
          http_filters:
${filters}
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
    name: ${listener.routeConfigName}
    virtual_hosts:
    - name: ${listener.name}
      domains: ["*"]
      routes:
      - match:
          prefix: "/"
        route:
          cluster: "${cluster}"`;
    })
    .join('\n');
  return `apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: ${config.name}
  namespace: ${config.namespace}
spec:
  services:
${services}
  backendServices:
${services}
  resources:
${listeners}
  - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
    name: "${cluster}"
    connect_timeout: 5s
    lb_policy: ROUND_ROBIN
    type: EDS
`;
}
