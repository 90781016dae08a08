/**
 * Cilium's configuration from `helm install cilium cilium/cilium --version V --set …`: the values
 * that change what the model does, with the version-dependent defaults of the chart.
 */

/** What a reader asked helm for. */
export interface CiliumInstallRequest {
  version: string;
  values: Record<string, string>;
}

/** How pod traffic between nodes travels and therefore where the receiver learns its source identity. */
export type RoutingMode = 'tunnel' | 'native';
export type EncryptionType = 'none' | 'wireguard' | 'ipsec';
export type EnforcementMode = 'default' | 'always' | 'never';

/** The resolved configuration the model runs with. */
export interface CiliumConfig {
  version: string;
  /** Major and minor as numbers, for version comparisons. */
  versionMajor: number;
  versionMinor: number;
  routingMode: RoutingMode;
  tunnelProtocol: 'vxlan' | 'geneve';
  encryption: EncryptionType;
  /** The opt-in `encryption.wireguard.encapsulate` of 1.14.4 and later 1.14 releases; always on from 1.15. */
  wireguardEncapsulate: boolean;
  ipamMode: 'kubernetes' | 'cluster-pool';
  l7Proxy: boolean;
  policyEnforcementMode: EnforcementMode;
  policyAuditMode: boolean;
  clusterName: string;
  /**
   * `hostFirewall.enabled`: bpf_host enforces host policies (CiliumClusterwideNetworkPolicy with a
   * nodeSelector) on the host endpoint. The feature exists since 1.8 (beta); every modelled chart has it.
   */
  hostFirewall: boolean;
  /** Mutual authentication (1.14+, beta): the auth manager and, when enabled, SPIRE. */
  mutualAuth: MutualAuthConfig;
  /** How Services are load-balanced: by Cilium's kube-proxy replacement or beside kube-proxy. */
  serviceLoadBalancing: ServiceLoadBalancing;
  values: Record<string, string>;
}

/**
 * Cilium's Service handling (docs: network/kubernetes/kubeproxy-free). Without the kube-proxy
 * replacement Cilium only load-balances ClusterIP Services per packet in bpf_lxc, and kube-proxy's
 * iptables rules answer node ports; with it (`kubeProxyReplacement=true`, `strict` before 1.14)
 * the socket LB translates at connect() in pods and in the host namespace, and bpf_host answers
 * node ports from outside.
 */
export interface ServiceLoadBalancing {
  kubeProxyReplacement: boolean;
  /** `socketLB.enabled` (`hostServices.enabled` up to 1.12); on with the kube-proxy replacement. */
  socketLB: boolean;
  /** `nodePort.enabled`: bpf_host answers node ports; on with the kube-proxy replacement. */
  nodePort: boolean;
  /** `loadBalancer.mode`: SNAT (the default), DSR or DSR for TCP only (hybrid). */
  mode: 'snat' | 'dsr' | 'hybrid';
  /** `serviceNoBackendResponse`: from 1.15 an ICMP reject (default) or a silent drop; a drop before. */
  noBackendResponse: 'reject' | 'drop';
}

/** Helm's `authentication.*` values as the agent and the chart use them (the `authentication.*` rows
 * of https://docs.cilium.io/en/v1.14/helm-reference/). */
export interface MutualAuthConfig {
  /** The agent's auth manager (`authentication.enabled`, on by default from 1.14; absent before). */
  enabled: boolean;
  /** `authentication.mutual.spire.enabled`: SPIRE backs the mTLS handshake. */
  spire: boolean;
  /** `authentication.mutual.spire.install.enabled`: the chart installs a SPIRE server and agents. */
  spireInstall: boolean;
  /** `authentication.mutual.port` (mesh-auth-mutual-listener-port), 4250. */
  port: number;
  /** `authentication.gcInterval`, 5 minutes. */
  gcIntervalMs: number;
  /** mesh-auth-spiffe-trust-domain, `spiffe.cilium`. */
  trustDomain: string;
}

