import { describe, expect, it } from 'vitest';
import { getObject, listOwnedBy } from '../../../simulator/k8s/api-store';
import type { ReplicaSet } from '../../../simulator/k8s/objects';
import type { Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

// kubectl rollout restart over and over, as the mistaken-identity experiment does: the Deployment
// controller keeps spec.revisionHistoryLimit old ReplicaSets (10 by default) and deletes the rest.

function ownedReplicaSets(simulation: Simulation): ReplicaSet[] {
  const api = simulation.state.cluster!.api;
  const deployment = getObject(api, 'Deployment', 'default/alpha')!;
  return listOwnedBy(api, 'ReplicaSet', deployment.metadata.uid);
}

const revision = (replicaSet: ReplicaSet): number =>
  Number(replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision']);

function restarted(times: number, manifest: string): Simulation {
  const simulation = clusterWithCilium(3, 2);
  apply(simulation, manifest);
  settle(simulation);
  for (let round = 0; round < times; round++) {
    simulation.input({ type: 'deployment.restart', key: 'default/alpha' });
    settle(simulation);
  }
  return simulation;
}

describe('Deployment controller: revision history', () => {
  it('keeps the ten most recent old ReplicaSets after a complete rollout, and numbers on', () => {
    const simulation = restarted(13, deploymentYaml('alpha', 2, { app: 'alpha' }));
    const revisions = ownedReplicaSets(simulation)
      .map(revision)
      .sort((a, b) => a - b);
    // Revision 1 was the first rollout; 13 restarts made revision 14, and 4–13 are the history.
    expect(revisions).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const current = ownedReplicaSets(simulation).find((replicaSet) => revision(replicaSet) === 14)!;
    expect(current.spec.replicas).toBe(2);
  });

  it('follows spec.revisionHistoryLimit, and never deletes during a rollout', () => {
    const manifest = deploymentYaml('alpha', 2, { app: 'alpha' }).replace(
      '  replicas: 2\n',
      '  replicas: 2\n  revisionHistoryLimit: 1\n',
    );
    const simulation = restarted(3, manifest);
    expect(ownedReplicaSets(simulation).map(revision).sort()).toEqual([3, 4]);
    // Mid-rollout the old ReplicaSet still has replicas: nothing is cleaned up yet.
    simulation.input({ type: 'deployment.restart', key: 'default/alpha' });
    simulation.advance(300);
    expect(ownedReplicaSets(simulation).map(revision).sort()).toEqual([3, 4, 5]);
    settle(simulation);
    expect(ownedReplicaSets(simulation).map(revision).sort()).toEqual([4, 5]);
  });
});
