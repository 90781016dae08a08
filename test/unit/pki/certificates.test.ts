import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createSelfSignedRoot,
  createSigningRequest,
  issueLeaf,
  verifySigningRequest,
} from '../../../simulator/pki/authority';
import { formatOpensslX509Text, formatStepCertificateInspect } from '../../../simulator/pki/cert-text';
import { certificatePem, parseCertificate, signCertificate } from '../../../simulator/pki/certificate';
import { fromBase64, fromPem, toBase64, toHex } from '../../../simulator/pki/encoding';
import { deriveKeyPair, publicKeyOf } from '../../../simulator/pki/keys';
import { verifyChain } from '../../../simulator/pki/verify';
import { helloworldSecret, helloworldSvid, istiod, otherMesh, spire } from '../tls/fixtures';

const hourMs = 3_600_000;
const golden = (name: string): string => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');

function testRoot(seed: number | string) {
  return createSelfSignedRoot({
    seed,
    keyLabel: 'root',
    subject: [{ attribute: 'O', value: 'cluster.local' }],
    notBeforeMs: 0,
    notAfterMs: 240 * hourMs,
    keyUsage: ['keyCertSign'],
  });
}

function testLeaf(seed: number | string, root = testRoot(seed), notAfterMs = 24 * hourMs) {
  const key = deriveKeyPair(seed, 'leaf');
  return issueLeaf(root, key.publicKeyHex, {
    serialNumberHex: '3e8c7e559b42ee7de2f81f4f847b2a9f',
    subject: [],
    notBeforeMs: -120_000,
    notAfterMs,
    uris: ['spiffe://cluster.local/ns/default/sa/helloworld'],
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: ['serverAuth', 'clientAuth'],
  });
}

// The certificates are real X.509: they parse back with the fields they were issued with, real
// OpenSSL prints them exactly as the formatter does, and the same seed gives the same bytes.
describe('pki: certificates', () => {
  it('parses an issued leaf back with every field it was given', () => {
    const root = testRoot(1);
    const leaf = parseCertificate(testLeaf(1, root).certificatePem);
    const rootCertificate = parseCertificate(root.certificatePem);
    expect(leaf.version).toBe(3);
    expect(leaf.serialNumberHex).toBe('3e8c7e559b42ee7de2f81f4f847b2a9f');
    expect(leaf.issuer).toEqual([{ attribute: 'O', value: 'cluster.local' }]);
    expect(leaf.subject).toEqual([]);
    expect(leaf.notBeforeMs).toBe(-120_000);
    expect(leaf.notAfterMs).toBe(24 * hourMs);
    expect(leaf.subjectAltName).toEqual({
      uris: ['spiffe://cluster.local/ns/default/sa/helloworld'],
      dnsNames: [],
      critical: true,
    });
    expect(leaf.keyUsage).toEqual({ usages: ['digitalSignature', 'keyEncipherment'], critical: true });
    expect(leaf.extendedKeyUsage).toEqual({ usages: ['serverAuth', 'clientAuth'], critical: false });
    expect(leaf.basicConstraints).toEqual({ ca: false, pathLength: undefined, critical: true });
    expect(leaf.authorityKeyIdHex).toBe(rootCertificate.subjectKeyIdHex);
    expect(leaf.publicKeyHex).toBe(deriveKeyPair(1, 'leaf').publicKeyHex);
    expect(leaf.extensions.map((extension) => extension.oid)).toEqual([
      '2.5.29.15',
      '2.5.29.37',
      '2.5.29.19',
      '2.5.29.35',
      '2.5.29.17',
    ]);
    expect(rootCertificate.basicConstraints?.ca).toBe(true);
    expect(rootCertificate.keyUsage?.usages).toEqual(['keyCertSign']);
  });

  it('gives byte-identical PEMs for the same seed and different ones for another seed', () => {
    expect(testLeaf(1).certificatePem).toBe(testLeaf(1).certificatePem);
    expect(testRoot('a').certificatePem).toBe(testRoot('a').certificatePem);
    expect(testLeaf(1).certificatePem).not.toBe(testLeaf(2).certificatePem);
    expect(deriveKeyPair(1, 'x')).toEqual(deriveKeyPair(1, 'x'));
    expect(publicKeyOf(deriveKeyPair(1, 'x').privateKeyHex)).toBe(deriveKeyPair(1, 'x').publicKeyHex);
  });

  it('round-trips DER through PEM and base64', () => {
    const pem = testLeaf(3).certificatePem;
    const der = fromPem(pem);
    expect(certificatePem(der)).toBe(pem);
    expect(toHex(fromBase64(toBase64(der)))).toBe(toHex(der));
    expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true);
  });

  it('prints exactly what OpenSSL 3.0 prints for the same certificates', () => {
    expect(formatOpensslX509Text(helloworldSecret.certChainPem[0] ?? '')).toBe(golden('hw.openssl-3.0.txt'));
    expect(formatOpensslX509Text(spire.ca.certificatePem)).toBe(golden('spireca.openssl-3.0.txt'));
    expect(formatOpensslX509Text(helloworldSvid.certChainPem[0] ?? '')).toBe(golden('svid.openssl-3.0.txt'));
  });

  it('prints the 1.1.1 and step layouts the seed article shows', () => {
    const pem = helloworldSecret.certChainPem[0] ?? '';
    const old = formatOpensslX509Text(pem, { flavour: '1.1.1' });
    expect(old).toContain('                keyid:');
    expect(old).not.toContain('Signature Value:');
    const step = formatStepCertificateInspect(pem);
    expect(step).toContain('        Signature Algorithm: ECDSA-SHA256\n        Issuer: O=cluster.local\n');
    expect(step).toMatch(/Serial Number: \d+ \(0x[0-9a-f]+\)/);
    expect(step).toContain(
      '            Not Before: Jul 29 08:58:00 2022 UTC\n            Not After : Jul 30 09:00:00 2022 UTC\n        Subject:\n',
    );
    expect(step).toContain(
      '            X509v3 Extended Key Usage:\n                Server Authentication, Client Authentication\n',
    );
    expect(step).toContain(
      '            X509v3 Subject Alternative Name: critical\n                URI:spiffe://cluster.local/ns/default/sa/helloworld\n',
    );
    expect(step).toContain('                Curve: P-256\n');
  });

  it('checks proof of possession on a signing request', () => {
    const key = deriveKeyPair(4, 'requester');
    const request = createSigningRequest(key, [], ['spiffe://cluster.local/ns/default/sa/sleep']);
    expect(verifySigningRequest(request)).toBe(true);
    expect(verifySigningRequest({ ...request, publicKeyHex: deriveKeyPair(4, 'thief').publicKeyHex })).toBe(
      false,
    );
  });
});

