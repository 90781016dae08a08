/**
 * Handshakes a reader can step through, built from one seed: the guides' own cases (a sleep pod
 * calling helloworld through Istio sidecars, the pod that re-used a sleep-v1 address, two Cilium
 * agents authenticating an identity) and the ways a handshake fails. Every certificate is issued by
 * the modelled CA (istiod or SPIRE), so what the stepper shows is what the model decided.
 */
import { seedRandom } from '../engine/prng';
import type { AuthorizationPolicy } from '../istio/authorization';
import { createIstiodCa, issueWorkloadSecret, type WorkloadSecret } from '../istio/ca';
import { istioSpiffeId } from '../istio/identity';
import { createSpireServer, issueIdentitySvid } from '../spire/spire';
import { ciliumSni, ciliumSpiffeId } from '../spire/svid-rules';
import type { HandshakeInput, HandshakeParty } from './handshake';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** The cases, in the order the stepper lists them. */
export const handshakeCaseIds = [
  'istio-allowed',
  'istio-reused-address',
  'istio-no-client-certificate',
  'istio-unknown-ca',
  'istio-expired',
  'cilium-stale-identity',
] as const;
export type HandshakeCaseId = (typeof handshakeCaseIds)[number];

/** What the stepper says about a case before it starts. */
export interface HandshakeCaseInfo {
  id: HandshakeCaseId;
  title: string;
  summary: string;
}

export const handshakeCases: Readonly<Record<HandshakeCaseId, HandshakeCaseInfo>> = {
  'istio-allowed': {
    id: 'istio-allowed',
    title: 'Istio: sleep-v1 calls helloworld-v1',
    summary:
      'Both sidecars hold certificates from istiod. The AuthorizationPolicy on helloworld-v1 allows the principal cluster.local/ns/default/sa/sleep-v1.',
  },
  'istio-reused-address': {
    id: 'istio-reused-address',
    title: 'Istio: the sleep-v2 pod that re-used a sleep-v1 address',
    summary:
      'The pod has the address a sleep-v1 pod had, and a stale cache somewhere may still say so. Its sidecar can only present the certificate istiod signed for its own service account, sleep-v2.',
  },
  'istio-no-client-certificate': {
    id: 'istio-no-client-certificate',
    title: 'Istio STRICT: a client without a certificate',
    summary:
      'A TLS client that has no certificate (openssl s_client without -cert, as in the L7 article) talks to a sidecar in STRICT mode.',
  },
  'istio-unknown-ca': {
    id: 'istio-unknown-ca',
    title: 'Istio: a certificate from another mesh',
    summary:
      'The client presents a certificate for the right service account, signed by another mesh’s root.',
  },
  'istio-expired': {
    id: 'istio-expired',
    title: 'Istio: an expired client certificate',
    summary: 'The client’s certificate was issued 25 hours ago and never rotated: its 24-hour life is over.',
  },
  'cilium-stale-identity': {
    id: 'cilium-stale-identity',
    title: 'Cilium mutual auth: the agents authenticate a stale identity',
    summary:
      'The cut-off node resolved the re-used address to sleep-v1’s identity, so its agent asks the remote agent for that identity. Every agent holds every identity’s SVID.',
  },
};

const helloworldV1 = {
  namespace: 'default',
  serviceAccount: 'helloworld-v1',
  name: 'helloworld-v1-55446d46d8-d8qm5',
};
const sleepV1 = { namespace: 'default', serviceAccount: 'sleep-v1', name: 'sleep-v1-6f5b8d9c7-q2w9x' };
const sleepV2 = { namespace: 'default', serviceAccount: 'sleep-v2', name: 'sleep-v2-7c9d4f6b8-k8s4p' };

const helloworldPolicy: AuthorizationPolicy = {
  metadata: { name: 'helloworld-v1', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'helloworld', version: 'v1' } },
    action: 'ALLOW',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep-v1'] } }],
        to: [{ operation: { methods: ['GET'], paths: ['/hello'] } }],
      },
    ],
  },
};

function party(name: string, secret: WorkloadSecret, anchors: readonly string[]): HandshakeParty {
  return {
    name,
    certChainPem: secret.certChainPem,
    privateKeyHex: secret.privateKeyHex,
    trustAnchorsPem: anchors,
  };
}

