/**
 * Deterministic ECDSA P-256 keys. A real CA draws keys from a CSPRNG; the simulator instead derives
 * each key from the run's seed and a label naming its owner (HKDF-SHA-256, then reduced into the
 * scalar field as FIPS 186-5 A.2.1 does), so the same seed always yields the same keys and therefore
 * byte-identical certificates. Signing uses RFC 6979 deterministic nonces with no extra entropy:
 * nothing here ever asks for random bytes, so it runs the same in Node and the browser.
 */
import { p256 } from '@noble/curves/nist.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex, utf8 } from './encoding';

/** A P-256 key pair as plain data: the private scalar and the uncompressed public point, in hex. */
export interface KeyPair {
  /** 32-byte private scalar, hex. Simulation material only: it is derived from the public seed. */
  privateKeyHex: string;
  /** 65-byte uncompressed SEC1 point (04 || X || Y), hex. */
  publicKeyHex: string;
}

/** The seed as the simulator stores it (a number) or any string a test prefers. */
export type PkiSeed = number | string;

const saltLabel = 'identity-lab pki v1';

/** `length` bytes derived from the seed and a label (HKDF-SHA-256, RFC 5869). */
export function deriveBytes(seed: PkiSeed, label: string, length: number): Uint8Array {
  return hkdf(sha256, utf8(`seed:${String(seed)}`), utf8(saltLabel), utf8(label), length);
}

/** The P-256 key pair owned by `label` (e.g. `istiod-root`, `spiffe://…`) under this seed. */
export function deriveKeyPair(seed: PkiSeed, label: string): KeyPair {
  // 48 bytes (field size + 128 bits) make the modular reduction's bias negligible.
  const material = deriveBytes(seed, `key:${label}`, 48);
  const privateKey = mapHashToField(material, p256.Point.CURVE().n);
  return { privateKeyHex: toHex(privateKey), publicKeyHex: toHex(p256.getPublicKey(privateKey, false)) };
}

/** The uncompressed public point of a private scalar. */
export function publicKeyOf(privateKeyHex: string): string {
  return toHex(p256.getPublicKey(fromHex(privateKeyHex), false));
}

/**
 * ECDSA-SHA-256 signature over a message, DER-encoded (the form X.509 and TLS carry). The nonce is
 * RFC 6979's, with `extraEntropy: false` so noble never mixes in random bytes.
 */
export function signSha256(privateKeyHex: string, message: Uint8Array): Uint8Array {
  return p256.sign(message, fromHex(privateKeyHex), {
    prehash: true,
    lowS: false,
    format: 'der',
    extraEntropy: false,
  });
}

/** Checks a DER-encoded ECDSA-SHA-256 signature against an uncompressed public point. */
export function verifySha256(publicKeyHex: string, message: Uint8Array, signatureDer: Uint8Array): boolean {
  try {
    return p256.verify(signatureDer, message, fromHex(publicKeyHex), {
      prehash: true,
      lowS: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}

/**
 * A positive serial number of `bytes` bytes derived from the seed, as a minimal hex string (Istio and
 * SPIRE draw 128-bit random serials; the simulator derives them).
 */
export function deriveSerialHex(seed: PkiSeed, label: string, bytes = 16): string {
  const raw = deriveBytes(seed, `serial:${label}`, bytes);
  const hex = toHex(raw).replace(/^(00)+/, '');
  return hex === '' ? '01' : hex;
}