/** Values the model reads. */
const modelledValues = new Set([
  'encryption.enabled',
  'encryption.type',
  'encryption.wireguard.encapsulate',
  'tunnel',
  'routingMode',
  'tunnelProtocol',
  'ipam.mode',
  'l7Proxy',
  'policyEnforcementMode',
  'policyAuditMode',
  'cluster.name',
  'hostFirewall.enabled',
  // CiliumEnvoyConfig and the BPF service translation its `services` redirect needs (cilium/envoy*.ts).
  'envoyConfig.enabled',
  'ingressController.enabled',
  'extraConfig.enable-envoy-config',
  'kubeProxyReplacement',
  'nodePort.enabled',
  'authentication.enabled',
  'authentication.gcInterval',
  'authentication.mutual.port',
  'authentication.mutual.spire.enabled',
  'authentication.mutual.spire.install.enabled',
  'authentication.mutual.spire.trustDomain',
  // The DNS proxy's settings (cilium/fqdn.ts).
  'dnsProxy.minTtl',
  'dnsProxy.endpointMaxIpPerHostname',
  'dnsProxy.dnsRejectResponseCode',
  // Where Envoy's policy TLS Secrets come from (cilium/policy-secrets.ts).
  'tls.secretSync.enabled',
  'tls.readSecretsOnlyFromSecretsNamespace',
  'tls.secretsNamespace.name',
  'tls.secretsBackend',
  // What the agents accept and where refusals show (cilium/policy-validator.ts).
  'nodeSelectorLabels',
  'enableCnpStatusUpdates',
  // Service load-balancing (resolveServiceLoadBalancing).
  'kubeProxyReplacement',
  'socketLB.enabled',
  'hostServices.enabled',
  'nodePort.enabled',
  'loadBalancer.mode',
  'serviceNoBackendResponse',
]);

/** Values a reader pastes along that do not change anything the model shows. */
const acceptedValues = new Set([
  // Where Envoy runs (the cilium-envoy DaemonSet: cilium/chart-envoy.ts); the proxy behaves the same.
  'envoy.enabled',
  'externalIPs.enabled',
  'bpf.masquerade',
  'image.pullPolicy',
  'hubble.enabled',
  'hubble.relay.enabled',
  'hubble.ui.enabled',
  'operator.replicas',
  'hostPort.enabled',
  'autoDirectNodeRoutes',
  'ipv4NativeRoutingCIDR',
  'k8sServiceHost',
  'k8sServicePort',
  // The host firewall's devices; the model has one device per node (eth0), which auto-detection finds.
  'devices',
]);

/** Parses `1.12.0` or `v1.12` into numbers, or undefined. */
export function parseCiliumVersion(
  version: string,
): { major: number; minor: number; patch: number } | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version.trim());
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** Versions the model knows how to behave like. */
const supportedCiliumMinors = [12, 13, 14, 15, 16, 17, 18] as const;

/** Result of resolving helm values: the config, or why it cannot be installed, plus warnings. */
export interface ResolvedCiliumConfig {
  config?: CiliumConfig;
  error?: string;
  warnings: string[];
}

const truthy = (value: string | undefined): boolean => value === 'true';

