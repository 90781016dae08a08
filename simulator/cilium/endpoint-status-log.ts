/**
 * An endpoint's status log, what `cilium-dbg endpoint log <id>` prints: every state change of the
 * endpoint with the reason the agent gave, and the outcome of each regeneration. Upstream at v1.18:
 * `setState`/`BuilderSetStateLocked` log the reason with the state they move to
 * (pkg/endpoint/endpoint.go), `logStatusLocked` appends to a ring of the newest 256 entries, and
 * `EndpointStatus.GetModel` hands them out newest first (pkg/endpoint/status.go).
 */
import type { LocalEndpoint } from './state';

/** The ring's size (`maxLogs` in pkg/endpoint/endpoint.go at v1.18). */
const endpointStatusLogSize = 256;

/** The reason of a new endpoint's first regeneration, and of a regeneration after a label change. */
export const labelsRegenerationReason = 'updated security labels';

/** The reason of the first regeneration of an endpoint a restarted agent took back (pkg/endpoint/restore.go). */
export const restoreRegenerationReason = 'syncing state to host';

/** The reasons the agent logs with each move of the lifecycle (pkg/endpoint at v1.18). */
export const statusMessages = {
  created: 'Endpoint creation',
  identitySet: 'Set identity for this endpoint',
  labelsChanged: 'Triggering identity resolution due to updated identity labels',
  restoring: 'Endpoint restoring',
  restoredFromPrevious: 'Restoring endpoint from previous cilium instance',
  labelsSynchronized: 'Synchronizing endpoint labels with KVStore',
  regenerationCompleted: 'Completed endpoint regeneration with no pending regeneration requests',
  deleting: 'Deleting endpoint',
  regenerationQueued: (reason: string): string => `Triggering endpoint regeneration due to ${reason}`,
  regenerating: (reason: string): string => `Regenerating endpoint: ${reason}`,
  regenerated: (reason: string): string => `Successfully regenerated endpoint program (Reason: ${reason})`,
  regenerationSkipped: (reason: string): string =>
    `Skipped duplicate endpoint regeneration trigger due to ${reason}`,
} as const;

/** Appends an entry for the endpoint's current state, dropping the oldest past the ring's size. */
export function logEndpointStatus(endpoint: LocalEndpoint, atMs: number, message: string): void {
  const log = endpoint.statusLog ?? [];
  log.push({ atMs, state: endpoint.state, message });
  if (log.length > endpointStatusLogSize) log.splice(0, log.length - endpointStatusLogSize);
  endpoint.statusLog = log;
}

/**
 * The messages of the regeneration every new endpoint goes through, made once: the agents log them
 * for each endpoint, and one string for all spares building (and hashing) a copy per entry.
 */
export const labelsRegenerationMessages = {
  queued: statusMessages.regenerationQueued(labelsRegenerationReason),
  regenerating: statusMessages.regenerating(labelsRegenerationReason),
  regenerated: statusMessages.regenerated(labelsRegenerationReason),
} as const;

const regeneratingPrefix = statusMessages.regenerating('');

/** The reason of the regeneration under way: the one its "Regenerating endpoint" entry named. */
export function currentRegenerationReason(endpoint: LocalEndpoint): string {
  const log = endpoint.statusLog ?? [];
  // Newest first, without copying the log: the entry is usually the last but one.
  for (let i = log.length - 1; i >= 0; i--) {
    const message = log[i]!.message;
    if (message === labelsRegenerationMessages.regenerating) return labelsRegenerationReason;
    if (message.startsWith(regeneratingPrefix)) return message.slice(regeneratingPrefix.length);
  }
  return labelsRegenerationReason;
}
