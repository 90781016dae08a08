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
});
