import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { seedRandom } from '../../../simulator/engine/prng';
import { opensslOfProxyImage } from '../../../simulator/tls/openssl-builds';
import { issueWorkloadSecret } from '../../../simulator/istio/ca';
import { istioSpiffeId } from '../../../simulator/istio/identity';
import type { AuthorizationPolicy } from '../../../simulator/istio/authorization';
import { parseCertificate } from '../../../simulator/pki/certificate';
import { deriveKeyPair } from '../../../simulator/pki/keys';
import { issueIdentitySvid } from '../../../simulator/spire/spire';
import { handshakeMessageNames, type HandshakeInput } from '../../../simulator/tls/handshake';
import {
  handshakeEventTypes,
  handshakeMachine,
  runHandshake,
  type HandshakeContext,
  type HandshakeEvent,
} from '../../../simulator/tls/handshake-machine';
import {
  formatOpensslSClient,
  opensslAlertLine,
  sClientSessionFromHandshake,
} from '../../../simulator/tls/s-client';
import {
  ciliumInput,
  foreignSleepSecret,
  foreignSvid,
  helloworldSecret,
  istioInput,
  istioParty,
  istiod,
  sleepPod,
  sleepSvid,
  spire,
} from './fixtures';

const hourMs = 3_600_000;
const events: HandshakeEvent[] = handshakeEventTypes.map((type) => ({ type }));

const allowOnly = (serviceAccount: string): AuthorizationPolicy => ({
  metadata: { name: 'allow', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'helloworld' } },
    rules: [{ from: [{ source: { principals: [`cluster.local/ns/default/sa/${serviceAccount}`] } }] }],
  },
});
const authorization = (serviceAccount: string): NonNullable<HandshakeInput['authorization']> => ({
  policies: [allowOnly(serviceAccount)],
  workload: { namespace: 'default', labels: { app: 'helloworld' } },
  request: { protocol: 'http', method: 'GET', path: '/hello', port: 5000, sourceIp: '10.244.1.7' },
});
const expiredSleep = issueWorkloadSecret(istiod, sleepPod, -30 * hourMs);
const expiredSleepSvid = issueIdentitySvid(spire, 13174, -3 * hourMs, seedRandom(9));
const stolen = (party: HandshakeInput['client']): HandshakeInput['client'] => ({
  ...party,
  privateKeyHex: deriveKeyPair('thief', 'key').privateKeyHex,
});
const noCertificate = {
  name: 'client without certificate',
  certChainPem: [],
  privateKeyHex: '',
  trustAnchorsPem: [istiod.root.certificatePem],
};

