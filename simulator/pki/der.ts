/**
 * A minimal DER writer for the small X.509 extension values the simulator issues (key usage,
 * extended key usage, basic constraints, key identifiers, subject alternative names). Writing them
 * by hand keeps every byte under control, so the certificates match what Go's crypto/x509 (used by
 * istiod and SPIRE) produces for the same fields.
 */
import { concatBytes, fromHex, utf8 } from './encoding';

/** One tag-length-value with a definite DER length. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const lengthBytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  return concatBytes(Uint8Array.from(header), content);
}

/** DER of an OBJECT IDENTIFIER in dotted form. */
export function oidDer(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const body: number[] = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      chunk.unshift(0x80 | (value & 0x7f));
    body.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(body));
}

/** DER SEQUENCE of already-encoded elements. */
export function sequence(...elements: readonly Uint8Array[]): Uint8Array {
  return tlv(0x30, concatBytes(...elements));
}

/** DER INTEGER from a non-negative JavaScript integer. */
function integerDer(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** The content octets of a DER INTEGER for a positive big-endian hex value (a leading 00 if needed). */
export function positiveIntegerContent(hex: string): Uint8Array {
  const trimmed = hex.replace(/^(00)+/, '') || '00';
  const bytes = fromHex(trimmed.length % 2 === 0 ? trimmed : `0${trimmed}`);
  return (bytes[0] ?? 0) & 0x80 ? concatBytes(Uint8Array.of(0), bytes) : bytes;
}

/** RFC 5280 4.2.1.3 key usage bits, in bit order. */
export const keyUsageBits = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** One RFC 5280 key usage. */
export type KeyUsageName = (typeof keyUsageBits)[number];

/** A BIT STRING with the named bits set and trailing zero bits dropped, as DER requires. */
export function keyUsageDer(usages: readonly KeyUsageName[]): Uint8Array {
  const indexes = usages.map((usage) => keyUsageBits.indexOf(usage));
  const highest = Math.max(...indexes);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const index of indexes)
    bytes[Math.floor(index / 8)] = (bytes[Math.floor(index / 8)] ?? 0) | (0x80 >> (index % 8));
  return tlv(0x03, concatBytes(Uint8Array.of(7 - (highest % 8)), bytes));
}

/** DER of BasicConstraints: cA is omitted when false (DEFAULT FALSE), as Go writes `30 00`. */
export function basicConstraintsDer(ca: boolean, pathLength?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  if (ca) parts.push(Uint8Array.of(0x01, 0x01, 0xff));
  if (pathLength !== undefined) parts.push(integerDer(pathLength));
  return sequence(...parts);
}

/** DER of SubjectAltName with URIs ([6] IA5String) after DNS names ([2]), Go's order. */
export function subjectAltNameDer(dnsNames: readonly string[], uris: readonly string[]): Uint8Array {
  return sequence(
    ...dnsNames.map((name) => tlv(0x82, utf8(name))),
    ...uris.map((uri) => tlv(0x86, utf8(uri))),
  );
}

/** DER of AuthorityKeyIdentifier holding only keyIdentifier ([0] IMPLICIT OCTET STRING). */
export function authorityKeyIdDer(keyId: Uint8Array): Uint8Array {
  return sequence(tlv(0x80, keyId));
}
