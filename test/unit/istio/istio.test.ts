import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedRandom } from '../../../simulator/engine/prng';
import {
  evaluateAuthorization,
  istioStringMatch,
  type AuthorizationPolicy,
  type AuthorizationRequest,
} from '../../../simulator/istio/authorization';
import { createAgentRequest, projectedToken, signWorkloadCertificate } from '../../../simulator/istio/ca';
import { istioDefaults } from '../../../simulator/istio/ca-defaults';
import { istioSpiffeId, principalOf } from '../../../simulator/istio/identity';
import {
  effectiveMtlsMode,
  inboundOutcome,
  type PeerAuthentication,
} from '../../../simulator/istio/peer-authentication';
import { istioRotationDelayMs } from '../../../simulator/istio/rotation';
import { parseCertificate } from '../../../simulator/pki/certificate';
import { verifyChain } from '../../../simulator/pki/verify';
import { helloworldSecret, istiod, seed, sleepPod, sleepSecret } from '../tls/fixtures';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

// istiod signs the identity it authenticated from the ServiceAccount token, never the SAN the CSR
// asks for (istio/istio security/pkg/server/ca/server.go), with Istio's lifetimes.
describe('istio: certificate signing', () => {
  it('issues a 24 h workload certificate for the token’s ServiceAccount, backdated two minutes', () => {
    const leaf = parseCertificate(sleepSecret.certChainPem[0] ?? '');
    expect(leaf.subject).toEqual([]);
    expect(leaf.issuer).toEqual([{ attribute: 'O', value: 'cluster.local' }]);
    expect(leaf.subjectAltName?.uris).toEqual(['spiffe://cluster.local/ns/default/sa/sleep']);
    expect(leaf.subjectAltName?.critical).toBe(true);
    expect(leaf.notBeforeMs).toBe(-2 * 60_000);
    expect(leaf.notAfterMs).toBe(24 * hourMs);
    expect(leaf.keyUsage?.usages).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(leaf.extendedKeyUsage?.usages).toEqual(['serverAuth', 'clientAuth']);
    expect(sleepSecret.certChainPem[1]).toBe(istiod.root.certificatePem);
    expect(
      verifyChain(sleepSecret.certChainPem, [istiod.root.certificatePem], hourMs, { usage: 'clientAuth' }).ok,
    ).toBe(true);
  });

  it('gives istiod a self-signed root for ten years', () => {
    const root = parseCertificate(istiod.root.certificatePem);
    expect(root.notAfterMs - root.notBeforeMs).toBe(3650 * dayMs);
    expect(root.subject).toEqual([{ attribute: 'O', value: 'cluster.local' }]);
    expect(root.keyUsage?.usages).toEqual(['keyCertSign']);
  });

  it('ignores the SAN a CSR asks for and signs the authenticated identity', () => {
    const { request } = createAgentRequest({
      seed,
      pod: sleepPod,
      atMs: 0,
      requestedUris: [istioSpiffeId('kube-system', 'cilium')],
    });
    const response = signWorkloadCertificate(istiod, request, 0);
    expect(response.ok && parseCertificate(response.certChainPem[0] ?? '').subjectAltName?.uris).toEqual([
      istioSpiffeId('default', 'sleep'),
    ]);
  });

  it('refuses a forged or expired token and a TTL above the maximum', () => {
    const forged = { ...projectedToken(sleepPod, 0), issuedByApiServer: false };
    expect(
      signWorkloadCertificate(
        istiod,
        createAgentRequest({ seed, pod: sleepPod, atMs: 0, token: forged }).request,
        0,
      ),
    ).toEqual({
      ok: false,
      grpcCode: 'Unauthenticated',
      message: 'request authenticate failure',
    });
    const expired = createAgentRequest({ seed, pod: sleepPod, atMs: 0 }).request;
    expect(signWorkloadCertificate(istiod, expired, 13 * hourMs).ok).toBe(false);
    const tooLong = createAgentRequest({ seed, pod: sleepPod, atMs: 0, validityMs: 91 * dayMs }).request;
    expect(signWorkloadCertificate(istiod, tooLong, 0)).toMatchObject({
      ok: false,
      grpcCode: 'InvalidArgument',
    });
  });

  it('rotates every certificate before it expires, at half its life ± 1 %', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10 * dayMs, max: 10 * dayMs }),
        fc.integer({ min: hourMs, max: istioDefaults.maxWorkloadCertTtlMs }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (createdAtMs, lifetimeMs, prngSeed) => {
          const secret = { createdAtMs, expireAtMs: createdAtMs + lifetimeMs };
          const delayMs = istioRotationDelayMs(secret, createdAtMs, seedRandom(prngSeed));
          expect(createdAtMs + delayMs).toBeLessThan(secret.expireAtMs);
          expect(delayMs).toBeGreaterThanOrEqual(Math.floor(0.49 * lifetimeMs) - 1);
          expect(delayMs).toBeLessThanOrEqual(Math.ceil(0.51 * lifetimeMs) + 1);
        },
      ),
    );
  });
});

