/**
 * Real X.509 v3 certificates (RFC 5280) built, signed, encoded and parsed in the simulator. Keys are
 * ECDSA P-256 and signatures ECDSA-SHA-256 (see keys.ts); the outer structures are encoded with
 * @peculiar/asn1-x509 and the extension values with the small writer in der.ts. Validity times are
 * virtual: milliseconds on the simulation clock, stored in the certificate as UTC wall-clock times
 * from the virtual epoch and rounded down to whole seconds, the resolution of UTCTime.
 *
 * Everything a caller keeps is plain data (PEM strings and the ParsedCertificate object), so it can
 * live in a world snapshot or an XState context.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { sha1 } from '@noble/hashes/legacy.js';
import { virtualEpochMs } from '../engine/virtual-time';
import {
  authorityKeyIdDer,
  basicConstraintsDer,
  keyUsageBits,
  keyUsageDer,
  oidDer,
  positiveIntegerContent,
  sequence,
  subjectAltNameDer,
  tlv,
  type KeyUsageName,
} from './der';
import { concatBytes, fromHex, pemBlocks, toArrayBuffer, toHex, toPem } from './encoding';
import { signSha256 } from './keys';

export type { KeyUsageName } from './der';

/** Object identifiers the simulator writes and reads. */
const oids = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Distinguished-name attributes the simulator uses, by their usual short names. */
export type DnAttribute = 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'serialNumber';

const dnAttributeOids: Readonly<Record<DnAttribute, string>> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  serialNumber: '2.5.4.5',
};

/** One attribute of a distinguished name. Each is its own RDN, as Go's pkix.Name writes them. */
export interface DnEntry {
  attribute: DnAttribute;
  value: string;
}

/** A distinguished name in encoding order; an empty list is the empty name (Istio leaf subjects). */
export type DistinguishedName = readonly DnEntry[];

/** Extended key usages the simulator issues. */
export type ExtendedKeyUsageName = 'serverAuth' | 'clientAuth';

/**
 * Everything a certificate says, before it is signed. Extensions are written in the order Go's
 * crypto/x509 uses: key usage, extended key usage, basic constraints, subject key identifier,
 * authority key identifier, subject alternative name.
 */
export interface CertificateTemplate {
  /** Positive serial number, big-endian hex. */
  serialNumberHex: string;
  subject: DistinguishedName;
  /** Virtual times (ms on the simulation clock). */
  notBeforeMs: number;
  notAfterMs: number;
  /** The subject's public key (uncompressed P-256 point, hex). */
  subjectPublicKeyHex: string;
  keyUsage?: { usages: readonly KeyUsageName[]; critical: boolean };
  extendedKeyUsage?: readonly ExtendedKeyUsageName[];
  basicConstraints?: { ca: boolean; pathLength?: number; critical: boolean };
  /** Adds a subject key identifier (SHA-1 of the public key, RFC 5280 4.2.1.2 method 1). */
  subjectKeyIdentifier?: boolean;
  /** Adds the issuer's key identifier, if the issuer has one. */
  authorityKeyIdentifier?: boolean;
  subjectAltName?: { uris: readonly string[]; dnsNames: readonly string[]; critical: boolean };
}

/** The signer of a certificate: its name, key identifier and private key. */
export interface Signer {
  name: DistinguishedName;
  /** The issuer's subject key identifier (hex), copied into the authority key identifier. */
  subjectKeyIdHex?: string;
  privateKeyHex: string;
}

