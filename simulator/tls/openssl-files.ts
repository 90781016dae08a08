/**
 * The files the reader's `openssl` writes in the TLS-visibility walkthrough, as real DER structures
 * in PEM: RSA private keys (PKCS#8, encrypted with PBES2 for `genrsa -des3`), certificate signing
 * requests (PKCS#10) and X.509 v3 certificates with OpenSSL 3's default extensions, so kubectl,
 * the model's own `openssl x509 -text` and anyone decoding the base64 see the fields they expect.
 *
 * The arithmetic is the model's, not RSA's, because a simulator in the browser should not spend
 * seconds finding 1024-bit primes, and nothing in it needs a key that could sign for real: a key's
 * modulus is 2048 bits derived from the seed and the key's label; a signature is 2048 bits derived
 * from the issuer's modulus and the hash of what is signed, which the verifier recomputes from the
 * issuer certificate; and an encrypted key's body is the key XOR a keystream derived from the pass
 * phrase and the salt, with PKCS#5 padding, so a wrong pass phrase is detected as OpenSSL detects
 * it (the decrypted padding is wrong). The DER around these numbers is what OpenSSL writes.
 */
import { hashString64 } from '../engine/state-hash';
import { oidDer, positiveIntegerContent, sequence, tlv } from '../pki/der';
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../pki/encoding';
import { virtualDate } from '../engine/virtual-time';

const oid = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  desEde3Cbc: '1.2.840.113549.3.7',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  basicConstraints: '2.5.29.19',
} as const;

/** The name attributes `openssl req` asks for, in its order, with their OIDs. */
const nameAttributes = [
  { short: 'C', oid: '2.5.4.6' },
  { short: 'ST', oid: '2.5.4.8' },
  { short: 'L', oid: '2.5.4.7' },
  { short: 'O', oid: '2.5.4.10' },
  { short: 'OU', oid: '2.5.4.11' },
  { short: 'CN', oid: '2.5.4.3' },
  { short: 'emailAddress', oid: '1.2.840.113549.1.9.1' },
] as const;

export type NameAttribute = (typeof nameAttributes)[number]['short'];

/** A distinguished name: the attributes given, in `openssl req`'s order. */
export type Name = readonly { attribute: NameAttribute; value: string }[];

/** An RSA key of the model: its modulus and the private material that goes with it. */
export interface ModelRsaKey {
  modulusHex: string;
  privateHex: string;
}

/**
 * `length` bytes determined by some input bytes and a purpose: the model's stand-in for key
 * derivation and signing, built from the engine's own 64-bit hash so that the datapath can check a
 * signature without the crypto libraries, which stay out of the main bundle.
 */
function derived(input: Uint8Array, purpose: string, length: number): Uint8Array {
  const text = `${purpose}:${toHex(input)}`;
  let hex = '';
  for (let block = 0; hex.length < length * 2; block++) hex += hashString64(`${block}:${text}`);
  return fromHex(hex.slice(0, length * 2));
}

/** A 2048-bit key for a label (`myCA.key` in a run with a seed). */
export function deriveModelRsaKey(seed: number, label: string): ModelRsaKey {
  const modulus = derived(utf8(`seed:${seed}:${label}`), 'rsa-modulus', 256);
  // A modulus has its top bit set (2048 bits exactly) and is odd.
  modulus[0] = (modulus[0] ?? 0) | 0x80;
  modulus[255] = (modulus[255] ?? 0) | 0x01;
  return { modulusHex: toHex(modulus), privateHex: toHex(derived(modulus, 'rsa-private', 256)) };
}

const integer = (hex: string): Uint8Array => tlv(0x02, positiveIntegerContent(hex));
const smallInteger = (value: number): Uint8Array => integer(value.toString(16).padStart(2, '0'));
const nullDer = Uint8Array.from([0x05, 0x00]);
const octets = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
const bits = (bytes: Uint8Array): Uint8Array => tlv(0x03, concatBytes(Uint8Array.from([0]), bytes));
const rsaAlgorithm = (): Uint8Array => sequence(oidDer(oid.rsaEncryption), nullDer);
const signatureAlgorithm = (): Uint8Array => sequence(oidDer(oid.sha256WithRsa), nullDer);

