// Goal: cilium-config holds the keys the Helm chart renders for each version and set of values
// (install/kubernetes/cilium/templates/cilium-configmap.yaml at 1.12, 1.14, 1.15, 1.18), and the
// agent's reading of that ConfigMap gives the configuration the model runs with, or the fatal line
// the real agent exits with (WireGuard with the L7 proxy up to 1.13, WireGuard with IPsec).
import { describe, expect, it } from 'vitest';
import { agentConfigFromConfigMap, renderCiliumConfigMap } from '../../../simulator/cilium/chart-config';
import { renderCiliumChart } from '../../../simulator/cilium/chart';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';

const wireguard = { 'encryption.enabled': 'true', 'encryption.type': 'wireguard' };

interface RenderCase {
  readonly name: string;
  readonly version: string;
  readonly values: Record<string, string>;
  readonly present: Record<string, string>;
  readonly absent: readonly string[];
}

const renderCases: readonly RenderCase[] = [
  {
    name: '1.12 defaults: tunnel key, L7 proxy on, no mesh-auth',
    version: '1.12.0',
    values: {},
    present: {
      tunnel: 'vxlan',
      'enable-l7-proxy': 'true',
      'kube-proxy-replacement': 'disabled',
      ipam: 'cluster-pool',
      'enable-policy': 'default',
      'policy-audit-mode': 'false',
      'identity-allocation-mode': 'crd',
    },
    absent: ['routing-mode', 'tunnel-protocol', 'mesh-auth-enabled', 'enable-wireguard'],
  },
  {
    name: '1.12 as seed 001 installs it',
    version: '1.12.0',
    values: {
      ...wireguard,
      'socketLB.enabled': 'false',
      'externalIPs.enabled': 'true',
      'bpf.masquerade': 'false',
      'ipam.mode': 'kubernetes',
      l7Proxy: 'false',
    },
    present: {
      'enable-wireguard': 'true',
      'enable-l7-proxy': 'false',
      'bpf-lb-sock': 'false',
      'enable-external-ips': 'true',
      'enable-bpf-masquerade': 'false',
      ipam: 'kubernetes',
    },
    absent: ['enable-ipsec', 'cluster-pool-ipv4-cidr'],
  },
  {
    name: '1.14.0 ignores encryption.wireguard.encapsulate, which the chart does not know yet',
    version: '1.14.0',
    values: { ...wireguard, 'encryption.wireguard.encapsulate': 'true' },
    present: { 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'mesh-auth-enabled': 'true' },
    absent: ['wireguard-encapsulate', 'tunnel'],
  },
  {
    name: '1.14.4 renders wireguard-encapsulate',
    version: '1.14.4',
    values: { ...wireguard, 'encryption.wireguard.encapsulate': 'true' },
    present: { 'wireguard-encapsulate': 'true', 'enable-wireguard': 'true' },
    absent: [],
  },
  {
    name: '1.14 still maps the deprecated tunnel=disabled to native routing',
    version: '1.14.4',
    values: { tunnel: 'disabled' },
    present: { 'routing-mode': 'native' },
    absent: ['tunnel'],
  },
  {
    name: '1.15 always encapsulates, so the value is gone',
    version: '1.15.0',
    values: { ...wireguard, 'encryption.wireguard.encapsulate': 'true' },
    present: { 'kube-proxy-replacement': 'false', 'enable-remote-node-identity': 'true' },
    absent: ['wireguard-encapsulate'],
  },
  {
    name: '1.18.5 reads policy Secrets from cilium-secrets, synced by the operator',
    version: '1.18.5',
    values: { policyAuditMode: 'true', 'hostFirewall.enabled': 'true' },
    present: {
      'policy-secrets-only-from-secrets-namespace': 'true',
      'enable-policy-secrets-sync': 'true',
      'policy-secrets-namespace': 'cilium-secrets',
      'policy-audit-mode': 'true',
      'enable-host-firewall': 'true',
    },
    absent: ['enable-remote-node-identity', 'tunnel'],
  },
  {
    name: '1.12 with partial kube-proxy replacement: socket LB from hostServices, node ports from the value',
    version: '1.12.0',
    values: { kubeProxyReplacement: 'partial', 'hostServices.enabled': 'true', 'nodePort.enabled': 'true' },
    present: { 'kube-proxy-replacement': 'partial', 'bpf-lb-sock': 'true', 'enable-node-port': 'true' },
    absent: ['service-no-backend-response'],
  },
  {
    name: '1.18 with the kube-proxy replacement leaves node ports to it',
    version: '1.18.5',
    values: { kubeProxyReplacement: 'true', 'loadBalancer.mode': 'dsr' },
    present: {
      'kube-proxy-replacement': 'true',
      'bpf-lb-mode': 'dsr',
      'service-no-backend-response': 'reject',
      'external-envoy-proxy': 'true',
      'enable-node-selector-labels': 'false',
    },
    absent: ['enable-node-port', 'disable-cnp-status-updates'],
  },
  {
    name: '1.14 with CiliumEnvoyConfig and agent policy status updates',
    version: '1.14.5',
    values: { 'envoyConfig.enabled': 'true', enableCnpStatusUpdates: 'true' },
    present: {
      'enable-envoy-config': 'true',
      'disable-cnp-status-updates': 'false',
      'enable-node-port': 'false',
      'external-envoy-proxy': 'false',
    },
    absent: ['enable-ingress-controller'],
  },
];

