/**
 * Node-local pod address allocation, as Cilium's host-scope IPAM does it for `ipam.mode=kubernetes`
 * and `cluster-pool` (cilium/cilium pkg/ipam/hostscope.go): a bitmap over the node's pod CIDR without its network and broadcast
 * addresses, a random starting offset, a forward scan that wraps to the first free address, and
 * release that frees an address for the very next allocation. No quarantine, no lowest-free rule.
 */
import { nextInt, type RandomState } from '../engine/prng';
import { formatIPv4, parsePrefix } from '../net/ipv4';

/** One node's pool: which offsets are taken and by whom (`default/sleep-v1-…`, `router`, `health`). */
export interface IpamPool {
  readonly cidr: string;
  /** Numeric address of offset 0, the first usable address. */
  readonly firstAddress: number;
  /** Number of usable addresses: 254 in a /24. */
  readonly size: number;
  /**
   * Offset → owner of a taken address. A freed offset holds undefined rather than being deleted:
   * a delete turns the record's elements into a slow dictionary in the engine, and every later
   * allocation pays for it. Hashes, clones and JSON skip undefined fields, so nothing can tell.
   */
  owners: Record<number, string | undefined>;
  allocatedCount: number;
  /** host-local's last reserved offset (its `last_reserved_ip`), for kindnet's sequential scan. */
  lastReserved?: number;
}

/** A pool over a node's pod CIDR. */
export function createIpamPool(cidr: string): IpamPool {
  const prefix = parsePrefix(cidr);
  if (prefix === undefined || prefix.length > 30) throw new RangeError(`invalid pod CIDR ${cidr}`);
  const size = 2 ** (32 - prefix.length) - 2;
  return { cidr, firstAddress: prefix.network + 1, size, owners: {}, allocatedCount: 0 };
}

/**
 * Allocates the next address by random scan: pick a random offset, walk forward (wrapping) to the
 * first free one. Returns undefined when the pool is exhausted.
 */
export function allocateNext(pool: IpamPool, random: RandomState, owner: string): string | undefined {
  if (pool.allocatedCount >= pool.size) return undefined;
  const start = nextInt(random, pool.size);
  for (let step = 0; step < pool.size; step++) {
    const offset = (start + step) % pool.size;
    if (pool.owners[offset] === undefined) {
      pool.owners[offset] = owner;
      pool.allocatedCount += 1;
      return formatAddress(pool.firstAddress + offset);
    }
  }
  return undefined;
}

/**
 * kindnet's allocation: the CNI host-local plugin (containernetworking/plugins
 * plugins/ipam/host-local/backend/allocator) walks forward from the address after the last one it
 * reserved, wrapping round, and never hands out the range's gateway, the subnet's first address
 * (offset 0 here). A fresh node's pods therefore get .2, .3, .4 … in the order they start.
 */
export function allocateSequential(pool: IpamPool, owner: string): string | undefined {
  if (pool.allocatedCount >= pool.size - 1) return undefined;
  const last = pool.lastReserved ?? 0;
  for (let step = 1; step <= pool.size; step++) {
    const offset = (last + step) % pool.size;
    if (offset === 0 || pool.owners[offset] !== undefined) continue;
    pool.owners[offset] = owner;
    pool.allocatedCount += 1;
    pool.lastReserved = offset;
    return formatAddress(pool.firstAddress + offset);
  }
  return undefined;
}

/*
 * Pools format the same few hundred addresses over and over, so the texts are kept: in slots by
 * the address's low 12 bits, which tell apart every address of up to sixteen /24 pools that differ
 * in their third octet (kind's nodes). A slot holds the last address formatted into it; an array
 * read spares the hash lookup a Map would make, and the same text object for an address keeps the
 * agents' records keyed by it fast.
 */
const formattedSlots = 4096;
const formattedValues = new Float64Array(formattedSlots).fill(-1);
const formattedTexts: string[] = new Array<string>(formattedSlots).fill('');

function formatAddress(value: number): string {
  const slot = value & (formattedSlots - 1);
  if (formattedValues[slot] === value) return formattedTexts[slot]!;
  const text = formatIPv4(value);
  formattedValues[slot] = value;
  formattedTexts[slot] = text;
  return text;
}

/**
 * parseIPv4 (net/ipv4.ts) without its split and regular expressions, for the address of every pod
 * that goes: four groups of one to three ASCII digits, each at most 255, joined by dots.
 */
function parseAddress(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else if (code >= 0x30 && code <= 0x39 && digits < 3) {
      octet = octet * 10 + (code - 0x30);
      digits += 1;
      if (octet > 255) return undefined;
    } else return undefined;
  }
  if (digits === 0 || dots !== 3) return undefined;
  return value * 256 + octet;
}

/** Offset of an address in the pool, or undefined when it is outside. */
function offsetOf(pool: IpamPool, ip: string): number | undefined {
  const address = parseAddress(ip);
  if (address === undefined) return undefined;
  const offset = address - pool.firstAddress;
  return offset >= 0 && offset < pool.size ? offset : undefined;
}

/** Releases an address at once; the next allocation may return it. Returns whether it was taken. */
export function releaseAddress(pool: IpamPool, ip: string): boolean {
  const offset = offsetOf(pool, ip);
  if (offset === undefined || pool.owners[offset] === undefined) return false;
  pool.owners[offset] = undefined; // not deleted: see IpamPool.owners
  pool.allocatedCount -= 1;
  return true;
}

/** All allocated addresses with their owners, in address order. */
export function allocatedAddresses(pool: IpamPool): { ip: string; owner: string }[] {
  const taken: { ip: string; owner: string }[] = [];
  const offsets = Object.keys(pool.owners).map(Number);
  for (const offset of offsets.sort((a, b) => a - b)) {
    const owner = pool.owners[offset];
    // A freed offset holds undefined (IpamPool.owners).
    if (owner !== undefined) taken.push({ ip: formatIPv4(pool.firstAddress + offset), owner });
  }
  return taken;
}
