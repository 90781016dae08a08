/**
 * A certificate authority and the requests it signs. A CA is a self-signed root (or any signer) with
 * its key; a leaf is issued from a signing request, which here is a CSR-like plain object: the
 * requester's subject, public key and wanted names, signed with the requester's private key so the
 * CA can check possession of the key, as a PKCS#10 CSR's self-signature lets it.
 */
import {
  certificatePem,
  keyIdentifierHex,
  parseCertificate,
  signCertificate,
  type DistinguishedName,
  type ExtendedKeyUsageName,
  type KeyUsageName,
  type ParsedCertificate,
  type Signer,
} from './certificate';
import { fromHex, toHex, utf8 } from './encoding';
import { deriveKeyPair, deriveSerialHex, signSha256, verifySha256, type KeyPair, type PkiSeed } from './keys';

/** A CA as plain data: its certificate, key and the identifiers a child certificate copies. */
export interface CertificateAuthority {
  name: DistinguishedName;
  keyPair: KeyPair;
  certificatePem: string;
  subjectKeyIdHex: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/** What a self-signed root says. */
export interface RootSpec {
  seed: PkiSeed;
  /** Names the root's key among everything derived from the seed (e.g. `istiod-root`). */
  keyLabel: string;
  subject: DistinguishedName;
  notBeforeMs: number;
  notAfterMs: number;
  keyUsage: readonly KeyUsageName[];
  /** URI SANs on the CA itself (SPIRE puts the trust domain's SPIFFE ID there). */
  uris?: readonly string[];
  serialNumberHex?: string;
  /** Adds an authority key identifier equal to the subject key identifier (SPIRE does, Go does not). */
  selfAuthorityKeyIdentifier?: boolean;
}

/** Creates a self-signed root CA: basic constraints CA:TRUE (critical), key usage critical, SKI. */
export function createSelfSignedRoot(spec: RootSpec): CertificateAuthority {
  const keyPair = deriveKeyPair(spec.seed, spec.keyLabel);
  const subjectKeyIdHex = keyIdentifierHex(keyPair.publicKeyHex);
  const signer: Signer = { name: spec.subject, subjectKeyIdHex, privateKeyHex: keyPair.privateKeyHex };
  const uris = spec.uris ?? [];
  const der = signCertificate(
    {
      serialNumberHex:
        spec.serialNumberHex ?? deriveSerialHex(spec.seed, `${spec.keyLabel}@${spec.notBeforeMs}`),
      subject: spec.subject,
      notBeforeMs: spec.notBeforeMs,
      notAfterMs: spec.notAfterMs,
      subjectPublicKeyHex: keyPair.publicKeyHex,
      keyUsage: { usages: spec.keyUsage, critical: true },
      basicConstraints: { ca: true, critical: true },
      subjectKeyIdentifier: true,
      authorityKeyIdentifier: spec.selfAuthorityKeyIdentifier === true,
      ...(uris.length > 0 ? { subjectAltName: { uris, dnsNames: [], critical: false } } : {}),
    },
    signer,
  );
  return {
    name: spec.subject,
    keyPair,
    certificatePem: certificatePem(der),
    subjectKeyIdHex,
    notBeforeMs: spec.notBeforeMs,
    notAfterMs: spec.notAfterMs,
  };
}

/** The signer view of a CA. */
function signerOf(authority: CertificateAuthority): Signer {
  return {
    name: authority.name,
    subjectKeyIdHex: authority.subjectKeyIdHex,
    privateKeyHex: authority.keyPair.privateKeyHex,
  };
}

/** A CSR-like signing request as plain data. */
export interface SigningRequest {
  subject: DistinguishedName;
  publicKeyHex: string;
  /** Names the requester asks for; a CA may ignore them (istiod does, and uses the caller's identity). */
  requestedUris: readonly string[];
  requestedDnsNames: readonly string[];
  /** Signature by the requester's private key over the request's canonical bytes (proof of possession). */
  signatureHex: string;
}

function requestBytes(request: Omit<SigningRequest, 'signatureHex'>): Uint8Array {
  return utf8(
    JSON.stringify([request.subject, request.publicKeyHex, request.requestedUris, request.requestedDnsNames]),
  );
}

/** Builds and signs a request with the requester's key pair. */
export function createSigningRequest(
  keyPair: KeyPair,
  subject: DistinguishedName,
  requestedUris: readonly string[] = [],
  requestedDnsNames: readonly string[] = [],
): SigningRequest {
  const body = { subject, publicKeyHex: keyPair.publicKeyHex, requestedUris, requestedDnsNames };
  return { ...body, signatureHex: toHex(signSha256(keyPair.privateKeyHex, requestBytes(body))) };
}

/** Whether the request was signed by the private key of the public key it carries. */
export function verifySigningRequest(request: SigningRequest): boolean {
  return verifySha256(request.publicKeyHex, requestBytes(request), fromHex(request.signatureHex));
}

/** How a CA fills in a leaf certificate. */
export interface LeafProfile {
  serialNumberHex: string;
  subject: DistinguishedName;
  notBeforeMs: number;
  notAfterMs: number;
  uris: readonly string[];
  dnsNames?: readonly string[];
  keyUsage: readonly KeyUsageName[];
  extendedKeyUsage: readonly ExtendedKeyUsageName[];
  /** Go marks the SAN critical when the subject is empty (RFC 5280 4.2.1.6). Defaults to that rule. */
  subjectAltNameCritical?: boolean;
  subjectKeyIdentifier?: boolean;
}

/** The issued leaf: its PEM, parsed fields and the chain a server would send (leaf first). */
export interface IssuedCertificate {
  certificatePem: string;
  certificate: ParsedCertificate;
}

/** Issues a leaf for a public key: CA:FALSE (critical), key usage (critical), EKU, AKI, SAN. */
export function issueLeaf(
  authority: CertificateAuthority,
  publicKeyHex: string,
  profile: LeafProfile,
): IssuedCertificate {
  const der = signCertificate(
    {
      serialNumberHex: profile.serialNumberHex,
      subject: profile.subject,
      notBeforeMs: profile.notBeforeMs,
      notAfterMs: profile.notAfterMs,
      subjectPublicKeyHex: publicKeyHex,
      keyUsage: { usages: profile.keyUsage, critical: true },
      extendedKeyUsage: profile.extendedKeyUsage,
      basicConstraints: { ca: false, critical: true },
      subjectKeyIdentifier: profile.subjectKeyIdentifier === true,
      authorityKeyIdentifier: true,
      subjectAltName: {
        uris: profile.uris,
        dnsNames: profile.dnsNames ?? [],
        critical: profile.subjectAltNameCritical ?? profile.subject.length === 0,
      },
    },
    signerOf(authority),
  );
  const pem = certificatePem(der);
  return { certificatePem: pem, certificate: parseCertificate(der) };
}