/** Every scenario, with the state it must end in and the alert (code, sender) when it fails. */
const scenarios: {
  name: string;
  input: HandshakeInput;
  end: string;
  alert?: [number, 'client' | 'server'];
}[] = [
  { name: 'istio: mutual TLS', input: istioInput(), end: 'established' },
  {
    name: 'istio: RBAC allows sleep',
    input: istioInput({ authorization: authorization('sleep') }),
    end: 'authorized',
  },
  {
    name: 'istio: RBAC denies sleep (403 after a good handshake)',
    input: istioInput({ authorization: authorization('productpage') }),
    end: 'forbidden',
  },
  {
    name: 'istio: server SAN is not the destination’s identity',
    input: istioInput({ expectedServerIdentities: [istioSpiffeId('default', 'productpage')] }),
    end: 'failed',
    alert: [46, 'client'],
  },
  {
    name: 'istio: server from another mesh',
    input: istioInput({ server: istioParty('impostor', { ...helloworldSecret, ...foreignSleepSecret }) }),
    end: 'failed',
    alert: [48, 'client'],
  },
  {
    name: 'istio: everything expired',
    input: istioInput({ atMs: 25 * hourMs }),
    end: 'failed',
    alert: [45, 'client'],
  },
  {
    name: 'istio: no client certificate',
    input: istioInput({ client: noCertificate }),
    end: 'failed',
    alert: [116, 'server'],
  },
  {
    name: 'istio: client from another mesh',
    input: istioInput({ client: istioParty('foreign sleep', foreignSleepSecret) }),
    end: 'failed',
    alert: [48, 'server'],
  },
  {
    name: 'istio: expired client',
    input: istioInput({ client: istioParty('stale sleep', expiredSleep) }),
    end: 'failed',
    alert: [45, 'server'],
  },
  {
    name: 'istio: server certificate without its key',
    input: istioInput({ server: stolen(istioInput().server) }),
    end: 'failed',
    alert: [51, 'client'],
  },
  {
    name: 'istio: client certificate without its key',
    input: istioInput({ client: stolen(istioInput().client) }),
    end: 'failed',
    alert: [51, 'server'],
  },
  { name: 'cilium: agents authenticate', input: ciliumInput(), end: 'established' },
  {
    name: 'cilium: server SAN is another identity',
    input: ciliumInput({ expectedServerIdentities: ['spiffe://spiffe.cilium/identity/99999'] }),
    end: 'failed',
    alert: [42, 'client'],
  },
  {
    name: 'cilium: server from another SPIRE',
    input: ciliumInput({
      server: {
        ...ciliumInput().server,
        certChainPem: foreignSvid.certChainPem,
        privateKeyHex: foreignSvid.privateKeyHex,
      },
    }),
    end: 'failed',
    alert: [42, 'client'],
  },
  {
    name: 'cilium: client from another SPIRE',
    input: ciliumInput({
      client: {
        ...ciliumInput().client,
        certChainPem: foreignSvid.certChainPem,
        privateKeyHex: foreignSvid.privateKeyHex,
      },
    }),
    end: 'failed',
    alert: [48, 'server'],
  },
  {
    name: 'cilium: expired client SVID',
    input: ciliumInput({
      client: {
        ...ciliumInput().client,
        certChainPem: expiredSleepSvid.certChainPem,
        privateKeyHex: expiredSleepSvid.privateKeyHex,
      },
    }),
    end: 'failed',
    alert: [45, 'server'],
  },
  {
    name: 'cilium: no client certificate',
    input: ciliumInput({ client: { ...noCertificate, trustAnchorsPem: [spire.ca.certificatePem] } }),
    end: 'failed',
    alert: [116, 'server'],
  },
  {
    name: 'cilium: client presents any identity (the server never checks it)',
    input: ciliumInput({
      client: {
        ...ciliumInput().client,
        certChainPem: ciliumInput().server.certChainPem,
        privateKeyHex: ciliumInput().server.privateKeyHex,
      },
    }),
    end: 'established',
  },
];

const protocolStates = [
  'start',
  'clientHelloSent',
  'serverHelloSent',
  'encryptedExtensionsSent',
  'certificateRequestSent',
  'serverCertificateSent',
  'serverCertificateVerifySent',
  'serverFinishedSent',
  'clientCertificateSent',
  'clientCertificateVerifySent',
  'established',
];

/** The invariant every reachable state must satisfy. */
function checkInvariant(state: string, context: HandshakeContext): void {
  // The context is plain data: it survives a JSON round trip unchanged.
  expect(JSON.parse(JSON.stringify(context))).toEqual(context);
  const names = context.transcript.map((record) => record.message);
  expect(names).toEqual(handshakeMessageNames.slice(0, names.length));
  if (names.length >= 2) expect(context.trafficSecrets).toBeDefined();
  // The server never judges the client's SPIFFE ID during the handshake, under either policy.
  expect(context.clientCertificateCheck?.identityCheck.performed ?? false).toBe(false);
  if (state === 'failed') {
    const alert = context.alert;
    expect(alert).toBeDefined();
    expect([42, 43, 45, 46, 48, 51, 116]).toContain(alert?.code);
    expect(names[names.length - 1]).toBe(alert?.onMessage);
    expect(context.transcript[context.transcript.length - 1]?.from).not.toBe(alert?.sentBy);
    return;
  }
  expect(context.alert).toBeUndefined();
  const index = protocolStates.indexOf(state);
  expect(names).toHaveLength(index === -1 ? handshakeMessageNames.length : index);
  if (index === -1 || state === 'established') {
    expect(
      context.serverCertificateCheck?.accepted || context.input.clientEnforcesVerification === false,
    ).toBe(true);
    expect(context.clientCertificateCheck?.accepted).toBe(true);
    if (context.input.policy === 'istio')
      expect(context.serverCertificateCheck?.identityCheck.layer).toContain('match_subject_alt_names');
    else expect(context.authExpiresAtMs).toBeDefined();
  }
  if (state === 'forbidden')
    expect(context.authorization).toMatchObject({
      allowed: false,
      httpStatus: 403,
      response: 'RBAC: access denied',
    });
  if (state === 'authorized') expect(context.authorization?.allowed).toBe(true);
}

