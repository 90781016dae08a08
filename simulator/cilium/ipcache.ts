/**
 * The agent's userspace ipcache rules (pkg/ipcache, pkg/source/source.go AllowOverwrite): which source may
 * overwrite an entry, and the delete that only removes an entry still naming the same pod.
 * CRD-sourced entries never expire; only watch events change them.
 */
import { ipcacheSources, type IpcacheEntry, type IpcacheSource } from './state';

/** Strength of a source: lower is stronger. */
function strength(source: IpcacheSource): number {
  return ipcacheSources.indexOf(source);
}

/** Whether an entry from `incoming` may replace one from `existing` (the same source always may). */
export function allowOverwrite(existing: IpcacheSource, incoming: IpcacheSource): boolean {
  return strength(incoming) <= strength(existing);
}

function sameEntry(a: IpcacheEntry, b: IpcacheEntry): boolean {
  return (
    a.identity === b.identity &&
    a.source === b.source &&
    a.hostIP === b.hostIP &&
    a.encryptKey === b.encryptKey &&
    a.namespace === b.namespace &&
    a.podName === b.podName
  );
}

/** Upserts an entry if its source may overwrite the current one. Returns whether anything changed. */
export function ipcacheUpsert(cache: Record<string, IpcacheEntry>, ip: string, entry: IpcacheEntry): boolean {
  const current = cache[ip];
  if (current !== undefined) {
    if (!allowOverwrite(current.source, entry.source)) return false;
    if (sameEntry(current, entry)) return false;
  }
  cache[ip] = entry;
  return true;
}

/**
 * Deletes an entry only if it still has the given source and names the given pod: the guard that
 * keeps a late delete of pod A from removing the entry pod B now owns. Returns whether it deleted.
 */
export function ipcacheDeleteOnMetadataMatch(
  cache: Record<string, IpcacheEntry>,
  ip: string,
  source: IpcacheSource,
  namespace: string,
  podName: string,
): boolean {
  const current = cache[ip];
  if (current === undefined || current.source !== source) return false;
  if (current.namespace !== namespace || current.podName !== podName) return false;
  delete cache[ip];
  return true;
}
