/**
 * A TLS 1.3 handshake with client authentication as an XState 5 machine a reader steps through one
 * message at a time (RFC 8446 section 2). Each event is one message being sent and
 * processed by its receiver; guards run the receiver's checks (chain, SAN, CertificateVerify), and a
 * failed check ends in `failed` with the alert the receiver sends and the layer that decided.
 *
 * The context is plain serialisable data: the input (PEMs, keys as hex), the transcript of messages
 * with what each proves, the checks, and the alert or the result. Drive it with XState's pure
 * `transition()` (see `stepHandshake`), so snapshots can be stored, hashed and replayed.
 *
 * Failure paths modelled: no client certificate → certificate_required (116); an unknown CA →
 * unknown_ca (48, or bad_certificate 42 from Cilium's client callback); an expired certificate →
 * certificate_expired (45, or 42 from Cilium's client callback); a SAN the client's identity check
 * rejects → certificate_unknown (46) from Envoy or bad_certificate (42) from Cilium's callback; a
 * certificate presented without its private key → decrypt_error (51) at CertificateVerify. An Istio
 * client identity the server dislikes is not a handshake failure: the handshake completes and the
 * RBAC filter answers 403 `RBAC: access denied` (state `forbidden`).
 */
import { and, assign, initialTransition, setup, transition, type SnapshotFrom } from 'xstate';
import type { AuthorizationVerdict } from '../istio/authorization';
import { formatDistinguishedName, parseCertificate } from '../pki/certificate';
import {
  authorizeAfterHandshake,
  certificateVerifyValid,
  clientChecksServerCertificate,
  encodeMessage,
  handshakeMessageInfo,
  negotiatedSuite,
  serverChecksClientCertificate,
  signCertificateVerify,
  type HandshakeAlert,
  type HandshakeInput,
  type HandshakeMessageName,
  type HandshakeParty,
  type PeerCertificateCheck,
} from './handshake';
import {
  certificateVerifyContent,
  ephemeralKeyShare,
  finishedVerifyData,
  handshakeTrafficSecrets,
  helloRandom,
  sharedSecret,
  transcriptHash,
  type CipherSuiteName,
} from './key-schedule';
import { toHex } from '../pki/encoding';

/** One message as the transcript keeps it. */
export interface HandshakeRecord {
  message: HandshakeMessageName;
  from: 'client' | 'server';
  encrypted: boolean;
  fields: Record<string, string>;
  proves: string;
  /** The transcript hash after this message (model encoding, hex). */
  transcriptHashHex: string;
}

/** The machine's context: plain data only. */
export interface HandshakeContext {
  input: HandshakeInput;
  cipherSuite: CipherSuiteName;
  clientKeyShare: { privateKeyHex: string; publicKeyHex: string };
  serverKeyShare: { privateKeyHex: string; publicKeyHex: string };
  trafficSecrets: { clientHex: string; serverHex: string } | undefined;
  transcript: HandshakeRecord[];
  serverCertificateCheck: PeerCertificateCheck | undefined;
  clientCertificateCheck: PeerCertificateCheck | undefined;
  alert: HandshakeAlert | undefined;
  /** Istio: the RBAC verdict after the handshake. */
  authorization: AuthorizationVerdict | undefined;
  /** Cilium: the auth-map expiration, the earlier NotAfter of the two leaves. */
  authExpiresAtMs: number | undefined;
}

/** The events: one per message, then the request the RBAC filter judges (Istio). */
export type HandshakeEvent =
  | { type: 'client.hello' }
  | { type: 'server.hello' }
  | { type: 'server.encryptedExtensions' }
  | { type: 'server.certificateRequest' }
  | { type: 'server.certificate' }
  | { type: 'server.certificateVerify' }
  | { type: 'server.finished' }
  | { type: 'client.certificate' }
  | { type: 'client.certificateVerify' }
  | { type: 'client.finished' }
  | { type: 'request.authorize' };

/** Every event type, in protocol order. */
export const handshakeEventTypes: readonly HandshakeEvent['type'][] = [
  'client.hello',
  'server.hello',
  'server.encryptedExtensions',
  'server.certificateRequest',
  'server.certificate',
  'server.certificateVerify',
  'server.finished',
  'client.certificate',
  'client.certificateVerify',
  'client.finished',
  'request.authorize',
];

const signatureSchemes =
  'ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_secp384r1_sha384';

function currentHash(context: HandshakeContext): Uint8Array {
  return transcriptHash(
    context.cipherSuite,
    context.transcript.map((record) => encodeMessage(record.message, record.fields)),
  );
}

