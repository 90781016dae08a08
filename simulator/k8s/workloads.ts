/**
 * The Deployment and ReplicaSet controllers: a Deployment owns ReplicaSets, one per pod template,
 * and a RollingUpdate moves replicas from the old ones to the new one within maxSurge and
 * maxUnavailable (25 % each by default, rounded up and down respectively).
 */
import { toTimestamp } from '../engine/virtual-time';
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import {
  findOwnedReplicaSetByTemplateHash,
  getObject,
  keyOf,
  controlledPodCounts,
  countOwnedReplicaSets,
  ownedReplicaSetsUnordered,
  listBusyReplicaSetsOwnedBy,
  listOwnedBy,
  listOwnedWithKeys,
  replicaSetKeyOf,
  highestOwnedRevision,
  revisionOf,
  type ApiStore,
} from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { nextDeploymentStatus, progressingMessage, type DeploymentStatusFacts } from './deployment-status';
import { newMetadata } from './metadata';
import type { Deployment, PodTemplate, ReplicaSet, ReplicationController } from './objects';
import { createControlledPod, isActivePod, requestPodDeletion } from './controlled-pods';
import { podsToDelete } from './deletion-rank';
import { ownerTemplateHash } from './pod-template-hash';
import { nextState } from '../machines/step';
import { rolloutMachine, type RolloutState } from '../machines/rollout';

