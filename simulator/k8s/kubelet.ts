/**
 * The kubelet of each node: it runs the pods bound to its node (sandbox, CNI ADD, containers),
 * reports their status, tears them down on deletion (CNI DEL, which frees the pod's address), and
 * renews the node's Lease. Everything it learns from or tells the API server needs a working link:
 * a cut-off kubelet keeps its pods running, cannot see deletions, and reports nothing.
 */
import { writeRandomHexCodes } from '../engine/prng';
import { requireNextState } from '../machines/step';
import { podSandboxMachine, type PodSandboxEvent } from '../machines/pod-sandbox';
import type { NodeRuntime, Sandbox, World } from '../world';
import { requireCluster, schedule } from '../world';
import { getObject, keyOf, listPodsOnNode } from './api-store';
import { apiRemove } from './api-writes';
import type { Pod } from './objects';
import { podExitsOnSigterm } from './applications';
import {
  networkPlugin,
  runContainersStartedHooks,
  runContainersStoppedHooks,
  runSandboxRemovedHooks,
  runSandboxStartedHooks,
} from './extension-points';
import { isMirrorPod, replaceDeletedMirrorPod } from './static-pods';
import { reportPodStatus } from './pod-status';
import { containerExited, enterBackoff, restartContainer, scheduleProcessExit } from './container-lifecycle';
import { isPodFinished } from './controlled-pods';
import { addSandbox, removeSandbox, sandboxOfPod } from './kubelet-sandboxes';

function requireNode(world: World, nodeName: string): NodeRuntime {
  const node = requireCluster(world).nodes[nodeName];
  if (node === undefined) throw new Error(`unknown node ${nodeName}`);
  return node;
}

function moveSandbox(sandbox: Sandbox, eventType: PodSandboxEvent['type']): void {
  sandbox.state = requireNextState(podSandboxMachine, sandbox.state, eventType);
}

/**
 * A container id: 64 random hex digits, randomHex's draws and text, written into one flat string
 * (a concatenation of eight pieces would be flattened again by every hash and copy of the world).
 */
function randomContainerId(world: World): string {
  writeRandomHexCodes(world.random, 64, containerIdCodes, 0);
  return String.fromCharCode.apply(null, containerIdCodes);
}

/** Scratch space for randomContainerId, rewritten by every call. */
const containerIdCodes: number[] = new Array<number>(64).fill(0);

/** Reconciles one pod on a node with what the API server says about it. */
export function syncPod(world: World, nodeName: string, podKey: string): void {
  const cluster = requireCluster(world);
  const node = requireNode(world, nodeName);
  if (node.kubelet.connection !== 'connected') return;
  const pod = getObject(cluster.api, 'Pod', podKey);
  // A static pod runs from its manifest file; its mirror in the API server is only a reflection,
  // which the kubelet posts again when someone deletes it.
  if (pod !== undefined && isMirrorPod(pod)) {
    if (pod.metadata.deletionTimestamp !== undefined) replaceDeletedMirrorPod(world, pod, podKey);
    return;
  }
  const sandbox = sandboxOfPod(node, podKey);
  if (pod === undefined || pod.spec.nodeName !== nodeName) {
    if (sandbox !== undefined) beginTermination(world, node, sandbox, 0);
    forgetFinishedLogs(node, podKey, pod?.metadata.uid);
    return;
  }
  if (sandbox !== undefined && sandbox.podUid !== pod.metadata.uid) {
    // Same name, new pod (a StatefulSet-style replacement): the old sandbox must go first.
    beginTermination(world, node, sandbox, 0);
    return;
  }
  if (pod.metadata.deletionTimestamp !== undefined) {
    if (sandbox === undefined) apiRemove(world, 'Pod', podKey);
    else
      beginTermination(
        world,
        node,
        sandbox,
        pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30,
      );
    return;
  }
  // A pod that finished keeps its object, but the kubelet never runs it again.
  if (sandbox === undefined && !isPodFinished(pod)) createSandbox(world, node, pod, podKey);
}

