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
 * Each world has its own: composition.ts fills them in when a Simulation builds its world, before
 * any event runs. A world without them behaves as kind does with its own CNI (kindnet), no webhooks
 * and no CRDs.
 */
import type { KindDecoder } from '../policy/index';
import type { Cluster, NodeRuntime, Sandbox, World } from '../world';
import type { WatchChange } from './api-store';
import type { ApiKind, Pod } from './objects';
import { kindnet } from './kindnet';

/**
 * A CNI plugin, as the kubelet calls it for pods off the host network. The container runtime uses
 * the first network configuration in /etc/cni/net.d by name (containerd's `max_conf_num` is 1:
 * https://github.com/containerd/containerd/blob/main/docs/cri/config.md), so Cilium's
 * 05-cilium.conflist wins over kind's 10-kindnet.conflist once Cilium's agent has written it.
 */
export interface CniPlugin {
  /** Whether the plugin's network configuration is on the cluster's nodes (it was installed). */
  installed(cluster: Readonly<Cluster>): boolean;
  /** Whether the plugin's agent runs on the node (the runtime's NetworkReady condition). */
  ready(world: World, nodeName: string): boolean;
  /**
   * ADD: attaches the sandbox; the plugin reports `sandbox.created` when the address is set. The
   * kubelet hands on its node, which it has already looked up.
   */
  add(world: World, node: NodeRuntime, sandbox: Sandbox, pod: Pod): void;
  /** DEL: detaches the sandbox and releases its address. */
  del(world: World, node: NodeRuntime, sandbox: Sandbox): void;
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

/**
 * What a CustomResourceDefinition tells the API server about its kind, in the CRD's own field names
 * (apiextensions.k8s.io/v1 `spec.names`, `spec.scope`, `spec.subresources`:
 * https://kubernetes.io/docs/reference/kubernetes-api/extend-resources/custom-resource-definition-v1/).
 */
export interface CustomResourceNames {
  /** The resource in URLs and errors (`ciliumnetworkpolicies`). */
  plural: string;
  /** The name kubectl prints before an object's name (`ciliumnetworkpolicy`). */
  singular: string;
  shortNames?: readonly string[];
}

/**
 * What `kubectl apply -f` makes of an object of a custom kind it read (k8s/manifests.ts): the API
 * server decodes it with the CRD's schema and stores it, or refuses it with `refusal`'s message.
 */
export interface ManifestAdmission {
  /**
   * The refusal of an object, as kubectl prints it: the CRD schema's (Istio's security kinds), or
   * the model's own where it applies a kind only through a lab's input; undefined when it is stored.
   */
  refusal?(apiVersion: string, name: string, body: unknown): string | undefined;
  /**
   * A policy kind's reader, which the manifest reader (policy/parse-documents.ts) runs on the
   * object's positioned YAML: the CRD schema of the cluster's release refuses with the API
   * server's message and position, and the agent's later findings are kept (Cilium's policy
   * kinds: cilium/policy-documents.ts).
   */
  decoder?: KindDecoder;
}

/**
 * One of a CRD version's additionalPrinterColumns (apiextensions.k8s.io/v1
 * CustomResourceColumnDefinition): the header, the value's type, where the API server's table
 * convertor reads it (a JSONPath into the object), and its priority (above 0: `-o wide` only).
 */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  priority?: number;
}

/**
 * A kind a CustomResourceDefinition adds to the API server: what the CRD tells it, and what the
 * model needs to handle the kind's objects without knowing the kind (manifests, owners).
 */
export interface CustomKind {
  /** The API group the CRD serves the kind in (`cilium.io`, `security.istio.io`). */
  group: string;
  names: CustomResourceNames;
  /** Whether the kind's objects live in a namespace (`Namespaced`) or not (`Cluster`). */
  scope: 'Namespaced' | 'Cluster';
  /**
   * With a status subresource a create or update through the main resource ignores the status the
   * client sends; only a write to `/status` (a controller's) changes it.
   */
  subresources?: { status?: Record<string, never> };
  /** `spec.names.categories`: the groups of resources a name like `all` or `cilium` stands for. */
  categories?: readonly string[];
  /** Whether the API server serves the kind in this cluster now (its CRD is installed). */
  served(cluster: Readonly<Cluster>): boolean;
  /**
   * The versions the cluster's CRD serves (`spec.versions[].name` with `served: true`), which the
   * API server's discovery lists; kubectl reads the group's preferred one.
   */
  versions(cluster: Readonly<Cluster>): readonly string[];
  /**
   * The additionalPrinterColumns of the version kubectl reads, in the cluster's CRD (Cilium's
   * change with its release); absent or empty, the API server prints NAME and AGE.
   */
  printerColumns?(cluster: Readonly<Cluster>): readonly PrinterColumn[];
  /** Whether the CRD serves this apiVersion (`group/version`). */
  versionServed(apiVersion: string): boolean;
  /** How `kubectl apply -f` admits the kind's objects; absent: the model does not apply it from a manifest. */
  manifest?: ManifestAdmission;
  /**
   * Whether an object of this kind may own others of its kind through an owner reference without
   * `controller` (Cilium's operator names a policy's derivative policies so: cilium/to-groups.ts).
   * The owner index holds controller references only, so the garbage collector looks through such
   * kinds when one of their objects is deleted (k8s/garbage-collector.ts).
   */
  ownsWithoutController?: boolean;
}

/** The CRDs' kinds a world's layers registered, by kind. */
export type CustomKinds = ReadonlyMap<string, CustomKind>;

