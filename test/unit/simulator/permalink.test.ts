import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeScenarioPermalink,
  encodeScenarioPermalink,
  fromBase64Url,
  toBase64Url,
} from '../../../simulator/permalink';

// Permalinks must round-trip, keep decoding old versions, and turn any tampering into a message.
describe('permalink: scenario state', () => {
  it('round-trips every valid state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 7 }), (seed, step) => {
        const decoded = decodeScenarioPermalink(
          encodeScenarioPermalink({ scenario: 'mistaken-identity', seed, step }),
        );
        expect(decoded).toEqual({ ok: true, state: { scenario: 'mistaken-identity', seed, step } });
      }),
    );
  });

  it('keeps decoding the version 1 fixture', () => {
    expect(decodeScenarioPermalink('v1.WyJtaXN0YWtlbi1pZGVudGl0eSIsNyw1XQ')).toEqual({
      ok: true,
      state: { scenario: 'mistaken-identity', seed: 7, step: 5 },
    });
  });

  it.each([
    ['garbage', 'hello', 'does not hold a scenario state'],
    ['a future format', 'v9.abc', 'newer version'],
    ['broken JSON', `v1.${toBase64Url('[1,2')}`, 'damaged'],
    ['an unknown scenario', `v1.${toBase64Url('["nope",1,0]')}`, 'does not have'],
    ['a negative seed', `v1.${toBase64Url('["mistaken-identity",-1,0]')}`, 'seed'],
    ['a step past the end', `v1.${toBase64Url('["mistaken-identity",1,99]')}`, 'has 7 steps'],
    ['a prototype key', `v1.${toBase64Url('{"__proto__":{}}')}`, 'damaged'],
  ])('refuses %s with a clear message', (_name, text, message) => {
    const decoded = decodeScenarioPermalink(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain(message);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(() => decodeScenarioPermalink(text)).not.toThrow();
        expect(() => decodeScenarioPermalink(`v1.${text}`)).not.toThrow();
      }),
    );
  });

  it('encodes base64url like the standard alphabet without padding', () => {
    // Well-formed Unicode only: lone surrogates cannot be encoded as UTF-8 by any encoder.
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(fromBase64Url(toBase64Url(text))).toBe(text);
      }),
    );
    expect(toBase64Url('hi?>')).toBe('aGk_Pg');
  });
});