function createSandbox(world: World, node: NodeRuntime, pod: Pod, podKey: string): void {
  const cluster = requireCluster(world);
  // The first CNI configuration on the node attaches the pod: kind's kindnet, or the plugin a layer
  // installed over it (k8s/extension-points.ts).
  const network = networkPlugin(world, cluster);
  // Read once: pod specs come in many shapes, so each read of a spec field is a slow lookup.
  const hostNetwork = pod.spec.hostNetwork === true;
  if (!hostNetwork && !network.ready(world, node.name)) return; // retried when the CNI becomes ready
  const podUid = pod.metadata.uid;
  const sandbox: Sandbox = {
    podKey,
    podUid,
    state: 'creating',
    // The address (the node's own, or what CNI ADD sets) and the CNI plugin's endpoint are fields
    // from the start, so every sandbox has one shape; a field left undefined hashes as an absent one.
    ip: hostNetwork ? node.internalIP : undefined,
    endpointId: undefined,
    containerId: randomContainerId(world),
  };
  addSandbox(node, podUid, sandbox);
  if (hostNetwork) {
    schedule(world, cluster.timings.sandboxCreateMs, {
      type: 'kubelet.sandbox.step',
      node: node.name,
      podUid,
      step: 'sandbox.created',
    });
    return;
  }
  // CNI ADD sets the address; the plugin reports sandbox.created when the pod's network is up.
  network.add(world, node, sandbox, pod);
}

function beginTermination(world: World, node: NodeRuntime, sandbox: Sandbox, graceSeconds: number): void {
  if (sandbox.state === 'terminating' || sandbox.state === 'stopped' || sandbox.state === 'removed') return;
  const cluster = requireCluster(world);
  moveSandbox(sandbox, 'pod.deletionRequested');
  const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
  const exitsPromptly = pod === undefined || podExitsOnSigterm(pod);
  const stopMs = exitsPromptly
    ? Math.min(graceSeconds * 1000, cluster.timings.gracefulExitMs)
    : graceSeconds * 1000;
  schedule(world, stopMs, {
    type: 'kubelet.sandbox.step',
    node: node.name,
    podUid: sandbox.podUid,
    step: 'containers.stopped',
  });
}

/** Advances a sandbox after the work it was waiting for completed. */
export function stepSandbox(
  world: World,
  nodeName: string,
  podUid: string,
  step: 'sandbox.created' | 'containers.started' | 'containers.stopped' | 'sandbox.removed',
): void {
  const cluster = requireCluster(world);
  const node = requireNode(world, nodeName);
  const sandbox = node.kubelet.sandboxes[podUid];
  if (sandbox === undefined) return;
  switch (step) {
    case 'sandbox.created':
      if (sandbox.state !== 'creating') return;
      moveSandbox(sandbox, step);
      // The kubelet starts the containers in the same sync as the sandbox and reports status after
      // it, so the pod's address appears in the API together with its running containers.
      schedule(world, cluster.timings.containerStartMs, {
        type: 'kubelet.sandbox.step',
        node: nodeName,
        podUid,
        step: 'containers.started',
      });
      return;
    case 'containers.started':
      if (sandbox.state !== 'starting') return;
      moveSandbox(sandbox, step);
      containersStarted(world, node, sandbox);
      // A node agent may act on a started pod (a mesh's agent asks for the pod's certificate).
      runSandboxStartedHooks(world, nodeName, sandbox);
      return;
    case 'containers.stopped':
      moveSandbox(sandbox, step);
      runContainersStoppedHooks(world, nodeName, sandbox);
      schedule(world, 100, { type: 'kubelet.sandbox.step', node: nodeName, podUid, step: 'sandbox.removed' });
      return;
    case 'sandbox.removed':
      moveSandbox(sandbox, step);
      if (sandbox.ip !== undefined && sandbox.ip !== node.internalIP) {
        networkPlugin(world, cluster).del(world, node, sandbox);
      }
      if (sandbox.run?.finished === true && sandbox.run.termination !== undefined) {
        const kept: { podKey: string; output: string; previous?: string } = {
          podKey: sandbox.podKey,
          output: sandbox.run.termination.output,
        };
        if (sandbox.run.last !== undefined) kept.previous = sandbox.run.last.output;
        (node.kubelet.finishedLogs ??= {})[podUid] = kept;
      }
      removeSandbox(node, podUid);
      runSandboxRemovedHooks(world, sandbox);
      if (node.kubelet.connection === 'connected') {
        // The kubelet confirms a deletion; a pod that finished by itself keeps its object.
        const pod = getObject(cluster.api, 'Pod', sandbox.podKey);
        if (pod !== undefined && pod.metadata.uid === podUid && pod.metadata.deletionTimestamp !== undefined)
          apiRemove(world, 'Pod', sandbox.podKey);
      }
      return;
  }
}

