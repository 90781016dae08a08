/**
 * The pure logic of a TLS 1.3 handshake with client authentication (RFC 8446), as two
 * verifier policies run it:
 *
 * - `istio`: both sides are Envoy sidecars (BoringSSL). The client checks the server chain against
 *   the mesh root and then the server's URI SAN against the destination's expected identities
 *   (`match_subject_alt_names` in the upstream validation context). The server requires a client
 *   certificate and checks only its chain; which identity the client has is decided later, by the
 *   RBAC filter (AuthorizationPolicy) after the handshake.
 * - `cilium`: both sides are Cilium agents (Go crypto/tls, TLS 1.3 minimum) on port 4250. The client
 *   turns Go's verification off and checks, in its VerifyPeerCertificate callback, the chain against
 *   the SPIRE bundle and that the leaf has exactly one URI SAN equal to the remote identity's SPIFFE
 *   ID; any failure there is alert bad_certificate (42). The server uses RequireAndVerifyClientCert:
 *   it checks the chain only, never which identity the client certificate names.
 *
 * The handshake machine (handshake-machine.ts) calls these functions; they are exported for tests and
 * for the terminal formatters.
 */
import { parseCertificate } from '../pki/certificate';
import { fromHex, toHex } from '../pki/encoding';
import { signSha256, verifySha256, type PkiSeed } from '../pki/keys';
import { verifyChain, type ChainProblemCode, type ChainVerification } from '../pki/verify';
import {
  evaluateAuthorization,
  type AuthorizationPolicy,
  type AuthorizationRequest,
} from '../istio/authorization';
import type { IstioWorkload } from '../istio/peer-authentication';
import { validateCiliumIdentity } from '../spire/svid-rules';
import type { CipherSuiteName } from './key-schedule';

/** Whose verification rules apply. */
export type VerifierPolicy = 'istio' | 'cilium';

/** One side of the handshake. */
export interface HandshakeParty {
  /** Who this is, for the narration (`sleep sidecar`, `cilium-agent on kind-worker`). */
  name: string;
  /** The chain this side presents, leaf first; empty when it has no certificate. */
  certChainPem: readonly string[];
  /** The private key this side signs CertificateVerify with ('' when it has none). */
  privateKeyHex: string;
  /** The roots this side trusts to verify the peer. */
  trustAnchorsPem: readonly string[];
}

/** Everything a handshake depends on; plain data. */
export interface HandshakeInput {
  policy: VerifierPolicy;
  /** Seeds the ephemeral X25519 keys and hello randoms. */
  seed: PkiSeed;
  connectionId: string;
  /** The virtual time at which certificates are checked. */
  atMs: number;
  client: HandshakeParty;
  server: HandshakeParty;
  /** SNI: Istio's `outbound_.<port>_._.<service fqdn>`, Cilium's `<remote identity>.spiffe.cilium`. */
  serverName: string;
  alpn: readonly string[];
  /** The SPIFFE IDs the client accepts for the server (Istio: the destination's service accounts). */
  expectedServerIdentities: readonly string[];
  /**
   * False for a client that reports a failed server check but carries on, as `openssl s_client` does
   * without -verify_return_error (it prints `verify error:…` then `verify return:1`). Default true.
   */
  clientEnforcesVerification?: boolean;
  /** Defaults to TLS_AES_256_GCM_SHA384 for Istio (as the seed's openssl run shows) and AES-128 for Go. */
  cipherSuite?: CipherSuiteName;
  /** Istio only: what the server's RBAC filter evaluates once the handshake is done. */
  authorization?: {
    policies: readonly AuthorizationPolicy[];
    workload: IstioWorkload;
    request: Omit<AuthorizationRequest, 'peerSpiffeId'>;
  };
}

/** A TLS alert (RFC 8446 6.2) and where the decision was taken. */
export interface HandshakeAlert {
  code: number;
  description: string;
  sentBy: 'client' | 'server';
  /** The message whose processing failed. */
  onMessage: HandshakeMessageName;
  /** The layer that rejected: the TLS library's chain check, or an application-level identity check. */
  layer: string;
  reason: string;
}