/** Builds a case's handshake input; the same seed always gives the same certificates. */
export function buildHandshakeCase(id: HandshakeCaseId, seed: number): HandshakeInput {
  const atMs = 60_000;
  if (id === 'cilium-stale-identity') {
    const spire = createSpireServer({ seed, createdAtMs: 0 });
    const random = seedRandom(seed);
    const helloworldIdentity = 16962;
    const sleepV1Identity = 36537;
    const local = issueIdentitySvid(spire, helloworldIdentity, 1_000, random);
    const remote = issueIdentitySvid(spire, sleepV1Identity, 1_000, random);
    const bundle = [spire.ca.certificatePem];
    return {
      policy: 'cilium',
      seed,
      connectionId: `auth ${helloworldIdentity}->${sleepV1Identity}`,
      atMs,
      client: {
        name: 'cilium-agent on kind-worker (helloworld-v1’s node, cut off)',
        certChainPem: local.certChainPem,
        privateKeyHex: local.privateKeyHex,
        trustAnchorsPem: bundle,
      },
      server: {
        name: 'cilium-agent on kind-worker2 (the sleep pods’ node)',
        certChainPem: remote.certChainPem,
        privateKeyHex: remote.privateKeyHex,
        trustAnchorsPem: bundle,
      },
      serverName: ciliumSni(sleepV1Identity),
      alpn: [],
      expectedServerIdentities: [ciliumSpiffeId(sleepV1Identity)],
    };
  }
  const istiod = createIstiodCa({ seed, createdAtMs: -15 * dayMs });
  const anchors = [istiod.root.certificatePem];
  const server = party('helloworld-v1 sidecar', issueWorkloadSecret(istiod, helloworldV1, 0), anchors);
  const base: HandshakeInput = {
    policy: 'istio',
    seed,
    connectionId: 'sleep -> helloworld-v1:5000',
    atMs,
    client: party('sleep-v1 sidecar', issueWorkloadSecret(istiod, sleepV1, 0), anchors),
    server,
    serverName: 'outbound_.5000_._.helloworld-v1.default.svc.cluster.local',
    alpn: ['istio-peer-exchange', 'istio', 'h2'],
    expectedServerIdentities: [istioSpiffeId('default', 'helloworld-v1')],
    authorization: {
      policies: [helloworldPolicy],
      workload: { namespace: 'default', labels: { app: 'helloworld', version: 'v1' } },
      request: { protocol: 'http', method: 'GET', path: '/hello', port: 5000 },
    },
  };
  switch (id) {
    case 'istio-allowed':
      return base;
    case 'istio-reused-address': {
      const authorization = base.authorization;
      const reused: HandshakeInput = {
        ...base,
        client: party(
          'sleep-v2 sidecar (pod at a former sleep-v1 address)',
          issueWorkloadSecret(istiod, sleepV2, 0),
          anchors,
        ),
      };
      // The source address a stale cache would misread; the RBAC filter never looks at it here.
      if (authorization !== undefined)
        reused.authorization = {
          ...authorization,
          request: { ...authorization.request, sourceIp: '10.244.1.84' },
        };
      return reused;
    }
    case 'istio-no-client-certificate':
      return {
        ...base,
        client: {
          name: 'openssl s_client (no -cert)',
          certChainPem: [],
          privateKeyHex: '',
          trustAnchorsPem: anchors,
        },
        clientEnforcesVerification: false,
      };
    case 'istio-unknown-ca': {
      const otherMesh = createIstiodCa({ seed: `${seed}:another mesh`, createdAtMs: -15 * dayMs });
      return {
        ...base,
        client: party(
          'sleep-v1 sidecar of another mesh',
          issueWorkloadSecret(otherMesh, sleepV1, 0),
          anchors,
        ),
      };
    }
    case 'istio-expired':
      return {
        ...base,
        atMs: 25 * hourMs,
        client: party(
          'sleep-v1 sidecar (certificate never rotated)',
          issueWorkloadSecret(istiod, sleepV1, 0),
          anchors,
        ),
        server: party(
          'helloworld-v1 sidecar',
          issueWorkloadSecret(istiod, helloworldV1, 24 * hourMs),
          anchors,
        ),
      };
  }
}
