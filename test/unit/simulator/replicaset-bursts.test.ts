// Goal: the ReplicaSet controller creates at most 500 pods per sync (BurstReplicas) and, for a
// ReplicaSet that wants more, one burst per 25 s (its API client's 20 requests per second), so that
// `kubectl scale --replicas=2147483647` fills the cluster at a real controller's pace instead of
// trying to create two billion pods in one event (the robustness properties found that hang).
import { describe, expect, it } from 'vitest';
import { controlledPodCounts, getObject, listOwnedBy } from '../../../simulator/k8s/api-store';
import type { Simulation } from '../../../simulator/simulation';
import { kindCluster } from '../terminal/kubectl-support';
import { apply, deploymentYaml } from './support';

/** Pods the Deployment's ReplicaSets control and that are not being deleted. */
function activePods(simulation: Simulation): number {
  const api = simulation.state.cluster!.api;
  const deployment = getObject(api, 'Deployment', 'default/many')!;
  return listOwnedBy(api, 'ReplicaSet', deployment.metadata.uid).reduce(
    (total, replicaSet) => total + (controlledPodCounts(api, replicaSet.metadata.uid)?.active ?? 0),
    0,
  );
}

interface BurstCase {
  readonly name: string;
  readonly replicas: number;
  /** Virtual seconds after the apply → active pods expected then. */
  readonly expected: readonly (readonly [seconds: number, pods: number])[];
}

const cases: readonly BurstCase[] = [
  { name: 'a small Deployment gets all its pods at once', replicas: 40, expected: [[1, 40]] },
  { name: 'exactly one burst needs no wait', replicas: 500, expected: [[1, 500]] },
  {
    name: 'one more than a burst waits for the next',
    replicas: 501,
    expected: [
      [1, 500],
      [20, 500],
      [30, 501],
    ],
  },
  {
    name: 'the largest int32 grows by a burst every 25 s',
    replicas: 2 ** 31 - 1,
    expected: [
      [1, 500],
      [24, 500],
      [26, 1000],
      [51, 1500],
    ],
  },
];

describe('ReplicaSet controller: bursts of pod creations', () => {
  it.each(cases)('ReplicaSet controller: $name', ({ replicas, expected }) => {
    const simulation = kindCluster(11, 2);
    apply(simulation, deploymentYaml('many', replicas, { app: 'many' }));
    let elapsedMs = 0;
    for (const [seconds, pods] of expected) {
      simulation.advance(seconds * 1000 - elapsedMs);
      elapsedMs = seconds * 1000;
      expect(activePods(simulation), `after ${seconds} s`).toBe(pods);
    }
  });
});