/** The result of one side checking the other's certificate. */
export interface PeerCertificateCheck {
  accepted: boolean;
  chainOk: boolean;
  problems: ChainProblemCode[];
  /** The peer leaf's URI SANs (the identity the peer claims). */
  peerUris: string[];
  /** The application-level identity check, when this side performs one. */
  identityCheck: { performed: boolean; ok: boolean; layer: string; reason: string };
  alert: Omit<HandshakeAlert, 'sentBy' | 'onMessage'> | undefined;
}

/** The messages of the handshake, in order. */
export const handshakeMessageNames = [
  'ClientHello',
  'ServerHello',
  'EncryptedExtensions',
  'CertificateRequest',
  'Certificate (server)',
  'CertificateVerify (server)',
  'Finished (server)',
  'Certificate (client)',
  'CertificateVerify (client)',
  'Finished (client)',
] as const;

/** One handshake message's name. */
export type HandshakeMessageName = (typeof handshakeMessageNames)[number];

/** What each message is and what receiving it proves. */
export const handshakeMessageInfo: Readonly<
  Record<HandshakeMessageName, { from: 'client' | 'server'; encrypted: boolean; proves: string }>
> = {
  ClientHello: {
    from: 'client',
    encrypted: false,
    proves:
      'Nothing yet about who the client is: it offers TLS 1.3 (supported_versions), an X25519 key share, signature schemes, the server name (SNI) it wants and ALPN protocols.',
  },
  ServerHello: {
    from: 'server',
    encrypted: false,
    proves:
      'Only that someone answered: it picks the cipher suite and sends the server key share. Both sides now derive the same handshake secrets; everything after this is encrypted.',
  },
  EncryptedExtensions: {
    from: 'server',
    encrypted: true,
    proves: 'The rest of the server’s choices (ALPN, …), now under the handshake keys; no identity yet.',
  },
  CertificateRequest: {
    from: 'server',
    encrypted: true,
    proves:
      'That this server wants a client certificate (mutual TLS): the client will have to show one and sign with its key.',
  },
  'Certificate (server)': {
    from: 'server',
    encrypted: true,
    proves:
      'A claim, not yet a proof: the chain the server presents. The client checks it against its trust anchors and, if its policy says so, checks the SPIFFE ID in the SAN.',
  },
  'CertificateVerify (server)': {
    from: 'server',
    encrypted: true,
    proves:
      'Possession: a signature over the transcript with the private key of the server leaf. A copied certificate without its key fails here.',
  },
  'Finished (server)': {
    from: 'server',
    encrypted: true,
    proves:
      'Key agreement and integrity: an HMAC over the whole transcript under the server handshake secret.',
  },
  'Certificate (client)': {
    from: 'client',
    encrypted: true,
    proves:
      'The client’s claim: its chain (or an empty list). The server checks the chain; neither an Istio sidecar nor a Cilium agent checks the client’s SPIFFE ID here.',
  },
  'CertificateVerify (client)': {
    from: 'client',
    encrypted: true,
    proves: 'The client holds the private key of its leaf: a signature over the transcript so far.',
  },
  'Finished (client)': {
    from: 'client',
    encrypted: true,
    proves: 'The client saw the same transcript and derived the same keys. The handshake is complete.',
  },
};

/** TLS alert descriptions (RFC 8446 6.2) for the codes the model sends. */
const alertDescriptions: Readonly<Record<number, string>> = {
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  48: 'unknown_ca',
  51: 'decrypt_error',
  116: 'certificate_required',
};

/** The cipher suite a policy negotiates unless the input names one. */
export function negotiatedSuite(input: HandshakeInput): CipherSuiteName {
  return (
    input.cipherSuite ?? (input.policy === 'istio' ? 'TLS_AES_256_GCM_SHA384' : 'TLS_AES_128_GCM_SHA256')
  );
}

const layers = {
  boringSslChain: 'TLS library: BoringSSL chain verification (Envoy)',
  goChainServer: 'TLS library: Go crypto/tls RequireAndVerifyClientCert',
  envoySan: 'Envoy upstream validation context: match_subject_alt_names',
  ciliumCallback: 'Cilium VerifyPeerCertificate callback (application code)',
  none: 'not checked during the handshake',
} as const;

