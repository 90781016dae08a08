/**
 * The codec under every link the site writes: JSON, compressed with the platform's deflate-raw
 * stream (CompressionStream, so no library is shipped) and written in base64url behind a
 * `v<version>.` prefix. Decoding never throws and always ends: the text is capped before decoding
 * and inflated through a stream that stops at a size limit, so a crafted link cannot exhaust
 * memory. This module imports nothing, so a light page can decode a link without the simulator.
 */
/** Longest fragment accepted before any decoding is attempted. */
export const maxLinkLength = 16_384;
/** Largest inflated payload accepted (the inflater stops reading beyond it). */
export const maxInflatedBytes = 256 * 1024;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (no Buffer or btoa: the core has no DOM or Node). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    const chars = i + 1 >= bytes.length ? 2 : i + 2 >= bytes.length ? 3 : 4;
    for (let j = 0; j < chars; j++) out += alphabet[(triple >> (18 - 6 * j)) & 63];
  }
  return out;
}

/** Decodes base64url (padding optional); undefined when a character is not in the alphabet. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = text.replace(/=+$/, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = alphabet.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 255);
    }
  }
  return new Uint8Array(bytes);
}

/** base64url of a string's UTF-8 bytes. */
export function toBase64Url(text: string): string {
  return bytesToBase64Url(new TextEncoder().encode(text));
}

/** The string whose UTF-8 bytes a base64url text holds; undefined when either layer is invalid. */
export function fromBase64Url(text: string): string | undefined {
  const bytes = base64UrlToBytes(text);
  if (bytes === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Compresses bytes with the platform's deflate-raw stream. */
export async function deflateRaw(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new CompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  void writer.write(bytes).catch(() => undefined);
  void writer.close().catch(() => undefined);
  const chunks = await readAll(stream.readable.getReader(), Infinity);
  if (chunks === 'too-large' || chunks === 'corrupt') throw new Error('compression failed');
  return chunks;
}

/** Inflates, stopping as soon as the output would pass the limit. */
async function inflateRawBounded(
  bytes: Uint8Array<ArrayBuffer>,
  limit: number,
): Promise<Uint8Array | 'too-large' | 'corrupt'> {
  let stream: DecompressionStream;
  try {
    stream = new DecompressionStream('deflate-raw');
  } catch {
    return 'corrupt';
  }
  const writer = stream.writable.getWriter();
  // A corrupt stream rejects these as well as the reads; the reads carry the verdict.
  void writer.write(bytes).catch(() => undefined);
  void writer.close().catch(() => undefined);
  return readAll(stream.readable.getReader(), limit);
}

/** The reading half of a byte stream, as both the DOM and the core's declarations type it. */
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(): Promise<void>;
}

async function readAll(reader: ByteReader, limit: number): Promise<Uint8Array | 'too-large' | 'corrupt'> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: { done: boolean; value?: Uint8Array | undefined };
    try {
      chunk = await reader.read();
    } catch {
      return 'corrupt';
    }
    if (chunk.done) break;
    const value = chunk.value ?? new Uint8Array(0);
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return 'too-large';
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Reads the JSON a `v<version>.` link carries as base64url of deflate-raw, with every bound of
 * the lab format: the text is capped before decoding, the inflater stops at a size limit, and any
 * fault comes back as a sentence. A link of another version is refused with its number.
 */
export async function readCompressedPayload(
  text: string,
  version: number,
): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  if (text.length > maxLinkLength)
    return { ok: false, error: `This link is too long (${text.length} characters) to be a scenario link.` };
  const match = /^v(\d+)\.([A-Za-z0-9_-]*)$/.exec(text.trim());
  if (match === null) return { ok: false, error: 'This link does not hold a scenario state.' };
  if (Number(match[1]) !== version)
    return {
      ok: false,
      error:
        Number(match[1]) > version
          ? `This link was written by a newer version of the site (format ${match[1]}).`
          : `This link holds format ${match[1]}, not format ${version}.`,
    };
  const bytes = base64UrlToBytes(match[2] ?? '');
  if (bytes === undefined || bytes.length === 0)
    return { ok: false, error: 'This link is damaged: its state cannot be read.' };
  const inflated = await inflateRawBounded(bytes, maxInflatedBytes);
  if (inflated === 'too-large')
    return {
      ok: false,
      error: 'This link unpacks to more than a scenario state can hold; it was not opened.',
    };
  if (inflated === 'corrupt')
    return { ok: false, error: 'This link is damaged or cut short: its state cannot be read.' };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated)) };
  } catch {
    return { ok: false, error: 'This link is damaged: its state cannot be read.' };
  }
}
