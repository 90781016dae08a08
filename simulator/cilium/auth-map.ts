/**
 * `cilium_auth_map` (pkg/maps/authmap, bpf/lib/auth.h): one map per node, keyed by
 * {local identity, remote identity, remote node id, auth type}, holding the time until which the
 * pair counts as authenticated. Remote node ids come from the node's own node map (node-ids.ts): 0
 * is the local node (auth_lookup uses 0 when the packet has no tunnel endpoint), other nodes get
 * the random ids the agent allocated when it learnt about them.
 *
 * Also the plain-data record of each handshake the auth managers ran, for widgets that replay it
 * with the real TLS machine, and `cilium bpf auth list` as the CLI prints it.
 */
import { toGoString, toTimestamp } from '../engine/virtual-time';
import type { Cluster } from '../world';
import { nodeIdForAddress, nodeIdsOf } from './node-ids';
import { alignColumns } from './cli-format';
import type { AgentState } from './state';
import type { AuthKey, AuthMapEntry } from './auth-map-types';
export type {
  AuthKey,
  AuthMapEntry,
  HandshakeCertificate,
  HandshakeRecord,
  NodeAuthState,
  MutualAuthState,
} from './auth-map-types';

/** How many handshake records the cluster keeps. */
export const handshakeCapacity = 512;

export const authTypeNames = ['disabled', 'spire', 'test-always-fail'] as const;

/** The key as a map index: `local/remote/node/type`. */
export function authKeyString(key: AuthKey): string {
  return `${key.localIdentity}/${key.remoteIdentity}/${key.remoteNodeId}/${key.authType}`;
}

/** The key as the agent logs it (AuthKey.String). */
export function describeAuthKey(key: AuthKey): string {
  return `localIdentity=${key.localIdentity}, remoteIdentity=${key.remoteIdentity}, remoteNodeID=${key.remoteNodeId}, authType=${key.authType}`;
}

/** The remote node id for a tunnel endpoint ('' = local), or undefined when the node map has none. */
export function remoteNodeIdFor(
  cluster: Cluster,
  agent: AgentState,
  tunnelEndpoint: string,
): number | undefined {
  if (tunnelEndpoint === '') return 0;
  return nodeIdForAddress(cluster, agent, tunnelEndpoint);
}

/** The address behind a node id in an agent's node map (GetNodeIP), or undefined. */
export function nodeAddressForId(cluster: Cluster, agent: AgentState, id: number): string | undefined {
  for (const [ip, candidate] of nodeIdsOf(cluster, agent)) if (candidate === id) return ip;
  return undefined;
}

/** A node's auth map entries in key order (what an iteration of the BPF map returns here). */
export function authMapEntries(cluster: Cluster, node: string): AuthMapEntry[] {
  const map = cluster.cilium?.mutualAuth?.nodes[node]?.authMap ?? {};
  return Object.values(map).sort(
    (a, b) =>
      a.key.localIdentity - b.key.localIdentity ||
      a.key.remoteIdentity - b.key.remoteIdentity ||
      a.key.remoteNodeId - b.key.remoteNodeId ||
      a.key.authType - b.key.authType,
  );
}

/** What `cilium bpf auth list` writes. */
export interface CliOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * `cilium bpf auth list` (`cilium-dbg bpf auth list` from 1.15): a tabwriter table of the kernel
 * map, or "No entries found." on standard error. With `json`, the entries as `-o json` prints them.
 */
export function formatAuthMapList(
  entries: readonly AuthMapEntry[],
  options: { output?: 'table' | 'json' } = {},
): CliOutput {
  if (options.output === 'json') {
    const rows = entries.map((entry) => ({
      LocalIdentity: entry.key.localIdentity,
      RemoteIdentity: entry.key.remoteIdentity,
      RemoteNodeID: entry.key.remoteNodeId,
      AuthType: entry.key.authType,
      Expiration: toTimestamp(Math.floor(entry.expirationMs / 1000) * 1000),
    }));
    return { stdout: `${JSON.stringify(rows, null, 2)}\n`, stderr: '', exitCode: 0 };
  }
  if (entries.length === 0) return { stdout: '', stderr: 'No entries found.\n', exitCode: 0 };
  const rows = [['SRC IDENTITY', 'DST IDENTITY', 'REMOTE NODE ID', 'AUTH TYPE', 'EXPIRATION']];
  for (const entry of entries)
    rows.push([
      String(entry.key.localIdentity),
      String(entry.key.remoteIdentity),
      String(entry.key.remoteNodeId),
      authTypeNames[entry.key.authType] ?? `unknown (${entry.key.authType})`,
      toGoString(entry.expirationMs),
    ]);
  return { stdout: `${alignColumns(rows)}\n`, stderr: '', exitCode: 0 };
}

/**
 * `cilium bpf auth list` run in a node's agent pod: its map, or the CLI's message when the agent
 * has no auth map (before 1.14).
 */
export function authMapListFor(
  cluster: Cluster,
  node: string,
  options: { output?: 'table' | 'json' } = {},
): CliOutput {
  const config = cluster.cilium?.config;
  if (config === undefined || config.versionMinor < 14)
    return {
      stdout: '',
      stderr: 'Error: unknown command "auth" for "cilium bpf"\nRun \'cilium bpf --help\' for usage.\n',
      exitCode: 1,
    };
  return formatAuthMapList(authMapEntries(cluster, node), options);
}
