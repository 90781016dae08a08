import { describe, expect, it } from 'vitest';
import {
  identityRelevantLabels,
  isIdentityRelevant,
  lookupSelectorKey,
  podSecurityLabels,
} from '../../../simulator/cilium/labels';
import { resolveCiliumConfig, sourceIdentityTransport } from '../../../simulator/cilium/config';

// Identity-relevant labels (cilium/cilium pkg/labels/filter.go) and the version table of
// source-identity transport (bpf/bpf_overlay.c; cilium/cilium#15716 and #29000 for WireGuard).
describe('cilium: identity-relevant labels', () => {
  it('keeps app, version, namespace and service account, and drops pod-template-hash', () => {
    const labels = identityRelevantLabels(
      podSecurityLabels({
        podLabels: { app: 'sleep', version: 'v1', 'pod-template-hash': '5d8f7c9b4d' },
        namespace: 'default',
        namespaceLabels: { 'kubernetes.io/metadata.name': 'default' },
        serviceAccount: 'sleep-v1',
        clusterName: 'default',
      }),
    );
    expect(Object.keys(labels).sort()).toEqual([
      'k8s:app',
      'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name',
      'k8s:io.cilium.k8s.policy.cluster',
      'k8s:io.cilium.k8s.policy.serviceaccount',
      'k8s:io.kubernetes.pod.namespace',
      'k8s:version',
    ]);
  });

  it('lets the longer include win over the io.kubernetes exclude', () => {
    expect(isIdentityRelevant('k8s:io.kubernetes.pod.namespace')).toBe(true);
    expect(isIdentityRelevant('k8s:io.kubernetes.container.name')).toBe(false);
    expect(isIdentityRelevant('k8s:statefulset.kubernetes.io/pod-name')).toBe(false);
  });

  it('matches selector keys with and without a source', () => {
    const labels = { 'k8s:app': 'sleep', 'reserved:host': '' };
    expect(lookupSelectorKey(labels, 'app')).toBe('sleep');
    expect(lookupSelectorKey(labels, 'any:app')).toBe('sleep');
    expect(lookupSelectorKey(labels, 'k8s:app')).toBe('sleep');
    expect(lookupSelectorKey(labels, 'container:app')).toBeUndefined();
  });
});

describe('cilium: where the receiver learns the source identity', () => {
  const transport = (version: string, values: Record<string, string>): string => {
    const { config } = resolveCiliumConfig({ version, values });
    if (config === undefined) throw new Error('invalid config');
    return sourceIdentityTransport(config);
  };
  const wireguard = { 'encryption.enabled': 'true', 'encryption.type': 'wireguard' };

  it.each([
    ['1.12.0', {}, 'tunnel-header'],
    ['1.12.0', wireguard, 'ipcache'],
    ['1.13.0', wireguard, 'ipcache'],
    ['1.14.0', wireguard, 'ipcache'],
    ['1.14.4', { ...wireguard, 'encryption.wireguard.encapsulate': 'true' }, 'tunnel-header'],
    // The value arrived in 1.14.4; earlier 1.14 charts do not know it.
    ['1.14.3', { ...wireguard, 'encryption.wireguard.encapsulate': 'true' }, 'ipcache'],
    ['1.16.0', { ...wireguard, tunnelProtocol: 'geneve' }, 'tunnel-header'],
    ['1.15.0', wireguard, 'tunnel-header'],
    ['1.18.5', wireguard, 'tunnel-header'],
    ['1.12.0', { tunnel: 'disabled' }, 'ipcache'],
    ['1.16.0', { routingMode: 'native', ...wireguard }, 'ipcache'],
    ['1.12.0', { 'encryption.enabled': 'true', 'encryption.type': 'ipsec' }, 'tunnel-header'],
  ] as const)('Cilium %s with %o: %s', (version, values, expected) => {
    expect(transport(version, values)).toBe(expected);
  });

  it('warns that encryption.wireguard.encapsulate does nothing before 1.14.4', () => {
    const resolved = resolveCiliumConfig({
      version: '1.14.2',
      values: { ...wireguard, 'encryption.wireguard.encapsulate': 'true' },
    });
    expect(resolved.config?.wireguardEncapsulate).toBe(false);
    expect(resolved.warnings.join('\n')).toContain('from 1.14.4');
  });

  it('warns about values it does not model instead of ignoring them silently', () => {
    const resolved = resolveCiliumConfig({ version: '1.12.0', values: { 'bgp.enabled': 'true' } });
    expect(resolved.warnings.join('\n')).toContain('bgp.enabled');
  });

  it('refuses versions it does not model', () => {
    expect(resolveCiliumConfig({ version: '1.9.0', values: {} }).error).toContain('not modelled');
  });
});
