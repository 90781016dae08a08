/**
 * What kind does to the reader's machine as a whole: create a cluster beside the others (its node
 * containers on the shared Docker network, a kubeconfig context made current), delete one (its
 * containers and every process in them go, so do its context and its pending work), and what
 * `kubectl config use-context` changes.
 */
import { heapFilter } from '../engine/event-queue';
import type { World } from '../world';
import { createKindCluster } from './cluster-create';
import { addKindCoreDns } from './cluster-dns';
import { addKindAddons } from './kind-addons';
import type { KindClusterConfig } from './kind-config';
import { addContext, clusterNamed, removeCluster, removeContext } from './clusters';

/** What a kind or kubeconfig command reports: dispatch.ts's InputResult, without the outcomes of other layers. */
type KindResult = { ok: true } | { ok: false; error: string };

/** `kind create cluster`: refused when nodes of a cluster with that name exist (kind's alreadyExists). */
export function createCluster(world: World, config: KindClusterConfig): KindResult {
  if (clusterNamed(world, config.name) !== undefined)
    return { ok: false, error: `node(s) already exist for a cluster with the name "${config.name}"` };
  createKindCluster(world, config);
  addKindCoreDns(world);
  addKindAddons(world, config);
  addContext(world, config.name);
  return { ok: true };
}

/**
 * `kind delete cluster`: idempotent, as kind's is. The containers go with everything running in
 * them, so the cluster's scheduled events go too; a cluster created later under the same name
 * starts from nothing.
 */
export function deleteCluster(world: World, name: string): KindResult {
  removeContext(world, name);
  if (removeCluster(world, name)) world.queue = heapFilter(world.queue, (entry) => entry.cluster !== name);
  return { ok: true };
}

/** `kind export kubeconfig`: writes the cluster's context again and makes it the current one. */
export function exportKubeconfig(world: World, name: string): KindResult {
  if (clusterNamed(world, name) === undefined)
    return { ok: false, error: `could not locate any control plane nodes for cluster named '${name}'` };
  addContext(world, name);
  return { ok: true };
}

/** `kubectl config use-context NAME`. */
export function useContext(world: World, context: string): KindResult {
  const config = world.kubeconfig;
  if (config === undefined || !config.contexts.includes(context))
    return { ok: false, error: `no context exists with the name: "${context}"` };
  world.kubeconfig = { ...config, currentContext: context };
  return { ok: true };
}
