/**
 * SPIRE's rules as Cilium's mutual authentication uses them, without any certificate code, so the
 * event loop (cilium/spire-model.ts, which keeps SVIDs as metadata) and the PKI that renders them
 * (spire.ts, loaded outside the event loop) follow one model:
 *
 * - Trust domain `spiffe.cilium` (agent flag `mesh-auth-spiffe-trust-domain`); one SPIRE entry per
 *   CiliumIdentity, SPIFFE ID `spiffe://spiffe.cilium/identity/<id>`; an agent asks its peer for an
 *   identity's certificate with SNI `<id>.spiffe.cilium` and accepts a certificate that names
 *   exactly that identity (cilium/cilium `pkg/auth/spire/certificate_provider.go`:
 *   NumericIdentityToSNI, SNIToNumericIdentity, ValidateIdentity).
 * - SPIRE server defaults (spiffe/spire `doc/spire_server.md`): `default_x509_svid_ttl` 1 h,
 *   `ca_ttl` 24 h. NotBefore is backdated by a 10 s cushion, and an SVID never outlives its CA
 *   (`pkg/server/credtemplate/builder.go`).
 * - Rotation: an X.509-SVID is renewed once its remaining life is below a half-life jittered by
 *   ±10 % of itself (`pkg/common/rotationutil`); the server prepares the next CA at half its
 *   life and activates it when a sixth remains, with caps of 30 and 7 days
 *   (`pkg/server/ca/manager/slot.go`).
 */
import { nextInt, type RandomState } from '../engine/prng';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** SPIRE's and Cilium's defaults. */
export const spireDefaults = {
  trustDomain: 'spiffe.cilium',
  x509SvidTtlMs: hourMs,
  caTtlMs: 24 * hourMs,
  notBeforeCushionMs: 10_000,
  preparationThresholdCapMs: 30 * dayMs,
  activationThresholdCapMs: 7 * dayMs,
} as const;

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

/** The validity of a SPIRE CA created at a virtual time. */
export function spireCaValidity(
  createdAtMs: number,
  caTtlMs: number = spireDefaults.caTtlMs,
): { notBeforeMs: number; notAfterMs: number } {
  return { notBeforeMs: createdAtMs - spireDefaults.notBeforeCushionMs, notAfterMs: createdAtMs + caTtlMs };
}

/** The validity of an X.509-SVID issued at a virtual time by a CA that expires at `caNotAfterMs`. */
export function svidValidity(
  issuedAtMs: number,
  caNotAfterMs: number,
  ttlMs: number = spireDefaults.x509SvidTtlMs,
): { notBeforeMs: number; notAfterMs: number } {
  return {
    notBeforeMs: issuedAtMs - spireDefaults.notBeforeCushionMs,
    notAfterMs: Math.min(issuedAtMs + ttlMs, caNotAfterMs),
  };
}

/**
 * When an X.509-SVID is renewed: once `notAfter − now` drops below a half-life jittered by ±10 %
 * of the half-life (rotationutil.shouldRotateByHalf). Draws once from the PRNG.
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
