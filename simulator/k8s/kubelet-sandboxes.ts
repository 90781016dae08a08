/**
 * A node's sandbox record (`kubelet.sandboxes`, pod uid → sandbox, part of the hashed world) and
 * the derived index beside it: by pod key (syncPod asks by key) and by pod uid (every sandbox and
 * endpoint step asks by uid). The index is a Map, not the record, because a lookup in the record
 * by a uid string is a slow keyed load in the engine (a large dictionary-mode object and a new key
 * string for every pod). addSandbox and removeSandbox are the only writers of the record, and keep
 * the index current; it is never cloned or hashed, and is rebuilt from the record when missing
 * (after a clone of the world).
 */
import type { NodeRuntime, Sandbox } from '../world';

/**
 * Pod key → that pod's sandbox, or its sandboxes in the record's insertion order when a name
 * outlived its pod's sandbox (a StatefulSet-style replacement); one pod a key is the rule, so it
 * needs no list.
 */
type SandboxesOfKey = Sandbox | Sandbox[];

interface SandboxIndex {
  readonly byKey: Map<string, SandboxesOfKey>;
  readonly byUid: Map<string, Sandbox>;
}

const indexes = new WeakMap<Record<string, Sandbox>, SandboxIndex>();

function sandboxIndex(sandboxes: Record<string, Sandbox>): SandboxIndex {
  let index = indexes.get(sandboxes);
  if (index === undefined) {
    index = { byKey: new Map(), byUid: new Map() };
    for (const uid in sandboxes) {
      const sandbox = sandboxes[uid];
      if (sandbox !== undefined) indexSandbox(index, uid, sandbox);
    }
    indexes.set(sandboxes, index);
  }
  return index;
}

/** Adds a sandbox after those its key already has. */
function indexSandbox(index: SandboxIndex, podUid: string, sandbox: Sandbox): void {
  index.byUid.set(podUid, sandbox);
  const known = index.byKey.get(sandbox.podKey);
  if (known === undefined) index.byKey.set(sandbox.podKey, sandbox);
  else if (Array.isArray(known)) known.push(sandbox);
  else index.byKey.set(sandbox.podKey, [known, sandbox]);
}

/**
 * Records the sandbox of a pod that has none on the node (the caller found none for its key, and a
 * uid belongs to one pod): no entry is replaced, so the index only grows.
 */
export function addSandbox(node: NodeRuntime, podUid: string, sandbox: Sandbox): void {
  const sandboxes = node.kubelet.sandboxes;
  const index = sandboxIndex(sandboxes);
  sandboxes[podUid] = sandbox;
  indexSandbox(index, podUid, sandbox);
}

export function removeSandbox(node: NodeRuntime, podUid: string): void {
  const sandboxes = node.kubelet.sandboxes;
  const index = sandboxIndex(sandboxes);
  const removed = index.byUid.get(podUid);
  if (removed === undefined) return;
  delete sandboxes[podUid];
  index.byUid.delete(podUid);
  const known = index.byKey.get(removed.podKey);
  if (known === removed) index.byKey.delete(removed.podKey);
  else if (Array.isArray(known)) {
    const at = known.indexOf(removed);
    if (at >= 0) known.splice(at, 1);
    // The one left needs no list.
    if (known.length === 1) index.byKey.set(removed.podKey, known[0]!);
    else if (known.length === 0) index.byKey.delete(removed.podKey);
  }
}

/** The sandbox of the pod with this uid on the node, if it has one. */
export function sandboxOfUid(node: NodeRuntime, podUid: string): Sandbox | undefined {
  return sandboxIndex(node.kubelet.sandboxes).byUid.get(podUid);
}

/** The first of a node's sandboxes (in insertion order) that runs the pod with this key. */
export function sandboxOfPod(node: NodeRuntime, podKey: string): Sandbox | undefined {
  const known = sandboxIndex(node.kubelet.sandboxes).byKey.get(podKey);
  return Array.isArray(known) ? known[0] : known;
}
