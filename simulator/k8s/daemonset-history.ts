/**
 * A DaemonSet's rollout history: one ControllerRevision per pod template it ran, named
 * `<daemonset>-<hash>` and numbered, as the DaemonSet controller keeps them
 * (pkg/controller/daemon/update.go constructHistory and cleanupHistory). `kubectl rollout history`
 * lists them and `kubectl rollout undo` patches the DaemonSet back to one.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { clonePlain } from '../engine/clone';
import { eachObject, keyOf } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { controllerReference } from './controlled-pods';
import { newMetadata } from './metadata';
import type { ControllerRevision, DaemonSet, PodTemplate } from './objects';
import { podTemplateHash } from './pod-template-hash';

/** The label that ties pods and ControllerRevisions to a DaemonSet template. */
export const revisionHashLabel = 'controller-revision-hash';

/** The ControllerRevisions a DaemonSet controls, oldest revision first. */
export function daemonSetRevisions(world: World, daemonSet: DaemonSet): ControllerRevision[] {
  // ControllerRevisions are few cluster-wide, unlike the DaemonSet's pods in its owner index.
  const uid = daemonSet.metadata.uid;
  return eachObject(requireCluster(world).api, 'ControllerRevision')
    .filter((revision) =>
      revision.metadata.ownerReferences?.some((owner) => owner.controller && owner.uid === uid),
    )
    .sort((a, b) => a.revision - b.revision);
}

/** The template a ControllerRevision restores (its patch without the `$patch` directive). */
export function revisionTemplate(revision: ControllerRevision): PodTemplate {
  const template = { ...revision.data.spec.template } as PodTemplate & { $patch?: string };
  delete template.$patch;
  return template;
}

/** The hash of a DaemonSet's current template, as its pods' controller-revision-hash label carries it. */
function daemonSetTemplateHash(daemonSet: DaemonSet): string {
  return podTemplateHash(daemonSet.spec.template);
}

/**
 * Makes sure the current template has a ControllerRevision with the highest revision number:
 * a new one for a new template, or the old one renumbered when a rollback returns to it. Returns
 * the template hash.
 */
export function constructHistory(world: World, daemonSet: DaemonSet): string {
  const hash = daemonSetTemplateHash(daemonSet);
  const revisions = daemonSetRevisions(world, daemonSet);
  const current = revisions.find((revision) => revision.metadata.labels?.[revisionHashLabel] === hash);
  const others = revisions.filter((revision) => revision !== current);
  const next = others.reduce((max, revision) => Math.max(max, revision.revision), 0) + 1;
  if (current !== undefined) {
    if (current.revision < next) apiPut(world, { ...current, revision: next });
    return hash;
  }
  const namespace = daemonSet.metadata.namespace ?? 'default';
  const metadata = newMetadata(world, `${daemonSet.metadata.name}-${hash}`, namespace, {
    ...daemonSet.spec.template.metadata.labels,
    [revisionHashLabel]: hash,
  });
  metadata.ownerReferences = [controllerReference(daemonSet)];
  const revision: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata,
    data: { spec: { template: { ...clonePlain(daemonSet.spec.template), $patch: 'replace' } } },
    revision: next,
  };
  apiPut(world, revision);
  return hash;
}

/**
 * Deletes the oldest ControllerRevisions beyond spec.revisionHistoryLimit (10 by default), sparing
 * the current one and any that a live pod still runs.
 */
export function cleanupHistory(
  world: World,
  daemonSet: DaemonSet,
  liveHashes: ReadonlySet<string | undefined>,
  hash: string,
): void {
  const limit = daemonSet.spec.revisionHistoryLimit ?? 10;
  const live = new Set(liveHashes);
  live.add(hash);
  const old = daemonSetRevisions(world, daemonSet).filter(
    (revision) => !live.has(revision.metadata.labels?.[revisionHashLabel]),
  );
  for (const revision of old.slice(0, Math.max(0, old.length - limit)))
    apiRemove(world, 'ControllerRevision', keyOf(revision));
}
