/**
 * The parts of the TLS 1.3 key schedule (RFC 8446 section 7.1) the handshake model computes for real:
 * the X25519 shared secret from deterministic ephemeral keys, the handshake traffic secrets, the
 * Finished MACs and the content CertificateVerify signs (section 4.4.3). The transcript they hash is
 * the model's own encoding of each message (canonical JSON of its fields), not TLS wire bytes, so the
 * values are internally consistent and deterministic but will not match a packet capture.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf, expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { concatBytes, fromHex, toHex, utf8 } from '../pki/encoding';
import { deriveBytes, type PkiSeed } from '../pki/keys';

/** The TLS 1.3 cipher suites the model negotiates. */
export type CipherSuiteName = 'TLS_AES_128_GCM_SHA256' | 'TLS_AES_256_GCM_SHA384';

/** The hash of a cipher suite (it drives the key schedule and the transcript hash). */
function suiteHash(suite: CipherSuiteName): CHash {
  return suite === 'TLS_AES_256_GCM_SHA384' ? sha384 : sha256;
}

/** HKDF-Expand-Label (RFC 8446 7.1): the label is prefixed with "tls13 ". */
function hkdfExpandLabel(
  suite: CipherSuiteName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const fullLabel = utf8(`tls13 ${label}`);
  const info = concatBytes(
    Uint8Array.of(length >> 8, length & 0xff, fullLabel.length),
    fullLabel,
    Uint8Array.of(context.length),
    context,
  );
  return expand(suiteHash(suite), secret, info, length);
}

/** Derive-Secret(secret, label, transcript hash). */
function deriveSecret(
  suite: CipherSuiteName,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(suite, secret, label, transcriptHash, suiteHash(suite).outputLen);
}

/** A deterministic X25519 key pair for one side of one connection. */
export function ephemeralKeyShare(
  seed: PkiSeed,
  connectionId: string,
  side: 'client' | 'server',
): {
  privateKeyHex: string;
  publicKeyHex: string;
} {
  const privateKey = deriveBytes(seed, `x25519:${connectionId}:${side}`, 32);
  return { privateKeyHex: toHex(privateKey), publicKeyHex: toHex(x25519.getPublicKey(privateKey)) };
}

/** The (EC)DHE shared secret. */
export function sharedSecret(privateKeyHex: string, peerPublicKeyHex: string): Uint8Array {
  return x25519.getSharedSecret(fromHex(privateKeyHex), fromHex(peerPublicKeyHex));
}

/** The client and server handshake traffic secrets, from the shared secret and ClientHello..ServerHello. */
export function handshakeTrafficSecrets(
  suite: CipherSuiteName,
  ecdhe: Uint8Array,
  helloTranscriptHash: Uint8Array,
): { clientHex: string; serverHex: string } {
  const hash = suiteHash(suite);
  const zeros = new Uint8Array(hash.outputLen);
  const earlySecret = extract(hash, zeros, zeros);
  const derived = deriveSecret(suite, earlySecret, 'derived', hash(new Uint8Array(0)));
  const handshakeSecret = extract(hash, ecdhe, derived);
  return {
    clientHex: toHex(deriveSecret(suite, handshakeSecret, 'c hs traffic', helloTranscriptHash)),
    serverHex: toHex(deriveSecret(suite, handshakeSecret, 's hs traffic', helloTranscriptHash)),
  };
}

/** Finished.verify_data = HMAC(finished_key, transcript hash), finished_key from the traffic secret. */
export function finishedVerifyData(
  suite: CipherSuiteName,
  trafficSecretHex: string,
  transcriptHash: Uint8Array,
): string {
  const hash = suiteHash(suite);
  const finishedKey = hkdfExpandLabel(
    suite,
    fromHex(trafficSecretHex),
    'finished',
    new Uint8Array(0),
    hash.outputLen,
  );
  return toHex(hmac(hash, finishedKey, transcriptHash));
}

/** What CertificateVerify signs: 64 spaces, the context string, a zero byte, the transcript hash. */
export function certificateVerifyContent(side: 'client' | 'server', transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(
    new Uint8Array(64).fill(0x20),
    utf8(`TLS 1.3, ${side} CertificateVerify`),
    Uint8Array.of(0),
    transcriptHash,
  );
}

/** The running transcript hash over the model encoding of the messages so far. */
export function transcriptHash(suite: CipherSuiteName, encodedMessages: readonly string[]): Uint8Array {
  return suiteHash(suite)(utf8(encodedMessages.join('\n')));
}

/** A 32-byte Random for a hello, derived from the seed. */
export function helloRandom(seed: PkiSeed, connectionId: string, side: 'client' | 'server'): string {
  return toHex(hkdf(sha256, utf8(String(seed)), utf8('hello random'), utf8(`${connectionId}:${side}`), 32));
}
