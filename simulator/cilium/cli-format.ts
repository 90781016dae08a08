/**
 * Output of the cilium CLI inside the agent pod, shaped like the real tool of each version
 * (FACTS §2.5): `cilium map get cilium_ipcache` prints the agent's userspace copy of the map with a
 * State column; the value string gained node ids in 1.14 and flags from 1.15.
 */
import type { Cluster } from '../world';
import { listIpcache } from './agent-ipcache';
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

function nodeIds(cluster: Cluster): Map<string, number> {
  const ids = new Map<string, number>();
  Object.values(cluster.nodes)
    .map((node) => node.internalIP)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .forEach((ip, index) => ids.set(ip, index + 1));
  return ids;
}

/** The value string of one ipcache entry for the agent's Cilium version. */
export function ipcacheValueString(cluster: Cluster, entry: IpcacheEntry): string {
  const minor = cluster.cilium?.config.versionMinor ?? 12;
  const tunnel = entry.hostIP === '' ? '0.0.0.0' : entry.hostIP;
  const base = `identity=${entry.identity} encryptkey=${entry.encryptKey} tunnelendpoint=${tunnel}`;
  if (minor <= 13) return base;
  if (minor === 14) {
    const nodeId = entry.hostIP === '' ? 0 : (nodeIds(cluster).get(entry.hostIP) ?? 0);
    return `${base} nodeid=${nodeId}`;
  }
  const routing = cluster.cilium?.config.routingMode ?? 'tunnel';
  const flags = entry.hostIP === '' ? '<none>' : routing === 'tunnel' ? 'hastunnel' : '<none>';
  return `${base} flags=${flags}`;
}

/** `cilium map get cilium_ipcache` (`cilium-dbg` from 1.15). */
export function formatIpcacheMapGet(cluster: Cluster, agent: AgentState): string {
  const rows = [['Key', 'Value', 'State', 'Error']];
  for (const row of listIpcache(cluster, agent))
    rows.push([row.prefix, ipcacheValueString(cluster, row.entry), 'sync', '']);
  return alignColumns(rows);
}
