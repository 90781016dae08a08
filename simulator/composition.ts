/**
 * Where the layers above Kubernetes plug into a world (ARCHITECTURE.md, "Layers"): Cilium as the
 * kubelet's CNI plugin, the agent's pod hooks, a watcher of the API server and the CRDs its
 * operator installs; Istio's sidecar injection as mutating admission, its CRDs as custom kinds, its
 * sidecars and ztunnel as proxies in front of applications. A Simulation composes its world's
 * layers when it builds the world, before any event runs; importing a module registers nothing.
 */
import { ciliumWatchesChange } from './cilium/api-watchers';
import { agentContainerStarted, agentContainerStopped } from './cilium/agent-pod';
import { registerApplicationProxy } from './cilium/application-proxies';
import { cniAdd, cniDel, cniInstalled, cniReady } from './cilium/cni';
import { ciliumCustomKinds } from './cilium/custom-kinds';
import {
  registerApiWatcher,
  registerCniPlugin,
  registerCustomKind,
  registerPodHooks,
  registerPodMutation,
} from './k8s/extension-points';
import { istioCustomKinds } from './mesh/custom-kinds';
import { answerInMesh } from './mesh/traffic';
import { injectSidecar, meshContainersStarted, meshSandboxRemoved } from './mesh/workloads';
import type { World } from './world';

/** A layer: what it plugs into a new world's extension points. */
export type Layer = (world: World) => void;

/** Cilium: the CNI plugin, the agent's pod hooks, its watch on the API server and its CRDs. */
export const ciliumLayer: Layer = (world) => {
  registerCniPlugin(world, { installed: cniInstalled, ready: cniReady, add: cniAdd, del: cniDel });
  registerPodHooks(world, {
    containersStarted: agentContainerStarted,
    containersStopped: agentContainerStopped,
  });
  registerApiWatcher(world, ciliumWatchesChange);
  // The operator installs Cilium's CRDs when it starts (cilium/custom-kinds.ts).
  for (const [kind, definition] of ciliumCustomKinds) registerCustomKind(world, kind, definition);
};

/** Istio: sidecar injection, the sidecars' and ztunnel's pod hooks and proxies, and its CRDs. */
export const istioLayer: Layer = (world) => {
  registerPodHooks(world, { sandboxStarted: meshContainersStarted, sandboxRemoved: meshSandboxRemoved });
  registerPodMutation(world, injectSidecar);
  for (const [kind, definition] of istioCustomKinds) registerCustomKind(world, kind, definition);
  registerApplicationProxy(world, answerInMesh);
};

/**
 * The lab's layers, in the order their hooks run: Cilium's agent reacts to a pod's containers before
 * Istio's agents do, an order that is part of the replayed behaviour.
 */
export const labLayers: readonly Layer[] = [ciliumLayer, istioLayer];

/** Plugs the layers into a new world; a world with none runs plain kind (kindnet, no CRDs). */
export function composeLayers(world: World, layers: readonly Layer[] = labLayers): void {
  for (const layer of layers) layer(world);
}