/** Resolves an int-or-percent field against a replica count, rounding as Kubernetes does. */
export function resolveIntOrPercent(value: string | number, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  let parsed = parsedIntOrPercent.get(value);
  if (parsed === undefined) {
    const match = /^(\d+)%$/.exec(value);
    parsed =
      match === null
        ? { percent: false, number: Number.parseInt(value, 10) || 0 }
        : { percent: true, number: Number(match[1]) };
    if (parsedIntOrPercent.size >= 1000) parsedIntOrPercent.clear();
    parsedIntOrPercent.set(value, parsed);
  }
  if (!parsed.percent) return parsed.number;
  const exact = (parsed.number * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Int-or-percent strings already parsed (a pure function of the text). */
const parsedIntOrPercent = new Map<string, { percent: boolean; number: number }>();

/** The template a ReplicaSet must carry for a Deployment: the Deployment's plus the hash label. */
function templateWithHash(template: PodTemplate, hash: string): PodTemplate {
  // Shares the Deployment's pod spec: stored objects are never mutated.
  return {
    ...template,
    metadata: { ...template.metadata, labels: { ...template.metadata.labels, 'pod-template-hash': hash } },
  };
}

/** ReplicaSets a Deployment owns. */
function replicaSetsOwnedBy(world: World, deployment: Deployment): ReplicaSet[] {
  return listOwnedBy(requireCluster(world).api, 'ReplicaSet', deployment.metadata.uid);
}

/**
 * ReplicaSets of a Deployment that still have replicas or pods not being deleted, in
 * replicaSetsOwnedBy's order. The others (a long history of scaled-down ones) contribute no
 * replicas and no active pods, so the controllers can leave them out of every count.
 */
function busyReplicaSetsOf(world: World, deployment: Deployment): ReplicaSet[] {
  return listBusyReplicaSetsOwnedBy(requireCluster(world).api, deployment.metadata.uid);
}

/**
 * Counts of the pods some ReplicaSets control: not being deleted, ready, and on a template hash.
 * Filled by countPods and read at once: one record reused by every sync rather than one per sync.
 */
const podCounts = {
  active: 0,
  ready: 0,
  /** Active pods labelled with the template hash asked for. */
  updated: 0,
};

/**
 * Counts the pods the given ReplicaSets control into podCounts, as filtering
 * listOwnedBy(store, 'Pod', uid) would, without building the lists.
 */
function countPods(store: ApiStore, replicaSets: readonly ReplicaSet[], templateHash: string): void {
  let active = 0;
  let ready = 0;
  let updated = 0;
  for (let i = 0; i < replicaSets.length; i++) {
    const controlled = controlledPodCounts(store, replicaSets[i]!.metadata.uid);
    if (controlled === undefined) continue;
    active += controlled.active;
    ready += controlled.ready;
    updated += controlled.byTemplateHash.get(templateHash) ?? 0;
  }
  podCounts.active = active;
  podCounts.ready = ready;
  podCounts.updated = updated;
}

/** Deployment controller: make sure the current template has a ReplicaSet and roll replicas over. */
export function syncDeployment(world: World, key: string): void {
  const cluster = requireCluster(world);
  const deployment = getObject(cluster.api, 'Deployment', key);
  if (deployment === undefined) {
    cluster.rollouts ??= {};
    delete cluster.rollouts[key];
    return;
  }
  const hash = ownerTemplateHash(deployment.metadata.uid, deployment.spec.template);
  // Only busy ReplicaSets matter below: the rest have zero replicas and no active pods.
  const busy = busyReplicaSetsOf(world, deployment);
  // Counted once for the scaling and the status: scaling a ReplicaSet changes no pod, and one that
  // becomes busy or idle by it controls no active pod.
  countPods(cluster.api, busy, hash);
  const { active, ready, updated } = podCounts;
  const found = findOwnedReplicaSetByTemplateHash(cluster.api, deployment.metadata.uid, hash);
  const newReplicaSet =
    found === undefined
      ? createNewReplicaSet(world, key, deployment, hash)
      : renumberIfReused(world, deployment, found);
  const desired = deployment.spec.replicas;
  const strategy = deployment.spec.strategy.rollingUpdate;
  let maxSurge = resolveIntOrPercent(strategy.maxSurge, desired, true);
  // ResolveFenceposts: both zero would never move, so one may be unavailable.
  let maxUnavailable = resolveIntOrPercent(strategy.maxUnavailable, desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  if (desired === 0) {
    maxSurge = 0;
  }
  rollReplicas(world, busy, newReplicaSet, desired, maxSurge, maxUnavailable, ready);
  // deploymentutil.MaxUnavailable: the fencepost's value, at most the replicas, and 0 for none.
  const minimumAvailable = desired === 0 ? 0 : desired - Math.min(maxUnavailable, desired);
  const complete = updateDeploymentStatus(
    world,
    key,
    deployment,
    hash,
    minimumAvailable,
    { active, ready, updated },
    { name: newReplicaSet.metadata.name, created: found === undefined },
  );
  if (complete) cleanupOldReplicaSets(world, deployment, newReplicaSet.metadata.uid);
}

/** The ReplicaSet for a Deployment's current template, created with no replicas yet. */
function createNewReplicaSet(world: World, key: string, deployment: Deployment, hash: string): ReplicaSet {
  // As deploymentutil.MaxRevision: one past the highest revision among the ReplicaSets it owns.
  const revision = highestOwnedRevision(requireCluster(world).api, deployment.metadata.uid) + 1;
  const template = templateWithHash(deployment.spec.template, hash);
  const metadata = newMetadata(
    world,
    `${deployment.metadata.name}-${hash}`,
    deployment.metadata.namespace ?? 'default',
    template.metadata.labels,
  );
  metadata.ownerReferences = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
      uid: deployment.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  metadata.annotations = { 'deployment.kubernetes.io/revision': String(revision) };
  // The Deployment's selector plus the hash label; the rest is shared (stored objects are never mutated).
  const selector = {
    ...deployment.spec.selector,
    matchLabels: { ...deployment.spec.selector.matchLabels, 'pod-template-hash': hash },
  };
  const replicaSet: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata,
    spec: { replicas: 0, selector, template },
    status: { replicas: 0 },
  };
  apiPut(world, replicaSet);
  setRolloutState(world, key, 'rollout.started');
  return replicaSet;
}

/**
 * The rolling update's scaling: the new ReplicaSet up within the surge allowance, the old ones
 * down while enough pods stay available (`ready` of the busy ReplicaSets' pods are ready).
 */
function rollReplicas(
  world: World,
  busy: readonly ReplicaSet[],
  newReplicaSet: ReplicaSet,
  desired: number,
  maxSurge: number,
  maxUnavailable: number,
  ready: number,
): void {
  // The old ReplicaSets with replicas are busy ones other than the new one; `busy` holds the versions
  // read before any scaling below, so the two walks of it see the same ones.
  let total = 0;
  let anyOldWithReplicas = false;
  for (let i = 0; i < busy.length; i++) {
    const replicaSet = busy[i]!;
    total += replicaSet.spec.replicas;
    if (replicaSet !== newReplicaSet && replicaSet.spec.replicas > 0) anyOldWithReplicas = true;
  }
  if (!anyOldWithReplicas) {
    if (newReplicaSet.spec.replicas !== desired) scaleReplicaSet(world, newReplicaSet, desired);
    return;
  }
  // Scale the new ReplicaSet up within the surge allowance.
  const room = desired + maxSurge - total;
  if (room > 0 && newReplicaSet.spec.replicas < desired) {
    scaleReplicaSet(world, newReplicaSet, Math.min(desired, newReplicaSet.spec.replicas + room));
  }
  // Scale old ReplicaSets down while enough pods stay available.
  const api = requireCluster(world).api;
  let canRemove = ready - (desired - maxUnavailable);
  for (let i = 0; i < busy.length; i++) {
    const oldReplicaSet = busy[i]!;
    if (oldReplicaSet === newReplicaSet || !(oldReplicaSet.spec.replicas > 0)) continue;
    // Replicas that are not ready can go at once: removing them costs no availability.
    const oldPods = controlledPodCounts(api, oldReplicaSet.metadata.uid);
    const unready = oldPods === undefined ? 0 : oldPods.active - oldPods.ready;
    const remove = Math.min(
      oldReplicaSet.spec.replicas,
      Math.max(0, canRemove) + Math.min(unready, oldReplicaSet.spec.replicas),
    );
    if (remove > 0) {
      scaleReplicaSet(world, oldReplicaSet, oldReplicaSet.spec.replicas - remove);
      canRemove -= Math.max(0, remove - unready);
    }
  }
}

const revisionAnnotation = 'deployment.kubernetes.io/revision';

/**
 * A template the Deployment ran before (a rollback) takes the next revision number, and its old
 * number joins the revision-history annotation (deploymentutil.SetNewReplicaSetAnnotations).
 */
function renumberIfReused(world: World, deployment: Deployment, replicaSet: ReplicaSet): ReplicaSet {
  const current = revisionOf(replicaSet);
  // The highest among the others; kept beside the store, as the Deployment asks on every sync.
  const api = requireCluster(world).api;
  const highest = highestOwnedRevision(api, deployment.metadata.uid, replicaSet.metadata.uid);
  if (current > highest) return replicaSet;
  const annotations: Record<string, string> = {
    ...replicaSet.metadata.annotations,
    [revisionAnnotation]: String(highest + 1),
  };
  const history = replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision-history'];
  annotations['deployment.kubernetes.io/revision-history'] =
    history === undefined ? String(current) : `${history},${current}`;
  const renumbered: ReplicaSet = { ...replicaSet, metadata: { ...replicaSet.metadata, annotations } };
  const key = replicaSetKeyOf(requireCluster(world).api, replicaSet.metadata.uid) ?? keyOf(replicaSet);
  apiPut(world, renumbered, key);
  return getObject(requireCluster(world).api, 'ReplicaSet', key) ?? renumbered;
}

/**
 * The Deployment controller's cleanupDeployment: once a rollout is complete, old ReplicaSets beyond
 * spec.revisionHistoryLimit (10 unless set) are deleted, lowest revision first, skipping any that
 * still has replicas. What is left is the history `kubectl rollout undo` can return to.
 */
function cleanupOldReplicaSets(world: World, deployment: Deployment, newReplicaSetUid: string): void {
  const cluster = requireCluster(world);
  const limit = deployment.spec.revisionHistoryLimit ?? 10;
  // Every ReplicaSet it owns, the new one included, against the limit plus that one.
  if (countOwnedReplicaSets(cluster.api, deployment.metadata.uid) <= limit + 1) return;
  const cleanable = (replicaSet: ReplicaSet): boolean =>
    replicaSet.metadata.uid !== newReplicaSetUid && replicaSet.metadata.deletionTimestamp === undefined;
  const owned = ownedReplicaSetsUnordered(cluster.api, deployment.metadata.uid);
  // The usual case, one over the limit after a rollout: only the lowest revision can go. When no
  // other has that revision, it is the first of the sorted list below, found without building it.
  let cleanableCount = 0;
  let lowest: ReplicaSet | undefined;
  let lowestRevision = Infinity;
  let lowestTied = false;
  for (let i = 0; i < owned.length; i++) {
    const replicaSet = owned[i]!;
    if (!cleanable(replicaSet)) continue;
    cleanableCount += 1;
    const revision = revisionOf(replicaSet);
    if (revision < lowestRevision) {
      lowest = replicaSet;
      lowestRevision = revision;
      lowestTied = false;
    } else if (revision === lowestRevision) lowestTied = true;
  }
  const excess = cleanableCount - limit;
  if (excess <= 0) return;
  if (excess === 1 && !lowestTied && lowest !== undefined) {
    if (lowest.status.replicas === 0 && lowest.spec.replicas === 0)
      apiRemove(world, 'ReplicaSet', keyOf(lowest));
    return;
  }
  // Sorted by revision, the owned order breaks ties. Without ties any order sorts the same, so the
  // unordered index serves, and the owned list is walked only when two revisions are equal.
  let old = owned.filter(cleanable);
  old.sort(byRevision);
  if (hasEqualNeighbours(old)) old = replicaSetsOwnedBy(world, deployment).filter(cleanable).sort(byRevision);
  for (let i = 0; i < Math.min(excess, old.length); i++) {
    const replicaSet = old[i]!;
    if (replicaSet.status.replicas !== 0 || replicaSet.spec.replicas !== 0) continue;
    apiRemove(world, 'ReplicaSet', keyOf(replicaSet));
  }
}

const byRevision = (a: ReplicaSet, b: ReplicaSet): number => revisionOf(a) - revisionOf(b);

/** Whether two neighbours of a list sorted by revision have the same revision. */
function hasEqualNeighbours(sorted: readonly ReplicaSet[]): boolean {
  for (let i = 1; i < sorted.length; i++)
    if (revisionOf(sorted[i - 1]!) === revisionOf(sorted[i]!)) return true;
  return false;
}

function scaleReplicaSet(world: World, replicaSet: ReplicaSet, replicas: number): void {
  const key = replicaSetKeyOf(requireCluster(world).api, replicaSet.metadata.uid) ?? keyOf(replicaSet);
  const scaled = { ...replicaSet, spec: { ...replicaSet.spec, replicas: Math.max(0, replicas) } };
  apiPut(world, scaled, key, 'object');
}

function setRolloutState(
  world: World,
  key: string,
  eventType: 'rollout.started' | 'rollout.completed',
): void {
  const cluster = requireCluster(world);
  cluster.rollouts ??= {};
  const current: RolloutState = cluster.rollouts[key] ?? 'progressing';
  const next = nextState(rolloutMachine, current, eventType);
  if (next !== undefined) cluster.rollouts[key] = next;
}

/**
 * Recomputes a Deployment's status from the pods of its busy ReplicaSets and writes it when it
 * changed; returns whether the rollout is complete. Whether it changed is mostly told from the
 * counts, before a new status is built or compared (deployment-status.ts).
 */
function updateDeploymentStatus(
  world: World,
  key: string,
  deployment: Deployment,
  hash: string,
  minimumAvailable: number,
  { active, ready, updated }: { active: number; ready: number; updated: number },
  replicaSet: { name: string; created: boolean },
): boolean {
  const cluster = requireCluster(world);
  const desired = deployment.spec.replicas;
  const complete = updated === desired && active === desired && ready === desired;
  // The rollout state is asked for only when complete: a keyed lookup by Deployment key is slow.
  if (complete && cluster.rollouts?.[key] !== 'complete') setRolloutState(world, key, 'rollout.completed');
  // The facts are read by statusVerdict and deploymentStatus, which keep none of them.
  const facts = statusFacts;
  facts.observedGeneration = deployment.metadata.generation ?? 1;
  facts.replicas = active;
  facts.updatedReplicas = updated;
  facts.readyReplicas = ready;
  facts.unavailableReplicas = Math.max(0, desired - ready);
  facts.available = ready >= minimumAvailable ? 'True' : 'False';
  facts.complete = complete;
  facts.message = progressingMessage(deployment.metadata.name, hash, complete);
  facts.replicaSetName = replicaSet.name;
  facts.created = replicaSet.created;
  facts.progressDeadline = deployment.spec.progressDeadlineSeconds !== maxInt32;
  const status = nextDeploymentStatus(deployment.status, facts, toTimestamp(world.timeMs));
  if (status !== undefined) apiPut(world, { ...deployment, status }, key, 'object');
  return complete;
}

/** The facts of the status being worked out, one record rewritten by every sync. */
const statusFacts: { -readonly [K in keyof DeploymentStatusFacts]: DeploymentStatusFacts[K] } = {
  observedGeneration: 0,
  replicas: 0,
  updatedReplicas: 0,
  readyReplicas: 0,
  unavailableReplicas: 0,
  available: 'False',
  complete: false,
  message: '',
  replicaSetName: '',
  created: false,
  progressDeadline: true,
};

/** `progressDeadlineSeconds` meaning "never" (math.MaxInt32); unset, the API server defaults it to 600. */
const maxInt32 = 2147483647;

/**
 * The most pods the ReplicaSet controller creates in one sync (`BurstReplicas` in
 * pkg/controller/replicaset/replica_set.go, v1.33).
 */
const burstReplicas = 500;

/**
 * How long a burst of creations takes the controller manager's API client, whose rate limit is
 * 20 requests per second (`--kube-api-qps`, cmd/kube-controller-manager): the next burst starts
 * no sooner. Only a ReplicaSet that asks for more than a burst waits, so that `replicas:
 * 2147483647` fills the cluster at the pace a real one does instead of all at once.
 */
const burstDurationMs = (burstReplicas / 20) * 1000;

/**
 * How many pods the controller may create now for a ReplicaSet missing `difference` of them:
 * at most a burst, and none while the previous burst is still being sent.
 */
function podsToCreate(
  world: World,
  kind: 'ReplicaSet' | 'ReplicationController',
  key: string,
  difference: number,
): number {
  const cluster = requireCluster(world);
  // ReplicationControllers share the controller and its limits; their pacing is kept apart by kind.
  const burstKey = kind === 'ReplicaSet' ? key : `${kind}:${key}`;
  const nextBurstMs = cluster.replicaSetNextBurstMs?.[burstKey];
  if (nextBurstMs !== undefined && world.timeMs < nextBurstMs) return 0;
  if (difference <= burstReplicas) {
    if (nextBurstMs !== undefined) delete cluster.replicaSetNextBurstMs?.[burstKey];
    return difference;
  }
  (cluster.replicaSetNextBurstMs ??= {})[burstKey] = world.timeMs + burstDurationMs;
  schedule(world, burstDurationMs, {
    type: kind === 'ReplicaSet' ? 'controller.replicaset.sync' : 'controller.replicationcontroller.sync',
    key,
  });
  return burstReplicas;
}

/** Forgets the pacing of a controller that is gone. */
function forgetBursts(world: World, burstKey: string): void {
  const bursts = requireCluster(world).replicaSetNextBurstMs;
  if (bursts?.[burstKey] !== undefined) delete bursts[burstKey];
}

/**
 * The ReplicaSet controller (pkg/controller/replicaset), which also runs ReplicationControllers:
 * create or delete pods until the active count matches spec.replicas.
 */
export function syncReplicaSet(world: World, key: string): void {
  const replicaSet = getObject(requireCluster(world).api, 'ReplicaSet', key);
  if (replicaSet === undefined) forgetBursts(world, key);
  else syncReplicas(world, key, replicaSet);
}

/** The same controller for ReplicationControllers (pkg/controller/replication wraps it). */
export function syncReplicationController(world: World, key: string): void {
  const controller = getObject(requireCluster(world).api, 'ReplicationController', key);
  if (controller === undefined) forgetBursts(world, `ReplicationController:${key}`);
  else syncReplicas(world, key, controller);
}

function syncReplicas(world: World, key: string, owner: ReplicaSet | ReplicationController): void {
  const cluster = requireCluster(world);
  // Counted before any pod is created or deleted below, as the status reports them.
  const counts = controlledPodCounts(cluster.api, owner.metadata.uid);
  const active = counts?.active ?? 0;
  const ready = counts?.ready ?? 0;
  const difference = owner.spec.replicas - active;
  const namespace = owner.metadata.namespace ?? 'default';
  if (difference > 0) {
    const count = podsToCreate(world, owner.kind, key, difference);
    for (let i = 0; i < count; i++) createControlledPod(world, owner, owner.spec.template, namespace);
  } else if (difference < 0) {
    // The owned pods' list is made for this call: the active ones are kept in it, in order. The
    // store's keys come with them (a pod's name may never have been made into a key by keyOf).
    const pods = listOwnedWithKeys(cluster.api, 'Pod', owner.metadata.uid);
    let activeCount = 0;
    for (let i = 0; i < pods.length; i++) if (isActivePod(pods[i]!.object)) pods[activeCount++] = pods[i]!;
    pods.length = activeCount;
    const doomed = podsToDelete(pods, -difference);
    for (let i = 0; i < doomed.length; i++)
      requestPodDeletion(world, doomed[i]!.object, undefined, doomed[i]!.key);
  }
  const status = owner.status;
  if (status.replicas !== active || status.readyReplicas !== ready) {
    const observedGeneration = owner.metadata.generation ?? 1;
    // Stored objects are never mutated, so the new version may share everything but its status.
    if (owner.kind === 'ReplicaSet')
      apiPut(
        world,
        {
          ...owner,
          status: { replicas: active, readyReplicas: ready, availableReplicas: ready, observedGeneration },
        },
        key,
        'object',
      );
    else
      apiPut(
        world,
        {
          ...owner,
          status: {
            replicas: active,
            fullyLabeledReplicas: active,
            readyReplicas: ready,
            availableReplicas: ready,
            observedGeneration,
          },
        },
        key,
        'object',
      );
  }
}

export { requestPodDeletion } from './controlled-pods';
