/**
 * `cilium_auth_map` (pkg/maps/authmap, bpf/lib/auth.h; FACTS §5.1): one map per node, keyed by
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

/** A key of the auth map. */
export interface AuthKey {
  localIdentity: number;
  remoteIdentity: number;
  /** 0 for the local node. */
  remoteNodeId: number;
  /** 1 = spire, 2 = test-always-fail. */
  authType: number;
}

/** One auth map entry, with what the model knows about where it came from. */
export interface AuthMapEntry {
  key: AuthKey;
  /** The value: until when the pair is authenticated (virtual ms; the kernel keeps seconds). */
  expirationMs: number;
  /** When the auth manager wrote it (the authmap cache's storedAt). */
  storedAtMs: number;
  /** Number of the handshake that produced it. */
  handshake: number;
}

/** A certificate as one side of a handshake presented it. */
export interface HandshakeCertificate {
  spiffeId: string;
  serialHex: string;
  issuerSerialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
}

/**
 * One mutual-authentication handshake, as plain data: the node whose datapath asked for it is the
 * TLS client, the node the remote node id points to is the server. Enough for a widget to rebuild
 * the exchange (ClientHello with the SNI, the two certificate chains, the checks each side makes).
 */
export interface HandshakeRecord {
  number: number;
  /** When the agent started it and when it ended (virtual ms). */
  startedAtMs: number;
  atMs: number;
  /** Why it ran: a datapath signal, or a certificate rotation. */
  reason: 'signal' | 'rotation';
  /** The authenticating node (TLS client) and its agent pod. */
  node: string;
  agentPod: string;
  key: AuthKey;
  /** The peer the remote node id resolved to, and where the client dialled. */
  peerNode?: string;
  peerAddress: string;
  port: number;
  trustDomain: string;
  /** `<remote identity>.<trust domain>`. */
  sni: string;
  /** TLS 1.3 is the minimum the agents accept. */
  tlsVersion: 'TLS 1.3';
  /** What the client presented: the SVID of the local identity. */
  clientCertificate?: HandshakeCertificate;
  /** What the server picked by SNI: its SVID of the remote identity. */
  serverCertificate?: HandshakeCertificate;
  /** The checks as each side made them, in order. */
  checks: { side: 'client' | 'server'; check: string; passed: boolean }[];
  result: 'success' | 'failure';
  failure?: string;
  /** The auth map entry's expiration on success: the earlier of the two notAfter. */
  expirationMs?: number;
  sentence: string;
}

/** A node's auth map and its auth manager's bookkeeping. */
export interface NodeAuthState {
  authMap: Record<string, AuthMapEntry>;
  /** Keys with a handshake under way (the manager's `pending` set), with when it ends. */
  pending: Record<
    string,
    { key: AuthKey; startedAtMs: number; dueMs: number; reason: 'signal' | 'rotation' }
  >;
  /** Signals the datapath wrote to the perf ring that the agent has not read yet. */
  signals: { key: AuthKey; atMs: number }[];
}

/** Mutual authentication across the cluster. */
export interface MutualAuthState {
  nodes: Record<string, NodeAuthState>;
  /** The most recent handshakes, oldest first. */
  handshakes: HandshakeRecord[];
  nextHandshakeNumber: number;
}

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