function leafSummary(chain: readonly string[]): string {
  if (chain.length === 0) return '(empty)';
  return chain
    .map((pem, depth) => {
      const certificate = parseCertificate(pem);
      const uris = certificate.subjectAltName?.uris ?? [];
      return `${depth}: s:${formatDistinguishedName(certificate.subject)} i:${formatDistinguishedName(certificate.issuer)}${uris.length > 0 ? ` URI:${uris.join(',')}` : ''}`;
    })
    .join(' | ');
}

function certificateVerifyFields(
  context: HandshakeContext,
  party: HandshakeParty,
  side: 'client' | 'server',
) {
  const content = certificateVerifyContent(side, currentHash(context));
  return { algorithm: 'ecdsa_secp256r1_sha256', signature: signCertificateVerify(party, content) };
}

/** The fields of a message, computed from the context before it is appended. */
function messageFields(context: HandshakeContext, message: HandshakeMessageName): Record<string, string> {
  const { input } = context;
  switch (message) {
    case 'ClientHello':
      return {
        legacy_version: '0x0303',
        random: helloRandom(input.seed, input.connectionId, 'client'),
        cipher_suites: 'TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256',
        supported_versions: '0x0304 (TLS 1.3)',
        key_share: `x25519 ${context.clientKeyShare.publicKeyHex}`,
        signature_algorithms: signatureSchemes,
        server_name: input.serverName,
        alpn: input.alpn.join(', '),
      };
    case 'ServerHello':
      return {
        random: helloRandom(input.seed, input.connectionId, 'server'),
        cipher_suite: context.cipherSuite,
        supported_versions: '0x0304 (TLS 1.3)',
        key_share: `x25519 ${context.serverKeyShare.publicKeyHex}`,
      };
    case 'EncryptedExtensions':
      return { alpn: input.alpn[0] ?? '(none)' };
    case 'CertificateRequest':
      return {
        signature_algorithms: signatureSchemes,
        certificate_authorities: input.server.trustAnchorsPem
          .map((pem) => formatDistinguishedName(parseCertificate(pem).subject))
          .join('; '),
      };
    case 'Certificate (server)':
      return { certificate_list: leafSummary(input.server.certChainPem) };
    case 'CertificateVerify (server)':
      return certificateVerifyFields(context, input.server, 'server');
    case 'Finished (server)':
      return {
        verify_data: finishedVerifyData(
          context.cipherSuite,
          context.trafficSecrets?.serverHex ?? '',
          currentHash(context),
        ),
      };
    case 'Certificate (client)':
      return { certificate_list: leafSummary(input.client.certChainPem) };
    case 'CertificateVerify (client)':
      return certificateVerifyFields(context, input.client, 'client');
    case 'Finished (client)':
      return {
        verify_data: finishedVerifyData(
          context.cipherSuite,
          context.trafficSecrets?.clientHex ?? '',
          currentHash(context),
        ),
      };
  }
}

/** Appends a message to the transcript (and derives the handshake secrets after ServerHello). */
function appendMessage(context: HandshakeContext, message: HandshakeMessageName): Partial<HandshakeContext> {
  const info = handshakeMessageInfo[message];
  const fields = messageFields(context, message);
  const partial = { ...context, transcript: [...context.transcript] };
  const provisional: HandshakeRecord = {
    message,
    from: info.from,
    encrypted: info.encrypted,
    fields,
    proves: info.proves,
    transcriptHashHex: '',
  };
  partial.transcript.push(provisional);
  const hash = currentHash(partial);
  provisional.transcriptHashHex = toHex(hash);
  const update: Partial<HandshakeContext> = { transcript: partial.transcript };
  if (message === 'ServerHello') {
    const ecdhe = sharedSecret(context.clientKeyShare.privateKeyHex, context.serverKeyShare.publicKeyHex);
    update.trafficSecrets = handshakeTrafficSecrets(context.cipherSuite, ecdhe, hash);
  }
  return update;
}

/** CertificateVerify checks already made, keyed by everything they depend on (pure; bounded). */
const proofResults = new Map<string, boolean>();

/** Whether the CertificateVerify a party would send now verifies with its leaf's public key. */
function proofOfPossessionHolds(context: HandshakeContext, side: 'client' | 'server'): boolean {
  const party = side === 'client' ? context.input.client : context.input.server;
  const content = certificateVerifyContent(side, currentHash(context));
  const key = `${side}|${toHex(content)}|${party.privateKeyHex}|${party.certChainPem[0] ?? ''}`;
  const cached = proofResults.get(key);
  if (cached !== undefined) return cached;
  const holds = certificateVerifyValid(party, content, signCertificateVerify(party, content));
  if (proofResults.size >= 256) proofResults.clear();
  proofResults.set(key, holds);
  return holds;
}

