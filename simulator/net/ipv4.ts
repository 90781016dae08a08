/** IPv4 addresses and prefixes as the model needs them: parse, format, contain. */

/** Parses dotted-quad text into an unsigned 32-bit number, or undefined when malformed. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Formats an unsigned 32-bit number as dotted-quad text. */
export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** An IPv4 prefix such as 10.244.1.0/24. */
export interface IPv4Prefix {
  readonly network: number;
  readonly length: number;
}

/** Parses `a.b.c.d/len` (host bits must be zero unless `loose`), or undefined when malformed. */
export function parsePrefix(text: string, loose = false): IPv4Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIPv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  const network = length === 0 ? 0 : (address & prefixMask(length)) >>> 0;
  if (!loose && network !== address) return undefined;
  return { network, length };
}

/** The netmask of a prefix length as an unsigned number. */
function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Whether an address lies inside a prefix. */
export function prefixContains(prefix: IPv4Prefix, address: number): boolean {
  return (address & prefixMask(prefix.length)) >>> 0 === prefix.network;
}

/** Formats a prefix as `a.b.c.d/len`. */
export function formatPrefix(prefix: IPv4Prefix): string {
  return `${formatIPv4(prefix.network)}/${prefix.length}`;
}
