/**
 * A stable hash of plain data: object keys are visited in sorted order, so two worlds with the
 * same content hash the same however they were built. Used to prove that replay is exact.
 */

/** Serialises plain data with sorted object keys; undefined properties are skipped as JSON does. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      // A hole stays empty, as join writes it.
      if (i in value) text += canonicalJson(value[i]);
    }
    return `${text}]`;
  }
  // A Map keyed by strings prints as the record with the same entries would: a model may keep a
  // busy record in a Map (no string internalization per new key) without moving any hash.
  if (value instanceof Map) return canonicalMapJson(value as Map<unknown, unknown>);
  const record = value as Record<string, unknown>;
  let text = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    text += first ? quotedKey(key) : `,${quotedKey(key)}`;
    text += `:${canonicalJson(item)}`;
    first = false;
  }
  return `${text}}`;
}

function canonicalMapJson(map: Map<unknown, unknown>): string {
  const keys: string[] = [];
  for (const key of map.keys()) {
    if (typeof key !== 'string')
      throw new TypeError('canonicalJson: a Map in the world must be keyed by strings');
    keys.push(key);
  }
  let text = '{';
  let first = true;
  for (const key of keys.sort()) {
    const item = map.get(key);
    if (item === undefined) continue;
    text += first ? quotedKey(key) : `,${quotedKey(key)}`;
    text += `:${canonicalJson(item)}`;
    first = false;
  }
  return `${text}}`;
}

/** JSON text of object keys; worlds repeat the same few hundred keys over and over. */
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    if (quotedKeys.size >= 50_000) quotedKeys.clear();
    quoted = JSON.stringify(key);
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Whether two plain values serialise to the same JSON text (`JSON.stringify(a) ===
 * JSON.stringify(b)`, key order included), without building either text.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') {
    // JSON writes every non-finite number as null.
    const left = typeof a === 'number' && !Number.isFinite(a) ? null : a;
    const right = typeof b === 'number' && !Number.isFinite(b) ? null : b;
    return left === right;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      // Inside arrays, undefined is written as null.
      if (!jsonEqual(a[i] === undefined ? null : a[i], b[i] === undefined ? null : b[i])) return false;
    }
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  for (let i = 0; i < leftKeys.length; i++) {
    const key = leftKeys[i]!;
    if (key !== rightKeys[i] || !jsonEqual(left[key], right[key])) return false;
  }
  return true;
}

/**
 * A 64-bit string hash built from two 32-bit multiply-xor lanes (the cyrb53 construction widened to
 * 64 bits), printed as 16 hex digits. Math.imul keeps it fast on multi-megabyte worlds.
 */
export function hashString64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** The stable hash of any plain value. */
export function stateHash(value: unknown): string {
  return hashString64(canonicalJson(value));
}
