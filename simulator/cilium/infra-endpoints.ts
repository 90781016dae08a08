/**
 * The lifecycle of the two endpoints an agent manages that are no pod's: the host endpoint
 * (reserved:host, identity 1) and the health endpoint (reserved:health, identity 4, the
 * cilium-health-responder in a network namespace of its own, at the node's health address). Their
 * states and status logs are derived from when the running agent started and whether an agent ran
 * on the node before (`startedAtMs`, `startCount`), so they add nothing to the world but those two
 * numbers. Upstream, cilium/cilium v1.18.5:
 *
 * - Both wait for the endpoint restore without its regeneration (`WaitForEndpointRestoreWithout
 *   Regeneration`, daemon/cmd/endpoint_restore.go), which ends once the Kubernetes caches synced and
 *   the ipcache has its first revision: the model's `restoreWaitMs` after the start.
 * - The host endpoint (daemon/infraendpoints/host_endpoint.go, `AddHostEndpoint` in
 *   pkg/endpoint/creator/creator.go, `CreateHostEndpoint` in pkg/endpoint/host.go) is created the
 *   first time in waiting-for-identity ("Endpoint creation"); its node labels then give it
 *   reserved:host (`InitHostEndpointLabels`, pkg/endpointmanager/host.go) and it regenerates like a
 *   new pod's endpoint. A restarted agent finds it in its state directory and restores it like the
 *   pods' endpoints (`ParseEndpoint` in pkg/endpoint/endpoint.go starts a fresh status log at
 *   restoring; `RegenerateAfterRestore` in pkg/endpoint/restore.go).
 * - The health endpoint is never restored: `validateEndpoint` (daemon/cmd/endpoint_restore.go)
 *   drops the old one's state, and the health manager (pkg/health/health_manager.go) launches a new
 *   one (`launchAsEndpoint`, pkg/health/health_connectivity_endpoint.go): a new endpoint, so a new
 *   id and an empty log, created in waiting-for-identity, handed to the endpoint manager only once
 *   the responder wrote its pidfile (polled every second), and then labelled reserved:health.
 * - A policy change whose rules select the host endpoint regenerates it (host-policy-updates.ts
 *   notes when; `UpdatePolicy` in pkg/endpoint/policy.go, whose reason "policy rules updated" was
 *   read at a 1.17-era commit, not checked against v1.18.5).
 */
import type { EndpointState } from '../machines/endpoint-lifecycle';
import { endpointLifecycleMachine, type EndpointLifecycleEvent } from '../machines/endpoint-lifecycle';
import { requireNextState } from '../machines/step';
import {
  identityResolutionMs,
  regenerationMs,
  regenerationQueueMs,
  restoreWaitMs,
  templateCompileMs,
} from './cni';
import { labelsRegenerationReason, restoreRegenerationReason, statusMessages } from './endpoint-status-log';
import type { AgentState, EndpointStatusEntry } from './state';

/**
 * From the health endpoint's creation to the endpoint manager taking it: `launchAsEndpoint` polls
 * for the responder's pidfile once a second, and the first look comes before the process wrote it.
 */
const healthLaunchMs = 1_000;

/** An infrastructure endpoint as the agent has it at one moment. */
interface InfraEndpointNow {
  readonly state: EndpointState;
  /** Oldest first, as `LocalEndpoint.statusLog`. */
  readonly statusLog: readonly EndpointStatusEntry[];
}

/** Builds a timeline by running the endpoint lifecycle machine, one logged move at a time. */
class Timeline {
  readonly entries: EndpointStatusEntry[] = [];
  private state: EndpointState = 'none';

  move(atMs: number, event: EndpointLifecycleEvent['type'], message: string): this {
    this.state = requireNextState(endpointLifecycleMachine, this.state, event);
    return this.log(atMs, message);
  }

  log(atMs: number, message: string): this {
    this.entries.push({ atMs, state: this.state, message });
    return this;
  }

  /** The state at `atMs`, and whether every move so far happened by then. */
  at(atMs: number): { state: EndpointState | undefined; settled: boolean } {
    const past = this.entries.filter((entry) => entry.atMs <= atMs);
    return {
      state: past.at(-1)?.state as EndpointState | undefined,
      settled: past.length === this.entries.length,
    };
  }

  /** An entry that changes no state, logged among earlier moves (kept in time order). */
  note(atMs: number, message: string): void {
    const state = this.at(atMs).state;
    if (state === undefined) return;
    const index = this.entries.findIndex((entry) => entry.atMs > atMs);
    const entry = { atMs, state, message };
    if (index < 0) this.entries.push(entry);
    else this.entries.splice(index, 0, entry);
  }
}

/** The reason of a regeneration a policy change triggers (`UpdatePolicy`, pkg/endpoint/policy.go). */
const policyRegenerationReason = 'policy rules updated';

