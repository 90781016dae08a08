/**
 * A terminal command aimed at a cluster other than the current context's: `kubectl --context
 * kind-two …`, or a command inside another cluster's node container (`docker exec two-worker …`).
 * The command runs unchanged on a context whose world shows that cluster as `world.cluster` and
 * whose inputs name it, so the model processes them in that cluster (k8s/clusters.ts).
 */
import type { World } from '../world';
import type { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import { allClusters, clusterNamed } from '../k8s/clusters';
import type { TerminalContext } from './context';

/** A read-only window on a world in which another cluster is the active one. */
function worldShowing(world: Readonly<World>, name: string): Readonly<World> {
  return new Proxy(world, {
    get(target, property, receiver) {
      if (property === 'cluster') return clusterNamed(target, name);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** The simulation as the command sees it: its state shows the cluster, its inputs name it. */
function simulationShowing(simulation: Simulation, name: string): Simulation {
  return new Proxy(simulation, {
    get(target, property) {
      if (property === 'state') return worldShowing(target.state, name);
      if (property === 'input') return (event: InputEvent) => target.input(event, name);
      if (property === 'advanceUntil')
        return (predicate: (world: Readonly<World>) => boolean, limitMs: number, sliceMs?: number) =>
          target.advanceUntil((world) => predicate(worldShowing(world, name)), limitMs, sliceMs);
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The context of a command that acts on the named cluster instead of the current context's. */
export function contextInCluster(context: TerminalContext, name: string): TerminalContext {
  if (context.simulation.state.cluster?.name === name && context.simulation.state.otherClusters === undefined)
    return context;
  const simulation = simulationShowing(context.simulation, name);
  return {
    simulation,
    spend: (durationMs) => context.spend(durationMs),
    input: (event) => context.simulation.input(event, name),
    get files() {
      return context.files;
    },
    ...(context.remainingMs === undefined ? {} : { remainingMs: () => context.remainingMs?.() ?? 0 }),
    ...(context.pause === undefined ? {} : { pause: () => context.pause?.() ?? Promise.resolve(true) }),
    ...(context.startJob === undefined ? {} : { startJob: (job) => context.startJob?.(job) }),
    ...(context.writeFile === undefined
      ? {}
      : { writeFile: (path, text) => context.writeFile?.(path, text) }),
    ...(context.enterShell === undefined ? {} : { enterShell: (shell) => context.enterShell?.(shell) }),
    ...(context.readLine === undefined
      ? {}
      : { readLine: (prompt, options) => context.readLine?.(prompt, options) ?? Promise.resolve(undefined) }),
    ...(context.holdForeground === undefined
      ? {}
      : { holdForeground: (job) => context.holdForeground?.(job) ?? false }),
  };
}

/** The name of the cluster a node container belongs to, whichever cluster that is. */
function clusterOfNode(world: Readonly<World>, node: string): string | undefined {
  return allClusters(world).find((cluster) => cluster.nodes[node] !== undefined)?.name;
}

/** The context of a command run inside a node container (`docker exec NODE …`): that node's cluster. */
export function contextInNode(context: TerminalContext, node: string): TerminalContext {
  const name = clusterOfNode(context.simulation.state, node);
  return name === undefined ? context : contextInCluster(context, name);
}

/**
 * The context of a command on the reader's machine that names a node container's address
 * (`curl http://172.18.0.5:30080`, `ping 172.18.0.5`): every cluster's nodes sit on the same Docker
 * network, so the packets go to that node's cluster, whichever is the current context's.
 */
export function contextForAddressIn(context: TerminalContext, args: readonly string[]): TerminalContext {
  const world = context.simulation.state;
  if (world.otherClusters === undefined) return context;
  for (const arg of args) {
    const address = /^(?:[a-z]+:\/\/)?(\d{1,3}(?:\.\d{1,3}){3})(?:[:/]|$)/.exec(arg)?.[1];
    if (address === undefined) continue;
    const owner = allClusters(world).find((cluster) =>
      Object.values(cluster.nodes).some((node) => node.internalIP === address),
    );
    if (owner !== undefined) return contextInCluster(context, owner.name);
  }
  return context;
}
