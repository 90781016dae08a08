/**
 * Reads a sampling heap profile (the DevTools protocol's `HeapProfiler.SamplingHeapProfile`): the
 * bytes sampled per function, summed over the call tree, for scripts/profile-alloc.ts.
 */

/** A node of the profile's call tree, as the protocol sends it (the fields read here). */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

/** Bytes allocated by each function itself (not its callees), largest first, and their sum. */
export function allocationByFunction(head: HeapProfileNode): {
  total: number;
  rows: { name: string; bytes: number }[];
} {
  const bytes = new Map<string, number>();
  let total = 0;
  const pending: HeapProfileNode[] = [head];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    // The VM's own allocations (the engine's builtins: Map growth, string building) have no name.
    const name = node.callFrame.functionName || '(anonymous)';
    if (node.selfSize > 0) bytes.set(name, (bytes.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    pending.push(...node.children);
  }
  const rows = [...bytes].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes);
  return { total, rows };
}