function decryptErrorAlert(side: 'client' | 'server', context: HandshakeContext): HandshakeAlert {
  const party = side === 'client' ? context.input.client : context.input.server;
  return {
    code: 51,
    description: 'decrypt_error',
    sentBy: side === 'client' ? 'server' : 'client',
    onMessage: side === 'client' ? 'CertificateVerify (client)' : 'CertificateVerify (server)',
    layer: 'TLS library: CertificateVerify signature check',
    reason: `${party.name} signed the transcript with a key that does not match its certificate`,
  };
}

/** The handshake machine. */
export const handshakeMachine = setup({
  types: {
    context: {} as HandshakeContext,
    events: {} as HandshakeEvent,
    input: {} as HandshakeInput,
  },
  guards: {
    clientRejectsServerCertificate: ({ context }) =>
      context.input.clientEnforcesVerification !== false &&
      !clientChecksServerCertificate(context.input).accepted,
    serverProofFails: ({ context }) => !proofOfPossessionHolds(context, 'server'),
    serverRejectsClientCertificate: ({ context }) => !serverChecksClientCertificate(context.input).accepted,
    clientProofFails: ({ context }) => !proofOfPossessionHolds(context, 'client'),
    authorizationConfigured: ({ context }) => context.input.authorization !== undefined,
    authorizationAllows: ({ context }) => authorizeAfterHandshake(context.input)?.allowed === true,
  },
  actions: {
    record: assign(({ context }, params: { message: HandshakeMessageName }) =>
      appendMessage(context, params.message),
    ),
    recordServerCheck: assign(({ context }) => ({
      serverCertificateCheck: clientChecksServerCertificate(context.input),
    })),
    recordClientCheck: assign(({ context }) => ({
      clientCertificateCheck: serverChecksClientCertificate(context.input),
    })),
    clientAlertsOnServerCertificate: assign(({ context }) => {
      const check = clientChecksServerCertificate(context.input);
      return check.alert === undefined
        ? {}
        : {
            alert: { ...check.alert, sentBy: 'client' as const, onMessage: 'Certificate (server)' as const },
          };
    }),
    serverAlertsOnClientCertificate: assign(({ context }) => {
      const check = serverChecksClientCertificate(context.input);
      return check.alert === undefined
        ? {}
        : {
            alert: { ...check.alert, sentBy: 'server' as const, onMessage: 'Certificate (client)' as const },
          };
    }),
    proofFailed: assign(({ context }, params: { side: 'client' | 'server' }) => ({
      alert: decryptErrorAlert(params.side, context),
    })),
    complete: assign(({ context }) => {
      const client = context.input.client.certChainPem[0];
      const server = context.input.server.certChainPem[0];
      const authExpiresAtMs =
        context.input.policy === 'cilium' && client !== undefined && server !== undefined
          ? Math.min(parseCertificate(client).notAfterMs, parseCertificate(server).notAfterMs)
          : undefined;
      return { authExpiresAtMs };
    }),
    authorize: assign(({ context }) => ({ authorization: authorizeAfterHandshake(context.input) })),
  },
}).createMachine({
  id: 'tls13Handshake',
  initial: 'start',
  context: ({ input }) => ({
    input,
    cipherSuite: negotiatedSuite(input),
    clientKeyShare: ephemeralKeyShare(input.seed, input.connectionId, 'client'),
    serverKeyShare: ephemeralKeyShare(input.seed, input.connectionId, 'server'),
    trafficSecrets: undefined,
    transcript: [],
    serverCertificateCheck: undefined,
    clientCertificateCheck: undefined,
    alert: undefined,
    authorization: undefined,
    authExpiresAtMs: undefined,
  }),
  states: {
    start: {
      description: 'No message yet: the client has opened a TCP connection.',
      on: {
        'client.hello': {
          target: 'clientHelloSent',
          actions: { type: 'record', params: { message: 'ClientHello' } },
        },
      },
    },
    clientHelloSent: {
      description: handshakeMessageInfo.ClientHello.proves,
      on: {
        'server.hello': {
          target: 'serverHelloSent',
          actions: { type: 'record', params: { message: 'ServerHello' } },
        },
      },
    },
    serverHelloSent: {
      description: handshakeMessageInfo.ServerHello.proves,
      on: {
        'server.encryptedExtensions': {
          target: 'encryptedExtensionsSent',
          actions: { type: 'record', params: { message: 'EncryptedExtensions' } },
        },
      },
    },
    encryptedExtensionsSent: {
      description: handshakeMessageInfo.EncryptedExtensions.proves,
      on: {
        'server.certificateRequest': {
          target: 'certificateRequestSent',
          actions: { type: 'record', params: { message: 'CertificateRequest' } },
        },
      },
    },
    certificateRequestSent: {
      description: handshakeMessageInfo.CertificateRequest.proves,
      on: {
        'server.certificate': [
          {
            guard: 'clientRejectsServerCertificate',
            target: 'failed',
            actions: [
              { type: 'record', params: { message: 'Certificate (server)' } },
              'recordServerCheck',
              'clientAlertsOnServerCertificate',
            ],
          },
          {
            target: 'serverCertificateSent',
            actions: [{ type: 'record', params: { message: 'Certificate (server)' } }, 'recordServerCheck'],
          },
        ],
      },
    },
    serverCertificateSent: {
      description: handshakeMessageInfo['Certificate (server)'].proves,
      on: {
        'server.certificateVerify': [
          {
            guard: 'serverProofFails',
            target: 'failed',
            actions: [
              { type: 'record', params: { message: 'CertificateVerify (server)' } },
              { type: 'proofFailed', params: { side: 'server' } },
            ],
          },
          {
            target: 'serverCertificateVerifySent',
            actions: { type: 'record', params: { message: 'CertificateVerify (server)' } },
          },
        ],
      },
    },
    serverCertificateVerifySent: {
      description: handshakeMessageInfo['CertificateVerify (server)'].proves,
      on: {
        'server.finished': {
          target: 'serverFinishedSent',
          actions: { type: 'record', params: { message: 'Finished (server)' } },
        },
      },
    },
    serverFinishedSent: {
      description: handshakeMessageInfo['Finished (server)'].proves,
      on: {
        'client.certificate': [
          {
            guard: 'serverRejectsClientCertificate',
            target: 'failed',
            actions: [
              { type: 'record', params: { message: 'Certificate (client)' } },
              'recordClientCheck',
              'serverAlertsOnClientCertificate',
            ],
          },
          {
            target: 'clientCertificateSent',
            actions: [{ type: 'record', params: { message: 'Certificate (client)' } }, 'recordClientCheck'],
          },
        ],
      },
    },
    clientCertificateSent: {
      description: handshakeMessageInfo['Certificate (client)'].proves,
      on: {
        'client.certificateVerify': [
          {
            guard: 'clientProofFails',
            target: 'failed',
            actions: [
              { type: 'record', params: { message: 'CertificateVerify (client)' } },
              { type: 'proofFailed', params: { side: 'client' } },
            ],
          },
          {
            target: 'clientCertificateVerifySent',
            actions: { type: 'record', params: { message: 'CertificateVerify (client)' } },
          },
        ],
      },
    },
    clientCertificateVerifySent: {
      description: handshakeMessageInfo['CertificateVerify (client)'].proves,
      on: {
        'client.finished': {
          target: 'established',
          actions: [{ type: 'record', params: { message: 'Finished (client)' } }, 'complete'],
        },
      },
    },
    established: {
      description:
        'Both sides are authenticated to the extent their policies checked. Istio: HTTP/2 (or HBONE) flows under the traffic keys and the RBAC filter judges the client identity next. Cilium: no data follows; the agent writes the auth map entry and closes the connection.',
      on: {
        'request.authorize': [
          {
            guard: and(['authorizationConfigured', 'authorizationAllows']),
            target: 'authorized',
            actions: 'authorize',
          },
          { guard: 'authorizationConfigured', target: 'forbidden', actions: 'authorize' },
        ],
      },
    },
    authorized: {
      type: 'final',
      description: 'The RBAC filter allowed the request for the verified client identity.',
    },
    forbidden: {
      type: 'final',
      description:
        'The handshake succeeded, but the RBAC filter denied the request for the verified client identity: 403 RBAC: access denied.',
    },
    failed: { type: 'final', description: 'A receiver rejected a message and sent a fatal alert.' },
  },
});

