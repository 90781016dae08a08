/**
 * Byte helpers for the certificate layer: hex, base64, UTF-8 and PEM. The simulator's tsconfig has
 * no DOM or Node types (no TextEncoder, btoa or Buffer), so these are written out here; they are
 * small, pure and identical in Node and the browser.
 */

/** Lowercase hex of some bytes, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Bytes from a hex string (any case, even length). */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not a hex string: ${hex}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000)
      bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
  }
  return Uint8Array.from(bytes);
}

/** Joins byte arrays into one. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Whether two byte strings are equal, byte for byte. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy of some bytes in a fresh ArrayBuffer (the ASN.1 schema library takes ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    text += base64Alphabet[(triple >> 18) & 63];
    text += base64Alphabet[(triple >> 12) & 63];
    text += i + 1 < bytes.length ? base64Alphabet[(triple >> 6) & 63] : '=';
    text += i + 2 < bytes.length ? base64Alphabet[triple & 63] : '=';
  }
  return text;
}

/** Decodes standard base64 (whitespace ignored). */
export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new Error('not base64');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((clean.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const quad = [0, 1, 2, 3].map((k) => {
      const char = clean[i + k] ?? '=';
      return char === '=' ? 0 : base64Alphabet.indexOf(char);
    });
    const triple = ((quad[0] ?? 0) << 18) | ((quad[1] ?? 0) << 12) | ((quad[2] ?? 0) << 6) | (quad[3] ?? 0);
    for (const shift of [16, 8, 0]) {
      if (out < bytes.length) bytes[out++] = (triple >> shift) & 0xff;
    }
  }
  return bytes;
}

/** A PEM block (RFC 7468): the label, then base64 in 64-character lines, with a final newline. */
export function toPem(label: string, der: Uint8Array): string {
  const body = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${body.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block with the given label in a text, decoded to DER, in order. */
export function pemBlocks(text: string, label = 'CERTIFICATE'): Uint8Array[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(pattern)].map((match) => fromBase64(match[1] ?? ''));
}

/** The one PEM block of a text, decoded; throws when there is none. */
export function fromPem(text: string, label = 'CERTIFICATE'): Uint8Array {
  const [first] = pemBlocks(text, label);
  if (first === undefined) throw new Error(`no ${label} PEM block found`);
  return first;
}

/** Hex bytes joined by colons, as openssl and step print fingerprints and key identifiers. */
export function colonHex(bytes: Uint8Array, uppercase = false): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0'));
  return (uppercase ? hex.map((pair) => pair.toUpperCase()) : hex).join(':');
}

/** An unsigned big-endian integer from bytes. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}