/** A certificate read back from DER, as plain data. */
export interface ParsedCertificate {
  version: number;
  serialNumberHex: string;
  signatureAlgorithm: string;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBeforeMs: number;
  notAfterMs: number;
  publicKeyAlgorithm: string;
  namedCurve: string | undefined;
  publicKeyHex: string;
  keyUsage: { usages: KeyUsageName[]; critical: boolean } | undefined;
  extendedKeyUsage: { usages: string[]; critical: boolean } | undefined;
  basicConstraints: { ca: boolean; pathLength: number | undefined; critical: boolean } | undefined;
  subjectKeyIdHex: string | undefined;
  authorityKeyIdHex: string | undefined;
  subjectAltName: { uris: string[]; dnsNames: string[]; critical: boolean } | undefined;
  /** Every extension, in order, as (oid, critical) pairs. */
  extensions: { oid: string; critical: boolean }[];
  /** The exact TBSCertificate bytes the signature covers, hex. */
  tbsHex: string;
  /** The DER signature value, hex. */
  signatureHex: string;
  /** The whole certificate, DER hex. */
  derHex: string;
}

/** Absolute wall-clock ms for a virtual time, rounded down to whole seconds. */
function certificateTimeMs(virtualMs: number): number {
  return Math.floor((virtualEpochMs + virtualMs) / 1000) * 1000;
}

/** The virtual time (simulation ms) at which a certificate time falls. */
function virtualTimeMs(absoluteMs: number): number {
  return absoluteMs - virtualEpochMs;
}

/** Go encodes strings as PrintableString when every character is printable, else UTF8String. */
function attributeValue(value: string): AttributeValue {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)
    ? new AttributeValue({ printableString: value })
    : new AttributeValue({ utf8String: value });
}

function encodeName(name: DistinguishedName): Name {
  return new Name(
    name.map(
      (entry) =>
        new RelativeDistinguishedName([
          new AttributeTypeAndValue({
            type: dnAttributeOids[entry.attribute],
            value: attributeValue(entry.value),
          }),
        ]),
    ),
  );
}

function decodeName(name: Name): DnEntry[] {
  const entries: DnEntry[] = [];
  for (const rdn of name) {
    for (const attribute of rdn) {
      const short = (Object.keys(dnAttributeOids) as DnAttribute[]).find(
        (key) => dnAttributeOids[key] === attribute.type,
      );
      if (short === undefined) throw new Error(`unsupported name attribute ${attribute.type}`);
      entries.push({ attribute: short, value: attribute.value.toString() });
    }
  }
  return entries;
}

function validity(notBeforeMs: number, notAfterMs: number): Validity {
  // Built without Validity's constructor, whose defaults read the wall clock.
  const value = Object.create(Validity.prototype) as Validity;
  value.notBefore = new Time(certificateTimeMs(notBeforeMs));
  value.notAfter = new Time(certificateTimeMs(notAfterMs));
  return value;
}

function extension(oid: string, critical: boolean, value: Uint8Array): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(toArrayBuffer(value)) });
}

/** The SHA-1 key identifier of a public key, as Go, istiod and SPIRE compute it. */
export function keyIdentifierHex(publicKeyHex: string): string {
  return toHex(sha1(fromHex(publicKeyHex)));
}

const ecdsaWithSha256 = (): AlgorithmIdentifier =>
  new AlgorithmIdentifier({ algorithm: oids.ecdsaWithSha256 });

