/**
 * IPv4/IPv6 prefixes as integers, enough to decide containment for CIDR rules, `except` lists and
 * the `cidr:` labels of CIDR identities.
 */

/** A parsed prefix: family, network bits (host bits cleared) and prefix length. */
export interface Prefix {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly length: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const pushGroups = (groups: readonly string[], target: number[]): boolean => {
    for (const [index, group] of groups.entries()) {
      if (group.includes('.')) {
        // An embedded IPv4 address may only end the address.
        if (index !== groups.length - 1) return false;
        const v4 = parseIpv4(group);
        if (v4 === undefined) return false;
        target.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
        target.push(parseInt(group, 16));
      }
    }
    return true;
  };
  const tailWords: number[] = [];
  if (!pushGroups(head, words) || !pushGroups(tail, tailWords)) return undefined;
  const missing = 8 - words.length - tailWords.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...words, ...new Array<number>(missing).fill(0), ...tailWords];
  return all.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host prefix); undefined when malformed. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const lengthText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(address);
  const family: 4 | 6 = v4 === undefined ? 6 : 4;
  const value = v4 ?? parseIpv6(address);
  if (value === undefined) return undefined;
  const width = family === 4 ? 32 : 128;
  if (lengthText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return undefined;
  const length = lengthText === undefined ? width : Number(lengthText);
  if (length > width) return undefined;
  const hostBits = BigInt(width - length);
  return { family, bits: (value >> hostBits) << hostBits, length };
}

/** Whether `outer` contains `inner` (equal prefixes contain each other). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  const width = outer.family === 4 ? 32 : 128;
  const hostBits = BigInt(width - outer.length);
  return inner.bits >> hostBits === outer.bits >> hostBits;
}

/** Whether a prefix is the whole address family (0.0.0.0/0 or ::/0), which Cilium maps to `world`. */
export function isWholeFamily(prefix: Prefix): boolean {
  return prefix.length === 0;
}
