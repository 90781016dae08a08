/**
 * The status the Deployment controller writes (syncRolloutStatus and calculateStatus in
 * pkg/controller/deployment/sync.go, v1.24.0): the replica counts, and the Available and
 * Progressing conditions, written only when something other than a condition's lastUpdateTime
 * changed. Whether it changed is mostly decided from the counts alone, before a new status with
 * its conditions and timestamp is built and compared field by field.
 */
import { jsonEqual } from '../engine/state-hash';
import type { Deployment } from './objects';

type DeploymentStatus = Deployment['status'];

/** What a Deployment's status says, apart from the conditions' lastUpdateTime. */
export interface DeploymentStatusFacts {
  readonly observedGeneration: number;
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly unavailableReplicas: number;
  /** The Available condition's status. */
  readonly available: 'True' | 'False';
  /** Whether the newest ReplicaSet has every replica (the Progressing condition's reason). */
  readonly complete: boolean;
  /** The Progressing condition's message (progressingMessage). */
  readonly message: string;
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

/** The status a Deployment gets for these facts, its conditions updated at `now`. */
export function deploymentStatus(facts: DeploymentStatusFacts, now: string): DeploymentStatus {
  const status: DeploymentStatus = {
    observedGeneration: facts.observedGeneration,
    replicas: facts.replicas,
    updatedReplicas: facts.updatedReplicas,
    readyReplicas: facts.readyReplicas,
    availableReplicas: facts.readyReplicas,
    unavailableReplicas: facts.unavailableReplicas,
  };
  status.conditions = conditionsAt(facts, now);
  return status;
}

type Conditions = NonNullable<DeploymentStatus['conditions']>;

/**
 * The conditions last built, and what they were built for. A rollout writes its status several
 * times within one second with the same conditions (only the counts move), so the statuses written
 * in that second share one conditions array (stored objects are never mutated). One entry, not a
 * map by Deployment: asking a map costs more than building the conditions.
 */
const lastConditions = {
  message: '',
  now: '',
  available: 'False' as 'True' | 'False',
  complete: false,
  conditions: undefined as Conditions | undefined,
};

/** The Available and Progressing conditions for these facts, updated at `now`. */
function conditionsAt(facts: DeploymentStatusFacts, now: string): Conditions {
  const last = lastConditions;
  if (
    last.conditions !== undefined &&
    last.message === facts.message &&
    last.now === now &&
    last.available === facts.available &&
    last.complete === facts.complete
  )
    return last.conditions;
  const conditions: Conditions = [
    {
      type: 'Available',
      status: facts.available,
      reason: 'MinimumReplicasAvailable',
      message: availableMessage,
      lastUpdateTime: now,
    },
    {
      type: 'Progressing',
      status: 'True',
      reason: facts.complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      message: facts.message,
      lastUpdateTime: now,
    },
  ];
  last.message = facts.message;
  last.now = now;
  last.available = facts.available;
  last.complete = facts.complete;
  last.conditions = conditions;
  return conditions;
}

const availableMessage = 'Deployment has minimum availability.';

/**
 * What the stored status and these facts say about a write, without building the new status:
 * - `changed`: a count or a condition's status, reason or message differs, so the new status
 *   differs from the stored one whatever else the stored one holds;
 * - `unchanged`: the stored status has the shape the controller writes and says the same in
 *   every field but the lastUpdateTimes;
 * - `compare`: neither is certain (a status written by something else); the full comparison decides.
 */
export function statusVerdict(
  previous: DeploymentStatus,
  facts: DeploymentStatusFacts,
): 'changed' | 'unchanged' | 'compare' {
  const conditions = previous.conditions as unknown;
  if (!Array.isArray(conditions) || conditions.length !== 2) return 'changed';
  const available = conditions[0] as unknown;
  const progressing = conditions[1] as unknown;
  if (!isRecord(available) || !isRecord(progressing)) return 'changed';
  if (
    !sameCount(previous.observedGeneration, facts.observedGeneration) ||
    !sameCount(previous.replicas, facts.replicas) ||
    !sameCount(previous.updatedReplicas, facts.updatedReplicas) ||
    !sameCount(previous.readyReplicas, facts.readyReplicas) ||
    !sameCount(previous.availableReplicas, facts.readyReplicas) ||
    !sameCount(previous.unavailableReplicas, facts.unavailableReplicas) ||
    available.status !== facts.available ||
    progressing.reason !== (facts.complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated') ||
    progressing.message !== facts.message
  )
    return 'changed';
  const constant =
    available.type === 'Available' &&
    available.reason === 'MinimumReplicasAvailable' &&
    available.message === availableMessage &&
    progressing.type === 'Progressing' &&
    progressing.status === 'True';
  return constant && shapedAsWritten(previous) ? 'unchanged' : 'compare';
}

/** Whether a stored field says the same as a count in JSON; the usual case, equal numbers, at once. */
const sameCount = (stored: unknown, count: number): boolean =>
  stored === count ||
  // Two different numbers say the same in JSON only when neither is finite (both are null there).
  (typeof stored === 'number'
    ? !Number.isFinite(stored) && !Number.isFinite(count)
    : jsonEqual(stored, count));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys of a status updateDeploymentStatus writes, in the order it writes them. */
const statusKeys = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'conditions',
] as const;
const conditionKeys = ['type', 'status', 'reason', 'message', 'lastUpdateTime'] as const;

/**
 * Whether an object's own keys are exactly `keys`, in that order, none of them undefined. Walked with
 * for-in rather than Object.keys, which would build an array for every status looked at: the
 * stored status is new after every write, so a memo of the answer would miss nearly every time.
 */
function hasExactly(value: object, keys: readonly string[]): boolean {
  let count = 0;
  for (const key in value) {
    if (count === keys.length || key !== keys[count] || !Object.hasOwn(value, key)) return false;
    if ((value as Record<string, unknown>)[key] === undefined) return false;
    count += 1;
  }
  return count === keys.length;
}

/** Whether a status has exactly the shape updateDeploymentStatus writes. */
function shapedAsWritten(status: DeploymentStatus): boolean {
  const conditions = status.conditions as unknown;
  if (!hasExactly(status, statusKeys) || !Array.isArray(conditions) || conditions.length !== 2) return false;
  for (let i = 0; i < 2; i++) {
    const condition = conditions[i] as unknown;
    if (!isRecord(condition) || !hasExactly(condition, conditionKeys)) return false;
  }
  return true;
}

/**
 * Whether two statuses are equal as JSON once every condition's lastUpdateTime is blanked: then the
 * status has not changed. `next` has the shape updateDeploymentStatus writes; when the previous
 * status has it too, the fields are compared one by one, else both are serialised.
 */
export function sameStatusApartFromUpdateTimes(next: DeploymentStatus, previous: DeploymentStatus): boolean {
  if (shapedAsWritten(previous)) {
    for (let k = 0; k < statusKeys.length; k++) {
      const key = statusKeys[k]!;
      if (key !== 'conditions' && !jsonEqual(next[key], previous[key])) return false;
    }
    const nextConditions = next.conditions ?? [];
    const previousConditions = previous.conditions ?? [];
    for (let i = 0; i < 2; i++) {
      const left = nextConditions[i] as unknown as Record<string, unknown>;
      const right = previousConditions[i] as unknown as Record<string, unknown>;
      for (let k = 0; k < conditionKeys.length; k++) {
        const key = conditionKeys[k]!;
        if (key !== 'lastUpdateTime' && !jsonEqual(left[key], right[key])) return false;
      }
    }
    return true;
  }
  const comparable = (value: DeploymentStatus): string =>
    JSON.stringify({
      ...value,
      conditions: value.conditions?.map((condition) => ({ ...condition, lastUpdateTime: '' })),
    });
  return comparable(next) === comparable(previous);
}
