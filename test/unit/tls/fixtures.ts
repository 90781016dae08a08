/**
 * Shared certificates and handshake inputs for the certificate-layer tests: an istiod CA with the
 * sleep and helloworld workloads, a second mesh's CA (an unknown authority), and a SPIRE server with
 * SVIDs for two Cilium identities. Everything derives from one seed, so the fixtures are identical on
 * every run.
 */
import { createIstiodCa, issueWorkloadSecret, type WorkloadSecret } from '../../../simulator/istio/ca';
import { istioSpiffeId } from '../../../simulator/istio/identity';
import { seedRandom } from '../../../simulator/engine/prng';
import { createSpireServer, issueIdentitySvid } from '../../../simulator/spire/spire';
import { ciliumSni, ciliumSpiffeId } from '../../../simulator/spire/svid-rules';
import type { HandshakeInput, HandshakeParty } from '../../../simulator/tls/handshake';

export const seed = 7;
const dayMs = 86_400_000;

export const istiod = createIstiodCa({ seed, createdAtMs: -15 * dayMs });
export const otherMesh = createIstiodCa({ seed: 'another mesh', createdAtMs: -15 * dayMs });

export const sleepPod = { namespace: 'default', serviceAccount: 'sleep', name: 'sleep-v1-7d5c9b8f4-abcde' };
export const helloworldPod = {
  namespace: 'default',
  serviceAccount: 'helloworld',
  name: 'helloworld-v1-55446d46d8-d8qm5',
};

export const sleepSecret = issueWorkloadSecret(istiod, sleepPod, 0);
export const helloworldSecret = issueWorkloadSecret(istiod, helloworldPod, 0);
export const foreignSleepSecret = issueWorkloadSecret(otherMesh, sleepPod, 0);

/** A handshake party from an Istio workload secret. */
export function istioParty(
  name: string,
  secret: WorkloadSecret,
  trustAnchorsPem = [istiod.root.certificatePem],
): HandshakeParty {
  return { name, certChainPem: secret.certChainPem, privateKeyHex: secret.privateKeyHex, trustAnchorsPem };
}

/** sleep calling helloworld through their sidecars. */
export function istioInput(overrides: Partial<HandshakeInput> = {}): HandshakeInput {
  return {
    policy: 'istio',
    seed,
    connectionId: 'sleep->helloworld:5000',
    atMs: 60_000,
    client: istioParty('sleep sidecar', sleepSecret),
    server: istioParty('helloworld sidecar', helloworldSecret),
    serverName: 'outbound_.5000_._.helloworld.default.svc.cluster.local',
    alpn: ['istio-peer-exchange', 'istio', 'h2'],
    expectedServerIdentities: [istioSpiffeId('default', 'helloworld')],
    ...overrides,
  };
}

export const spire = createSpireServer({ seed, createdAtMs: 0 });
export const otherSpire = createSpireServer({ seed: 'another spire', createdAtMs: 0 });
export const sleepIdentity = 13174;
export const helloworldIdentity = 32225;
const random = seedRandom(seed);
export const sleepSvid = issueIdentitySvid(spire, sleepIdentity, 1000, random);
export const helloworldSvid = issueIdentitySvid(spire, helloworldIdentity, 1000, random);
export const foreignSvid = issueIdentitySvid(otherSpire, helloworldIdentity, 1000, random);

/** The agent on the client's node authenticating (sleep → helloworld) with the server's agent. */
export function ciliumInput(overrides: Partial<HandshakeInput> = {}): HandshakeInput {
  const bundle = [spire.ca.certificatePem];
  return {
    policy: 'cilium',
    seed,
    connectionId: 'auth 13174->32225',
    atMs: 60_000,
    client: {
      name: 'cilium-agent on kind-worker',
      certChainPem: sleepSvid.certChainPem,
      privateKeyHex: sleepSvid.privateKeyHex,
      trustAnchorsPem: bundle,
    },
    server: {
      name: 'cilium-agent on kind-worker2',
      certChainPem: helloworldSvid.certChainPem,
      privateKeyHex: helloworldSvid.privateKeyHex,
      trustAnchorsPem: bundle,
    },
    serverName: ciliumSni(helloworldIdentity),
    alpn: [],
    expectedServerIdentities: [ciliumSpiffeId(helloworldIdentity)],
    ...overrides,
  };
}