/** Resolves a helm install request into the model's configuration. */
export function resolveCiliumConfig(request: CiliumInstallRequest): ResolvedCiliumConfig {
  const warnings: string[] = [];
  const parsed = parseCiliumVersion(request.version);
  if (parsed === undefined) return { error: `invalid chart version "${request.version}"`, warnings };
  if (
    parsed.major !== 1 ||
    !supportedCiliumMinors.includes(parsed.minor as (typeof supportedCiliumMinors)[number])
  ) {
    return { error: `chart version ${request.version} is not modelled; use 1.12 to 1.18`, warnings };
  }
  const values = request.values;
  for (const key of Object.keys(values)) {
    if (!modelledValues.has(key) && !acceptedValues.has(key)) {
      warnings.push(`value ${key}=${values[key]} is not modelled by the simulator and has no effect here`);
    }
  }
  const minor = parsed.minor;
  // 1.12-1.13 select tunnelling with `tunnel`; from 1.14 `routingMode` and `tunnelProtocol` replace it.
  let routingMode: RoutingMode = 'tunnel';
  let tunnelProtocol: 'vxlan' | 'geneve' = 'vxlan';
  const tunnel = values.tunnel;
  if (tunnel !== undefined) {
    if (tunnel === 'disabled') routingMode = 'native';
    else if (tunnel === 'vxlan' || tunnel === 'geneve') tunnelProtocol = tunnel;
    else return { error: `invalid value tunnel=${tunnel}: expected vxlan, geneve or disabled`, warnings };
  }
  if (values.routingMode !== undefined) {
    if (values.routingMode !== 'native' && values.routingMode !== 'tunnel') {
      return {
        error: `invalid value routingMode=${values.routingMode}: expected native or tunnel`,
        warnings,
      };
    }
    routingMode = values.routingMode;
  }
  if (values.tunnelProtocol === 'geneve' || values.tunnelProtocol === 'vxlan')
    tunnelProtocol = values.tunnelProtocol;
  let encryption: EncryptionType = 'none';
  if (truthy(values['encryption.enabled'])) {
    const type = values['encryption.type'] ?? 'ipsec';
    if (type !== 'wireguard' && type !== 'ipsec')
      return { error: `invalid value encryption.type=${type}`, warnings };
    encryption = type;
  }
  const ipamMode = values['ipam.mode'] ?? 'cluster-pool';
  if (ipamMode !== 'kubernetes' && ipamMode !== 'cluster-pool') {
    return { error: `ipam.mode=${ipamMode} is not modelled; use kubernetes or cluster-pool`, warnings };
  }
  const enforcement = values.policyEnforcementMode ?? 'default';
  if (enforcement !== 'default' && enforcement !== 'always' && enforcement !== 'never') {
    return {
      error: `invalid value policyEnforcementMode=${enforcement}: expected default, always or never`,
      warnings,
    };
  }
  // `--wireguard-encapsulate` arrived in 1.14.4 (cilium/cilium#28917, the backport of "bpf: Encap
  // with cilium_{vxlan,geneve} before passing to WG"); from 1.15 tunnel mode always encapsulates
  // first (#29000). Earlier charts do not know the value and ignore it.
  const encapsulateValue = values['encryption.wireguard.encapsulate'];
  const encapsulateKnown = minor === 14 && parsed.patch >= 4;
  if (encapsulateValue !== undefined && !encapsulateKnown) {
    warnings.push(
      `encryption.wireguard.encapsulate exists only from 1.14.4 to 1.14.x; ${minor < 15 ? 'earlier releases never encapsulate WireGuard traffic' : 'from 1.15 WireGuard traffic is always encapsulated in tunnel mode'}`,
    );
  }
  const hostFirewall = truthy(values['hostFirewall.enabled']);
  if (hostFirewall && encryption === 'ipsec')
    warnings.push(
      'hostFirewall.enabled=true with IPsec: Cilium documents the host firewall as not working together with IPsec (known issue); the model still enforces host policies',
    );
  for (const key of ['tls.secretSync.enabled', 'tls.readSecretsOnlyFromSecretsNamespace'])
    if (values[key] !== undefined && minor < 17)
      warnings.push(
        `${key} exists from Cilium 1.17; before it the agent always reads policy Secrets from the API server`,
      );
  const mutualAuth = resolveMutualAuth(values, minor, warnings);
  if (typeof mutualAuth === 'string') return { error: mutualAuth, warnings };
  const serviceLoadBalancing = resolveServiceLoadBalancing(values, minor, warnings);
  if (typeof serviceLoadBalancing === 'string') return { error: serviceLoadBalancing, warnings };
  return {
    config: {
      version: `${parsed.major}.${parsed.minor}.${parsed.patch}`,
      versionMajor: parsed.major,
      versionMinor: minor,
      routingMode,
      tunnelProtocol,
      encryption,
      wireguardEncapsulate: minor >= 15 || (encapsulateKnown && truthy(encapsulateValue)),
      ipamMode,
      l7Proxy: values.l7Proxy !== 'false',
      policyEnforcementMode: enforcement,
      policyAuditMode: truthy(values.policyAuditMode),
      clusterName: values['cluster.name'] ?? 'default',
      hostFirewall,
      mutualAuth,
      serviceLoadBalancing,
      values: { ...values },
    },
    warnings,
  };
}

/** Parses a Go duration as Helm passes it (`5m0s`, `30s`, `1h`), in milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let rest = text.trim();
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
    if (match === null) return undefined;
    total += Number(match[1]) * (units[match[2] ?? 's'] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}

/**
 * The `authentication.*` values. Before 1.14 the chart has no such keys (Helm ignores them and the
 * agent has no auth manager), so they only draw a warning; from 1.14 they configure the agent.
 */
