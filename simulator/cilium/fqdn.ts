/**
 * The DNS proxy's cache behind toFQDNs (pkg/fqdn): for every endpoint, the addresses each allowed
 * DNS answer gave for a name, kept for the answer's TTL (raised to --tofqdns-min-ttl) and capped at
 * --tofqdns-endpoint-max-ip-per-hostname addresses per name. An address whose TTL ran out is kept
 * while a live connection of that endpoint still uses it ("live connections are not expired until
 * they terminate"), and removed by the next garbage collection otherwise. The agent labels every
 * cached address with the toFQDNs selectors that match its names, which gives it an FQDN identity.
 */
import type { Cluster } from '../world';
import type { DnsSelector } from '../policy/model';
import { dnsNameMatches } from '../policy/index';
import { hasLiveConnectionTo } from './conntrack';
import { nodeDatapath, peekNodeDatapath } from './datapath-state';
import { canonicalName } from '../k8s/dns-world';

/** The agent's DNS-proxy settings, from the helm values or the release's defaults. */
export interface FqdnSettings {
  /** --tofqdns-min-ttl in seconds: 3600 up to 1.13, 0 (honour the answer's TTL) from 1.14 (PR #21439). */
  minTtlSeconds: number;
  /** --tofqdns-endpoint-max-ip-per-hostname (default 50). */
  maxIpsPerHostname: number;
  /** --tofqdns-dns-reject-response-code: refused (default) or nameError. */
  rejectResponseCode: 'refused' | 'nameError';
}

function numberValue(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** The DNS-proxy settings the cluster's Cilium runs with. */
export function fqdnSettings(cluster: Cluster): FqdnSettings {
  const config = cluster.cilium?.config;
  const values = config?.values ?? {};
  const minor = config?.versionMinor ?? 18;
  return {
    // The default changed from 3600 s to 0 with cilium/cilium#21439 (the 1.14 cycle; the exact release is an inference).
    minTtlSeconds: numberValue(values['dnsProxy.minTtl']) ?? (minor <= 13 ? 3600 : 0),
    maxIpsPerHostname: numberValue(values['dnsProxy.endpointMaxIpPerHostname']) ?? 50,
    rejectResponseCode: values['dnsProxy.dnsRejectResponseCode'] === 'nameError' ? 'nameError' : 'refused',
  };
}

/** Records the addresses of an allowed DNS answer for an endpoint; returns the addresses it evicted. */
export function learnDnsAnswer(
  cluster: Cluster,
  node: string,
  endpointId: number,
  name: string,
  answers: readonly { ip: string; ttlSeconds: number }[],
  nowMs: number,
): string[] {
  const settings = fqdnSettings(cluster);
  const state = nodeDatapath(cluster, node);
  const byName = (state.fqdn[String(endpointId)] ??= {});
  const key = canonicalName(name);
  const addresses = (byName[key] ??= {});
  for (const answer of answers) {
    const kept = Math.max(answer.ttlSeconds, settings.minTtlSeconds);
    addresses[answer.ip] = {
      seenMs: nowMs,
      answerTtlSeconds: answer.ttlSeconds,
      expiresAtMs: nowMs + kept * 1000,
      sequence: state.nextFqdnSequence++,
    };
  }
  // Over the per-name limit the oldest addresses go first, unless a live connection still uses them.
  const evicted: string[] = [];
  const ips = Object.keys(addresses).sort(
    (a, b) =>
      (addresses[a]?.seenMs ?? 0) - (addresses[b]?.seenMs ?? 0) ||
      (addresses[a]?.sequence ?? 0) - (addresses[b]?.sequence ?? 0),
  );
  let excess = ips.length - settings.maxIpsPerHostname;
  for (const ip of ips) {
    if (excess <= 0) break;
    if (hasLiveConnectionTo(cluster, node, endpointId, ip, nowMs)) continue;
    delete addresses[ip];
    evicted.push(ip);
    excess -= 1;
  }
  return evicted;
}

/** Drops cached addresses whose TTL ran out and that no live connection uses; returns whether anything went. */
export function collectFqdnCache(cluster: Cluster, node: string, nowMs: number): boolean {
  const state = peekNodeDatapath(cluster, node);
  if (state === undefined) return false;
  let changed = false;
  for (const [endpointId, byName] of Object.entries(state.fqdn)) {
    for (const [name, addresses] of Object.entries(byName)) {
      for (const [ip, entry] of Object.entries(addresses)) {
        if (entry.expiresAtMs > nowMs) continue;
        if (hasLiveConnectionTo(cluster, node, Number(endpointId), ip, nowMs)) continue;
        delete addresses[ip];
        changed = true;
      }
      if (Object.keys(addresses).length === 0) delete byName[name];
    }
    if (Object.keys(byName).length === 0) delete state.fqdn[endpointId];
  }
  return changed;
}

/**
 * Names per cached address on a node, over all its endpoints (the docs: IPs from responses to all
 * pods managed by one agent are allowed, respecting TTLs), restricted to names some selector matches.
 */
export function selectedNamesByAddress(
  cluster: Cluster,
  node: string,
  selectors: readonly DnsSelector[],
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const state = peekNodeDatapath(cluster, node);
  if (state === undefined || selectors.length === 0) return result;
  for (const byName of Object.values(state.fqdn)) {
    for (const [name, addresses] of Object.entries(byName)) {
      if (!selectors.some((selector) => dnsNameMatches(selector, name))) continue;
      for (const ip of Object.keys(addresses)) {
        const names = result.get(ip) ?? [];
        if (!names.includes(name)) names.push(name);
        result.set(ip, names);
      }
    }
  }
  for (const names of result.values()) names.sort();
  return result;
}

/** One endpoint's cache as `cilium fqdn cache list` shows it: name, address, TTL, expiry. */
export function listFqdnCache(
  cluster: Cluster,
  node: string,
  nowMs: number,
): { endpointId: number; name: string; ip: string; ttlSeconds: number; expiresAtMs: number }[] {
  collectFqdnCache(cluster, node, nowMs);
  const state = peekNodeDatapath(cluster, node);
  const rows: { endpointId: number; name: string; ip: string; ttlSeconds: number; expiresAtMs: number }[] =
    [];
  for (const [endpointId, byName] of Object.entries(state?.fqdn ?? {})) {
    for (const [name, addresses] of Object.entries(byName)) {
      for (const [ip, entry] of Object.entries(addresses)) {
        rows.push({
          endpointId: Number(endpointId),
          name,
          ip,
          ttlSeconds: entry.answerTtlSeconds,
          expiresAtMs: entry.expiresAtMs,
        });
      }
    }
  }
  return rows.sort(
    (a, b) => a.endpointId - b.endpointId || a.name.localeCompare(b.name) || a.ip.localeCompare(b.ip),
  );
}
