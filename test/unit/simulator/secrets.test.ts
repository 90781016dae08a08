import { describe, expect, it } from 'vitest';
import { admitSecret, secretRefusalForKubectl, secretRefusalText } from '../../../simulator/k8s/secrets';
import { getObject, listObjects } from '../../../simulator/k8s/api-store';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { policySecretsMode } from '../../../simulator/cilium/policy-secrets-mode';
import { apply, clusterWithCilium } from './support';

const b64 = (text: string): string => btoa(text);

describe('Secrets: the API server’s admission', () => {
  it('defaults the type to Opaque and merges stringData over data', () => {
    const admitted = admitSecret({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { a: b64('from data'), b: b64('kept') },
      stringData: { a: 'from stringData' },
    });
    expect('secret' in admitted && admitted.secret).toMatchObject({
      type: 'Opaque',
      data: { a: b64('from stringData'), b: b64('kept') },
    });
    expect(JSON.stringify(admitted)).not.toContain('stringData');
  });

  it('encodes stringData as UTF-8', () => {
    const admitted = admitSecret({ metadata: { name: 's' }, stringData: { word: 'é' } });
    expect('secret' in admitted && admitted.secret.data).toEqual({ word: 'w6k=' });
  });

  it('requires tls.crt and tls.key in a kubernetes.io/tls Secret', () => {
    const admitted = admitSecret({
      metadata: { name: 't' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'YQ==' },
    });
    expect('refusal' in admitted && secretRefusalText(admitted.refusal)).toBe(
      'Secret "t" is invalid: data[tls.key]: Required value',
    );
    expect('refusal' in admitted && secretRefusalForKubectl(admitted.refusal)).toBe(
      'The Secret "t" is invalid: data[tls.key]: Required value',
    );
  });

  it('accepts a TLS Secret whose certificate and key come from stringData', () => {
    const admitted = admitSecret({
      metadata: { name: 't' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': 'cert', 'tls.key': 'key' },
    });
    expect('secret' in admitted).toBe(true);
  });

  it('cannot decode values that are not base64 strings', () => {
    const number = admitSecret({ metadata: { name: 'n' }, data: { a: 12 } });
    expect('refusal' in number && secretRefusalText(number.refusal)).toBe(
      'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
    );
    const text = admitSecret({ metadata: { name: 'n' }, data: { a: 'abc' } });
    expect('refusal' in text && secretRefusalText(text.refusal)).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0',
    );
  });

  it('checks keys and the 1 MiB limit', () => {
    const badKey = admitSecret({ metadata: { name: 'k' }, stringData: { 'a/b': 'x' } });
    expect('refusal' in badKey && secretRefusalText(badKey.refusal)).toMatch(
      /^Secret "k" is invalid: data\[a\/b\]: Invalid value: "a\/b": a valid config key must consist of/,
    );
    const big = admitSecret({ metadata: { name: 'big' }, stringData: { a: 'x'.repeat(1024 * 1024 + 1) } });
    expect('refusal' in big && secretRefusalText(big.refusal)).toBe(
      'Secret "big" is invalid: data: Too long: must have at most 1048576 bytes',
    );
  });
});

describe('Secrets in the API store', () => {
  it('get resourceVersions like every object and a new one on each change', () => {
    const simulation = clusterWithCilium(5, 1, '1.16.0', { 'encryption.enabled': 'false' });
    const secret = (value: string): string =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: ${value}\n`;
    apply(simulation, secret('one'));
    const api = simulation.state.cluster!.api;
    const first = getObject(api, 'Secret', 'default/s')!;
    apply(simulation, secret('two'));
    const second = getObject(api, 'Secret', 'default/s')!;
    expect(Number(second.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect(second.metadata.uid).toBe(first.metadata.uid);
    expect(second.data).toEqual({ k: btoa('two') });
  });
});

describe('Cilium: where policy Secrets come from, by version', () => {
  const mode = (version: string, values: Record<string, string> = {}) =>
    policySecretsMode(resolveCiliumConfig({ version, values }).config!);

  it('agents read them from the API server up to 1.16', () => {
    expect(mode('1.12.0')).toEqual({ kind: 'agent-reads' });
    expect(mode('1.16.5')).toEqual({ kind: 'agent-reads' });
  });

  it('1.17+ syncs them into cilium-secrets for SDS by default, unless the chart turns that off', () => {
    expect(mode('1.17.0')).toEqual({ kind: 'sds', namespace: 'cilium-secrets' });
    expect(mode('1.18.5', { 'tls.secretsNamespace.name': 'tls' })).toEqual({ kind: 'sds', namespace: 'tls' });
    expect(mode('1.18.5', { 'tls.secretSync.enabled': 'false' })).toEqual({ kind: 'agent-reads' });
    expect(mode('1.17.2', { 'tls.readSecretsOnlyFromSecretsNamespace': 'false' })).toEqual({
      kind: 'agent-reads',
    });
    expect(mode('1.17.2', { 'tls.secretsBackend': 'k8s' })).toEqual({ kind: 'agent-reads' });
  });

  it('warns that the 1.17 values mean nothing to an older chart', () => {
    const resolved = resolveCiliumConfig({ version: '1.15.0', values: { 'tls.secretSync.enabled': 'true' } });
    expect(resolved.warnings.join('\n')).toContain('tls.secretSync.enabled exists from Cilium 1.17');
  });

  it('the operator copies only Secrets a policy names, and never creates cilium-secrets without one', () => {
    const simulation = clusterWithCilium(9, 1, '1.18.5', { 'encryption.enabled': 'false' });
    apply(simulation, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: unrelated\nstringData:\n  a: b\n');
    simulation.advance(2000);
    const api = simulation.state.cluster!.api;
    expect(getObject(api, 'Namespace', 'cilium-secrets')).toBeUndefined();
    apply(
      simulation,
      `apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: v1
kind: Secret
metadata:
  name: cert
  namespace: team
  labels:
    owner: me
type: kubernetes.io/tls
stringData:
  tls.crt: c
  tls.key: k
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: p
  namespace: team
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: "443"
        protocol: TCP
      terminatingTLS:
        secret:
          name: cert
      rules:
        http:
        - {}
`,
    );
    simulation.advance(2000);
    const copies = listObjects(api, 'Secret').filter(
      (secret) => secret.metadata.namespace === 'cilium-secrets',
    );
    expect(copies.map((secret) => secret.metadata.name)).toEqual(['team-cert']);
    expect(copies[0]?.metadata.labels).toEqual({
      owner: 'me',
      'secretsync.cilium.io/owning-secret-name': 'cert',
      'secretsync.cilium.io/owning-secret-namespace': 'team',
    });
    expect(copies[0]?.type).toBe('kubernetes.io/tls');
    // Every agent serves the copy to its Envoy, through its watch of the secrets namespace.
    const view = simulation.state.cluster!.cilium!.views.shared;
    expect(Object.keys(view?.secrets ?? {})).toEqual(['cilium-secrets/team-cert']);
    simulation.input({ type: 'api.delete', kind: 'CiliumNetworkPolicy', key: 'team/p' });
    simulation.advance(2000);
    expect(
      listObjects(api, 'Secret')
        // Helm's release records are Secrets too (sh.helm.release.v1.cilium.v1 in kube-system).
        .filter((secret) => secret.type !== 'helm.sh/release.v1')
        .map((secret) => secret.metadata.name)
        .sort(),
    ).toEqual(['cert', 'unrelated']);
    expect(Object.keys(view?.secrets ?? {})).toEqual([]);
  });
});