describe('cilium chart: cilium-config', () => {
  it.each(renderCases)('cilium-config: $name', ({ version, values, present, absent }) => {
    const data = renderCiliumConfigMap(version, values);
    expect(data).toMatchObject(present);
    for (const key of absent) expect(data).not.toHaveProperty(key);
  });

  it('rolls the agents on a config change only with rollOutCiliumPods (the checksum annotation)', () => {
    const annotation = (values: Record<string, string>): string | undefined => {
      const daemonSet = renderCiliumChart('1.14.4', values).find((object) => object.kind === 'DaemonSet');
      return daemonSet?.kind === 'DaemonSet'
        ? daemonSet.spec.template.metadata.annotations?.['cilium.io/cilium-configmap-checksum']
        : undefined;
    };
    expect(annotation({})).toBeUndefined();
    const before = annotation({ rollOutCiliumPods: 'true' });
    const after = annotation({ rollOutCiliumPods: 'true', policyAuditMode: 'true' });
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });
});

interface AgentCase {
  readonly name: string;
  readonly version: string;
  readonly values: Record<string, string>;
  readonly edit?: Record<string, string>;
  readonly expected: { fatal: string } | Record<string, unknown>;
}

const l7Fatal = 'Wireguard (--enable-wireguard) is not compatible with L7 proxy (--enable-l7-proxy)';

const agentCases: readonly AgentCase[] = [
  {
    name: '1.12 with WireGuard and the default L7 proxy exits',
    version: '1.12.0',
    values: wireguard,
    expected: { fatal: l7Fatal },
  },
  {
    name: '1.13 still refuses the combination',
    version: '1.13.0',
    values: wireguard,
    expected: { fatal: l7Fatal },
  },
  {
    name: '1.12 with WireGuard runs once the L7 proxy is off',
    version: '1.12.0',
    values: { ...wireguard, l7Proxy: 'false' },
    expected: { encryption: 'wireguard', l7Proxy: false, routingMode: 'tunnel' },
  },
  {
    name: '1.14 runs WireGuard with the L7 proxy (cilium/cilium#19401)',
    version: '1.14.0',
    values: wireguard,
    expected: { encryption: 'wireguard', l7Proxy: true, wireguardEncapsulate: false },
  },
  {
    name: 'a 1.14.0 agent ignores a wireguard-encapsulate key edited into the ConfigMap',
    version: '1.14.0',
    values: wireguard,
    edit: { 'wireguard-encapsulate': 'true' },
    expected: { wireguardEncapsulate: false },
  },
  {
    name: 'a 1.14.4 agent encapsulates',
    version: '1.14.4',
    values: { ...wireguard, 'encryption.wireguard.encapsulate': 'true' },
    expected: { wireguardEncapsulate: true },
  },
  {
    name: 'WireGuard and IPsec together exit (1.12 wording)',
    version: '1.12.0',
    values: { ...wireguard, l7Proxy: 'false' },
    edit: { 'enable-ipsec': 'true' },
    expected: { fatal: 'Wireguard (--enable-wireguard) cannot be used with IPSec (--enable-ipsec)' },
  },
  {
    name: 'WireGuard and IPsec together exit (1.14 and later wording)',
    version: '1.18.5',
    values: wireguard,
    edit: { 'enable-ipsec': 'true' },
    expected: { fatal: 'WireGuard (--enable-wireguard) cannot be used with IPsec (--enable-ipsec)' },
  },
  {
    name: 'policy-audit-mode edited into the ConfigMap turns audit mode on',
    version: '1.18.5',
    values: {},
    edit: { 'policy-audit-mode': 'true' },
    expected: { policyAuditMode: true, policyEnforcementMode: 'default' },
  },
];

describe('cilium agent: configuration read from cilium-config', () => {
  it.each(agentCases)('agent config: $name', ({ version, values, edit, expected }) => {
    const data = { ...renderCiliumConfigMap(version, values), ...edit };
    const result = agentConfigFromConfigMap(version, data);
    if ('fatal' in expected) expect(result).toEqual(expected);
    else expect('config' in result ? result.config : result).toMatchObject(expected);
  });
});

interface RoundTripCase {
  readonly name: string;
  readonly version: string;
  readonly values: Record<string, string>;
}