/** The TBSCertificate a template and issuer describe. */
function tbsCertificate(template: CertificateTemplate, issuer: Signer): TBSCertificate {
  const extensions: Extension[] = [];
  if (template.keyUsage !== undefined)
    extensions.push(
      extension(oids.keyUsage, template.keyUsage.critical, keyUsageDer(template.keyUsage.usages)),
    );
  if (template.extendedKeyUsage !== undefined && template.extendedKeyUsage.length > 0)
    extensions.push(
      extension(
        oids.extendedKeyUsage,
        false,
        sequence(...template.extendedKeyUsage.map((usage) => oidDer(oids[usage]))),
      ),
    );
  if (template.basicConstraints !== undefined)
    extensions.push(
      extension(
        oids.basicConstraints,
        template.basicConstraints.critical,
        basicConstraintsDer(template.basicConstraints.ca, template.basicConstraints.pathLength),
      ),
    );
  if (template.subjectKeyIdentifier === true) {
    const keyId = fromHex(keyIdentifierHex(template.subjectPublicKeyHex));
    extensions.push(extension(oids.subjectKeyIdentifier, false, Uint8Array.of(0x04, keyId.length, ...keyId)));
  }
  if (template.authorityKeyIdentifier === true && issuer.subjectKeyIdHex !== undefined)
    extensions.push(
      extension(oids.authorityKeyIdentifier, false, authorityKeyIdDer(fromHex(issuer.subjectKeyIdHex))),
    );
  if (template.subjectAltName !== undefined)
    extensions.push(
      extension(
        oids.subjectAltName,
        template.subjectAltName.critical,
        subjectAltNameDer(template.subjectAltName.dnsNames, template.subjectAltName.uris),
      ),
    );
  return new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(positiveIntegerContent(template.serialNumberHex)),
    signature: ecdsaWithSha256(),
    issuer: encodeName(issuer.name),
    validity: validity(template.notBeforeMs, template.notAfterMs),
    subject: encodeName(template.subject),
    subjectPublicKeyInfo: new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({
        algorithm: oids.ecPublicKey,
        parameters: toArrayBuffer(oidDer(oids.prime256v1)),
      }),
      subjectPublicKey: toArrayBuffer(fromHex(template.subjectPublicKeyHex)),
    }),
    extensions: new Extensions(extensions),
  });
}

/**
 * Signs a template with the issuer's key and returns the certificate's DER. The outer SEQUENCE is
 * assembled from the exact TBSCertificate bytes that were signed.
 */
export function signCertificate(template: CertificateTemplate, issuer: Signer): Uint8Array {
  const tbs = new Uint8Array(AsnConvert.serialize(tbsCertificate(template, issuer)));
  const signature = signSha256(issuer.privateKeyHex, tbs);
  return sequence(
    tbs,
    sequence(oidDer(oids.ecdsaWithSha256)),
    tlv(0x03, concatBytes(Uint8Array.of(0), signature)),
  );
}

/** PEM of a certificate's DER. */
export function certificatePem(der: Uint8Array): string {
  return toPem('CERTIFICATE', der);
}

function parseExtension<T>(value: OctetString, type: new () => T): T {
  return AsnConvert.parse(value.buffer, type);
}

/**
 * Parsed certificates by PEM text. Parsing is pure, so the cache cannot change a result; it only
 * saves time when a handshake or a verifier reads the same PEM many times. Bounded and cleared whole.
 * The objects returned for a PEM string are shared: treat them as read-only.
 */
const parsedByPem = new Map<string, ParsedCertificate>();

/** Parses a DER certificate (or the first certificate of a PEM text) into plain data. */
export function parseCertificate(input: Uint8Array | string): ParsedCertificate {
  if (typeof input !== 'string') return parseDer(input);
  const cached = parsedByPem.get(input);
  if (cached !== undefined) return cached;
  const parsed = parseDer(firstPem(input));
  if (parsedByPem.size >= 512) parsedByPem.clear();
  parsedByPem.set(input, parsed);
  return parsed;
}

