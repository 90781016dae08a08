/**
 * Where the layers above Kubernetes plug into it, through the extension points a real cluster has,
 * so that nothing in k8s/ imports Cilium or Istio:
 * - the kubelet's network plugin (CNI: ADD, DEL, and the runtime's NetworkReady condition,
 *   https://github.com/containernetworking/cni/blob/main/SPEC.md) and hooks on a pod sandbox's
 *   lifecycle (the container runtime's events a node agent reacts to);
 * - mutating admission, which changes a pod before it is stored (Istio's sidecar injector is a
 *   MutatingAdmissionWebhook:
 *   https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/);
 * - watchers of the API server's changes (an operator or a node agent's informers);
 * - custom kinds, which a CRD makes served in some API versions and validates with its schema.
 *
 * composition.ts fills these in once, before any event runs; a cluster without them behaves as kind
 * does with its own CNI (kindnet) and no webhooks.
 */
import type { Sandbox, World, Cluster } from '../world';
import type { WatchChange } from './api-store';
import type { Pod } from './objects';

/** A CNI plugin, as the kubelet calls it for pods off the host network. */
export interface CniPlugin {
  /** Whether the plugin's agent runs on the node (the runtime's NetworkReady condition). */
  ready(world: World, nodeName: string): boolean;
  /** ADD: attaches the sandbox; the plugin reports `sandbox.created` when the address is set. */
  add(world: World, nodeName: string, sandbox: Sandbox, pod: Pod): void;
  /** DEL: detaches the sandbox and releases its address. */
  del(world: World, nodeName: string, sandbox: Sandbox): void;
}

/** What a node agent does when a pod's containers start or stop, or its sandbox goes. */
export interface PodHooks {
  /** The containers started, first time or restart; runs before the kubelet reports the status. */
  containersStarted?: (world: World, nodeName: string, sandbox: Sandbox, pod: Pod) => void;
  /** The sandbox's containers started for the first time, after the status report. */
  sandboxStarted?: (world: World, nodeName: string, sandbox: Sandbox) => void;
  /** The containers stopped. */
  containersStopped?: (world: World, nodeName: string, sandbox: Sandbox) => void;
  /** The sandbox was removed from the node. */
  sandboxRemoved?: (world: World, sandbox: Sandbox) => void;
}

/** A mutating admission plugin: changes a new pod before the API server stores it. */
export type PodMutation = (world: Readonly<World>, pod: Pod) => void;

/** A client watching every change the API server makes; runs after Kubernetes' own controllers. */
export type ApiWatcher = (world: World, cluster: Cluster, change: WatchChange) => void;

/** A kind a CustomResourceDefinition adds to the API server. */
export interface CustomKind {
  /** Whether the API server serves the kind in this cluster now (its CRD is installed). */
  served(cluster: Cluster): boolean;
  /** Whether the CRD serves this apiVersion (`group/version`). */
  versionServed(apiVersion: string): boolean;
  /** The API server's refusal of an object the CRD's schema rejects, as kubectl prints it. */
  refusal?(apiVersion: string, name: string, body: unknown): string | undefined;
}

interface Extensions {
  cni: CniPlugin | undefined;
  podHooks: PodHooks[];
  podMutations: PodMutation[];
  watchers: ApiWatcher[];
  customKinds: Map<string, CustomKind>;
}

const extensions: Extensions = {
  cni: undefined,
  podHooks: [],
  podMutations: [],
  watchers: [],
  customKinds: new Map(),
};

/** Installs the cluster's CNI plugin (one per cluster, as the kubelet loads the first config). */
export function registerCniPlugin(plugin: CniPlugin): void {
  extensions.cni = plugin;
}

/** Adds a node agent's pod hooks; they run in the order registered. */
export function registerPodHooks(hooks: PodHooks): void {
  extensions.podHooks.push(hooks);
}

/** Adds a mutating admission plugin for new pods; plugins run in the order registered. */
export function registerPodMutation(mutation: PodMutation): void {
  extensions.podMutations.push(mutation);
}

/** Adds a watcher of every API change. */
export function registerApiWatcher(watcher: ApiWatcher): void {
  extensions.watchers.push(watcher);
}

/** Adds a CRD's kind. */
export function registerCustomKind(kind: string, definition: CustomKind): void {
  extensions.customKinds.set(kind, definition);
}

/** The CNI plugin; composition.ts registers Cilium's before any event runs. */
export function cniPlugin(): CniPlugin {
  const plugin = extensions.cni;
  if (plugin === undefined) throw new Error('no CNI plugin registered (composition.ts)');
  return plugin;
}

/** Runs one pod hook of every node agent. */
export function runPodHooks<Name extends keyof PodHooks>(
  name: Name,
  call: (hook: NonNullable<PodHooks[Name]>) => void,
): void {
  for (const hooks of extensions.podHooks) {
    const hook = hooks[name];
    if (hook !== undefined) call(hook);
  }
}

/** Mutating admission of a new pod. */
export function mutateNewPod(world: Readonly<World>, pod: Pod): void {
  for (const mutation of extensions.podMutations) mutation(world, pod);
}

/** Delivers a change to every registered watcher. */
export function notifyApiWatchers(world: World, cluster: Cluster, change: WatchChange): void {
  for (const watcher of extensions.watchers) watcher(world, cluster, change);
}

/** The CRD that adds a kind, if one is registered. */
export function customKind(kind: string): CustomKind | undefined {
  return extensions.customKinds.get(kind);
}
