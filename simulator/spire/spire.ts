/**
 * SPIRE as Cilium's mutual authentication uses it (FACTS §5):
 *
 * - Trust domain `spiffe.cilium` (flag mesh-auth-spiffe-trust-domain).
 * - The operator registers one entry per CiliumIdentity, so there is one X.509-SVID per numeric
 *   identity, `spiffe://spiffe.cilium/identity/<id>`. Every agent receives the SVIDs of *all*
 *   identities through the Delegated Identity API, not only those of its own pods.
 * - SPIRE server defaults (doc/spire_server.md): `default_x509_svid_ttl` 1 h, `ca_ttl` 24 h,
 *   `ca_key_type` ec-p256.
 * - Certificates as SPIRE's credential builder writes them (pkg/server/credtemplate/builder.go):
 *   CA subject `C=US, O=SPIFFE` plus the serial number, URI SAN of the trust domain, key usage
 *   Certificate Sign + CRL Sign; SVID subject `C=US, O=SPIRE`, URI SAN the SPIFFE ID, key usage
 *   Digital Signature + Key Encipherment + Key Agreement, EKU server + client auth, subject and
 *   authority key identifiers. NotBefore is backdated by a 10 s cushion; an SVID never outlives its CA.
 * - Rotation (pkg/common/rotationutil): an X.509-SVID is renewed once its remaining life is below a
 *   jittered half-life (half the lifetime ± 10 % of that half). The server CA is prepared at half its
 *   life and activated when a sixth of it remains (pkg/server/ca/manager/slot.go).
 */
import { createSelfSignedRoot, issueLeaf, type CertificateAuthority } from '../pki/authority';
import { bytesToBigInt, fromHex } from '../pki/encoding';
import { deriveKeyPair, deriveSerialHex, type PkiSeed } from '../pki/keys';
import { nextInt, type RandomState } from '../engine/prng';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** SPIRE and Cilium defaults. */
export const spireDefaults = {
  trustDomain: 'spiffe.cilium',
  x509SvidTtlMs: hourMs,
  caTtlMs: 24 * hourMs,
  notBeforeCushionMs: 10_000,
  preparationThresholdCapMs: 30 * dayMs,
  activationThresholdCapMs: 7 * dayMs,
} as const;

/** A SPIRE server's signing authority. */
export interface SpireServer {
  seed: PkiSeed;
  trustDomain: string;
  ca: CertificateAuthority;
}

/** The SPIFFE ID SPIRE issues for a Cilium security identity. */
export function ciliumSpiffeId(identity: number, trustDomain: string = spireDefaults.trustDomain): string {
  return `spiffe://${trustDomain}/identity/${identity}`;
}

/** The SNI a Cilium agent sends to ask the peer for an identity's certificate (NumericIdentityToSNI). */
export function ciliumSni(identity: number, trustDomain: string = spireDefaults.trustDomain): string {
  return `${identity}.${trustDomain}`;
}

/** The identity an SNI asks for (SNIToNumericIdentity), or undefined when it is not one. */
export function identityFromSni(
  sni: string,
  trustDomain: string = spireDefaults.trustDomain,
): number | undefined {
  const suffix = `.${trustDomain}`;
  if (!sni.endsWith(suffix)) return undefined;
  const text = sni.slice(0, -suffix.length);
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Cilium's ValidateIdentity: the certificate must carry exactly one URI SAN, equal to the expected
 * identity's SPIFFE ID.
 */
export function validateCiliumIdentity(
  expectedIdentity: number,
  uris: readonly string[],
  trustDomain: string = spireDefaults.trustDomain,
): { valid: boolean; reason: string } {
  if (uris.length !== 1)
    return { valid: false, reason: `expected exactly one URI SAN, found ${uris.length}` };
  const expected = ciliumSpiffeId(expectedIdentity, trustDomain);
  return uris[0] === expected
    ? { valid: true, reason: `URI SAN is ${expected}` }
    : { valid: false, reason: `URI SAN ${uris[0] ?? ''} is not ${expected}` };
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
    notBeforeMs: options.createdAtMs - spireDefaults.notBeforeCushionMs,
    notAfterMs: options.createdAtMs + (options.caTtlMs ?? spireDefaults.caTtlMs),
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

/**
 * When an X.509-SVID is renewed: once `notAfter − now` drops below a half-life jittered by ±10 %
 * of the half-life (rotationutil.shouldRotateByHalf). Draws from the PRNG.
 */
export function svidRotationTimeMs(notBeforeMs: number, notAfterMs: number, random: RandomState): number {
  const halfLifeMs = Math.floor((notAfterMs - notBeforeMs) / 2);
  const deltaMs = Math.floor(halfLifeMs / 10);
  const jitteredHalfLifeMs = halfLifeMs - deltaMs + (deltaMs > 0 ? nextInt(random, 2 * deltaMs) : 0);
  return notAfterMs - jitteredHalfLifeMs;
}

/** When a SPIRE server prepares and then activates the next CA (slot.go thresholds). */
export function spireCaSchedule(
  issuedAtMs: number,
  notAfterMs: number,
): { prepareAtMs: number; activateAtMs: number } {
  const lifetimeMs = notAfterMs - issuedAtMs;
  return {
    prepareAtMs: notAfterMs - Math.min(Math.floor(lifetimeMs / 2), spireDefaults.preparationThresholdCapMs),
    activateAtMs: notAfterMs - Math.min(Math.floor(lifetimeMs / 6), spireDefaults.activationThresholdCapMs),
  };
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
  const notBeforeMs = atMs - spireDefaults.notBeforeCushionMs;
  const notAfterMs = Math.min(atMs + ttlMs, server.ca.notAfterMs);
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
