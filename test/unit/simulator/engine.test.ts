import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heapPop, heapPush, type Scheduled } from '../../../simulator/engine/event-queue';
import { nextInt, seedRandom } from '../../../simulator/engine/prng';
import { clonePlain } from '../../../simulator/engine/clone';
import { canonicalJson, stateHash } from '../../../simulator/engine/state-hash';
import {
  formatAge,
  toAnsiC,
  toGoString,
  toGoValidity,
  toRfc1123z,
  toRfc3339Milli,
  toStampMilli,
  toTimestamp,
} from '../../../simulator/engine/virtual-time';

// The engine's building blocks must be deterministic and order-stable, or replay would drift.
describe('engine: seeded randomness', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number): number[] => {
      const state = seedRandom(seed);
      return Array.from({ length: 8 }, () => nextInt(state, 1000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays within bounds for any bound', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, bound) => {
        const value = nextInt(seedRandom(seed), bound);
        return value >= 0 && value < bound && Number.isInteger(value);
      }),
    );
  });
});

describe('engine: event queue', () => {
  it('pops events by time, then by scheduling order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
        const heap: Scheduled<number>[] = [];
        times.forEach((atMs, sequence) => heapPush(heap, { atMs, sequence, event: sequence }));
        const popped: Scheduled<number>[] = [];
        for (let entry = heapPop(heap); entry !== undefined; entry = heapPop(heap)) popped.push(entry);
        const expected = times
          .map((atMs, sequence) => ({ atMs, sequence }))
          .sort((a, b) => a.atMs - b.atMs || a.sequence - b.sequence);
        expect(popped.map(({ atMs, sequence }) => ({ atMs, sequence }))).toEqual(expected);
      }),
    );
  });
});

describe('engine: state hash', () => {
  it('ignores key order but not values', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(stateHash({ a: 1, b: 2 })).toBe(stateHash({ b: 2, a: 1 }));
    expect(stateHash({ a: 1 })).not.toBe(stateHash({ a: 2 }));
  });

  it('prints a Map keyed by strings exactly as the record with the same entries', () => {
    const entries = fc.dictionary(
      fc.string(),
      fc.oneof(fc.integer(), fc.string(), fc.constant(undefined), fc.array(fc.integer())),
    );
    fc.assert(
      fc.property(entries, (record) => {
        const map = new Map(Object.entries(record));
        expect(canonicalJson({ nested: map })).toBe(canonicalJson({ nested: record }));
      }),
    );
    expect(() => canonicalJson(new Map([[1, 'a']]))).toThrow(/keyed by strings/);
  });
});

describe('engine: clone', () => {
  it('copies a Map with its order, and keeps values shared inside the copy', () => {
    const shared = { ip: '10.244.1.5' };
    const world = {
      byUid: new Map([
        ['b', shared],
        ['a', { ip: '10.244.1.6' }],
      ]),
      also: shared,
    };
    const copy = clonePlain(world);
    expect(copy.byUid).not.toBe(world.byUid);
    expect([...copy.byUid.keys()]).toEqual(['b', 'a']);
    expect(copy.byUid.get('b')).toEqual(shared);
    expect(copy.byUid.get('b')).not.toBe(shared);
    expect(copy.byUid.get('b')).toBe(copy.also);
    expect(canonicalJson(copy)).toBe(canonicalJson(world));
  });

  it('keeps a record without a prototype without one', () => {
    const table = Object.assign(Object.create(null) as Record<string, number>, { b: 2, a: 1 });
    const copy = clonePlain({ table });
    expect(Object.getPrototypeOf(copy.table)).toBeNull();
    expect(Object.keys(copy.table)).toEqual(['b', 'a']);
    expect(copy.table).not.toBe(table);
  });
});

describe('engine: virtual time', () => {
  it('prints RFC 3339 times from the virtual epoch, across day and month boundaries', () => {
    expect(toTimestamp(0)).toBe('2022-07-29T09:00:00Z');
    expect(toTimestamp(3 * 86_400_000 + 15 * 3_600_000 + 61_000)).toBe('2022-08-02T00:01:01Z');
  });

  it('prints the layouts helm and Hubble use, with the right weekday', () => {
    expect(toAnsiC(61_000)).toBe('Fri Jul 29 09:01:01 2022');
    expect(toAnsiC(3 * 86_400_000)).toBe('Mon Aug  1 09:00:00 2022');
    expect(toStampMilli(86_123)).toBe('Jul 29 09:01:26.123');
  });

  // Every Go layout the tools print comes from engine/virtual-time.ts; one row per layout and caller.
  it.each([
    [
      'time.Time String (kubectl describe, docker ps, the auth map)',
      toGoString(1_500),
      '2022-07-29 09:00:01 +0000 UTC',
    ],
    ['RFC1123Z (kubectl describe)', toRfc1123z(3 * 86_400_000), 'Mon, 01 Aug 2022 09:00:00 +0000'],
    [
      'RFC 3339 with milliseconds (cilium fqdn cache list)',
      toRfc3339Milli(86_123),
      '2022-07-29T09:01:26.123Z',
    ],
    [
      'step validity, day unpadded (step certificate inspect)',
      toGoValidity(3 * 86_400_000),
      'Aug 1 09:00:00 2022 UTC',
    ],
  ])('prints Go layout %s', (_name, printed, expected) => {
    expect(printed).toBe(expected);
  });

  it('prints ages as kubectl does', () => {
    expect(formatAge(45_000)).toBe('45s');
    expect(formatAge(192_000)).toBe('3m12s');
    expect(formatAge(30 * 60_000)).toBe('30m');
    expect(formatAge(5 * 3_600_000 + 4 * 60_000)).toBe('5h4m');
  });
});
