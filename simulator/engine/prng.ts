/**
 * The simulator's one source of randomness: sfc32, a small fast generator whose whole state is four
 * 32-bit words. The state lives inside the world, so a snapshot of the world also freezes the
 * random sequence, and replaying from a snapshot draws the same numbers.
 */

/** Four unsigned 32-bit words; plain data so it serialises and clones with the world. */
export type RandomState = [number, number, number, number];

/** Seeds a generator from an integer seed, discarding the first outputs as sfc32 recommends. */
export function seedRandom(seed: number): RandomState {
  const state: RandomState = [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0];
  for (let i = 0; i < 15; i++) nextUint32(state);
  return state;
}

/** Advances the generator and returns an unsigned 32-bit integer. */
export function nextUint32(state: RandomState): number {
  let a = state[0] >>> 0;
  let b = state[1] >>> 0;
  let c = state[2] >>> 0;
  let d = state[3] >>> 0;
  const t = (((a + b) >>> 0) + d) >>> 0;
  d = (d + 1) >>> 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) >>> 0;
  c = ((c << 21) | (c >>> 11)) >>> 0;
  c = (c + t) >>> 0;
  state[0] = a >>> 0;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  return t;
}

/** Character codes of the lowercase hex digits. */
const hexCodes = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/**
 * An unsigned 32-bit integer as 8 lowercase hex digits: the same text as
 * `value.toString(16).padStart(8, '0')`, built without the number-to-string conversion.
 */
export function hex32(value: number): string {
  return String.fromCharCode(
    hexCodes[(value >>> 28) & 15]!,
    hexCodes[(value >>> 24) & 15]!,
    hexCodes[(value >>> 20) & 15]!,
    hexCodes[(value >>> 16) & 15]!,
    hexCodes[(value >>> 12) & 15]!,
    hexCodes[(value >>> 8) & 15]!,
    hexCodes[(value >>> 4) & 15]!,
    hexCodes[value & 15]!,
  );
}

/**
 * `count` random hex digits: whole 32-bit draws of 8 digits each, the last one cut short (its
 * unused digits are discarded, not kept for the next call).
 */
export function randomHex(state: RandomState, count: number): string {
  let text = '';
  while (text.length < count) text += hex32(nextUint32(state));
  return text.length === count ? text : text.slice(0, count);
}

/**
 * Writes the character codes of `randomHex(state, count)` into `codes` from index `at` and returns
 * the index after them: the same draws and digits, for callers that build a longer string in one
 * piece (one flat string hashes and interns faster than a concatenation of pieces, and uids are
 * used as keys everywhere).
 */
export function writeRandomHexCodes(state: RandomState, count: number, codes: number[], at: number): number {
  let written = 0;
  while (written < count) {
    const value = nextUint32(state);
    for (let shift = 28; shift >= 0 && written < count; shift -= 4, written++)
      codes[at + written] = hexCodes[(value >>> shift) & 15]!;
  }
  return at + written;
}

/** A uniform integer in [0, bound), without modulo bias. */
export function nextInt(state: RandomState, bound: number): number {
  if (!Number.isInteger(bound) || bound <= 0 || bound > 0x1_0000_0000) {
    throw new RangeError(`random bound must be an integer in 1..2^32, got ${bound}`);
  }
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % bound);
  for (;;) {
    const value = nextUint32(state);
    if (value < limit) return value % bound;
  }
}

/** A uniform integer in [min, max], both inclusive. */
export function nextIntBetween(state: RandomState, min: number, max: number): number {
  return min + nextInt(state, max - min + 1);
}

/**
 * Kubernetes' alphabet for generated name suffixes (k8s.io/apimachinery/pkg/util/rand): no vowels
 * and no easily confused characters, so generated names never spell words.
 */
const nameSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** A random suffix of the given length, as Kubernetes appends to generated names. */
export function randomNameSuffix(state: RandomState, length: number): string {
  let suffix = '';
  for (let i = 0; i < length; i++) suffix += nameSuffixAlphabet[nextInt(state, nameSuffixAlphabet.length)];
  return suffix;
}
