/**
 * SPIRE's certificates for Cilium's mutual authentication, as real X.509 (loaded outside the event
 * loop, like the rest of the PKI). The rules they follow (SPIFFE IDs, SNIs, lifetimes, rotation)
 * are svid-rules.ts, which the event loop's metadata model uses too.
 *
 * Certificates as SPIRE's credential builder writes them (spiffe/spire
 * `pkg/server/credtemplate/builder.go`): CA subject `C=US, O=SPIFFE` plus the serial number, URI SAN
 * of the trust domain, key usage Certificate Sign + CRL Sign; SVID subject `C=US, O=SPIRE`, URI SAN
 * the SPIFFE ID, key usage Digital Signature + Key Encipherment + Key Agreement, EKU server + client
 * auth, subject and authority key identifiers. Keys are ec-p256 (`ca_key_type`).
 */
import { createSelfSignedRoot, issueLeaf, type CertificateAuthority } from '../pki/authority';
import { bytesToBigInt, fromHex } from '../pki/encoding';
import { deriveKeyPair, deriveSerialHex, type PkiSeed } from '../pki/keys';
import type { RandomState } from '../engine/prng';
import {
  ciliumSpiffeId,
  spireCaValidity,
  spireDefaults,
  svidRotationTimeMs,
  svidValidity,
} from './svid-rules';

/** A SPIRE server's signing authority. */
export interface SpireServer {
  seed: PkiSeed;
  trustDomain: string;
  ca: CertificateAuthority;
}

/** Starts a SPIRE server with a fresh self-signed CA at a virtual time. */
export function createSpireServer(options: {
  seed: PkiSeed;
  createdAtMs: number;
  trustDomain?: string;
  caTtlMs?: number;
}): SpireServer {
  const trustDomain = options.trustDomain ?? spireDefaults.trustDomain;
  const serialNumberHex = deriveSerialHex(options.seed, `spire-ca:${trustDomain}@${options.createdAtMs}`);
  const ca = createSelfSignedRoot({
    seed: options.seed,
    keyLabel: `spire-ca:${trustDomain}@${options.createdAtMs}`,
    subject: [
      { attribute: 'C', value: 'US' },
      { attribute: 'O', value: 'SPIFFE' },
      { attribute: 'serialNumber', value: bytesToBigInt(fromHex(serialNumberHex)).toString() },
    ],
    serialNumberHex,
    ...spireCaValidity(options.createdAtMs, options.caTtlMs),
    keyUsage: ['keyCertSign', 'cRLSign'],
    uris: [`spiffe://${trustDomain}`],
  });
  return { seed: options.seed, trustDomain, ca };
}

/** An X.509-SVID for one Cilium identity, as the agent's delegate store holds it. */
export interface IdentitySvid {
  identity: number;
  spiffeId: string;
  /** The SVID chain (leaf first; a single-level CA sends only the leaf). */
  certChainPem: string[];
  privateKeyHex: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** When the SPIRE agent will renew it (drawn once at issue from the seeded PRNG). */
  rotateAtMs: number;
}

/** Issues the X.509-SVID of a Cilium identity at a virtual time. */
export function issueIdentitySvid(
  server: SpireServer,
  identity: number,
  atMs: number,
  random: RandomState,
  ttlMs: number = spireDefaults.x509SvidTtlMs,
): IdentitySvid {
  const spiffeId = ciliumSpiffeId(identity, server.trustDomain);
  const keyPair = deriveKeyPair(server.seed, `spire-svid:${spiffeId}@${atMs}`);
  const { notBeforeMs, notAfterMs } = svidValidity(atMs, server.ca.notAfterMs, ttlMs);
  const leaf = issueLeaf(server.ca, keyPair.publicKeyHex, {
    serialNumberHex: deriveSerialHex(server.seed, `spire-svid:${spiffeId}@${atMs}`),
    subject: [
      { attribute: 'C', value: 'US' },
      { attribute: 'O', value: 'SPIRE' },
    ],
    notBeforeMs,
    notAfterMs,
    uris: [spiffeId],
    keyUsage: ['digitalSignature', 'keyEncipherment', 'keyAgreement'],
    extendedKeyUsage: ['serverAuth', 'clientAuth'],
    subjectKeyIdentifier: true,
  });
  return {
    identity,
    spiffeId,
    certChainPem: [leaf.certificatePem],
    privateKeyHex: keyPair.privateKeyHex,
    notBeforeMs: leaf.certificate.notBeforeMs,
    notAfterMs: leaf.certificate.notAfterMs,
    rotateAtMs: svidRotationTimeMs(leaf.certificate.notBeforeMs, leaf.certificate.notAfterMs, random),
  };
}

/** The SVIDs a Cilium agent holds through the Delegated Identity API, keyed by identity. */
export type SvidStore = Readonly<Record<string, IdentitySvid>>;

/** What changed in a store; Cilium re-authenticates on rotation and deletes auth entries on removal. */
export interface SvidEvent {
  type: 'issued' | 'rotated' | 'deleted';
  identity: number;
}

/**
 * Brings a store in line with the current CiliumIdentities at a virtual time: issues SVIDs for new
 * identities, renews those past their rotation time, drops those of deleted identities. Identities
 * are processed in ascending order so the PRNG draws are reproducible.
 */
export function reconcileSvids(
  server: SpireServer,
  store: SvidStore,
  identities: readonly number[],
  atMs: number,
  random: RandomState,
): { store: SvidStore; events: SvidEvent[] } {
  const next: Record<string, IdentitySvid> = {};
  const events: SvidEvent[] = [];
  for (const identity of [...new Set(identities)].sort((a, b) => a - b)) {
    const current = store[String(identity)];
    if (current === undefined) {
      next[String(identity)] = issueIdentitySvid(server, identity, atMs, random);
      events.push({ type: 'issued', identity });
    } else if (atMs >= current.rotateAtMs) {
      next[String(identity)] = issueIdentitySvid(server, identity, atMs, random);
      events.push({ type: 'rotated', identity });
    } else next[String(identity)] = current;
  }
  for (const key of Object.keys(store).sort((a, b) => Number(a) - Number(b)))
    if (next[key] === undefined) events.push({ type: 'deleted', identity: Number(key) });
  return { store: next, events };
}
