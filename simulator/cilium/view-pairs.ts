/**
 * The views of a world and of its copy, paired by id: what a cache kept beside the original's
 * views (never cloned nor hashed) is handed to the copy's view of the same id.
 */
import type { Cluster } from '../world';
import type { ClusterView } from './state';

/** Each view of the original with the copy's view of the same id, in the original's order. */
export function* pairedViews(original: Cluster, copy: Cluster): Generator<[ClusterView, ClusterView]> {
  const from = original.cilium;
  const to = copy.cilium;
  if (from === undefined || to === undefined) return;
  for (const id of Object.keys(from.views)) {
    const source = from.views[id];
    const target = to.views[id];
    if (source !== undefined && target !== undefined) yield [source, target];
  }
}