function resolveMutualAuth(
  values: Record<string, string>,
  minor: number,
  warnings: string[],
): MutualAuthConfig | string {
  const keys = Object.keys(values).filter((key) => key.startsWith('authentication.'));
  const supported = minor >= 14;
  if (!supported && keys.length > 0)
    warnings.push(
      `${keys.join(', ')}: mutual authentication exists from Cilium 1.14; this chart has no such values and its agent ignores them`,
    );
  const gcText = values['authentication.gcInterval'] ?? '5m0s';
  const gcIntervalMs = parseGoDuration(gcText);
  if (gcIntervalMs === undefined || gcIntervalMs <= 0)
    return `invalid value authentication.gcInterval=${gcText}: expected a duration such as 5m0s`;
  const portText = values['authentication.mutual.port'] ?? '4250';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return `invalid value authentication.mutual.port=${portText}: expected a port number`;
  const enabled = supported && values['authentication.enabled'] !== 'false';
  const spire = enabled && truthy(values['authentication.mutual.spire.enabled']);
  if (supported && !enabled && truthy(values['authentication.mutual.spire.enabled']))
    warnings.push(
      'authentication.mutual.spire.enabled=true has no effect with authentication.enabled=false: the agent runs no auth manager',
    );
  return {
    enabled,
    spire,
    spireInstall: spire && values['authentication.mutual.spire.install.enabled'] !== 'false',
    port,
    gcIntervalMs,
    trustDomain: values['authentication.mutual.spire.trustDomain'] ?? 'spiffe.cilium',
  };
}

/**
 * `kubeProxyReplacement` and the feature switches beside it. 1.12 and 1.13 take `disabled` (the
 * chart's default), `partial`, `probe` or `strict`; 1.14 takes `true` or `false` (the default) and
 * still the old words, deprecated; from 1.15 only `true` and `false` (the agent refuses others and
 * the model runs without the replacement, with a warning). `probe` turns on what the kernel
 * supports, which on kind's kernels is everything.
 */
function resolveServiceLoadBalancing(
  values: Record<string, string>,
  minor: number,
  warnings: string[],
): ServiceLoadBalancing | string {
  const raw = values.kubeProxyReplacement ?? (minor <= 13 ? 'disabled' : 'false');
  const accepted =
    minor <= 13
      ? ['disabled', 'partial', 'probe', 'strict']
      : minor === 14
        ? ['true', 'false', 'disabled', 'partial', 'probe', 'strict']
        : ['true', 'false'];
  if (!accepted.includes(raw))
    warnings.push(
      `kubeProxyReplacement=${raw} is not a value Cilium 1.${minor} accepts (${accepted.join(', ')}); the model runs without the kube-proxy replacement`,
    );
  const replacement = accepted.includes(raw) && ['true', 'strict', 'probe'].includes(raw);
  const mode = values['loadBalancer.mode'] ?? 'snat';
  if (mode !== 'snat' && mode !== 'dsr' && mode !== 'hybrid')
    return `invalid value loadBalancer.mode=${mode}: expected snat, dsr or hybrid`;
  const response = values.serviceNoBackendResponse ?? 'reject';
  if (response !== 'reject' && response !== 'drop')
    return `invalid value serviceNoBackendResponse=${response}: expected reject or drop`;
  return {
    kubeProxyReplacement: replacement,
    socketLB: replacement || truthy(values['socketLB.enabled']) || truthy(values['hostServices.enabled']),
    nodePort: replacement || truthy(values['nodePort.enabled']),
    mode,
    // The ICMP reject for Services without backends came with 1.15 (cilium/cilium#28157).
    noBackendResponse: minor >= 15 ? response : 'drop',
  };
}

/**
 * How the receiving node learns a remote pod's source identity (cilium/cilium bpf/bpf_overlay.c reads
 * it from the tunnel's VNI; WireGuard in tunnel mode skips the tunnel up to 1.13, cilium/cilium#15716,
 * and encapsulates first from 1.15, #29000). `tunnel-header`: from
 * the VNI the sending node wrote; `ipcache`: from its own IP-to-identity cache.
 */
export function sourceIdentityTransport(config: CiliumConfig): 'tunnel-header' | 'ipcache' {
  if (config.routingMode === 'native') return 'ipcache';
  if (config.encryption === 'wireguard') {
    // 1.10-1.13 send pod traffic only through cilium_wg0; 1.14.4+ encapsulates on request; 1.15+ always.
    return config.wireguardEncapsulate ? 'tunnel-header' : 'ipcache';
  }
  if (config.encryption === 'ipsec') {
    // 1.12-era code carries the VNI identity across decryption; ~1.15-1.16 looked the source up again.
    return config.versionMinor >= 15 && config.versionMinor <= 16 ? 'ipcache' : 'tunnel-header';
  }
  return 'tunnel-header';
}