/** SubjectPublicKeyInfo of a key: rsaEncryption with RSAPublicKey { n, e = 65537 }. */
function publicKeyInfo(key: ModelRsaKey): Uint8Array {
  return sequence(rsaAlgorithm(), bits(sequence(integer(key.modulusHex), integer('010001'))));
}

/** RSAPrivateKey (PKCS#1): version, n, e, d, p, q, d mod (p-1), d mod (q-1), q^-1 mod p. */
function rsaPrivateKey(key: ModelRsaKey): Uint8Array {
  const part = (index: number): Uint8Array => integer(key.privateHex.slice(index * 128, index * 128 + 128));
  return sequence(
    smallInteger(0),
    integer(key.modulusHex),
    integer('010001'),
    integer(key.privateHex),
    part(0),
    part(1),
    part(2),
    part(3),
    integer(key.privateHex.slice(0, 128)),
  );
}

/** PKCS#8 PrivateKeyInfo of a key, as `openssl genrsa` writes it without a cipher. */
export function privateKeyInfo(key: ModelRsaKey): Uint8Array {
  return sequence(smallInteger(0), rsaAlgorithm(), octets(rsaPrivateKey(key)));
}

/** The keystream standing in for PBKDF2 and 3DES-CBC (see the header). */
function keystream(passphrase: string, saltHex: string, length: number): Uint8Array {
  return derived(concatBytes(utf8(passphrase), fromHex(saltHex)), 'pbes2-des-ede3-cbc', length);
}

function xor(data: Uint8Array, stream: Uint8Array): Uint8Array {
  return data.map((byte, index) => byte ^ (stream[index] ?? 0));
}

/**
 * EncryptedPrivateKeyInfo with PBES2 (PBKDF2 with HMAC-SHA-256, 2048 iterations, and des-ede3-cbc),
 * the parameters OpenSSL 3 uses for `genrsa -des3`.
 */
export function encryptedPrivateKeyInfo(
  key: ModelRsaKey,
  passphrase: string,
  saltHex: string,
  ivHex: string,
): Uint8Array {
  const plain = privateKeyInfo(key);
  // PKCS#5 padding to the 8-byte block of DES.
  const pad = 8 - (plain.length % 8);
  const padded = concatBytes(plain, new Uint8Array(pad).fill(pad));
  const parameters = sequence(
    sequence(
      oidDer(oid.pbkdf2),
      sequence(octets(fromHex(saltHex)), integer('0800'), sequence(oidDer(oid.hmacWithSha256), nullDer)),
    ),
    sequence(oidDer(oid.desEde3Cbc), octets(fromHex(ivHex))),
  );
  return sequence(
    sequence(oidDer(oid.pbes2), parameters),
    octets(xor(padded, keystream(passphrase, saltHex, padded.length))),
  );
}

/** One tag-length-value read back: its tag, content and where it ends. */
interface Tlv {
  tag: number;
  content: Uint8Array;
  end: number;
}

/** Reads the TLV at an offset; undefined when the bytes are not DER. */
function readTlv(bytes: Uint8Array, offset: number): Tlv | undefined {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) return undefined;
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) return undefined;
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + (bytes[offset + 2 + index] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) return undefined;
  return { tag, content: bytes.subarray(offset + header, end), end };
}

/** The elements of a SEQUENCE or SET content. */
function children(content: Uint8Array): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = 0; offset < content.length;) {
    const item = readTlv(content, offset);
    if (item === undefined) return [];
    items.push(item);
    offset = item.end;
  }
  return items;
}

/** The unsigned hex of an INTEGER's content. */
const integerHex = (item: Tlv | undefined): string =>
  toHex(item?.content ?? new Uint8Array()).replace(/^(00)+(?=[0-9a-f]{2})/, '');

/** The key in a PrivateKeyInfo, or undefined when the bytes are not one. */
export function keyOfPrivateKeyInfo(der: Uint8Array): ModelRsaKey | undefined {
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30 || outer.end !== der.length) return undefined;
  const [, , wrapped] = children(outer.content);
  if (wrapped?.tag !== 0x04) return undefined;
  const inner = readTlv(wrapped.content, 0);
  const fields = inner === undefined ? [] : children(inner.content);
  if (fields.length !== 9) return undefined;
  return { modulusHex: integerHex(fields[1]), privateHex: integerHex(fields[3]) };
}

