import { describe, expect, it } from 'vitest';
import { allocationByFunction, type HeapProfileNode } from '../../../scripts/heap-profile';

function node(functionName: string, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode {
  return { callFrame: { functionName, url: 'bundle.mjs', lineNumber: 1 }, selfSize, children };
}

describe('sampling heap profile (scripts/profile-alloc.ts)', () => {
  it('sums each function’s own bytes over every place it is called from, largest first', () => {
    // putObject is reached from two callers; the VM's nameless allocation is kept apart.
    const head = node('(root)', 0, [
      node('apiPut', 100, [node('putObject', 4_000)]),
      node('apiRemove', 0, [node('putObject', 2_000), node('', 500)]),
    ]);
    expect(allocationByFunction(head)).toEqual({
      total: 6_600,
      rows: [
        { name: 'putObject', bytes: 6_000 },
        { name: '(anonymous)', bytes: 500 },
        { name: 'apiPut', bytes: 100 },
      ],
    });
  });
});
