/**
 * Permalinks: a reader's whole session on a scenario (seed, the steps and terminal commands they
 * ran, where they stand on the timeline) as a URL fragment. The link carries inputs, never state:
 * opening it replays the inputs on the deterministic simulator, which rebuilds the same world.
 *
 * Formats, all still decoded:
 * - `#v1.<base64url of deflate-raw JSON>`: the lab format (this one is written today).
 * - `#scenario-<id>=v1.<base64url JSON [scenario, seed, step]>`: the first step-only links.
 * - `#v2.<base64url of deflate-raw JSON>`: a reader's progress on one exercise
 *   (exercises/progress.ts); scenario labs leave these links alone.
 *
 * Decoding never throws and always ends: the text is capped before decoding and inflated through
 * a stream that stops at a size limit, so a crafted link cannot exhaust memory.
 */
import { scenarios } from './scenarios/catalog';

/**
 * One thing a reader did: run the scenario's next step, or type a command line. A line the reader
 * interrupted keeps the checkpoint it stopped at, so a replay stops there too.
 */
export type LabAction = { kind: 'step' } | { kind: 'command'; line: string; stopAt?: number };

/** What a lab permalink restores. */
export interface LabRecord {
  scenario: string;
  seed: number;
  actions: LabAction[];
  /** Position on the event log the reader was looking at; undefined means the present. */
  cursor: number | undefined;
}

/** The decoded record, or why the link cannot be used. */
export type DecodedLab = { ok: true; record: LabRecord } | { ok: false; error: string };

/** Longest fragment accepted before any decoding is attempted. */
export const maxLinkLength = 16_384;
/** Largest inflated payload accepted (the inflater stops reading beyond it). */
export const maxInflatedBytes = 256 * 1024;
/** At most this many actions in one record. */
export const maxActions = 2_000;
/** Longest command line kept in a record. */
export const maxCommandLength = 20_000;

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
 * The compact JSON of a record: `[scenario, seed, actions, cursor]`, where a run of steps is a
 * number, a command line is a string and an interrupted one `[line, checkpoint]`, e.g.
 * `["mistaken-identity",1,[3,"kubectl get pods",1,["kubectl get pods -w",4]],null]`.
 */
export function compactRecord(record: LabRecord): unknown[] {
  return [record.scenario, record.seed, compactActions(record.actions), record.cursor ?? null];
}

/** Actions in the compact form: a run of steps as a number, a line as a string, `[line, stop]`. */
export function compactActions(actions: readonly LabAction[]): (number | string | [string, number])[] {
  const compact: (number | string | [string, number])[] = [];
  for (const action of actions) {
    if (action.kind === 'command')
      compact.push(action.stopAt === undefined ? action.line : [action.line, action.stopAt]);
    else if (typeof compact.at(-1) === 'number') compact[compact.length - 1] = (compact.at(-1) as number) + 1;
    else compact.push(1);
  }
  return compact;
}

/** Encodes a session as the `v1.` lab format. */
export async function encodeLabPermalink(record: LabRecord): Promise<string> {
  const json = JSON.stringify(compactRecord(record));
  return `v1.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(json)))}`;
}

/**
 * Checks that a value (from a link or from storage) is a well-formed record of a scenario this
 * site has. Structural only: whether the cursor fits the replayed log is checked after replay.
 */
export function parseLabRecord(value: unknown): DecodedLab {
  if (!Array.isArray(value) || value.length !== 4)
    return { ok: false, error: 'This link is damaged: its state cannot be read.' };
  const [scenario, seed, rawActions, cursor] = value as unknown[];
  if (typeof scenario !== 'string' || !Object.hasOwn(scenarios, scenario)) {
    return {
      ok: false,
      error: `This link names a scenario the site does not have (${String(scenario).slice(0, 40)}).`,
    };
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    return {
      ok: false,
      error: 'This link is damaged: its seed is not a whole number between 0 and 4294967295.',
    };
  const parsed = parseActions(rawActions, scenarios[scenario]?.steps.length ?? 0);
  if (!parsed.ok) return parsed;
  const actions = parsed.actions;
  if (cursor !== null && (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0))
    return { ok: false, error: 'This link is damaged: its position on the timeline is not a whole number.' };
  return { ok: true, record: { scenario, seed, actions, cursor: cursor ?? undefined } };
}

/**
 * Reads compact actions (compactActions) from a link, allowing at most `stepCount` steps; a fault
 * comes back as the sentence to show.
 */
export function parseActions(
  rawActions: unknown,
  stepCount: number,
): { ok: true; actions: LabAction[] } | { ok: false; error: string } {
  if (!Array.isArray(rawActions))
    return { ok: false, error: 'This link is damaged: its actions cannot be read.' };
  const actions: LabAction[] = [];
  let steps = 0;
  for (const raw of rawActions as unknown[]) {
    const interrupted =
      Array.isArray(raw) &&
      raw.length === 2 &&
      typeof raw[0] === 'string' &&
      Number.isSafeInteger(raw[1]) &&
      (raw[1] as number) > 0;
    const line = typeof raw === 'string' ? raw : interrupted ? (raw as [string, number])[0] : undefined;
    if (line !== undefined) {
      if (line.length > maxCommandLength)
        return { ok: false, error: 'This link is damaged: one of its commands is too long.' };
      actions.push(
        interrupted
          ? { kind: 'command', line, stopAt: (raw as [string, number])[1] }
          : { kind: 'command', line },
      );
    } else if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0 && steps + raw <= stepCount) {
      steps += raw;
      for (let i = 0; i < raw; i++) actions.push({ kind: 'step' });
    } else {
      return { ok: false, error: `This link is damaged: the scenario has ${stepCount} steps.` };
    }
    if (actions.length > maxActions)
      return { ok: false, error: `This link holds more than ${maxActions} actions.` };
  }
  return { ok: true, actions };
}