function alert(code: number, layer: string, reason: string): Omit<HandshakeAlert, 'sentBy' | 'onMessage'> {
  return { code, description: alertDescriptions[code] ?? 'unknown', layer, reason };
}

/** The alert OpenSSL/BoringSSL send for the first verification error (ssl_verify_alarm_type). */
function boringSslAlertFor(problem: ChainProblemCode): number {
  switch (problem) {
    case 'expired':
    case 'not-yet-valid':
      return 45;
    case 'bad-signature':
      return 51;
    case 'wrong-usage':
      return 43;
    case 'empty-chain':
      return 116;
    default:
      return 48;
  }
}

/**
 * The alert Go's server sends when verifying a client chain: the leaf's validity is checked before
 * the chain is built, an unknown authority is unknown_ca, an expired certificate certificate_expired,
 * anything else bad_certificate.
 */
function goServerAlertFor(verification: ChainVerification): number {
  const leafTime = verification.problems.find(
    (problem) => problem.depth === 0 && (problem.code === 'expired' || problem.code === 'not-yet-valid'),
  );
  if (leafTime !== undefined) return 45;
  const codes = verification.problems.map((problem) => problem.code);
  if (codes.includes('unknown-ca') || codes.includes('self-signed-not-trusted')) return 48;
  if (codes.includes('expired') || codes.includes('not-yet-valid')) return 45;
  return 42;
}

function problemText(verification: ChainVerification): string {
  return verification.problems.map((problem) => `${problem.opensslText} (depth ${problem.depth})`).join('; ');
}

/** The client's check of the server's certificate, by policy. */
export function clientChecksServerCertificate(input: HandshakeInput): PeerCertificateCheck {
  const chain = input.server.certChainPem;
  const verification = verifyChain(chain, input.client.trustAnchorsPem, input.atMs, { usage: 'serverAuth' });
  const peerUris = chain[0] === undefined ? [] : (parseCertificate(chain[0]).subjectAltName?.uris ?? []);
  const problems = verification.problems.map((problem) => problem.code);
  const chainOk = verification.ok;
  const skipped = {
    performed: false,
    ok: false,
    layer: layers.none,
    reason: 'not reached: the chain failed',
  };
  if (input.policy === 'istio') {
    if (!chainOk) {
      const first = verification.problems[0];
      const code = first === undefined ? 48 : boringSslAlertFor(first.code);
      return {
        accepted: false,
        chainOk,
        problems,
        peerUris,
        identityCheck: skipped,
        alert: alert(code, layers.boringSslChain, problemText(verification) || 'no trust anchor'),
      };
    }
    const matched = peerUris.some((uri) => input.expectedServerIdentities.includes(uri));
    const identityCheck = {
      performed: true,
      ok: matched,
      layer: layers.envoySan,
      reason: matched
        ? `URI SAN ${peerUris.join(', ')} is one of ${input.expectedServerIdentities.join(', ')}`
        : `verify cert failed: SAN matcher (certificate SANs are ${peerUris.join(', ')}; expected ${input.expectedServerIdentities.join(', ')})`,
    };
    return {
      accepted: matched,
      chainOk,
      problems,
      peerUris,
      identityCheck,
      alert: matched ? undefined : alert(46, layers.envoySan, identityCheck.reason),
    };
  }
  // Cilium: InsecureSkipVerify, then VerifyPeerCertificate does both checks; any error is alert 42.
  if (!chainOk)
    return {
      accepted: false,
      chainOk,
      problems,
      peerUris,
      identityCheck: skipped,
      alert: alert(
        42,
        layers.ciliumCallback,
        `failed to verify certificate: ${problemText(verification) || 'no trust anchor'}`,
      ),
    };
  const expected = input.expectedServerIdentities[0] ?? '';
  const expectedIdentity = Number(/\/identity\/(\d+)$/.exec(expected)?.[1] ?? NaN);
  const trustDomain = /^spiffe:\/\/([^/]+)\//.exec(expected)?.[1];
  const validation =
    Number.isNaN(expectedIdentity) || trustDomain === undefined
      ? { valid: false, reason: `no expected identity: ${expected}` }
      : validateCiliumIdentity(expectedIdentity, peerUris, trustDomain);
  const identityCheck = {
    performed: true,
    ok: validation.valid,
    layer: layers.ciliumCallback,
    reason: validation.valid ? validation.reason : `failed to validate SAN: ${validation.reason}`,
  };
  return {
    accepted: validation.valid,
    chainOk,
    problems,
    peerUris,
    identityCheck,
    alert: validation.valid ? undefined : alert(42, layers.ciliumCallback, identityCheck.reason),
  };
}