// Model-based tests: walk every path of the handshake machine for every scenario, check the
// invariant in every state, and check that together the scenarios reach every state and alert.
describe('tls: handshake machine', () => {
  const reached = new Set<string>();
  const alerts = new Set<string>();

  it.each(scenarios)('$name', ({ input, end, alert }) => {
    const paths = getShortestPaths(handshakeMachine, { input, events });
    const simple = getSimplePaths(handshakeMachine, { input, events });
    expect(simple.length).toBe(paths.length);
    for (const path of [...paths, ...simple]) {
      for (const step of path.steps) checkInvariant(String(step.state.value), step.state.context);
      checkInvariant(String(path.state.value), path.state.context);
      reached.add(String(path.state.value));
    }
    const final = runHandshake(input).at(-1);
    expect(final?.value).toBe(end);
    if (alert !== undefined) {
      expect([final?.context.alert?.code, final?.context.alert?.sentBy]).toEqual(alert);
      alerts.add(`${input.policy}:${alert[0]}`);
    }
  });

  it('reaches every state of the machine across the scenarios, and every modelled alert', () => {
    expect([...reached].sort()).toEqual([...protocolStates, 'authorized', 'forbidden', 'failed'].sort());
    expect([...alerts].sort()).toEqual(
      [
        'cilium:116',
        'cilium:42',
        'cilium:45',
        'cilium:48',
        'istio:116',
        'istio:45',
        'istio:46',
        'istio:48',
        'istio:51',
      ].sort(),
    );
  });

  it('says at which layer a rejected SAN was rejected', () => {
    const envoy = runHandshake(scenarios[3]?.input ?? istioInput()).at(-1)?.context.alert;
    expect(envoy?.layer).toBe('Envoy upstream validation context: match_subject_alt_names');
    const cilium = runHandshake(scenarios[12]?.input ?? ciliumInput()).at(-1)?.context.alert;
    expect(cilium?.layer).toBe('Cilium VerifyPeerCertificate callback (application code)');
    expect(cilium?.reason).toContain('failed to validate SAN');
    const rbac = runHandshake(scenarios[2]?.input ?? istioInput()).at(-1)?.context.authorization;
    expect(rbac?.layer).toBe('Envoy RBAC filter (L7)');
  });

  it('replays identically and caches auth until the earlier NotAfter (Cilium)', () => {
    const first = runHandshake(ciliumInput()).map((snapshot) => JSON.stringify(snapshot.context));
    const second = runHandshake(ciliumInput()).map((snapshot) => JSON.stringify(snapshot.context));
    expect(second).toEqual(first);
    const context = runHandshake(ciliumInput()).at(-1)?.context;
    expect(context?.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    expect(context?.authExpiresAtMs).toBe(parseCertificate(sleepSvid.certChainPem[0] ?? '').notAfterMs);
    expect(context?.transcript[0]?.fields['server_name']).toBe('32225.spiffe.cilium');
  });

  it('accepts only the protocol’s next message in each state', () => {
    const snapshots = runHandshake(istioInput({ authorization: authorization('sleep') }));
    snapshots.slice(0, -1).forEach((snapshot, index) => {
      const accepted = events.filter((event) => snapshot.can(event)).map((event) => event.type);
      expect(accepted).toEqual([handshakeEventTypes[index]]);
    });
  });
});

describe('tls: openssl s_client', () => {
  // The seed article runs s_client (no client certificate, no CA file) from the sleep sidecar against
  // helloworld: it prints the chain, the session, then the server's certificate_required alert.
  it('prints the seed’s session shape for a client without certificate', () => {
    const snapshots = runHandshake(
      istioInput({
        client: { ...noCertificate, name: 'openssl s_client', trustAnchorsPem: [] },
        clientEnforcesVerification: false,
      }),
    );
    const context = snapshots.at(-1)?.context;
    if (context === undefined) throw new Error('no handshake');
    const { output, exitCode } = formatOpensslSClient(
      sClientSessionFromHandshake(context, { host: 'helloworld', port: 5000 }),
    );
    expect(exitCode).toBe(1);
    const lines = output.trimEnd().split('\n');
    expect(lines.slice(0, 9)).toEqual([
      'CONNECTED(00000003)',
      "Can't use SSL_get_servername",
      'depth=1 O = cluster.local',
      'verify error:num=19:self signed certificate in certificate chain',
      'verify return:1',
      'depth=1 O = cluster.local',
      'verify return:1',
      'depth=0 ',
      'verify return:1',
    ]);
    expect(output).toContain(
      '---\nCertificate chain\n 0 s:\n   i:O = cluster.local\n-----BEGIN CERTIFICATE-----\n',
    );
    expect(output).toContain(' 1 s:O = cluster.local\n   i:O = cluster.local\n');
    expect(output).toContain(
      'Server certificate\nsubject=\n\nissuer=O = cluster.local\n\n---\nAcceptable client certificate CA names\nO = cluster.local\n',
    );
    expect(output).toContain(
      'Peer signing digest: SHA256\nPeer signature type: ECDSA\nServer Temp Key: X25519, 253 bits\n',
    );
    expect(output).toContain(
      'New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\nServer public key is 256 bit\n',
    );
    expect(output).toContain('Verify return code: 19 (self signed certificate in certificate chain)\n---\n');
    expect(lines.at(-1)).toBe(
      '140555461989696:error:1409445C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1543:SSL alert number 116',
    );
  });

  it('trusts the chain with the mesh root as CA file and reports an expired leaf', () => {
    const context = runHandshake(istioInput()).at(-1)?.context;
    if (context === undefined) throw new Error('no handshake');
    const trusted = formatOpensslSClient(
      sClientSessionFromHandshake(context, {
        host: 'helloworld',
        port: 5000,
        caFilePem: [istiod.root.certificatePem],
        showCerts: false,
      }),
    );
    expect(trusted.output).toContain('Verification: OK\n');
    expect(trusted.output).toContain('Verify return code: 0 (ok)\n');
    expect(trusted.exitCode).toBe(0);
    const expired = formatOpensslSClient({
      ...sClientSessionFromHandshake(context, {
        host: 'helloworld',
        port: 5000,
        caFilePem: [istiod.root.certificatePem],
      }),
      atMs: 25 * hourMs,
    });
    expect(expired.output).toContain(
      'depth=0 \nverify error:num=10:certificate has expired\nnotAfter=Jul 30 09:00:00 2022 GMT\nverify return:1\n',
    );
    expect(opensslAlertLine(48)).toContain(
      ':error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:',
    );
  });

  // The error line of each OpenSSL build an istio-proxy image ships (tls/openssl-builds.ts).
  const builds: { name: string; image: string; line: string }[] = [
    {
      name: 'Istio 1.14 (Ubuntu 20.04, OpenSSL 1.1.1f)',
      image: 'docker.io/istio/proxyv2:1.14.1',
      line: '140555461989696:error:1409445C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1543:SSL alert number 116',
    },
    {
      name: 'Istio 1.20 (Ubuntu 22.04, OpenSSL 3.0.2)',
      image: 'docker.io/istio/proxyv2:1.20.0',
      line: '40F7D1C2D57F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1593:SSL alert number 116',
    },
    {
      name: 'Istio 1.24 (Ubuntu 24.04, OpenSSL 3.0.13)',
      image: 'docker.io/istio/proxyv2:1.24.0',
      line: '40F7D1C2D57F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1605:SSL alert number 116',
    },
  ];
  for (const build of builds)
    it(`prints the alert line of ${build.name}`, () => {
      const threadId = build.line.startsWith('1405') ? 140555461989696n : 0x7fd5c2d1f740n;
      expect(opensslAlertLine(116, opensslOfProxyImage(build.image), threadId)).toBe(build.line);
    });
});
