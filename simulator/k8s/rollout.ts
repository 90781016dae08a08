/**
 * What `kubectl rollout restart` and `kubectl rollout undo` change on the API server, for
 * Deployments and DaemonSets (kubectl/pkg/polymorphichelpers objectrestarter.go, rollback.go): a
 * restart stamps the template with kubectl.kubernetes.io/restartedAt; an undo puts back the
 * template of a revision (a Deployment's ReplicaSet, a DaemonSet's ControllerRevision).
 */
import { toTimestamp } from '../engine/virtual-time';
import { canonicalJson } from '../engine/state-hash';
import type { World } from '../world';
import { requireCluster } from '../world';
import { getObject, listOwnedBy } from './api-store';
import { apiPut } from './api-writes';
import { daemonSetRevisions, revisionTemplate } from './daemonset-history';
import type { DaemonSet, Deployment, PodTemplate, ReplicaSet } from './objects';
import { templateGenerationAnnotation } from './daemonset-controller';
import type { RolloutKind } from '../events';
export type { RolloutKind } from '../events';

/** The outcome of a rollout change: kubectl's operation word, or the error it prints. */
export type RolloutChange = { ok: true; message: string } | { ok: false; error: string };

const plural = (kind: RolloutKind): string =>
  kind === 'Deployment' ? 'deployments.apps' : 'daemonsets.apps';

function nameOf(key: string): string {
  return key.split('/').pop() ?? key;
}

/** Writes a new template (and the generation it implies) on a Deployment or DaemonSet. */
function writeTemplate(
  world: World,
  workload: Deployment | DaemonSet,
  template: PodTemplate,
  key: string,
): void {
  const generation = (workload.metadata.generation ?? 1) + 1;
  if (workload.kind === 'Deployment') {
    apiPut(
      world,
      { ...workload, metadata: { ...workload.metadata, generation }, spec: { ...workload.spec, template } },
      key,
    );
    return;
  }
  const templateGeneration =
    Number(workload.metadata.annotations?.[templateGenerationAnnotation] ?? generation - 1) + 1;
  apiPut(
    world,
    {
      ...workload,
      metadata: {
        ...workload.metadata,
        generation,
        annotations: {
          ...workload.metadata.annotations,
          [templateGenerationAnnotation]: String(templateGeneration),
        },
      },
      spec: { ...workload.spec, template },
    },
    key,
  );
}

function workloadAt(world: World, kind: RolloutKind, key: string): Deployment | DaemonSet | undefined {
  return getObject(requireCluster(world).api, kind, key);
}

/** `kubectl rollout restart`: the restartedAt annotation on the pod template. */
export function restartWorkload(world: World, kind: RolloutKind, key: string): RolloutChange {
  const workload = workloadAt(world, kind, key);
  if (workload === undefined) return { ok: false, error: `${plural(kind)} "${nameOf(key)}" not found` };
  const stamp = toTimestamp(world.timeMs);
  const template = workload.spec.template;
  // kubectl's patch is empty when the annotation already has this second's value.
  if (template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] === stamp)
    return {
      ok: false,
      error: `failed to create patch for ${nameOf(key)}: if restart has already been triggered within the past second, please wait before attempting to trigger another`,
    };
  writeTemplate(
    world,
    workload,
    {
      ...template,
      metadata: {
        ...template.metadata,
        annotations: { ...template.metadata.annotations, 'kubectl.kubernetes.io/restartedAt': stamp },
      },
    },
    key,
  );
  return { ok: true, message: 'restarted' };
}

/** The templates a Deployment's ReplicaSets keep, by revision (without the pod-template-hash label). */
function deploymentRevisions(world: World, deployment: Deployment): Map<number, PodTemplate> {
  const revisions = new Map<number, PodTemplate>();
  for (const replicaSet of listOwnedBy(requireCluster(world).api, 'ReplicaSet', deployment.metadata.uid)) {
    const revision = Number(replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision']);
    if (Number.isInteger(revision)) revisions.set(revision, withoutHash(replicaSet));
  }
  return revisions;
}

function withoutHash(replicaSet: ReplicaSet): PodTemplate {
  const labels = { ...replicaSet.spec.template.metadata.labels };
  delete labels['pod-template-hash'];
  return { ...replicaSet.spec.template, metadata: { ...replicaSet.spec.template.metadata, labels } };
}

/** The templates of a workload's rollout history, by revision number. */
export function revisionsOf(world: World, workload: Deployment | DaemonSet): Map<number, PodTemplate> {
  if (workload.kind === 'Deployment') return deploymentRevisions(world, workload);
  return new Map(
    daemonSetRevisions(world, workload).map((revision) => [revision.revision, revisionTemplate(revision)]),
  );
}

/** The revision to go back to: the one asked for, or the one before the latest (0 asks for that). */
function targetRevision(
  kind: RolloutKind,
  name: string,
  revisions: Map<number, PodTemplate>,
  toRevision: number,
): number | RolloutChange {
  if (toRevision < 0 || (toRevision > 0 && !revisions.has(toRevision)))
    return { ok: false, error: `unable to find specified revision ${toRevision} in history` };
  if (toRevision > 0) return toRevision;
  const numbers = [...revisions.keys()].sort((a, b) => b - a);
  const previous = numbers[1];
  if (previous === undefined)
    return {
      ok: false,
      error:
        kind === 'Deployment'
          ? `no rollout history found for deployment "${name}"`
          : 'no last revision to roll back to',
    };
  return previous;
}

/** `kubectl rollout undo [--to-revision=N]`. */
export function rollbackWorkload(
  world: World,
  kind: RolloutKind,
  key: string,
  toRevision: number,
): RolloutChange {
  const workload = workloadAt(world, kind, key);
  if (workload === undefined) return { ok: false, error: `${plural(kind)} "${nameOf(key)}" not found` };
  const revisions = revisionsOf(world, workload);
  const target = targetRevision(kind, workload.metadata.name, revisions, toRevision);
  if (typeof target !== 'number') return target;
  const template = revisions.get(target);
  if (template === undefined)
    return { ok: false, error: `unable to find specified revision ${target} in history` };
  if (canonicalJson(template) === canonicalJson(workload.spec.template))
    // kubectl prints the revision as asked: 0 when no --to-revision was given.
    return {
      ok: true,
      message: `skipped rollback (current template already matches revision ${toRevision})`,
    };
  writeTemplate(world, workload, template, key);
  return { ok: true, message: 'rolled back' };
}