/** Decrypts an EncryptedPrivateKeyInfo; undefined when the pass phrase is wrong (bad padding). */
export function decryptPrivateKeyInfo(der: Uint8Array, passphrase: string): ModelRsaKey | undefined {
  const outer = readTlv(der, 0);
  const [algorithm, body] = outer === undefined ? [] : children(outer.content);
  const [, parameters] = algorithm === undefined ? [] : children(algorithm.content);
  const [kdf] = parameters === undefined ? [] : children(parameters.content);
  const [, kdfParameters] = kdf === undefined ? [] : children(kdf.content);
  const [salt] = kdfParameters === undefined ? [] : children(kdfParameters.content);
  if (body?.tag !== 0x04 || salt === undefined) return undefined;
  const plain = xor(body.content, keystream(passphrase, toHex(salt.content), body.content.length));
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 8 || !plain.subarray(plain.length - pad).every((byte) => byte === pad))
    return undefined;
  return keyOfPrivateKeyInfo(plain.subarray(0, plain.length - pad));
}

/** A Name's DER: one RDN per attribute, country as PrintableString, e-mail as IA5String. */
function nameDer(name: Name): Uint8Array {
  return sequence(
    ...name.map(({ attribute, value }) => {
      const entry = nameAttributes.find((candidate) => candidate.short === attribute);
      const type = attribute === 'C' ? 0x13 : attribute === 'emailAddress' ? 0x16 : 0x0c;
      return tlv(0x31, sequence(oidDer(entry?.oid ?? '2.5.4.3'), tlv(type, utf8(value))));
    }),
  );
}

/** Reads a Name back. */
function readName(item: Tlv | undefined): Name {
  if (item === undefined) return [];
  return children(item.content).flatMap((set) =>
    children(set.content).flatMap((pair) => {
      const [type, value] = children(pair.content);
      if (type === undefined || value === undefined) return [];
      const entry = nameAttributes.find(
        (candidate) => toHex(oidDer(candidate.oid).subarray(2)) === toHex(type.content),
      );
      return entry === undefined
        ? []
        : [{ attribute: entry.short, value: new TextDecoder().decode(value.content) }];
    }),
  );
}

/** The model's signature over a to-be-signed structure by the holder of a modulus. */
function modelSignature(signerModulusHex: string, signed: Uint8Array): Uint8Array {
  return derived(concatBytes(fromHex(signerModulusHex), signed), 'sha256WithRSAEncryption', 256);
}

/** A certificate signing request (PKCS#10) for a key, with the subject and the extra attributes given. */
export function certificationRequest(subject: Name, key: ModelRsaKey): Uint8Array {
  const info = sequence(smallInteger(0), nameDer(subject), publicKeyInfo(key), tlv(0xa0, new Uint8Array()));
  return sequence(info, signatureAlgorithm(), bits(modelSignature(key.modulusHex, info)));
}

/** A CSR's subject and key, when its self-signature checks out. */
export function readCertificationRequest(der: Uint8Array): { subject: Name; modulusHex: string } | undefined {
  const outer = readTlv(der, 0);
  const [info, , signature] = outer === undefined ? [] : children(outer.content);
  if (info === undefined || signature === undefined) return undefined;
  const [, subject, spki] = children(info.content);
  const modulusHex = modulusOfPublicKeyInfo(spki);
  if (modulusHex === undefined) return undefined;
  const infoBytes = concatBytes(Uint8Array.from([0x30]), lengthBytes(info.content.length), info.content);
  if (!bytesEqual(signature.content.subarray(1), modelSignature(modulusHex, infoBytes))) return undefined;
  return { subject: readName(subject), modulusHex };
}

/** The DER length octets of a length. */
function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.from([length]);
  const octetsOfLength: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octetsOfLength.unshift(rest % 256);
  return Uint8Array.from([0x80 | octetsOfLength.length, ...octetsOfLength]);
}

/** The modulus in a SubjectPublicKeyInfo. */
function modulusOfPublicKeyInfo(spki: Tlv | undefined): string | undefined {
  const [, key] = spki === undefined ? [] : children(spki.content);
  if (key?.tag !== 0x03) return undefined;
  const rsa = readTlv(key.content, 1);
  const [modulus] = rsa === undefined ? [] : children(rsa.content);
  return modulus === undefined ? undefined : integerHex(modulus);
}