/** The server's check of the client's certificate, by policy (chain only, never the identity). */
export function serverChecksClientCertificate(input: HandshakeInput): PeerCertificateCheck {
  const chain = input.client.certChainPem;
  const peerUris = chain[0] === undefined ? [] : (parseCertificate(chain[0]).subjectAltName?.uris ?? []);
  const identityCheck = {
    performed: false,
    ok: false,
    layer: input.policy === 'istio' ? 'Envoy RBAC filter, after the handshake' : layers.none,
    reason:
      input.policy === 'istio'
        ? 'the server does not check the client SAN during the handshake; AuthorizationPolicy uses it afterwards'
        : 'the Cilium server side never checks which identity the client certificate names',
  };
  const layer = input.policy === 'istio' ? layers.boringSslChain : layers.goChainServer;
  if (chain.length === 0)
    return {
      accepted: false,
      chainOk: false,
      problems: ['empty-chain'],
      peerUris,
      identityCheck,
      alert: alert(116, layer, 'the client sent an empty Certificate but the server requires one'),
    };
  const verification = verifyChain(chain, input.server.trustAnchorsPem, input.atMs, { usage: 'clientAuth' });
  const problems = verification.problems.map((problem) => problem.code);
  if (verification.ok)
    return { accepted: true, chainOk: true, problems, peerUris, identityCheck, alert: undefined };
  const first = verification.problems[0];
  const code =
    input.policy === 'istio'
      ? first === undefined
        ? 48
        : boringSslAlertFor(first.code)
      : goServerAlertFor(verification);
  return {
    accepted: false,
    chainOk: false,
    problems,
    peerUris,
    identityCheck,
    alert: alert(code, layer, problemText(verification) || 'no trust anchor'),
  };
}

/** Signatures already made (RFC 6979 is deterministic, so caching only saves time); bounded. */
const signatures = new Map<string, string>();

/** Signs CertificateVerify content with a party's key (hex DER signature), or '' without a key. */
export function signCertificateVerify(party: HandshakeParty, content: Uint8Array): string {
  if (party.privateKeyHex === '') return '';
  const key = `${party.privateKeyHex}|${toHex(content)}`;
  const cached = signatures.get(key);
  if (cached !== undefined) return cached;
  const signature = toHex(signSha256(party.privateKeyHex, content));
  if (signatures.size >= 256) signatures.clear();
  signatures.set(key, signature);
  return signature;
}

/** Whether a CertificateVerify signature verifies with the public key of the party's leaf. */
export function certificateVerifyValid(
  party: HandshakeParty,
  content: Uint8Array,
  signatureHex: string,
): boolean {
  const leaf = party.certChainPem[0];
  if (leaf === undefined || signatureHex === '') return false;
  return verifySha256(parseCertificate(leaf).publicKeyHex, content, fromHex(signatureHex));
}

/** The Istio RBAC verdict for the verified client identity (the client leaf's URI SAN). */
export function authorizeAfterHandshake(input: HandshakeInput) {
  if (input.authorization === undefined) return undefined;
  const leaf = input.client.certChainPem[0];
  const peerSpiffeId = leaf === undefined ? undefined : parseCertificate(leaf).subjectAltName?.uris[0];
  return evaluateAuthorization(input.authorization.policies, input.authorization.workload, {
    ...input.authorization.request,
    peerSpiffeId,
  });
}

/** The model encoding of a message for the transcript hash. */
export function encodeMessage(name: HandshakeMessageName, fields: Readonly<Record<string, string>>): string {
  return JSON.stringify([name, fields]);
}