/**
 * The extension points of one world: which plugins, hooks and kinds its layers registered. They are
 * code, not state: a world keeps them under a symbol, which a state hash (Object.keys) and a
 * structured clone skip and which a copy of the world (engine/clone.ts spreads each object) shares
 * with the original, so every checkpoint and probe copy runs with the same layers.
 */
interface ExtensionPoints {
  cniPlugins: CniPlugin[];
  podHooks: PodHooks[];
  podMutations: PodMutation[];
  watchers: ApiWatcher[];
  customKinds: Map<string, CustomKind>;
}

const extensionPointsKey = Symbol('k8s extension points');

interface Extended {
  [extensionPointsKey]?: ExtensionPoints;
}

/** A world no layer plugged into: kind's own CNI (kindnet), no webhooks, no CRDs. */
const noExtensions: ExtensionPoints = Object.freeze({
  cniPlugins: [],
  podHooks: [],
  podMutations: [],
  watchers: [],
  customKinds: new Map<string, CustomKind>(),
});

function extensionsOf(world: Readonly<World>): ExtensionPoints {
  return (world as Extended)[extensionPointsKey] ?? noExtensions;
}

/** The world's own extension points, created on its first registration. */
function registry(world: World): ExtensionPoints {
  const extended = world as Extended;
  extended[extensionPointsKey] ??= {
    cniPlugins: [],
    podHooks: [],
    podMutations: [],
    watchers: [],
    customKinds: new Map(),
  };
  return extended[extensionPointsKey];
}

/** Adds a CNI plugin; the first one installed in a cluster attaches its pods (see CniPlugin). */
export function registerCniPlugin(world: World, plugin: CniPlugin): void {
  registry(world).cniPlugins.push(plugin);
}

/** Adds a node agent's pod hooks; they run in the order registered. */
export function registerPodHooks(world: World, hooks: PodHooks): void {
  registry(world).podHooks.push(hooks);
}

/** Adds a mutating admission plugin for new pods; plugins run in the order registered. */
export function registerPodMutation(world: World, mutation: PodMutation): void {
  registry(world).podMutations.push(mutation);
}

/** Adds a watcher of every API change. */
export function registerApiWatcher(world: World, watcher: ApiWatcher): void {
  registry(world).watchers.push(watcher);
}

/** Adds a CRD's kind. */
export function registerCustomKind(world: World, kind: string, definition: CustomKind): void {
  registry(world).customKinds.set(kind, definition);
}

/** The CNI plugin that attaches the cluster's pods: the first installed one, else kind's kindnet. */
export function networkPlugin(world: Readonly<World>, cluster: Readonly<Cluster>): CniPlugin {
  // A loop, not a find: a find's callback would be a closure over the cluster, made at every call
  // (each sandbox created or removed asks).
  for (const plugin of extensionsOf(world).cniPlugins) if (plugin.installed(cluster)) return plugin;
  return kindnet;
}

/*
 * Each pod hook of every node agent, one runner a hook: each reads its hook by name, so the read
 * sees the few agents' hook objects, where a read by a variable name would be a slow lookup.
 */

/** The containers started, first time or restart (see PodHooks). */
export function runContainersStartedHooks(world: World, nodeName: string, sandbox: Sandbox, pod: Pod): void {
  for (const hooks of extensionsOf(world).podHooks) {
    const hook = hooks.containersStarted;
    if (hook !== undefined) hook(world, nodeName, sandbox, pod);
  }
}

/** The sandbox's containers started for the first time (see PodHooks). */
export function runSandboxStartedHooks(world: World, nodeName: string, sandbox: Sandbox): void {
  for (const hooks of extensionsOf(world).podHooks) {
    const hook = hooks.sandboxStarted;
    if (hook !== undefined) hook(world, nodeName, sandbox);
  }
}

/** The sandbox's containers stopped (see PodHooks). */
export function runContainersStoppedHooks(world: World, nodeName: string, sandbox: Sandbox): void {
  for (const hooks of extensionsOf(world).podHooks) {
    const hook = hooks.containersStopped;
    if (hook !== undefined) hook(world, nodeName, sandbox);
  }
}

/** The sandbox was removed from the node (see PodHooks). */
export function runSandboxRemovedHooks(world: World, sandbox: Sandbox): void {
  for (const hooks of extensionsOf(world).podHooks) {
    const hook = hooks.sandboxRemoved;
    if (hook !== undefined) hook(world, sandbox);
  }
}

/** Mutating admission of a new pod. */
export function mutateNewPod(world: Readonly<World>, pod: Pod): void {
  for (const mutation of extensionsOf(world).podMutations) mutation(world, pod);
}

/** Delivers a change to every registered watcher. */
export function notifyApiWatchers(world: World, cluster: Cluster, change: WatchChange): void {
  for (const watcher of extensionsOf(world).watchers) watcher(world, cluster, change);
}

/** The CRDs' kinds the world's layers registered (installed in a cluster or not). */
export function customKinds(world: Readonly<World>): CustomKinds {
  return extensionsOf(world).customKinds;
}

/** The registered kinds whose objects may own others without `controller`, in registration order. */
export function kindsOwningWithoutController(world: Readonly<World>): ApiKind[] {
  const kinds: ApiKind[] = [];
  for (const [kind, definition] of extensionsOf(world).customKinds)
    if (definition.ownsWithoutController === true) kinds.push(kind as ApiKind);
  return kinds;
}