/** Decodes a `v1.` lab link. */
export async function decodeLabPermalink(text: string): Promise<DecodedLab> {
  const payload = await readCompressedPayload(text, 1);
  return payload.ok ? parseLabRecord(payload.value) : payload;
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

/** What the first, step-only links restored. */
export interface ScenarioPermalink {
  scenario: string;
  seed: number;
  step: number;
}

/** The result of decoding a step-only link. */
export type DecodedPermalink = { ok: true; state: ScenarioPermalink } | { ok: false; error: string };

/**
 * Writes a step-only link. The site no longer writes these; the encoder stays so tests can build
 * the links that were published and prove they still open.
 */
export function encodeScenarioPermalink(state: ScenarioPermalink): string {
  return `v1.${toBase64Url(JSON.stringify([state.scenario, state.seed, state.step]))}`;
}

/** Decodes a step-only link (the value after `#scenario-<id>=`). */
export function decodeScenarioPermalink(text: string): DecodedPermalink {
  if (text.length > 2000) return { ok: false, error: 'This link is too long to be a scenario link.' };
  const match = /^v(\d+)\.([A-Za-z0-9_-]*)$/.exec(text.trim());
  if (match === null) return { ok: false, error: 'This link does not hold a scenario state.' };
  const version = Number(match[1]);
  if (version !== 1)
    return { ok: false, error: `This link was written by a newer version of the site (format ${version}).` };
  const json = fromBase64Url(match[2] ?? '');
  let value: unknown;
  try {
    value = json === undefined ? undefined : JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 3)
    return { ok: false, error: 'This link is damaged: its state cannot be read.' };
  const [scenario, seed, step] = value as unknown[];
  const steps = typeof scenario === 'string' ? (scenarios[scenario]?.steps.length ?? 0) : 0;
  const parsed = parseLabRecord([scenario, seed, [], null]);
  if (!parsed.ok) return parsed;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > steps)
    return { ok: false, error: `This link is damaged: the scenario has ${steps} steps.` };
  return { ok: true, state: { scenario: parsed.record.scenario, seed: parsed.record.seed, step } };
}

/**
 * Reads a page's fragment (without `#`) for a scenario's widget. Returns undefined when the
 * fragment is not a link for this scenario (a heading anchor, another lab's link), so nothing is
 * reported.
 */
export async function readPermalinkFragment(
  fragment: string,
  scenario: string,
): Promise<DecodedLab | undefined> {
  let text = fragment;
  try {
    text = decodeURIComponent(fragment);
  } catch {
    // A fragment that is not valid percent-encoding is read as it is.
  }
  const legacyPrefix = `scenario-${scenario}=`;
  if (text.startsWith(legacyPrefix)) {
    const legacy = decodeScenarioPermalink(text.slice(legacyPrefix.length));
    if (!legacy.ok) return legacy;
    const { seed, step } = legacy.state;
    return {
      ok: true,
      record: {
        scenario,
        seed,
        actions: Array.from({ length: step }, () => ({ kind: 'step' })),
        cursor: undefined,
      },
    };
  }
  if (/^scenario-[a-z0-9-]+=/.test(text)) return undefined;
  if (!/^v\d+\./.test(text)) return undefined;
  // An exercise link (`v2.`, exercises/progress.ts) belongs to an exercise's lab, not a scenario's.
  if (text.startsWith('v2.')) return undefined;
  const decoded = await decodeLabPermalink(text);
  // A page can hold several labs; a link restores the one whose scenario it names, and the others
  // carry on as if the page had no fragment.
  if (decoded.ok && decoded.record.scenario !== scenario) return undefined;
  return decoded;
}
