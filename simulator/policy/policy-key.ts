/**
 * Policy-map keys: how a rule's ports become keys for each map layout, and the Hubble match type of
 * a key. ≤1.15 agents use a hash map probed in four fixed steps; ≥1.16 agents use an LPM trie whose
 * prefix covers the protocol and then the port bits, so port ranges and "any port of one protocol"
 * become expressible.
 */
import type { PortSpec } from './normalize';

/** The two policy-map generations. */
export type MapLayout = 'hash' | 'lpm';

/** Hubble policy-verdict match types (flow.proto). */
export type MatchType = 'none' | 'L3-Only' | 'L3-L4' | 'L4-Only' | 'all' | 'L3-Proto' | 'Proto-only';

/** Numeric values of the match types, as the notify struct carries them. */
export const matchTypeNumbers: Readonly<Record<MatchType, number>> = {
  none: 0,
  'L3-Only': 1,
  'L3-L4': 2,
  'L4-Only': 3,
  all: 4,
  'L3-Proto': 5,
  'Proto-only': 6,
};

/** The protocol/port part of a key. `protocol` 0 means every protocol and port (then `prefix` is 0). */
export interface PortKey {
  readonly protocol: number;
  /** Port bits covered, 0-16 (16 = one port, 0 = every port of the protocol). */
  readonly prefix: number;
  readonly port: number;
}

/** The L3-only port part: any protocol, any port. */
export const anyPortKey: PortKey = { protocol: 0, prefix: 0, port: 0 };

/** Parses "1.12.0", "v1.18.5" or "1.16" into [major, minor]. */
export function parseVersion(version: string): readonly [number, number] {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return [1, 18];
  return [Number(match[1]), Number(match[2])];
}

/** Whether `version` is at least major.minor. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [actualMajor, actualMinor] = parseVersion(version);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

/** The policy-map layout of a Cilium version (LPM since 1.16). */
export function layoutFor(version: string): MapLayout {
  return versionAtLeast(version, 1, 16) ? 'lpm' : 'hash';
}

/** Whether the version honours `enableDefaultDeny` (added in 1.16; older agents do not know the field). */
export function supportsEnableDefaultDeny(version: string): boolean {
  return versionAtLeast(version, 1, 16);
}

/** The numeric sub-key of a port key within one identity (protocol, prefix, port). */
export function subKeyOf(key: PortKey): number {
  return (key.protocol * 17 + key.prefix) * 65536 + key.port;
}

/** The port key of a flow for a given prefix length. */
function maskedPortKey(protocol: number, port: number, prefix: number): PortKey {
  const mask = prefix === 0 ? 0 : (0xffff << (16 - prefix)) & 0xffff;
  return { protocol, prefix, port: port & mask };
}

/** Splits an inclusive port range into the aligned blocks an LPM trie can hold. */
function rangeToPrefixes(start: number, end: number): { port: number; prefix: number }[] {
  const blocks: { port: number; prefix: number }[] = [];
  let current = start;
  while (current <= end) {
    let size = 1;
    let prefix = 16;
    // Grow the block while it stays aligned and inside the range.
    while (prefix > 0 && current % (size * 2) === 0 && current + size * 2 - 1 <= end) {
      size *= 2;
      prefix -= 1;
    }
    blocks.push({ port: current, prefix });
    current += size;
  }
  return blocks;
}

/** A named port as the endpoint (ingress) or the cluster (egress) defines it. */
export interface NamedPortValue {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

const protocolOf: Readonly<Record<string, number>> = {
  TCP: 6,
  UDP: 17,
  SCTP: 132,
  ICMP: 1,
  ICMPv6: 58,
  VRRP: 112,
  IGMP: 2,
};

/**
 * The keys a port spec produces in a layout. ANY means TCP, UDP and SCTP (never ICMP); port 0 with
 * ANY is L3-only. A named port resolves to every number it names for a matching protocol. Port 0
 * with one protocol has no key the ≤1.15 datapath ever probes, and ≤1.15 has no port ranges, so
 * those keys are left out (`endPort` is ignored there).
 */
export function portKeysFor(
  spec: PortSpec,
  layout: MapLayout,
  resolveName: (name: string) => readonly NamedPortValue[],
): PortKey[] {
  const protocols = spec.protocol === 'ANY' ? [6, 17, 132] : [protocolOf[spec.protocol] ?? 0];
  if (typeof spec.port === 'string') {
    const keys: PortKey[] = [];
    for (const value of resolveName(spec.port)) {
      const number = protocolOf[value.protocol] ?? 0;
      if (protocols.includes(number)) keys.push({ protocol: number, prefix: 16, port: value.port });
    }
    return keys;
  }
  if (spec.port === 0) {
    if (spec.protocol === 'ANY') return [anyPortKey];
    if (layout === 'hash') return [];
    return protocols.map((protocol) => ({ protocol, prefix: 0, port: 0 }));
  }
  if (spec.endPort !== undefined && layout === 'lpm') {
    const blocks = rangeToPrefixes(spec.port, spec.endPort);
    return protocols.flatMap((protocol) =>
      blocks.map((block) => ({ protocol, prefix: block.prefix, port: block.port })),
    );
  }
  return protocols.map((protocol) => ({ protocol, prefix: 16, port: spec.port as number }));
}

/** Whether a port key covers a flow's protocol and port. */
export function portKeyCovers(key: PortKey, protocol: number, port: number): boolean {
  if (key.protocol === 0) return true;
  if (key.protocol !== protocol) return false;
  return maskedPortKey(protocol, port, key.prefix).port === key.port;
}

/** The match type of a hit, from whether its identity was specific and what its port key covers. */
export function matchTypeOf(specificIdentity: boolean, key: PortKey): MatchType {
  if (key.protocol === 0) return specificIdentity ? 'L3-Only' : 'all';
  if (key.prefix === 0) return specificIdentity ? 'L3-Proto' : 'Proto-only';
  return specificIdentity ? 'L3-L4' : 'L4-Only';
}

/** Text for a port key: `80/TCP`, `8080-8087/TCP`, `any/UDP`, `ANY`. */
export function portKeyToString(key: PortKey): string {
  const names: Readonly<Record<number, string>> = {
    6: 'TCP',
    17: 'UDP',
    132: 'SCTP',
    1: 'ICMP',
    58: 'ICMPv6',
  };
  if (key.protocol === 0) return 'ANY';
  const protocol = names[key.protocol] ?? String(key.protocol);
  if (key.prefix === 0) return `any/${protocol}`;
  if (key.prefix === 16) return `${key.port}/${protocol}`;
  return `${key.port}-${key.port + (1 << (16 - key.prefix)) - 1}/${protocol}`;
}
