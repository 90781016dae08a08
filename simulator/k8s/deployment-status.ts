/**
 * The status the Deployment controller writes, following kubernetes/kubernetes at v1.24.0:
 * - `calculateStatus` (pkg/controller/deployment/sync.go): the replica counts, and the Available
 *   condition, True with MinimumReplicasAvailable or False with MinimumReplicasUnavailable;
 * - `getNewReplicaSet` (sync.go): Progressing NewReplicaSetCreated when the sync creates the
 *   ReplicaSet of the current template, FoundNewReplicaSet when it finds one and the Deployment has
 *   no Progressing condition yet;
 * - `syncRolloutStatus` (pkg/controller/deployment/progress.go): Progressing NewReplicaSetAvailable
 *   once the rollout is complete, ReplicaSetUpdated (its lastUpdateTime refreshed) whenever a sync
 *   sees progress, nothing when the Deployment has no progress deadline;
 * - `SetDeploymentCondition` (pkg/controller/deployment/util/deployment_util.go): a condition with
 *   the same status and reason is kept as it is, timestamps and all; a new one keeps the old
 *   lastTransitionTime when only the reason changed, and goes to the end of the list.
 * The status is written only when it differs from the stored one (`reflect.DeepEqual`), so with
 * nothing new to say no write happens, however much time passed. Not modelled: the
 * ProgressDeadlineExceeded condition of a rollout stuck past its deadline, and ReplicaFailure.
 */
import { jsonEqual } from '../engine/state-hash';
import type { Deployment } from './objects';

type DeploymentStatus = Deployment['status'];
type Condition = NonNullable<DeploymentStatus['conditions']>[number];

/** What a sync found: the counts, and the facts the conditions follow from. */
export interface DeploymentStatusFacts {
  readonly observedGeneration: number;
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly unavailableReplicas: number;
  /** The Available condition's status: enough replicas available (`MaxUnavailable` at most missing). */
  readonly available: 'True' | 'False';
  /** DeploymentComplete: every replica updated, available, and no other left. */
  readonly complete: boolean;
  /** The Progressing message naming the current ReplicaSet (progressingMessage). */
  readonly message: string;
  /** The name of the current template's ReplicaSet. */
  readonly replicaSetName: string;
  /** This sync created that ReplicaSet. */
  readonly created: boolean;
  /** `spec.progressDeadlineSeconds` is set to something other than "never" (HasProgressDeadline). */
  readonly progressDeadline: boolean;
}

/** Deployment name → the template hash and the two Progressing messages last built for it. */
const messages = new Map<string, { hash: string; progressing: string; progressed: string }>();

/**
 * The Progressing condition's message. The same string is handed out while a Deployment keeps its
 * template, so that comparing it with the stored one is a comparison of references.
 */
export function progressingMessage(name: string, hash: string, complete: boolean): string {
  let known = messages.get(name);
  if (known?.hash !== hash) {
    if (messages.size >= 1000) messages.clear();
    known = {
      hash,
      progressing: `ReplicaSet "${name}-${hash}" is progressing.`,
      progressed: `ReplicaSet "${name}-${hash}" has successfully progressed.`,
    };
    messages.set(name, known);
  }
  return complete ? known.progressed : known.progressing;
}