/** UTCTime of a virtual time, as X.509 writes dates before 2050. */
function utcTime(timeMs: number): Uint8Array {
  const date = virtualDate(timeMs);
  const two = (value: number): string => String(value).padStart(2, '0');
  return tlv(
    0x17,
    utf8(
      `${two(date.year % 100)}${two(date.month)}${two(date.day)}${two(date.hours)}${two(date.minutes)}${two(date.seconds)}Z`,
    ),
  );
}

/** A key identifier: 20 bytes determined by the key (OpenSSL's is the SHA-1 of the key bits). */
export function keyIdentifier(modulusHex: string): Uint8Array {
  return derived(fromHex(modulusHex), 'subjectKeyIdentifier', 20);
}

/** What a certificate says, for `certificate`. */
export interface CertificateSpec {
  serialHex: string;
  issuer: Name;
  subject: Name;
  notBeforeMs: number;
  notAfterMs: number;
  subjectKey: ModelRsaKey;
  issuerModulusHex: string;
  /** `req -x509` marks its certificate a CA (basicConstraints critical CA:TRUE), as openssl.cnf's v3_ca does. */
  ca: boolean;
}

/** An X.509 v3 certificate with OpenSSL 3's default subject and authority key identifiers. */
export function certificate(spec: CertificateSpec): Uint8Array {
  const extension = (id: string, value: Uint8Array, critical = false): Uint8Array =>
    sequence(oidDer(id), ...(critical ? [Uint8Array.from([0x01, 0x01, 0xff])] : []), octets(value));
  const extensions = [
    extension(oid.subjectKeyIdentifier, octets(keyIdentifier(spec.subjectKey.modulusHex))),
    extension(oid.authorityKeyIdentifier, sequence(tlv(0x80, keyIdentifier(spec.issuerModulusHex)))),
    ...(spec.ca
      ? [extension(oid.basicConstraints, sequence(Uint8Array.from([0x01, 0x01, 0xff])), true)]
      : []),
  ];
  const tbs = sequence(
    tlv(0xa0, smallInteger(2)),
    integer(spec.serialHex),
    signatureAlgorithm(),
    nameDer(spec.issuer),
    sequence(utcTime(spec.notBeforeMs), utcTime(spec.notAfterMs)),
    nameDer(spec.subject),
    publicKeyInfo(spec.subjectKey),
    tlv(0xa3, sequence(...extensions)),
  );
  return sequence(tbs, signatureAlgorithm(), bits(modelSignature(spec.issuerModulusHex, tbs)));
}

/** What the model reads back from a certificate. */
export interface ReadCertificate {
  subject: Name;
  issuer: Name;
  modulusHex: string;
  ca: boolean;
  /** Checks the signature with a candidate issuer's modulus. */
  signedBy(issuerModulusHex: string): boolean;
}

/** A certificate written by `certificate`, or undefined for anything else. */
export function readCertificate(der: Uint8Array): ReadCertificate | undefined {
  const outer = readTlv(der, 0);
  const [tbs, , signature] = outer === undefined ? [] : children(outer.content);
  if (tbs === undefined || signature?.tag !== 0x03) return undefined;
  const fields = children(tbs.content);
  const [, , , issuer, , subject, spki, extensions] = fields;
  const modulusHex = modulusOfPublicKeyInfo(spki);
  if (modulusHex === undefined) return undefined;
  const tbsBytes = concatBytes(Uint8Array.from([0x30]), lengthBytes(tbs.content.length), tbs.content);
  const basic = oidDer(oid.basicConstraints);
  const ca = extensions !== undefined && toHex(extensions.content).includes(`${toHex(basic)}0101ff`);
  return {
    subject: readName(subject),
    issuer: readName(issuer),
    modulusHex,
    ca,
    signedBy: (issuerModulusHex) =>
      bytesEqual(signature.content.subarray(1), modelSignature(issuerModulusHex, tbsBytes)),
  };
}

/** A Name as OpenSSL 3 prints it in `subject=`: `C = AU, ST = Some-State, CN = httpbin.org`. */
export function opensslNameText(name: Name): string {
  return name.map(({ attribute, value }) => `${attribute} = ${value}`).join(', ');
}
