import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedRandom } from '../../../simulator/engine/prng';
import { parseCertificate } from '../../../simulator/pki/certificate';
import { verifyChain } from '../../../simulator/pki/verify';
import { issueIdentitySvid, reconcileSvids } from '../../../simulator/spire/spire';
import {
  ciliumSni,
  ciliumSpiffeId,
  identityFromSni,
  spireCaSchedule,
  spireDefaults,
  svidRotationTimeMs,
  validateCiliumIdentity,
} from '../../../simulator/spire/svid-rules';
import { helloworldIdentity, helloworldSvid, spire } from '../tls/fixtures';

const hourMs = 3_600_000;

// SPIRE as Cilium mutual authentication deploys it
// (https://docs.cilium.io/en/v1.14/network/servicemesh/mutual-authentication/mutual-authentication/): one SVID per Cilium identity in the
// spiffe.cilium trust domain, with SPIRE's default lifetimes.
describe('spire: SVIDs for Cilium identities', () => {
  it('names identities in the spiffe.cilium trust domain and maps SNI both ways', () => {
    expect(ciliumSpiffeId(13174)).toBe('spiffe://spiffe.cilium/identity/13174');
    expect(ciliumSni(13174)).toBe('13174.spiffe.cilium');
    expect(identityFromSni('13174.spiffe.cilium')).toBe(13174);
    expect(identityFromSni('13174.spire.cilium')).toBeUndefined();
  });

  it('uses SPIRE’s defaults: a 24 h CA and 1 h SVIDs, backdated 10 s', () => {
    const ca = parseCertificate(spire.ca.certificatePem);
    expect(ca.notAfterMs - ca.notBeforeMs).toBe(spireDefaults.caTtlMs + 10_000);
    expect(ca.subject.map((entry) => entry.attribute)).toEqual(['C', 'O', 'serialNumber']);
    expect(ca.subjectAltName?.uris).toEqual(['spiffe://spiffe.cilium']);
    expect(ca.keyUsage?.usages).toEqual(['keyCertSign', 'cRLSign']);
    const svid = parseCertificate(helloworldSvid.certChainPem[0] ?? '');
    expect(svid.notAfterMs - svid.notBeforeMs).toBe(hourMs + 10_000);
    expect(svid.subject).toEqual([
      { attribute: 'C', value: 'US' },
      { attribute: 'O', value: 'SPIRE' },
    ]);
    expect(svid.subjectAltName).toEqual({
      uris: [ciliumSpiffeId(helloworldIdentity)],
      dnsNames: [],
      critical: false,
    });
    expect(svid.keyUsage?.usages).toEqual(['digitalSignature', 'keyEncipherment', 'keyAgreement']);
    expect(
      verifyChain(helloworldSvid.certChainPem, [spire.ca.certificatePem], 2000, { usage: 'serverAuth' }).ok,
    ).toBe(true);
  });

  it('validates exactly one URI SAN equal to the expected identity, as Cilium does', () => {
    expect(validateCiliumIdentity(32225, [ciliumSpiffeId(32225)]).valid).toBe(true);
    expect(validateCiliumIdentity(32225, [ciliumSpiffeId(13174)]).valid).toBe(false);
    expect(validateCiliumIdentity(32225, [ciliumSpiffeId(32225), ciliumSpiffeId(13174)]).valid).toBe(false);
  });

  it('renews every SVID before it expires, within half its life ± 10 % (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 60_000, max: 20 * hourMs }),
        (prngSeed, ttlMs) => {
          const notBeforeMs = 0;
          const notAfterMs = ttlMs;
          const rotateAtMs = svidRotationTimeMs(notBeforeMs, notAfterMs, seedRandom(prngSeed));
          const half = Math.floor(ttlMs / 2);
          expect(rotateAtMs).toBeLessThan(notAfterMs);
          expect(notAfterMs - rotateAtMs).toBeGreaterThanOrEqual(half - Math.floor(half / 10));
          expect(notAfterMs - rotateAtMs).toBeLessThan(half + Math.floor(half / 10) + 1);
        },
      ),
    );
  });

  it('never lets an SVID outlive its CA and schedules the next CA', () => {
    const late = issueIdentitySvid(spire, 1, spireDefaults.caTtlMs - 10 * 60_000, seedRandom(1));
    expect(late.notAfterMs).toBe(parseCertificate(spire.ca.certificatePem).notAfterMs);
    expect(spireCaSchedule(0, 24 * hourMs)).toEqual({ prepareAtMs: 12 * hourMs, activateAtMs: 20 * hourMs });
  });

  it('issues, rotates and drops SVIDs as identities come and go', () => {
    const random = seedRandom(3);
    const first = reconcileSvids(spire, {}, [300, 256], 0, random);
    expect(first.events).toEqual([
      { type: 'issued', identity: 256 },
      { type: 'issued', identity: 300 },
    ]);
    const quiet = reconcileSvids(spire, first.store, [256, 300], 60_000, random);
    expect(quiet.events).toEqual([]);
    const later = reconcileSvids(spire, quiet.store, [256], 40 * 60_000, random);
    expect(later.events).toEqual([
      { type: 'rotated', identity: 256 },
      { type: 'deleted', identity: 300 },
    ]);
  });
});