// The agents read cilium-config, not Helm's values: whatever the chart renders must give the agent
// the configuration the values describe, for every setting the model acts on.
const roundTrips: readonly RoundTripCase[] = [
  {
    name: 'seed 001 (1.12, WireGuard, no L7 proxy)',
    version: '1.12.0',
    values: { ...wireguard, l7Proxy: 'false', 'ipam.mode': 'kubernetes', 'socketLB.enabled': 'false' },
  },
  {
    name: '1.12 partial replacement with host services',
    version: '1.12.0',
    values: { kubeProxyReplacement: 'partial', 'hostServices.enabled': 'true' },
  },
  { name: '1.12 strict replacement', version: '1.12.0', values: { kubeProxyReplacement: 'strict' } },
  {
    name: '1.14 mutual authentication with SPIRE',
    version: '1.14.5',
    values: {
      'authentication.mutual.spire.enabled': 'true',
      'authentication.mutual.spire.install.enabled': 'true',
      enableCnpStatusUpdates: 'true',
    },
  },
  {
    name: '1.15 blast radius (replacement, CiliumEnvoyConfig)',
    version: '1.15.0',
    values: { kubeProxyReplacement: 'true', 'envoyConfig.enabled': 'true', 'loadBalancer.mode': 'hybrid' },
  },
  { name: '1.18 docs defaults', version: '1.18.5', values: {} },
  {
    name: '1.18 node selector labels, audit mode, drop without backends',
    version: '1.18.5',
    values: {
      nodeSelectorLabels: 'true',
      policyAuditMode: 'true',
      serviceNoBackendResponse: 'drop',
      'nodePort.enabled': 'true',
    },
  },
  {
    name: '1.18 WireGuard with node encryption and the DNS proxy settings',
    version: '1.18.5',
    values: { ...wireguard, 'encryption.nodeEncryption': 'true', 'dnsProxy.minTtl': '3600' },
  },
];

describe('cilium agent: cilium-config carries what the values configure', () => {
  it.each(roundTrips)('round trip: $name', ({ version, values }) => {
    const direct = resolveCiliumConfig({ version, values }).config;
    const read = agentConfigFromConfigMap(version, renderCiliumConfigMap(version, values));
    if (direct === undefined || !('config' in read)) throw new Error('configuration refused');
    // Everything but `values`, the raw settings each configuration was resolved from.
    const resolved = (config: typeof direct): Record<string, unknown> =>
      Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'values'));
    expect(resolved(read.config)).toEqual(resolved(direct));
  });
});

interface ChartObjectsCase {
  readonly name: string;
  readonly version: string;
  readonly values: Record<string, string>;
  readonly daemonSets: readonly string[];
  readonly envoyImage?: string;
}

// The cilium-envoy DaemonSet: the default for new installations from 1.16, on request in 1.14 and
// 1.15, never without the L7 proxy (the chart's envoyDaemonSetEnabled helper).
const chartObjects: readonly ChartObjectsCase[] = [
  { name: '1.12: the agents only', version: '1.12.0', values: {}, daemonSets: ['cilium'] },
  { name: '1.15: Envoy inside the agent by default', version: '1.15.0', values: {}, daemonSets: ['cilium'] },
  {
    name: '1.15 with envoy.enabled',
    version: '1.15.0',
    values: { 'envoy.enabled': 'true' },
    daemonSets: ['cilium', 'cilium-envoy'],
    envoyImage: 'quay.io/cilium/cilium-envoy:v1.27.2-13f6142b9c02268b10d547c8b093ef16724538e3',
  },
  {
    name: '1.18.5: Envoy in its own DaemonSet',
    version: '1.18.5',
    values: {},
    daemonSets: ['cilium', 'cilium-envoy'],
    envoyImage: 'quay.io/cilium/cilium-envoy:v1.34.12-1765374555-6a93b0bbba8d6dc75b651cbafeedb062b2997716',
  },
  {
    name: '1.18.5 without the L7 proxy',
    version: '1.18.5',
    values: { l7Proxy: 'false' },
    daemonSets: ['cilium'],
  },
];

describe('cilium chart: the objects it renders', () => {
  it.each(chartObjects)('chart objects: $name', ({ version, values, daemonSets, envoyImage }) => {
    const objects = renderCiliumChart(version, values);
    const sets = objects.flatMap((object) => (object.kind === 'DaemonSet' ? [object] : []));
    expect(sets.map((set) => set.metadata.name)).toEqual(daemonSets);
    const envoy = sets.find((set) => set.metadata.name === 'cilium-envoy');
    expect(envoy?.spec.template.spec.containers[0]?.image).toBe(envoyImage);
    // Every object carries Helm's ownership, which `helm uninstall` follows.
    for (const object of objects)
      expect(object.metadata.annotations?.['meta.helm.sh/release-name']).toBe('cilium');
  });
});