describe('pki: chain verification', () => {
  const root = testRoot(5);
  const leaf = testLeaf(5, root);
  const chain = [leaf.certificatePem, root.certificatePem];
  const codes = (result: ReturnType<typeof verifyChain>): string[] =>
    result.problems.map((problem) => problem.code);

  it('accepts a chain to a trust anchor inside its validity, for the usage it allows', () => {
    const result = verifyChain(chain, [root.certificatePem], hourMs, { usage: 'clientAuth' });
    expect(result.ok).toBe(true);
    expect(result.anchored).toBe(true);
    expect(result.path).toHaveLength(2);
    expect(verifyChain([leaf.certificatePem], [root.certificatePem], hourMs).ok).toBe(true);
  });

  it('reports an unknown CA, with OpenSSL’s numbers', () => {
    const foreign = verifyChain([leaf.certificatePem], [otherMesh.root.certificatePem], hourMs);
    expect(codes(foreign)).toEqual(['unknown-ca']);
    expect(foreign.problems[0]?.opensslCode).toBe(21);
    const selfSigned = verifyChain(chain, [istiod.root.certificatePem], hourMs);
    expect(codes(selfSigned)).toEqual(['self-signed-not-trusted']);
    expect(selfSigned.problems[0]?.opensslCode).toBe(19);
  });

  it('reports expired and not-yet-valid certificates at a virtual time', () => {
    expect(codes(verifyChain(chain, [root.certificatePem], 25 * hourMs))).toEqual(['expired']);
    expect(codes(verifyChain(chain, [root.certificatePem], -hourMs))).toEqual([
      'not-yet-valid',
      'not-yet-valid',
    ]);
    expect(codes(verifyChain(chain, [root.certificatePem], 300 * hourMs))).toEqual(['expired', 'expired']);
  });

  it('reports a bad signature, an issuer without CA:TRUE and a usage the leaf does not allow', () => {
    const tampered = parseCertificate(leaf.certificatePem);
    const forged = signCertificate(
      {
        serialNumberHex: tampered.serialNumberHex,
        subject: [],
        notBeforeMs: tampered.notBeforeMs,
        notAfterMs: tampered.notAfterMs,
        subjectPublicKeyHex: tampered.publicKeyHex,
        subjectAltName: {
          uris: ['spiffe://cluster.local/ns/default/sa/admin'],
          dnsNames: [],
          critical: true,
        },
      },
      { name: root.name, privateKeyHex: deriveKeyPair(5, 'not the root').privateKeyHex },
    );
    expect(codes(verifyChain([certificatePem(forged)], [root.certificatePem], hourMs))).toEqual([
      'bad-signature',
    ]);

    const leafAsIssuer = {
      ...root,
      name: [],
      keyPair: deriveKeyPair(5, 'leaf'),
      certificatePem: leaf.certificatePem,
    };
    const grandchild = issueLeaf(leafAsIssuer, deriveKeyPair(5, 'grandchild').publicKeyHex, {
      serialNumberHex: '01',
      subject: [{ attribute: 'CN', value: 'grandchild' }],
      notBeforeMs: 0,
      notAfterMs: hourMs * 2,
      uris: [],
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['serverAuth'],
    });
    expect(
      codes(verifyChain([grandchild.certificatePem, leaf.certificatePem], [root.certificatePem], hourMs)),
    ).toEqual(['issuer-not-ca']);
    expect(
      codes(
        verifyChain([grandchild.certificatePem, leaf.certificatePem], [root.certificatePem], hourMs, {
          usage: 'clientAuth',
        }),
      ),
    ).toEqual(['issuer-not-ca', 'wrong-usage']);
  });

  it('reports an empty chain', () => {
    expect(codes(verifyChain([], [root.certificatePem], hourMs))).toEqual(['empty-chain']);
  });
});
