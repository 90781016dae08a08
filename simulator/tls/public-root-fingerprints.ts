/**
 * What the datapath needs to know of the public roots (tls/public-roots.ts): a fingerprint of each
 * root certificate, so that Envoy's check of a CA bundle ("does it hold the root this server's
 * chain ends in?") runs without bundling the certificates themselves into the simulator core. The
 * PEM text is only needed when a reader prints the system bundle, which the lazily loaded terminal
 * does. A fingerprint is the 64-bit hash of the certificate's base64 body; a unit test recomputes
 * them from the PEMs so the two files cannot drift apart.
 */
import { hashString64 } from '../engine/state-hash';

/** The fingerprint of each modelled public root, by the subject's common name. */
export const publicRootFingerprints: Readonly<Record<string, string>> = {
  'Amazon Root CA 1': 'f4b5fcc58a62877d',
  'DigiCert Global Root G2': '6b12ffac34c6ce66',
  'GTS Root R1': 'c713aef21412737a',
  'ISRG Root X1': '809a713710746e51',
  'USERTrust ECC Certification Authority': '115694d724f2e3b0',
};

/** Where Debian, Ubuntu and Alpine keep the system CA bundle that curl and OpenSSL read by default. */
export const systemCaBundlePath = '/etc/ssl/certs/ca-certificates.crt';

/** The base64 bodies of every CERTIFICATE PEM block in a text, whitespace removed. */
export function certificateBodies(text: string): string[] {
  const pattern = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  return [...text.matchAll(pattern)].map((match) => (match[1] ?? '').replace(/\s+/g, ''));
}

/** The fingerprint of one certificate's base64 body. */
export function certificateFingerprint(body: string): string {
  return hashString64(body);
}

/** Whether a CA bundle (PEM text) contains the named public root. */
export function bundleTrustsRoot(bundle: string, rootName: string): boolean {
  const wanted = publicRootFingerprints[rootName];
  if (wanted === undefined) return false;
  return certificateBodies(bundle).some((body) => certificateFingerprint(body) === wanted);
}

/** How many certificates a CA bundle holds (Envoy refuses a trusted-CA input with none). */
export function bundleCertificateCount(bundle: string): number {
  return certificateBodies(bundle).length;
}
