import { describe, expect, it } from 'vitest';
import { publicRoots, systemCaBundle } from '../../../simulator/tls/public-roots';
import {
  bundleTrustsRoot,
  certificateBodies,
  certificateFingerprint,
  publicRootFingerprints,
} from '../../../simulator/tls/public-root-fingerprints';

describe('public roots: the datapath fingerprints and the certificates agree', () => {
  it('has one fingerprint per root, computed from its certificate', () => {
    expect(Object.keys(publicRootFingerprints).sort()).toEqual(publicRoots.map((root) => root.name).sort());
    for (const root of publicRoots) {
      const [body] = certificateBodies(root.pem);
      expect(body, root.name).toBeDefined();
      expect(certificateFingerprint(body ?? ''), root.name).toBe(publicRootFingerprints[root.name]);
    }
  });

  it('trusts a root only when the bundle holds that exact certificate', () => {
    const bundle = systemCaBundle();
    for (const root of publicRoots) expect(bundleTrustsRoot(bundle, root.name)).toBe(true);
    const withoutAmazon = publicRoots
      .filter((root) => root.name !== 'Amazon Root CA 1')
      .map((root) => root.pem)
      .join('\n');
    expect(bundleTrustsRoot(withoutAmazon, 'Amazon Root CA 1')).toBe(false);
    // Re-wrapped lines still name the same certificate; one changed character does not.
    const amazon = publicRoots.find((root) => root.name === 'Amazon Root CA 1')?.pem ?? '';
    expect(bundleTrustsRoot(amazon.replace(/\n(?!-)/g, '\n\n'), 'Amazon Root CA 1')).toBe(true);
    expect(bundleTrustsRoot(amazon.replace('MIIDQTCC', 'MIIDQTCD'), 'Amazon Root CA 1')).toBe(false);
  });
});