describe('istio: PeerAuthentication', () => {
  const workload = { namespace: 'default', labels: { app: 'helloworld' } };
  const policy = (
    namespace: string,
    mode: PeerAuthentication['spec']['mtls'],
    selector?: Record<string, string>,
  ): PeerAuthentication => ({
    metadata: { name: 'default', namespace },
    spec: {
      ...(mode === undefined ? {} : { mtls: mode }),
      ...(selector === undefined ? {} : { selector: { matchLabels: selector } }),
    },
  });

  it.each([
    ['no policy at all', [], 'PERMISSIVE'],
    ['a mesh-wide STRICT', [policy('istio-system', { mode: 'STRICT' })], 'STRICT'],
    [
      'a namespace DISABLE over a mesh STRICT',
      [policy('istio-system', { mode: 'STRICT' }), policy('default', { mode: 'DISABLE' })],
      'DISABLE',
    ],
    [
      'a workload STRICT over a namespace PERMISSIVE',
      [
        policy('default', { mode: 'PERMISSIVE' }),
        policy('default', { mode: 'STRICT' }, { app: 'helloworld' }),
      ],
      'STRICT',
    ],
    [
      'an UNSET workload policy inheriting the namespace',
      [policy('default', { mode: 'DISABLE' }), policy('default', { mode: 'UNSET' }, { app: 'helloworld' })],
      'DISABLE',
    ],
    ['a policy in another namespace', [policy('other', { mode: 'STRICT' })], 'PERMISSIVE'],
  ] as const)('resolves %s', (_name, policies, expected) => {
    expect(effectiveMtlsMode(policies, workload)).toBe(expected);
  });

  it('resets plaintext and requires a certificate under STRICT, accepts plaintext under PERMISSIVE', () => {
    expect(inboundOutcome('STRICT', { transport: 'plaintext' })).toMatchObject({
      accepted: false,
      failure: 'connection-reset',
    });
    expect(inboundOutcome('STRICT', { transport: 'tls', clientCertificate: false })).toMatchObject({
      accepted: false,
      failure: 'alert-116-certificate_required',
    });
    expect(inboundOutcome('STRICT', { transport: 'tls', clientCertificate: true })).toMatchObject({
      accepted: true,
      mutualTls: true,
    });
    expect(inboundOutcome('PERMISSIVE', { transport: 'plaintext' })).toMatchObject({
      accepted: true,
      mutualTls: false,
    });
  });
});

