/**
 * A node's sandbox record (`kubelet.sandboxes`, pod uid → sandbox, part of the hashed world) and
 * the derived index beside it by pod key (syncPod asks by key). addSandbox and removeSandbox are the
 * only writers of the record, and keep the index current; it is never cloned or hashed, and is
 * rebuilt from the record when missing (after a clone of the world). Lookups by uid read the record
 * itself: a Map by uid beside it was measured no faster in Chromium (its upkeep and hashing cost
 * what the record's keyed load does).
 */
import type { NodeRuntime, Sandbox } from '../world';

/**
 * Pod key → that pod's sandbox, or its sandboxes in the record's insertion order when a name
 * outlived its pod's sandbox (a StatefulSet-style replacement); one pod a key is the rule, so it
 * needs no list.
 */
type SandboxesOfKey = Sandbox | Sandbox[];

const indexes = new WeakMap<Record<string, Sandbox>, Map<string, SandboxesOfKey>>();

function sandboxIndex(sandboxes: Record<string, Sandbox>): Map<string, SandboxesOfKey> {
  let index = indexes.get(sandboxes);
  if (index === undefined) {
    index = new Map();
    for (const uid in sandboxes) {
      const sandbox = sandboxes[uid];
      if (sandbox !== undefined) indexSandbox(index, sandbox);
    }
    indexes.set(sandboxes, index);
  }
  return index;
}

/** Adds a sandbox after those its key already has. */
function indexSandbox(index: Map<string, SandboxesOfKey>, sandbox: Sandbox): void {
  const known = index.get(sandbox.podKey);
  if (known === undefined) index.set(sandbox.podKey, sandbox);
  else if (Array.isArray(known)) known.push(sandbox);
  else index.set(sandbox.podKey, [known, sandbox]);
}

/**
 * Records the sandbox of a pod that has none on the node (the caller found none for its key, and a
 * uid belongs to one pod): no entry is replaced, so the index only grows. The record is not read
 * first, as the first read by a new uid is what costs (the engine interns the key).
 */
export function addSandbox(node: NodeRuntime, podUid: string, sandbox: Sandbox): void {
  const sandboxes = node.kubelet.sandboxes;
  sandboxes[podUid] = sandbox;
  const index = indexes.get(sandboxes);
  if (index !== undefined) indexSandbox(index, sandbox);
}

export function removeSandbox(node: NodeRuntime, podUid: string): void {
  const sandboxes = node.kubelet.sandboxes;
  const removed = sandboxes[podUid];
  if (removed === undefined) return;
  delete sandboxes[podUid];
  const index = indexes.get(sandboxes);
  const known = index?.get(removed.podKey);
  if (index === undefined || known === undefined) return;
  if (known === removed) index.delete(removed.podKey);
  else if (Array.isArray(known)) {
    const at = known.indexOf(removed);
    if (at >= 0) known.splice(at, 1);
    // The one left needs no list.
    if (known.length === 1) index.set(removed.podKey, known[0]!);
    else if (known.length === 0) index.delete(removed.podKey);
  }
}

/** The first of a node's sandboxes (in insertion order) that runs the pod with this key. */
export function sandboxOfPod(node: NodeRuntime, podKey: string): Sandbox | undefined {
  const known = sandboxIndex(node.kubelet.sandboxes).get(podKey);
  return Array.isArray(known) ? known[0] : known;
}