/** Drops the logs the kubelet kept for a finished pod once that pod object is gone. */
function forgetFinishedLogs(node: NodeRuntime, podKey: string, keepUid: string | undefined): void {
  const logs = node.kubelet.finishedLogs;
  if (logs === undefined) return;
  for (const uid of Object.keys(logs)) if (logs[uid]?.podKey === podKey && uid !== keepUid) delete logs[uid];
}

/**
 * What follows a start of a sandbox's containers, the first one or a restart: the status report,
 * the exit of a process that ends by itself, and what the node agents' hooks do first.
 */
function containersStarted(world: World, node: NodeRuntime, sandbox: Sandbox): void {
  const pod = getObject(requireCluster(world).api, 'Pod', sandbox.podKey);
  if (pod === undefined || pod.metadata.uid !== sandbox.podUid) return;
  runContainersStartedHooks(world, node.name, sandbox, pod);
  reportPodStatus(world, node, sandbox);
  scheduleProcessExit(world, node.name, sandbox, pod);
}

/** A container's process ended by itself: the pod finished, or its container restarts. */
export function processExited(
  world: World,
  nodeName: string,
  podUid: string,
  exit: { restartCount: number; exitCode: number; output: string },
): void {
  if (containerExited(world, nodeName, podUid, exit) !== 'finished') return;
  const node = requireNode(world, nodeName);
  const sandbox = node.kubelet.sandboxes[podUid];
  if (sandbox !== undefined) beginTermination(world, node, sandbox, 0);
}

/** The sync after an exit: restart at once, or wait in CrashLoopBackOff (container-lifecycle.ts). */
export function backOffContainer(world: World, nodeName: string, podUid: string, restartCount: number): void {
  if (enterBackoff(world, nodeName, podUid, restartCount))
    restartContainers(world, nodeName, podUid, restartCount);
}

/** Starts a container again after its back-off. */
export function restartContainers(
  world: World,
  nodeName: string,
  podUid: string,
  restartCount: number,
): void {
  const sandbox = restartContainer(world, nodeName, podUid, restartCount);
  if (sandbox !== undefined) containersStarted(world, requireNode(world, nodeName), sandbox);
}

/** Renews the node's Lease every interval; a cut-off kubelet tries but nothing reaches the API server. */
export function renewLease(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  const node = requireNode(world, nodeName);
  if (node.kubelet.connection === 'connected') node.kubelet.lastLeaseRenewMs = world.timeMs;
  schedule(world, cluster.timings.leaseRenewIntervalMs, { type: 'kubelet.lease.renew', node: nodeName });
}

/**
 * After the link heals, the kubelet re-lists its pods: it tears down pods deleted meanwhile, starts
 * pods bound to it meanwhile, and reports the status it could not send.
 */
export function relistKubelet(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  const node = requireNode(world, nodeName);
  if (node.kubelet.connection !== 'connected') return;
  node.kubelet.lastLeaseRenewMs = world.timeMs;
  const keys = new Set<string>();
  for (const sandbox of Object.values(node.kubelet.sandboxes)) keys.add(sandbox.podKey);
  for (const pod of listPodsOnNode(cluster.api, nodeName)) keys.add(keyOf(pod));
  for (const key of [...keys].sort()) syncPod(world, nodeName, key);
  for (const sandbox of Object.values(node.kubelet.sandboxes)) reportPodStatus(world, node, sandbox);
}

/** Starts pods that were waiting for the node's CNI plugin to become ready. */
export function startWaitingPods(world: World, nodeName: string): void {
  const cluster = requireCluster(world);
  for (const pod of listPodsOnNode(cluster.api, nodeName)) syncPod(world, nodeName, keyOf(pod));
}
