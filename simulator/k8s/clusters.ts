/**
 * Several kind clusters in one world. The model reads one cluster, `world.cluster`; the others wait
 * in `world.otherClusters` by name. Every scheduled event carries the name of the cluster it
 * belongs to, and the dispatcher makes that cluster the active one while it processes the event,
 * then hands the place back to the cluster of the current kubectl context ("home"). A world with
 * a single cluster never moves anything, so the model stays as fast as it was.
 */
import type { Cluster, Kubeconfig, World } from '../world';

/** The kubectl context kind writes for a cluster (kind's `KINDClusterKey`). */
export function contextOfCluster(name: string): string {
  return `kind-${name}`;
}

/** The cluster a kind context names, or undefined for another context. */
export function clusterOfContext(context: string): string | undefined {
  return context.startsWith('kind-') ? context.slice('kind-'.length) : undefined;
}

/** A cluster by name, active or not. */
export function clusterNamed(world: Readonly<World>, name: string): Cluster | undefined {
  if (world.cluster?.name === name) return world.cluster;
  return world.otherClusters?.[name];
}

/** Every cluster, by name in alphabetical order (as `kind get clusters` lists them). */
export function allClusters(world: Readonly<World>): Cluster[] {
  const clusters = Object.values(world.otherClusters ?? {});
  if (world.cluster !== undefined) clusters.push(world.cluster);
  return clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The cluster of the current kubectl context, when it still exists. */
export function homeClusterName(world: Readonly<World>): string | undefined {
  const name = clusterOfContext(world.kubeconfig?.currentContext ?? '');
  return name !== undefined && clusterNamed(world, name) !== undefined ? name : undefined;
}

/** Makes a cluster the active one (or none, for undefined), parking the one that was active. */
export function activateCluster(world: World, name: string | undefined): void {
  const current = world.cluster;
  if (current?.name === name) return;
  const others = { ...world.otherClusters };
  if (current !== undefined) others[current.name] = current;
  const next = name === undefined ? undefined : others[name];
  if (name !== undefined) delete others[name];
  world.cluster = next;
  world.otherClusters = Object.keys(others).length > 0 ? others : undefined;
}

/** Gives the active place back to the current context's cluster. */
export function activateHome(world: World): void {
  if (world.otherClusters === undefined && world.cluster?.name === homeClusterName(world)) return;
  activateCluster(world, homeClusterName(world));
}

/** Adds a new cluster as the active one. */
export function addCluster(world: World, cluster: Cluster): void {
  activateCluster(world, undefined);
  world.cluster = cluster;
}

/** Removes a cluster, active or not; returns whether it existed. */
export function removeCluster(world: World, name: string): boolean {
  if (clusterNamed(world, name) === undefined) return false;
  activateCluster(world, name);
  world.cluster = undefined;
  return true;
}

/** kind's kubeconfig export on create: a context for the cluster, made the current one. */
export function addContext(world: World, name: string): void {
  const context = contextOfCluster(name);
  const contexts = world.kubeconfig?.contexts ?? [];
  world.kubeconfig = {
    contexts: contexts.includes(context) ? [...contexts] : [...contexts, context],
    currentContext: context,
  };
}

/** kind's kubeconfig removal on delete: the context goes, and the current context if it was that one. */
export function removeContext(world: World, name: string): void {
  const config: Kubeconfig | undefined = world.kubeconfig;
  if (config === undefined) return;
  const context = contextOfCluster(name);
  world.kubeconfig = {
    contexts: config.contexts.filter((entry) => entry !== context),
    currentContext: config.currentContext === context ? '' : config.currentContext,
  };
}