const available = {
  True: { reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
  False: { reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
} as const;

/** NewDeploymentCondition: both times now. Keys in the order of the API's DeploymentCondition. */
function newCondition(type: string, status: string, reason: string, message: string, now: string): Condition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

function isCondition(value: unknown): value is Condition {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

function find(conditions: readonly unknown[], type: string): Condition | undefined {
  for (let i = 0; i < conditions.length; i++) {
    const condition = conditions[i];
    if (isCondition(condition) && condition.type === type) return condition;
  }
  return undefined;
}

/** The list without conditions of `type`, then `condition` at its end. */
function replaced(conditions: readonly unknown[], condition: Condition): Condition[] {
  const list: Condition[] = [];
  for (let i = 0; i < conditions.length; i++) {
    const item = conditions[i];
    if (!(isCondition(item) && item.type === condition.type)) list.push(item as Condition);
  }
  list.push(condition);
  return list;
}

/**
 * SetDeploymentCondition with a condition NewDeploymentCondition would build (both times now).
 * Returns the same list when it keeps the condition there, so that an unchanged list stays the
 * stored one (stored objects are never mutated, so sharing it is safe), and builds nothing then.
 */
function withCondition(
  conditions: readonly unknown[],
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
): readonly unknown[] {
  const current = find(conditions, type);
  if (current !== undefined && current.status === status && current.reason === reason) return conditions;
  const condition = newCondition(type, status, reason, message, now);
  if (current !== undefined && current.status === status)
    condition.lastTransitionTime = current.lastTransitionTime;
  return replaced(conditions, condition);
}

/** DeploymentProgressing: more replicas updated, ready or available, or fewer old ones, than stored. */
function progressed(previous: DeploymentStatus, facts: DeploymentStatusFacts): boolean {
  const oldBefore = (previous.replicas ?? 0) - (previous.updatedReplicas ?? 0);
  return (
    facts.updatedReplicas > (previous.updatedReplicas ?? 0) ||
    facts.replicas - facts.updatedReplicas < oldBefore ||
    facts.readyReplicas > (previous.readyReplicas ?? 0) ||
    facts.readyReplicas > (previous.availableReplicas ?? 0)
  );
}

/** The conditions after this sync, the stored list itself when none of them changed. */
function conditionsAfter(
  previous: DeploymentStatus,
  facts: DeploymentStatusFacts,
  now: string,
): readonly unknown[] {
  const stored: unknown = previous.conditions;
  let conditions: readonly unknown[] = Array.isArray(stored) ? stored : [];
  if (facts.progressDeadline) {
    if (facts.created)
      conditions = withCondition(
        conditions,
        'Progressing',
        'True',
        'NewReplicaSetCreated',
        `Created new replica set "${facts.replicaSetName}"`,
        now,
      );
    else if (find(conditions, 'Progressing') === undefined)
      conditions = withCondition(
        conditions,
        'Progressing',
        'True',
        'FoundNewReplicaSet',
        `Found new replica set "${facts.replicaSetName}"`,
        now,
      );
  }
  // The Progressing condition as the rollout's check reads it, before this sync's Available.
  const current = find(conditions, 'Progressing');
  const wording = available[facts.available];
  conditions = withCondition(conditions, 'Available', facts.available, wording.reason, wording.message, now);
  if (!facts.progressDeadline) {
    return current === undefined ? conditions : conditions.filter((item) => item !== current);
  }
  const completeBefore =
    facts.replicas === facts.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  if (completeBefore) return conditions;
  if (facts.complete)
    return withCondition(conditions, 'Progressing', 'True', 'NewReplicaSetAvailable', facts.message, now);
  if (progressed(previous, facts)) {
    // Unlike other conditions, Progressing is rewritten with the same reason, for a new lastUpdateTime;
    // within the second it was last rewritten, that gives the very condition already there, last.
    if (
      current !== undefined &&
      current.reason === 'ReplicaSetUpdated' &&
      current.status === 'True' &&
      current.lastUpdateTime === now &&
      current.message === facts.message &&
      conditions[conditions.length - 1] === current
    )
      return conditions;
    const update = newCondition('Progressing', 'True', 'ReplicaSetUpdated', facts.message, now);
    if (current?.status === 'True') update.lastTransitionTime = current.lastTransitionTime;
    return replaced(conditions, update);
  }
  return conditions;
}

/** The keys of the status calculateStatus writes, in the API's order (collisionCount kept). */
const statusKeys = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'conditions',
] as const;

/** Whether a status has exactly the keys the controller writes, none of them undefined. */
function shapedAsWritten(status: DeploymentStatus): boolean {
  let count = 0;
  for (const key in status) {
    if (count === statusKeys.length || key !== statusKeys[count] || !Object.hasOwn(status, key)) return false;
    if ((status as Record<string, unknown>)[key] === undefined) return false;
    count += 1;
  }
  return count === statusKeys.length;
}

/**
 * The status this sync writes, or undefined when it would write the stored one again (no write).
 * The conditions list is built only when a condition changes; counts are compared first.
 */
export function nextDeploymentStatus(
  previous: DeploymentStatus,
  facts: DeploymentStatusFacts,
  now: string,
): DeploymentStatus | undefined {
  const conditions = conditionsAfter(previous, facts, now);
  const sameCounts =
    previous.observedGeneration === facts.observedGeneration &&
    previous.replicas === facts.replicas &&
    previous.updatedReplicas === facts.updatedReplicas &&
    previous.readyReplicas === facts.readyReplicas &&
    previous.availableReplicas === facts.readyReplicas &&
    previous.unavailableReplicas === facts.unavailableReplicas;
  const sameConditions = conditions === previous.conditions;
  if (sameCounts && sameConditions && shapedAsWritten(previous)) return undefined;
  const status: DeploymentStatus = {
    observedGeneration: facts.observedGeneration,
    replicas: facts.replicas,
    updatedReplicas: facts.updatedReplicas,
    readyReplicas: facts.readyReplicas,
    availableReplicas: facts.readyReplicas,
    unavailableReplicas: facts.unavailableReplicas,
    conditions: conditions as Condition[],
  };
  const collisionCount = (previous as { collisionCount?: unknown }).collisionCount;
  if (collisionCount !== undefined) (status as { collisionCount?: unknown }).collisionCount = collisionCount;
  // A new count, or a condition changed by this sync (a new object in the list), is a new status;
  // otherwise only a status another writer left can turn out equal.
  if (!sameCounts || !sameConditions) return status;
  return jsonEqual(status, previous) ? undefined : status;
}
