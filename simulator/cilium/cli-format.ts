/**
 * Output of the cilium CLI inside the agent pod, shaped like the real tool of each version
 * (cilium/cmd/map_get.go): `cilium map get cilium_ipcache` prints the agent's userspace copy of the
 * map with a State column; the value string gained node ids in 1.14 and flags from 1.15.
 */
import type { Cluster } from '../world';
import { listIpcache } from './agent-ipcache';
import { nodeIdForAddress } from './node-ids';
import type { AgentState, IpcacheEntry } from './state';

/** Formats rows as a tab-aligned table, as Go's tabwriter does for the CLI. */
export function alignColumns(rows: string[][], gap = 3): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd((widths[index] ?? 0) + gap)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The value string of one ipcache entry for the agent's Cilium version (RemoteEndpointInfo.String in
 * pkg/maps/ipcache/ipcache.go): 1.12-1.13 `identity= encryptkey= tunnelendpoint=`; 1.14 adds
 * `nodeid=`, the node map's ID for the tunnel endpoint (0 for local entries); from 1.15 `flags=`.
 * The flags print `<none>` until 1.18, which sets `hastunnel` on every entry with a tunnel endpoint
 * (NewValue, cilium/cilium#38296); the listener fills the tunnel endpoint for any address behind
 * another node, whatever the routing mode (pkg/datapath/ipcache/listener.go).
 */
export function ipcacheValueString(cluster: Cluster, agent: AgentState, entry: IpcacheEntry): string {
  const minor = cluster.cilium?.config.versionMinor ?? 12;
  const tunnel = entry.hostIP === '' ? '0.0.0.0' : entry.hostIP;
  const base = `identity=${entry.identity} encryptkey=${entry.encryptKey} tunnelendpoint=${tunnel}`;
  if (minor <= 13) return base;
  if (minor === 14) {
    const nodeId = entry.hostIP === '' ? 0 : (nodeIdForAddress(cluster, agent, entry.hostIP) ?? 0);
    return `${base} nodeid=${nodeId}`;
  }
  const flags = minor >= 18 && entry.hostIP !== '' ? 'hastunnel' : '<none>';
  return `${base} flags=${flags}`;
}

/** `cilium map get cilium_ipcache` (`cilium-dbg` from 1.15). */
export function formatIpcacheMapGet(cluster: Cluster, agent: AgentState): string {
  const rows = [['Key', 'Value', 'State', 'Error']];
  for (const row of listIpcache(cluster, agent))
    rows.push([row.prefix, ipcacheValueString(cluster, agent, row.entry), 'sync', '']);
  return alignColumns(rows);
}
