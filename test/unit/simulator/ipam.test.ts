import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedRandom } from '../../../simulator/engine/prng';
import {
  allocateNext,
  allocatedAddresses,
  createIpamPool,
  releaseAddress,
} from '../../../simulator/k8s/ipam';

// Node-local IPAM follows Cilium's random-scan bitmap (cilium/cilium
// pkg/ipam/service/allocator/bitmap.go): no duplicates, no quarantine.
describe('ipam: random-scan allocator', () => {
  it('hands out the 254 usable addresses of a /24, never the network or broadcast address', () => {
    const pool = createIpamPool('10.244.1.0/24');
    const random = seedRandom(3);
    const addresses = Array.from({ length: 254 }, (_, index) => allocateNext(pool, random, `pod-${index}`));
    expect(new Set(addresses).size).toBe(254);
    expect(addresses).not.toContain('10.244.1.0');
    expect(addresses).not.toContain('10.244.1.255');
    expect(allocateNext(pool, random, 'one-too-many')).toBeUndefined();
  });

  it('never gives one address to two owners, and a released address can come back at once', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 400 }),
        (seed, operations) => {
          const pool = createIpamPool('10.244.2.0/24');
          const random = seedRandom(seed);
          const live: string[] = [];
          operations.forEach((allocate, index) => {
            if (allocate || live.length === 0) {
              const ip = allocateNext(pool, random, `pod-${index}`);
              if (ip !== undefined) {
                expect(live).not.toContain(ip);
                live.push(ip);
              }
            } else {
              const ip = live.splice(index % live.length, 1)[0] ?? '';
              expect(releaseAddress(pool, ip)).toBe(true);
            }
          });
          expect(
            allocatedAddresses(pool)
              .map((entry) => entry.ip)
              .sort(),
          ).toEqual([...live].sort());
        },
      ),
    );
  });

  it('re-uses a freed address immediately when it is the only one left', () => {
    const pool = createIpamPool('10.244.3.0/30');
    const random = seedRandom(1);
    const first = allocateNext(pool, random, 'a');
    const second = allocateNext(pool, random, 'b');
    expect([first, second].sort()).toEqual(['10.244.3.1', '10.244.3.2']);
    releaseAddress(pool, first ?? '');
    expect(allocateNext(pool, random, 'c')).toBe(first);
  });

  it('releases only an address of the pool written as a dotted quad, as parseIPv4 reads one', () => {
    const pool = createIpamPool('10.244.4.0/24');
    const random = seedRandom(5);
    const ip = allocateNext(pool, random, 'a') ?? '';
    const [a, b, c, d] = ip.split('.');
    // Text that is no dotted quad, or an address outside the pool, frees nothing.
    for (const text of [
      '',
      `${a}.${b}.${c}`,
      `${ip}.`,
      `.${ip}`,
      `${a}.${b}.${c}.000${d}`,
      `${a}.${b}.${c}.+${d}`,
    ]) {
      expect(releaseAddress(pool, text), text).toBe(false);
    }
    expect(releaseAddress(pool, `${a}.${b}.${c}.256`)).toBe(false);
    expect(releaseAddress(pool, '10.244.5.1')).toBe(false);
    // Leading zeros are digits like any other (at most three a group).
    expect(releaseAddress(pool, `0${a}.${b}.00${c}.${d}`)).toBe(true);
    expect(releaseAddress(pool, ip)).toBe(false);
  });

  it('formats the addresses of pools that share their low bits apart', () => {
    // 10.244.1.x and 10.245.1.x fall in the same slots of the formatted-address cache.
    const first = createIpamPool('10.244.1.0/30');
    const second = createIpamPool('10.245.1.0/30');
    const random = seedRandom(2);
    const one = allocateNext(first, random, 'a');
    const two = allocateNext(second, random, 'b');
    const three = allocateNext(first, random, 'c');
    expect([one, three].sort()).toEqual(['10.244.1.1', '10.244.1.2']);
    expect(two?.startsWith('10.245.1.')).toBe(true);
  });
});