function parseDer(der: Uint8Array): ParsedCertificate {
  const certificate = AsnConvert.parse(der, Certificate);
  const tbs = certificate.tbsCertificate;
  const rawTbs =
    certificate.tbsCertificateRaw === undefined
      ? new Uint8Array(AsnConvert.serialize(tbs))
      : new Uint8Array(certificate.tbsCertificateRaw);
  const spki = tbs.subjectPublicKeyInfo;
  const parameters = spki.algorithm.parameters;
  const parsed: ParsedCertificate = {
    version: tbs.version + 1,
    serialNumberHex: toHex(new Uint8Array(tbs.serialNumber)).replace(/^(00)+(?=.)/, ''),
    signatureAlgorithm: certificate.signatureAlgorithm.algorithm,
    issuer: decodeName(tbs.issuer),
    subject: decodeName(tbs.subject),
    notBeforeMs: virtualTimeMs(tbs.validity.notBefore.getTime().getTime()),
    notAfterMs: virtualTimeMs(tbs.validity.notAfter.getTime().getTime()),
    publicKeyAlgorithm: spki.algorithm.algorithm,
    namedCurve:
      parameters === undefined || parameters === null
        ? undefined
        : toHex(new Uint8Array(parameters)) === toHex(oidDer(oids.prime256v1))
          ? oids.prime256v1
          : toHex(new Uint8Array(parameters)),
    publicKeyHex: toHex(new Uint8Array(spki.subjectPublicKey)),
    keyUsage: undefined,
    extendedKeyUsage: undefined,
    basicConstraints: undefined,
    subjectKeyIdHex: undefined,
    authorityKeyIdHex: undefined,
    subjectAltName: undefined,
    extensions: [],
    tbsHex: toHex(rawTbs),
    signatureHex: toHex(new Uint8Array(certificate.signatureValue)),
    derHex: toHex(der),
  };
  for (const ext of tbs.extensions ?? []) {
    parsed.extensions.push({ oid: ext.extnID, critical: ext.critical });
    switch (ext.extnID) {
      case oids.keyUsage: {
        const bits = parseExtension(ext.extnValue, KeyUsage).toNumber();
        parsed.keyUsage = {
          usages: keyUsageBits.filter((_name, index) => (bits & (1 << index)) !== 0),
          critical: ext.critical,
        };
        break;
      }
      case oids.extendedKeyUsage: {
        const usages = [...parseExtension(ext.extnValue, ExtendedKeyUsage)].map((oid) =>
          oid === oids.serverAuth ? 'serverAuth' : oid === oids.clientAuth ? 'clientAuth' : oid,
        );
        parsed.extendedKeyUsage = { usages, critical: ext.critical };
        break;
      }
      case oids.basicConstraints: {
        const constraints = parseExtension(ext.extnValue, BasicConstraints);
        parsed.basicConstraints = {
          ca: constraints.cA,
          pathLength: constraints.pathLenConstraint,
          critical: ext.critical,
        };
        break;
      }
      case oids.subjectKeyIdentifier:
        parsed.subjectKeyIdHex = toHex(
          new Uint8Array(parseExtension(ext.extnValue, SubjectKeyIdentifier).buffer),
        );
        break;
      case oids.authorityKeyIdentifier: {
        const keyId = parseExtension(ext.extnValue, AuthorityKeyIdentifier).keyIdentifier;
        parsed.authorityKeyIdHex = keyId === undefined ? undefined : toHex(new Uint8Array(keyId.buffer));
        break;
      }
      case oids.subjectAltName: {
        const names = [...parseExtension(ext.extnValue, SubjectAlternativeName)];
        parsed.subjectAltName = {
          uris: names.flatMap((name) =>
            name.uniformResourceIdentifier === undefined ? [] : [name.uniformResourceIdentifier],
          ),
          dnsNames: names.flatMap((name) => (name.dNSName === undefined ? [] : [name.dNSName])),
          critical: ext.critical,
        };
        break;
      }
      default:
        break;
    }
  }
  return parsed;
}

function firstPem(text: string): Uint8Array {
  const [first] = pemBlocks(text);
  if (first === undefined) throw new Error('no CERTIFICATE PEM block found');
  return first;
}

/** A distinguished name as Go's pkix.Name.String() and step print it (`O=cluster.local`), in order. */
export function formatDistinguishedName(name: DistinguishedName, separator = ','): string {
  const label = (attribute: DnAttribute): string =>
    attribute === 'serialNumber' ? 'SERIALNUMBER' : attribute;
  return name.map((entry) => `${label(entry.attribute)}=${entry.value}`).join(separator);
}

/** Compares two distinguished names attribute by attribute. */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return (
    a.length === b.length &&
    a.every((entry, i) => entry.attribute === b[i]?.attribute && entry.value === b[i]?.value)
  );
}
