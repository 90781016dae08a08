/**
 * The `cilium-config` ConfigMap as the Helm chart renders it from a release's values
 * (install/kubernetes/cilium/templates/cilium-configmap.yaml at each tag), reduced to the keys the
 * model reads and the common ones every install shows, and the way back: the agent reads its
 * configuration from that ConfigMap when it starts, so an edited ConfigMap takes effect at the next
 * agent restart, whatever Helm last rendered.
 */
import { parseCiliumVersion, resolveCiliumConfig, type CiliumConfig } from './config';
import { agentStartRefusal, encryptionConflict } from './agent-startup';
import { envoyDaemonSetEnabled } from './chart-envoy';

const truthy = (value: string | undefined): boolean => value === 'true';

/** Keys every modelled chart renders with the chart's defaults (values.yaml) left alone. */
function commonKeys(minor: number): Record<string, string> {
  const keys: Record<string, string> = {
    'identity-allocation-mode': 'crd',
    'identity-heartbeat-timeout': '30m0s',
    'identity-gc-interval': '15m0s',
    'cilium-endpoint-gc-interval': '5m0s',
    'nodes-gc-interval': '5m0s',
    debug: 'false',
    'enable-ipv4': 'true',
    'enable-ipv6': 'false',
    'monitor-aggregation': 'medium',
    'monitor-aggregation-interval': '5s',
    'monitor-aggregation-flags': 'all',
    'bpf-map-dynamic-size-ratio': '0.0025',
    'bpf-policy-map-max': '16384',
    'bpf-lb-map-max': '65536',
    'preallocate-bpf-maps': 'false',
    'sidecar-istio-proxy-image': 'cilium/istio_proxy',
    'cluster-id': '0',
    'enable-ipv4-masquerade': 'true',
    'enable-xt-socket-fallback': 'true',
    'install-no-conntrack-iptables-rules': 'false',
    'auto-direct-node-routes': 'false',
    'enable-health-checking': 'true',
    'enable-endpoint-health-checking': 'true',
    'enable-well-known-identities': 'false',
    'operator-api-serve-addr': '127.0.0.1:9234',
    'enable-hubble': 'true',
    'hubble-socket-path': '/var/run/cilium/hubble.sock',
    'hubble-listen-address': ':4244',
    'hubble-disable-tls': 'false',
    'hubble-tls-cert-file': '/var/lib/cilium/tls/hubble/server.crt',
    'hubble-tls-key-file': '/var/lib/cilium/tls/hubble/server.key',
    'hubble-tls-client-ca-files': '/var/lib/cilium/tls/hubble/client-ca.crt',
    'agent-not-ready-taint-key': 'node.cilium.io/agent-not-ready',
    'remove-cilium-node-taints': 'true',
    'set-cilium-is-up-condition': 'true',
    'unmanaged-pod-watcher-interval': '15',
    'tofqdns-dns-reject-response-code': 'refused',
    'tofqdns-enable-dns-compression': 'true',
    'tofqdns-endpoint-max-ip-per-hostname': '50',
    'tofqdns-idle-connection-grace-period': '0s',
    'tofqdns-max-deferred-connection-deletes': '10000',
    'tofqdns-proxy-response-max-delay': '100ms',
    'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist',
    'cni-exclusive': 'true',
    'cni-log-file': '/var/run/cilium/cilium-cni.log',
  };
  // remoteNodeIdentity was removed from the chart in 1.16 (always on).
  if (minor <= 15) keys['enable-remote-node-identity'] = 'true';
  return keys;
}

