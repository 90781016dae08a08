/**
 * Permalinks for scenario widgets: which scenario, which seed and how many steps were run, in a
 * versioned, URL-safe string. Decoding never throws: a tampered or outdated link yields a clear
 * error, and every version ever written keeps decoding.
 */
import { scenarios } from './scenarios/catalog';

/** What a scenario permalink restores. */
export interface ScenarioPermalink {
  scenario: string;
  seed: number;
  step: number;
}

/** The current permalink format version. */
export const permalinkVersion = 1;

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding, over UTF-8 bytes (no Buffer or btoa: the core has no DOM or Node). */
export function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
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
export function fromBase64Url(text: string): string | undefined {
  const clean = text.replace(/=+$/, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = alphabet.indexOf(char);
    if (value < 0) return undefined;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 255);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** Encodes a scenario state as `v1.<base64url JSON>`. */
export function encodeScenarioPermalink(state: ScenarioPermalink): string {
  return `v${permalinkVersion}.${toBase64Url(JSON.stringify([state.scenario, state.seed, state.step]))}`;
}

/** The result of decoding: the state, or why the link cannot be used. */
export type DecodedPermalink = { ok: true; state: ScenarioPermalink } | { ok: false; error: string };

/** Decodes a permalink written by any version of the site. */
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
  if (typeof scenario !== 'string' || !Object.hasOwn(scenarios, scenario)) {
    return {
      ok: false,
      error: `This link names a scenario the site does not have (${String(scenario).slice(0, 40)}).`,
    };
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
    return {
      ok: false,
      error: 'This link is damaged: its seed is not a whole number between 0 and 4294967295.',
    };
  }
  const steps = scenarios[scenario]?.steps.length ?? 0;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > steps) {
    return { ok: false, error: `This link is damaged: the scenario has ${steps} steps.` };
  }
  return { ok: true, state: { scenario, seed, step } };
}