/** A handshake snapshot. */
export type HandshakeSnapshot = SnapshotFrom<typeof handshakeMachine>;

/** The initial snapshot for an input. */
export function startHandshake(input: HandshakeInput): HandshakeSnapshot {
  const [snapshot] = initialTransition(handshakeMachine, input);
  return snapshot;
}

/** The next event the protocol sends from a snapshot, or undefined when the handshake is over. */
function nextHandshakeEvent(snapshot: HandshakeSnapshot): HandshakeEvent | undefined {
  for (const type of handshakeEventTypes) {
    const event = { type };
    if (snapshot.can(event)) return event;
  }
  return undefined;
}

/** Sends the next message; returns the same snapshot when the handshake is over. */
function stepHandshake(snapshot: HandshakeSnapshot): HandshakeSnapshot {
  const event = nextHandshakeEvent(snapshot);
  if (event === undefined) return snapshot;
  const [next] = transition(handshakeMachine, snapshot, event);
  return next;
}

/** Runs a handshake to its end; returns every snapshot, the initial one first. */
export function runHandshake(input: HandshakeInput): HandshakeSnapshot[] {
  const snapshots = [startHandshake(input)];
  for (;;) {
    const last = snapshots[snapshots.length - 1];
    if (last === undefined) break;
    const next = stepHandshake(last);
    if (next === last) break;
    snapshots.push(next);
  }
  return snapshots;
}