/** The routing keys: `tunnel` up to 1.13; `routing-mode` and `tunnel-protocol` from 1.14. */
function routingKeys(minor: number, values: Record<string, string>): Record<string, string> {
  if (minor <= 13) return { tunnel: values.tunnel ?? 'vxlan' };
  const keys: Record<string, string> = { 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' };
  // 1.14 still maps the deprecated `tunnel` value; 1.15 removed it.
  const tunnel = minor === 14 ? values.tunnel : undefined;
  if (tunnel === 'disabled') keys['routing-mode'] = 'native';
  else if (tunnel === 'geneve') keys['tunnel-protocol'] = 'geneve';
  if (values.routingMode !== undefined && values.routingMode !== '')
    keys['routing-mode'] = values.routingMode;
  if (values.tunnelProtocol !== undefined && values.tunnelProtocol !== '')
    keys['tunnel-protocol'] = values.tunnelProtocol;
  return keys;
}

/**
 * The encryption keys. `encryption.wireguard.encapsulate` exists from chart 1.14.4 to 1.14.x only
 * (1.15 always encapsulates): before 1.14.4 Helm ignores the value as it ignores any unknown one.
 */
function encryptionKeys(
  version: { minor: number; patch: number },
  values: Record<string, string>,
): Record<string, string> {
  if (!truthy(values['encryption.enabled'])) return {};
  const type = values['encryption.type'] ?? 'ipsec';
  if (type === 'ipsec') return { 'enable-ipsec': 'true', 'ipsec-key-file': '/etc/ipsec/keys' };
  const keys: Record<string, string> = { 'enable-wireguard': 'true' };
  if (truthy(values['encryption.wireguard.userspaceFallback']))
    keys['enable-wireguard-userspace-fallback'] = 'true';
  const encapsulate = values['encryption.wireguard.encapsulate'];
  if (version.minor === 14 && version.patch >= 4 && truthy(encapsulate))
    keys['wireguard-encapsulate'] = 'true';
  return keys;
}

/** Mutual authentication's keys (1.14+): the auth manager always, SPIRE's when enabled. */
function meshAuthKeys(minor: number, values: Record<string, string>): Record<string, string> {
  if (minor < 14) return {};
  const keys: Record<string, string> = {
    'mesh-auth-enabled': values['authentication.enabled'] ?? 'true',
    'mesh-auth-queue-size': '1024',
    'mesh-auth-rotated-identities-queue-size': '1024',
    'mesh-auth-gc-interval': values['authentication.gcInterval'] ?? '5m0s',
  };
  if (truthy(values['authentication.mutual.spire.enabled'])) {
    keys['mesh-auth-mutual-enabled'] = 'true';
    keys['mesh-auth-mutual-listener-port'] = values['authentication.mutual.port'] ?? '4250';
    keys['mesh-auth-spire-agent-socket'] = '/run/spire/sockets/agent/agent.sock';
    keys['mesh-auth-spire-server-address'] = 'spire-server.cilium-spire.svc:8081';
    keys['mesh-auth-spire-server-connection-timeout'] = '30s';
    keys['mesh-auth-spire-admin-socket'] = '/run/spire/sockets/admin.sock';
    keys['mesh-auth-spiffe-trust-domain'] =
      values['authentication.mutual.spire.trustDomain'] ?? 'spiffe.cilium';
  }
  return keys;
}

/** Where policies' TLS Secrets come from (1.17+), from the chart's readSecretsOnlyFromSecretsNamespace and secretSyncEnabled helpers. */
function policySecretKeys(minor: number, values: Record<string, string>): Record<string, string> {
  if (minor < 17) return {};
  const onlyFromNamespace =
    values['tls.readSecretsOnlyFromSecretsNamespace'] ??
    (values['tls.secretsBackend'] === 'k8s' ? 'false' : 'true');
  if (onlyFromNamespace !== 'true') return {};
  const keys: Record<string, string> = {
    'policy-secrets-only-from-secrets-namespace': 'true',
    'policy-secrets-namespace': values['tls.secretsNamespace.name'] ?? 'cilium-secrets',
  };
  if (values['tls.secretSync.enabled'] !== 'false') keys['enable-policy-secrets-sync'] = 'true';
  return keys;
}

/**
 * The Service load-balancing keys (the chart's kube-proxy replacement block): `bpf-lb-sock` from
 * `socketLB`, coalesced with 1.12's `hostServices`; `enable-node-port` (default false) only where
 * the replacement leaves it to the value (`partial` up to 1.13, `partial` or `false` in 1.14,
 * `false` from 1.15); `bpf-lb-mode` when set; `service-no-backend-response` from 1.15 (default
 * reject).
 */
function serviceKeys(minor: number, values: Record<string, string>): Record<string, string> {
  const keys: Record<string, string> = {};
  const kubeProxyReplacement = values.kubeProxyReplacement ?? (minor <= 13 ? 'disabled' : 'false');
  keys['kube-proxy-replacement'] = kubeProxyReplacement;
  const socketLB = values['socketLB.enabled'] ?? values['hostServices.enabled'];
  if (socketLB !== undefined) keys['bpf-lb-sock'] = socketLB;
  const valueDecidesNodePort =
    minor <= 13
      ? kubeProxyReplacement === 'partial'
      : minor === 14
        ? kubeProxyReplacement === 'partial' || kubeProxyReplacement === 'false'
        : kubeProxyReplacement === 'false';
  if (valueDecidesNodePort) keys['enable-node-port'] = values['nodePort.enabled'] ?? 'false';
  if (values['loadBalancer.mode'] !== undefined) keys['bpf-lb-mode'] = values['loadBalancer.mode'];
  if (minor >= 15) keys['service-no-backend-response'] = values.serviceNoBackendResponse ?? 'reject';
  return keys;
}

/**
 * Envoy's keys: `enable-envoy-config` for CiliumEnvoyConfig (`envoyConfig.enabled`, 1.14+) or the
 * ingress controller, and `extraConfig` entries, which the chart copies into the ConfigMap as they are.
 */
function envoyKeys(minor: number, values: Record<string, string>): Record<string, string> {
  const keys: Record<string, string> = {};
  const ingress = truthy(values['ingressController.enabled']);
  if (ingress) keys['enable-ingress-controller'] = 'true';
  const gateway = minor >= 13 && truthy(values['gatewayAPI.enabled']);
  if (ingress || gateway || (minor >= 14 && truthy(values['envoyConfig.enabled'])))
    keys['enable-envoy-config'] = 'true';
  for (const [key, value] of Object.entries(values))
    if (key.startsWith('extraConfig.')) keys[key.slice('extraConfig.'.length)] = value;
  return keys;
}

/**
 * Features whose CRDs the operator registers when the agent's flags turn them on (cilium/crds.ts):
 * CiliumEndpointSlices, the egress gateway (`enable-ipv4-egress-gateway` until 1.17,
 * `enable-egress-gateway` from 1.18), local redirect policies (also `localRedirectPolicies.enabled`
 * from 1.18), BGP and the Gateway API (1.13+).
 */
function featureKeys(minor: number, values: Record<string, string>): Record<string, string> {
  const keys: Record<string, string> = {};
  if (truthy(values['ciliumEndpointSlice.enabled'])) keys['enable-cilium-endpoint-slice'] = 'true';
  if (truthy(values['egressGateway.enabled']))
    keys[minor >= 18 ? 'enable-egress-gateway' : 'enable-ipv4-egress-gateway'] = 'true';
  if (truthy(values.localRedirectPolicy) || (minor >= 18 && truthy(values['localRedirectPolicies.enabled'])))
    keys['enable-local-redirect-policy'] = 'true';
  if (truthy(values['bgpControlPlane.enabled'])) keys['enable-bgp-control-plane'] = 'true';
  if (minor >= 13 && truthy(values['gatewayAPI.enabled'])) keys['enable-gateway-api'] = 'true';
  return keys;
}

/**
 * Policy-status keys: `disable-cnp-status-updates` up to 1.14 (the chart's default turns the agents'
 * status updates off) and `enable-node-selector-labels` from 1.16 (default false).
 */
function policyKeys(minor: number, values: Record<string, string>): Record<string, string> {
  const keys: Record<string, string> = {};
  if (minor <= 14)
    keys['disable-cnp-status-updates'] = truthy(values.enableCnpStatusUpdates) ? 'false' : 'true';
  if (minor >= 16) keys['enable-node-selector-labels'] = values.nodeSelectorLabels ?? 'false';
  return keys;
}

/** Keys rendered only when their value is set (the chart's `hasKey` and `if` guards). */
function optionalKeys(minor: number, values: Record<string, string>): Record<string, string> {
  const keys: Record<string, string> = {};
  const kprOff = ['false', 'disabled', 'partial'].includes(
    values.kubeProxyReplacement ?? (minor <= 13 ? 'disabled' : 'false'),
  );
  if (values['externalIPs.enabled'] !== undefined && kprOff)
    keys['enable-external-ips'] = values['externalIPs.enabled'];
  if (values['hostPort.enabled'] !== undefined && kprOff)
    keys['enable-host-port'] = values['hostPort.enabled'];
  if (values['bpf.masquerade'] !== undefined) keys['enable-bpf-masquerade'] = values['bpf.masquerade'];
  if (truthy(values['hostFirewall.enabled'])) keys['enable-host-firewall'] = 'true';
  if (values['encryption.nodeEncryption'] !== undefined)
    keys['encrypt-node'] = values['encryption.nodeEncryption'];
  if (values.devices !== undefined)
    keys.devices = values.devices
      .replace(/^\{|\}$/g, '')
      .split(',')
      .join(' ');
  if (values.ipv4NativeRoutingCIDR !== undefined)
    keys['ipv4-native-routing-cidr'] = values.ipv4NativeRoutingCIDR;
  if (values.autoDirectNodeRoutes !== undefined)
    keys['auto-direct-node-routes'] = values.autoDirectNodeRoutes;
  // dnsProxy.* (the DNS proxy's settings, cilium/fqdn.ts); minTtl is rendered only when set (not 0).
  const rejectCode = values['dnsProxy.dnsRejectResponseCode'];
  if (rejectCode !== undefined) keys['tofqdns-dns-reject-response-code'] = rejectCode;
  const maxIps = values['dnsProxy.endpointMaxIpPerHostname'];
  if (maxIps !== undefined) keys['tofqdns-endpoint-max-ip-per-hostname'] = maxIps;
  const minTtl = values['dnsProxy.minTtl'];
  if (minTtl !== undefined && minTtl !== '0') keys['tofqdns-min-ttl'] = minTtl;
  return keys;
}

/** The `data` of cilium-config for a chart version and the release's values (flattened `a.b` keys). */
export function renderCiliumConfigMap(
  version: string,
  values: Record<string, string>,
): Record<string, string> {
  const parsed = parseCiliumVersion(version) ?? { major: 1, minor: 18, patch: 0 };
  const minor = parsed.minor;
  const ipam = values['ipam.mode'] ?? 'cluster-pool';
  const data: Record<string, string> = {
    ...commonKeys(minor),
    ...routingKeys(minor, values),
    ...encryptionKeys(parsed, values),
    ...meshAuthKeys(minor, values),
    ...policySecretKeys(minor, values),
    'enable-l7-proxy': values.l7Proxy ?? 'true',
    'enable-policy': (values.policyEnforcementMode ?? 'default').toLowerCase(),
    'policy-audit-mode': values.policyAuditMode ?? 'false',
    'cluster-name': values['cluster.name'] ?? 'default',
    ipam,
    ...serviceKeys(minor, values),
    ...envoyKeys(minor, values),
    ...policyKeys(minor, values),
    ...featureKeys(minor, values),
    ...optionalKeys(minor, values),
  };
  // 1.14 and later tell the agent whether Envoy runs in the cilium-envoy DaemonSet (cilium/chart-envoy.ts).
  if (minor >= 14) data['external-envoy-proxy'] = String(envoyDaemonSetEnabled(version, values));
  if (ipam === 'cluster-pool') {
    data['cluster-pool-ipv4-cidr'] = '10.0.0.0/8';
    data['cluster-pool-ipv4-mask-size'] = '24';
  }
  if (values['hubble.enabled'] === 'false') {
    delete data['enable-hubble'];
    for (const key of Object.keys(data)) if (key.startsWith('hubble-')) delete data[key];
  }
  // kubectl and the API server print a map's keys sorted; storing them sorted keeps -o yaml stable.
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Reads a ConfigMap key back into the Helm value the model's resolver understands. */
const reverseKeys: readonly (readonly [string, string])[] = [
  ['tunnel', 'tunnel'],
  ['routing-mode', 'routingMode'],
  ['tunnel-protocol', 'tunnelProtocol'],
  ['enable-l7-proxy', 'l7Proxy'],
  ['ipam', 'ipam.mode'],
  ['enable-policy', 'policyEnforcementMode'],
  ['policy-audit-mode', 'policyAuditMode'],
  ['cluster-name', 'cluster.name'],
  ['enable-host-firewall', 'hostFirewall.enabled'],
  ['devices', 'devices'],
  ['wireguard-encapsulate', 'encryption.wireguard.encapsulate'],
  ['mesh-auth-enabled', 'authentication.enabled'],
  ['mesh-auth-gc-interval', 'authentication.gcInterval'],
  ['mesh-auth-mutual-enabled', 'authentication.mutual.spire.enabled'],
  ['mesh-auth-mutual-listener-port', 'authentication.mutual.port'],
  ['mesh-auth-spiffe-trust-domain', 'authentication.mutual.spire.trustDomain'],
  ['policy-secrets-namespace', 'tls.secretsNamespace.name'],
  ['tofqdns-min-ttl', 'dnsProxy.minTtl'],
  ['tofqdns-endpoint-max-ip-per-hostname', 'dnsProxy.endpointMaxIpPerHostname'],
  ['tofqdns-dns-reject-response-code', 'dnsProxy.dnsRejectResponseCode'],
  ['kube-proxy-replacement', 'kubeProxyReplacement'],
  ['bpf-lb-sock', 'socketLB.enabled'],
  ['enable-node-port', 'nodePort.enabled'],
  ['bpf-lb-mode', 'loadBalancer.mode'],
  ['service-no-backend-response', 'serviceNoBackendResponse'],
  ['enable-ingress-controller', 'ingressController.enabled'],
  ['enable-cilium-endpoint-slice', 'ciliumEndpointSlice.enabled'],
  ['enable-ipv4-egress-gateway', 'egressGateway.enabled'],
  ['enable-egress-gateway', 'egressGateway.enabled'],
  ['enable-local-redirect-policy', 'localRedirectPolicy'],
  ['enable-bgp-control-plane', 'bgpControlPlane.enabled'],
  ['enable-gateway-api', 'gatewayAPI.enabled'],
  ['enable-node-selector-labels', 'nodeSelectorLabels'],
  ['encrypt-node', 'encryption.nodeEncryption'],
];

/**
 * The values an agent's configuration amounts to, read from cilium-config: what the model's
 * resolver (config.ts) takes. A key the agent does not know is ignored, as the agent ignores it.
 */
function valuesFromConfigMap(
  version: string,
  data: Readonly<Record<string, string>>,
): Record<string, string> {
  const minor = parseCiliumVersion(version)?.minor ?? 18;
  const values: Record<string, string> = {};
  for (const [key, value] of reverseKeys) {
    const found = data[key];
    if (found !== undefined) values[value] = found;
  }
  // A tunnel key of 1.12 and 1.13 that 1.14's agent still reads; later agents only read routing-mode.
  if (minor >= 15) delete values.tunnel;
  if (truthy(data['enable-wireguard'])) {
    values['encryption.enabled'] = 'true';
    values['encryption.type'] = 'wireguard';
  } else if (truthy(data['enable-ipsec'])) {
    values['encryption.enabled'] = 'true';
    values['encryption.type'] = 'ipsec';
  }
  if (data['disable-cnp-status-updates'] === 'false') values.enableCnpStatusUpdates = 'true';
  // One flag, whichever value turned it on: `envoyConfig.enabled` from 1.14, an `extraConfig`
  // entry before (cilium/envoy-config-resources.ts reads either).
  if (truthy(data['enable-envoy-config']))
    values[minor >= 14 ? 'envoyConfig.enabled' : 'extraConfig.enable-envoy-config'] = 'true';
  if (minor >= 17) {
    values['tls.readSecretsOnlyFromSecretsNamespace'] =
      data['policy-secrets-only-from-secrets-namespace'] ?? 'false';
    values['tls.secretSync.enabled'] = data['enable-policy-secrets-sync'] ?? 'false';
  }
  return values;
}

/** What an agent makes of cilium-config when it starts: a configuration, or the fatal error it exits with. */
export type AgentConfigResult = { config: CiliumConfig } | { fatal: string };

/**
 * The configuration an agent of this version runs with, read from cilium-config, or the fatal line
 * it logs before exiting (the start-up checks of cilium/agent-startup.ts).
 */
export function agentConfigFromConfigMap(
  version: string,
  data: Readonly<Record<string, string>>,
): AgentConfigResult {
  // Every agent reads the same ConfigMap: they share one answer, and so one configuration object.
  const memoKey = `${version}\n${JSON.stringify(data)}`;
  let result = agentConfigs.get(memoKey);
  if (result === undefined) {
    result = readAgentConfig(version, data);
    if (agentConfigs.size >= 64) agentConfigs.clear();
    agentConfigs.set(memoKey, result);
  }
  return result;
}

/** Answers of agentConfigFromConfigMap, a pure function of its inputs. Shared results are never mutated. */
const agentConfigs = new Map<string, AgentConfigResult>();

function readAgentConfig(version: string, data: Readonly<Record<string, string>>): AgentConfigResult {
  const conflict = encryptionConflict(parseCiliumVersion(version)?.minor ?? 18, data);
  if (conflict !== undefined) return { fatal: conflict };
  const resolved = resolveCiliumConfig({ version, values: valuesFromConfigMap(version, data) });
  if (resolved.config === undefined) return { fatal: resolved.error ?? 'invalid configuration' };
  const refusal = agentStartRefusal(resolved.config);
  return refusal === undefined ? { config: resolved.config } : { fatal: refusal };
}
