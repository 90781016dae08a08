/**
 * DNS name matching shared by toFQDNs and L7 DNS rules. Names compare case-insensitively and with a
 * trailing dot; in matchPattern `*` stands for any run of characters inside one label, a lone `*`
 * matches every name, and a leading `**.` matches one or more labels (Cilium ≥1.18).
 */
import type { DnsSelector } from './model';

/** Lower-cases and adds the trailing dot Cilium stores names with. */
function normalizeDnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

const patternCache = new Map<string, RegExp>();

function patternRegex(pattern: string): RegExp {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  let rest = normalizeDnsName(pattern);
  let prefix = '';
  if (rest.startsWith('**.')) {
    prefix = '(?:[-a-z0-9_]+\\.)+';
    rest = rest.slice(3);
  }
  const body = rest
    .split('*')
    .map((part) => part.replace(/[.\\^$+?()[\]{}|-]/g, (char) => `\\${char}`))
    .join('[-a-z0-9_]*');
  const regex = new RegExp(`^${prefix}${body}$`);
  if (patternCache.size < 10_000) patternCache.set(pattern, regex);
  return regex;
}

/** Whether a DNS name matches a matchName or matchPattern selector. */
export function dnsNameMatches(selector: DnsSelector, name: string): boolean {
  const normalized = normalizeDnsName(name);
  if (normalized.length > 256) return false;
  if (selector.matchName !== undefined) return normalizeDnsName(selector.matchName) === normalized;
  const pattern = selector.matchPattern;
  if (pattern === undefined) return false;
  if (pattern.trim() === '*') return true;
  return patternRegex(pattern).test(normalized);
}