/**
 * The host endpoint's regenerations for the policy changes that selected it (host-policy-updates.ts).
 * A change that finds it ready queues a regeneration; one that finds a regeneration already queued is
 * logged as a skipped duplicate (`setRegenerateStateLocked`, pkg/endpoint/policy.go). Not
 * modelled: a change that arrives while a build runs or before the endpoint is first ready, which
 * Cilium answers with one more regeneration after the running one; the model logs nothing for it.
 */
function withPolicyUpdates(timeline: Timeline, updatesMs: readonly number[], sinceMs: number): Timeline {
  for (const atMs of updatesMs) {
    if (atMs < sinceMs) continue;
    const now = timeline.at(atMs);
    if (now.state === 'ready' && now.settled) {
      const startMs = atMs + regenerationQueueMs;
      timeline
        .move(atMs, 'regeneration.queued', statusMessages.regenerationQueued(policyRegenerationReason))
        .move(startMs, 'regeneration.started', statusMessages.regenerating(policyRegenerationReason))
        .move(startMs + regenerationMs, 'regeneration.completed', statusMessages.regenerationCompleted)
        .log(startMs + regenerationMs, statusMessages.regenerated(policyRegenerationReason));
    } else if (now.state === 'waiting-to-regenerate')
      timeline.note(atMs, statusMessages.regenerationSkipped(policyRegenerationReason));
  }
  return timeline;
}

/**
 * A new endpoint's first moves, as cni.ts takes a pod's: created at `createdAtMs`, its identity at
 * `identityAtMs`, then one regeneration for its labels that takes `buildMs`.
 */
function newEndpointLife(createdAtMs: number, identityAtMs: number, buildMs: number): Timeline {
  const startMs = identityAtMs + regenerationQueueMs;
  return new Timeline()
    .move(createdAtMs, 'endpoint.create', statusMessages.created)
    .move(identityAtMs, 'identity.resolved', statusMessages.identitySet)
    .move(identityAtMs, 'regeneration.queued', statusMessages.regenerationQueued(labelsRegenerationReason))
    .move(startMs, 'regeneration.started', statusMessages.regenerating(labelsRegenerationReason))
    .move(startMs + buildMs, 'regeneration.completed', statusMessages.regenerationCompleted)
    .log(startMs + buildMs, statusMessages.regenerated(labelsRegenerationReason));
}

/** A restored endpoint's moves after a start at `startMs`, as cni.ts's restoreEndpoints takes a pod's. */
function restoredEndpointLife(startMs: number): Timeline {
  const regenerateAtMs = startMs + restoreWaitMs;
  const doneAtMs = regenerateAtMs + templateCompileMs;
  return new Timeline()
    .move(startMs, 'endpoint.restore', statusMessages.restoring)
    .log(regenerateAtMs, statusMessages.restoredFromPrevious)
    .log(regenerateAtMs, statusMessages.labelsSynchronized)
    .move(regenerateAtMs, 'regeneration.started', statusMessages.regenerating(restoreRegenerationReason))
    .move(doneAtMs, 'regeneration.completed', statusMessages.regenerationCompleted)
    .log(doneAtMs, statusMessages.regenerated(restoreRegenerationReason));
}

/** The timeline's entries up to `nowMs` and the state they leave, or undefined before its first. */
function asOf(timeline: Timeline, nowMs: number): InfraEndpointNow | undefined {
  const statusLog = timeline.entries.filter((entry) => entry.atMs <= nowMs);
  const last = statusLog.at(-1);
  return last === undefined ? undefined : { state: last.state as EndpointState, statusLog };
}

/** Whether the running agent restarted over an earlier agent's state directory. */
function restarted(agent: AgentState): boolean {
  return (agent.startCount ?? 1) > 1;
}

/**
 * The host endpoint at `nowMs`: restored from the earlier agent's state, or created once the restore
 * wait is over. Undefined while the agent has not created it yet (or never started).
 */
export function hostEndpointNow(agent: AgentState, nowMs: number): InfraEndpointNow | undefined {
  const startMs = agent.startedAtMs;
  if (startMs === undefined) return undefined;
  const createdAtMs = startMs + restoreWaitMs;
  const life = restarted(agent)
    ? restoredEndpointLife(startMs)
    : newEndpointLife(createdAtMs, createdAtMs + identityResolutionMs, regenerationMs);
  return asOf(withPolicyUpdates(life, agent.hostPolicyUpdatesMs ?? [], startMs), nowMs);
}

/**
 * The health endpoint at `nowMs`, from the moment the endpoint manager has it (the CLI lists
 * nothing before). After a restart its first build waits for the template compile the restored
 * endpoints share.
 */
export function healthEndpointNow(agent: AgentState, nowMs: number): InfraEndpointNow | undefined {
  const startMs = agent.startedAtMs;
  if (startMs === undefined) return undefined;
  const createdAtMs = startMs + restoreWaitMs;
  const exposedAtMs = createdAtMs + healthLaunchMs;
  if (nowMs < exposedAtMs) return undefined;
  const buildMs = restarted(agent) ? templateCompileMs : regenerationMs;
  return asOf(newEndpointLife(createdAtMs, exposedAtMs + identityResolutionMs, buildMs), nowMs);
}
