// Goal: a ReplicaSet deletes the pods controller.ActivePods ranks first — unscheduled, then pending,
// then not ready, then the newest, names breaking ties — whether it removes a few pods or many.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../simulator/k8s/objects';
import { podsToDelete, type OwnedPod } from '../../../simulator/k8s/deletion-rank';

function pod(
  name: string,
  facts: { node?: string | undefined; phase: string; ready: boolean; created: string },
): OwnedPod {
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name, creationTimestamp: facts.created },
    spec: { containers: [], ...(facts.node === undefined ? {} : { nodeName: facts.node }) },
    status: {
      phase: facts.phase,
      conditions: [{ type: 'Ready', status: facts.ready ? 'True' : 'False' }],
    },
  } as unknown as Pod;
  return { key: `default/${name}`, object };
}

/** The ranking spelt out as a sort of every pod, the way the controller describes it. */
function byRanking(pods: readonly OwnedPod[]): OwnedPod[] {
  const score = (entry: OwnedPod): number[] => [
    entry.object.spec.nodeName === undefined ? 0 : 1,
    entry.object.status.phase === 'Pending' ? 0 : 1,
    entry.object.status.conditions?.[0]?.status === 'True' ? 1 : 0,
  ];
  return [...pods].sort((a, b) => {
    const [left, right] = [score(a), score(b)];
    for (let i = 0; i < 3; i++) if (left[i] !== right[i]) return left[i]! - right[i]!;
    const [newer, older] = [a.object.metadata.creationTimestamp, b.object.metadata.creationTimestamp];
    if (newer !== older) return newer > older ? -1 : 1;
    return a.object.metadata.name < b.object.metadata.name ? -1 : 1;
  });
}

describe('ReplicaSet controller: which pods a scale-down deletes', () => {
  it('ReplicaSet: deletes unscheduled, then pending, then unready, then the newest pods first', () => {
    const pods = [
      pod('old-ready', { node: 'w1', phase: 'Running', ready: true, created: '2025-01-01T00:00:00Z' }),
      pod('new-ready', { node: 'w1', phase: 'Running', ready: true, created: '2025-01-01T00:00:09Z' }),
      pod('unready', { node: 'w2', phase: 'Running', ready: false, created: '2025-01-01T00:00:00Z' }),
      pod('pending', { node: 'w2', phase: 'Pending', ready: false, created: '2025-01-01T00:00:00Z' }),
      pod('unscheduled', { phase: 'Pending', ready: false, created: '2025-01-01T00:00:00Z' }),
    ];
    expect(podsToDelete(pods, 5).map((entry) => entry.object.metadata.name)).toEqual([
      'unscheduled',
      'pending',
      'unready',
      'new-ready',
      'old-ready',
    ]);
    expect(podsToDelete(pods, 2).map((entry) => entry.object.metadata.name)).toEqual([
      'unscheduled',
      'pending',
    ]);
    expect(podsToDelete(pods, 0)).toEqual([]);
  });

  it('ReplicaSet: picking a few and picking many agree with sorting every pod', () => {
    const arbitraryPod = fc.record({
      node: fc.option(fc.constantFrom('w1', 'w2'), { nil: undefined }),
      phase: fc.constantFrom('Pending', 'Running'),
      ready: fc.boolean(),
      // Few distinct seconds, so that creation times tie and names decide.
      created: fc.integer({ min: 0, max: 3 }).map((second) => `2025-01-01T00:00:0${second}Z`),
    });
    fc.assert(
      fc.property(fc.array(arbitraryPod, { maxLength: 40 }), fc.nat(45), (facts, count) => {
        const pods = facts.map((fact, i) => pod(`p${(i * 7919) % 1000}-${i}`, fact));
        expect(podsToDelete(pods, count)).toEqual(byRanking(pods).slice(0, count));
      }),
    );
  });
});