describe('istio: AuthorizationPolicy', () => {
  const workload = { namespace: 'default', labels: { app: 'helloworld' } };
  const sleep = istioSpiffeId('default', 'sleep');
  const allowSleepGetHello: AuthorizationPolicy = {
    metadata: { name: 'allow-sleep', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'helloworld' } },
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/hello*'] } }],
        },
      ],
    },
  };
  const denyAdmin: AuthorizationPolicy = {
    metadata: { name: 'deny-admin', namespace: 'istio-system' },
    spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }] },
  };
  const audit: AuthorizationPolicy = {
    metadata: { name: 'audit-all', namespace: 'default' },
    spec: { action: 'AUDIT', rules: [{}] },
  };
  const http = (peer: string | undefined, method: string, path: string): AuthorizationRequest => ({
    peerSpiffeId: peer,
    protocol: 'http',
    method,
    path,
    port: 5000,
  });

  it.each([
    ['allows with no ALLOW policy', [], http(undefined, 'GET', '/'), true],
    [
      'allows a matching principal, method and path',
      [allowSleepGetHello],
      http(sleep, 'GET', '/hello'),
      true,
    ],
    ['denies another path', [allowSleepGetHello], http(sleep, 'GET', '/bye'), false],
    [
      'denies another service account',
      [allowSleepGetHello],
      http(istioSpiffeId('default', 'other'), 'GET', '/hello'),
      false,
    ],
    ['denies plaintext (no principal)', [allowSleepGetHello], http(undefined, 'GET', '/hello'), false],
    [
      'denies before it allows',
      [
        allowSleepGetHello,
        {
          ...denyAdmin,
          spec: { ...denyAdmin.spec, rules: [{ to: [{ operation: { paths: ['/hello'] } }] }] },
        },
      ],
      http(sleep, 'GET', '/hello'),
      false,
    ],
    [
      'allows nothing with an empty ALLOW policy',
      [{ metadata: { name: 'nothing', namespace: 'default' }, spec: {} }],
      http(sleep, 'GET', '/'),
      false,
    ],
    [
      'allows everything with an empty rule',
      [{ metadata: { name: 'all', namespace: 'default' }, spec: { rules: [{}] } }],
      http(undefined, 'POST', '/x'),
      true,
    ],
    // ztunnel sees connections, not requests: istiod drops ALLOW rules that name HTTP attributes
    // and keeps only the L4 part of such DENY rules (istio/istio
    // pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go, handleRule), so the
    // policy fails closed (istio.io docs: ambient/usage/l4-policy).
    [
      'ztunnel: refuses even the allowed principal when the ALLOW rule names methods and paths',
      [allowSleepGetHello],
      { peerSpiffeId: sleep, protocol: 'tcp', port: 5000 },
      false,
    ],
    [
      'ztunnel: a DENY rule with a path denies every connection it otherwise matches',
      [denyAdmin],
      { peerSpiffeId: sleep, protocol: 'tcp', port: 5000 },
      false,
    ],
    [
      'ztunnel: an L4-only ALLOW rule admits its principal',
      [
        {
          metadata: { name: 'l4', namespace: 'default' },
          spec: { rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }] }] },
        },
      ],
      { peerSpiffeId: sleep, protocol: 'tcp', port: 5000 },
      true,
    ],
  ] as const)('%s', (_name, policies, request, allowed) => {
    expect(evaluateAuthorization(policies, workload, request).allowed).toBe(allowed);
  });

  it('answers 403 RBAC: access denied for HTTP and closes TCP', () => {
    expect(
      evaluateAuthorization([allowSleepGetHello], workload, http(undefined, 'GET', '/hello')),
    ).toMatchObject({
      allowed: false,
      httpStatus: 403,
      response: 'RBAC: access denied',
      layer: 'Envoy RBAC filter (L7)',
    });
    const tcp = evaluateAuthorization([allowSleepGetHello], workload, {
      peerSpiffeId: sleep,
      protocol: 'tcp',
      port: 5000,
    });
    expect(tcp).toMatchObject({ allowed: false, httpStatus: undefined, response: 'connection closed' });
  });

  it('marks audited requests without changing the decision', () => {
    const verdict = evaluateAuthorization(
      [allowSleepGetHello, audit],
      workload,
      http(sleep, 'GET', '/hello'),
    );
    expect(verdict).toMatchObject({ allowed: true, audited: true });
  });

  it('matches principals written without spiffe://, by prefix and suffix', () => {
    expect(principalOf(sleep)).toBe('cluster.local/ns/default/sa/sleep');
    expect(istioStringMatch('cluster.local/ns/default/*', 'cluster.local/ns/default/sa/sleep')).toBe(true);
    expect(istioStringMatch('*/sa/sleep', 'cluster.local/ns/default/sa/sleep')).toBe(true);
    expect(istioStringMatch('*', '')).toBe(false);
    expect(istioStringMatch('spiffe://cluster.local/ns/default/sa/sleep', principalOf(sleep))).toBe(false);
  });

  // Under STRICT the RBAC filter judges the identity in the verified client certificate. Whatever the
  // source address or an ipcache-like map says, the verdict must not move.
  it('decides from the verified certificate identity only, never from addresses (property)', () => {
    const certificates = [sleepSecret, helloworldSecret];
    fc.assert(
      fc.property(
        fc.constantFrom(...certificates),
        fc.ipV4(),
        fc.dictionary(fc.ipV4(), fc.integer({ min: 256, max: 65535 })),
        fc.constantFrom('GET', 'POST'),
        fc.constantFrom('/hello', '/admin', '/'),
        (secret, sourceIp, ipcache, method, path) => {
          expect(
            effectiveMtlsMode(
              [
                {
                  metadata: { name: 'default', namespace: 'istio-system' },
                  spec: { mtls: { mode: 'STRICT' } },
                },
              ],
              workload,
            ),
          ).toBe('STRICT');
          const verification = verifyChain(secret.certChainPem, [istiod.root.certificatePem], hourMs, {
            usage: 'clientAuth',
          });
          expect(verification.ok).toBe(true);
          const peerSpiffeId = verification.path[0]?.subjectAltName?.uris[0];
          const withAddress = evaluateAuthorization([allowSleepGetHello, denyAdmin], workload, {
            ...http(peerSpiffeId, method, path),
            sourceIp,
            headers: { 'x-ipcache-identity': String(ipcache[sourceIp] ?? 2) },
          });
          const identityOnly = evaluateAuthorization(
            [allowSleepGetHello, denyAdmin],
            workload,
            http(peerSpiffeId, method, path),
          );
          expect(withAddress).toEqual(identityOnly);
        },
      ),
      { numRuns: 200 },
    );
  });
});
