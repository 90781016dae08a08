// Goal: an object the API server stored is never changed afterwards, neither while it is the current
// version nor after a newer one replaced it. Watch events, the agents' views and caches hold stored
// versions, and versions share parts with each other (ARCHITECTURE.md: the pods of one controller
// share their owner references, pods started together their conditions): a change in place to one
// would silently change the others. The reader's own commands edit, label, scale, restart and
// delete objects here while the controllers, the scheduler, the kubelet and Cilium write theirs.
import { describe, expect, it } from 'vitest';
import type { ApiObject } from '../../../simulator/k8s/objects';
import type { Simulation } from '../../../simulator/simulation';
import { ciliumShell, starWarsDemo } from '../terminal/kubectl-support';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

/** Every object stored now, with the JSON it had when taken. */
function takeStored(simulation: Simulation): { object: ApiObject; json: string }[] {
  const taken: { object: ApiObject; json: string }[] = [];
  const objects = simulation.state.cluster?.api.objects ?? {};
  for (const bucket of Object.values(objects))
    for (const object of Object.values(bucket ?? {})) taken.push({ object, json: JSON.stringify(object) });
  return taken;
}

describe('stored API objects', () => {
  it('keep the content they were stored with, after every later write', async () => {
    const session = ciliumShell({ 'sw.yaml': starWarsDemo });
    expect((await session.run('kubectl apply -f sw.yaml')).exitCode).toBe(0);
    await session.run('sleep 30');
    const first = takeStored(session.simulation);
    for (const line of [
      'kubectl scale deployment deathstar --replicas=4',
      'kubectl label pod tiefighter team=empire-reserve',
      'kubectl annotate pod xwing note=rebel',
      'kubectl patch pod xwing -p \'{"metadata":{"annotations":{"team":"rogue"}}}\'',
      'kubectl patch deployment deathstar -p \'{"spec":{"template":{"metadata":{"labels":{"tier":"core"}}}}}\'',
      'sleep 20',
    ])
      expect((await session.run(line)).exitCode, line).toBe(0);
    const second = takeStored(session.simulation);
    for (const line of [
      'kubectl rollout restart deployment/deathstar',
      'kubectl delete pod tiefighter',
      'kubectl scale deployment deathstar --replicas=1',
      'sleep 40',
    ])
      expect((await session.run(line)).exitCode, line).toBe(0);
    const changed = [...first, ...second].filter(({ object, json }) => JSON.stringify(object) !== json);
    expect(changed.map(({ object }) => `${object.kind} ${object.metadata.name}`)).toEqual([]);
    // The run did write: many of the objects taken first have newer versions by now.
    const current = new Set(takeStored(session.simulation).map(({ object }) => object));
    expect(first.filter(({ object }) => !current.has(object)).length).toBeGreaterThan(5);
  });

  it('keep their content through rollouts of Deployments whose pods start together', () => {
    // The benchmarks' churn in small: two Deployments of ten pods restarted in turn.
    const simulation = clusterWithCilium(1, 3, '1.12.0', {});
    apply(simulation, deploymentYaml('alpha', 10, { app: 'alpha' }));
    apply(simulation, deploymentYaml('beta', 10, { app: 'beta' }));
    settle(simulation);
    const taken: { object: ApiObject; json: string }[] = [];
    for (let round = 0; round < 6; round++) {
      taken.push(...takeStored(simulation));
      simulation.input({ type: 'deployment.restart', key: `default/${round % 2 === 0 ? 'alpha' : 'beta'}` });
      simulation.advance(5_000);
    }
    const changed = taken.filter(({ object, json }) => JSON.stringify(object) !== json);
    expect(changed.map(({ object }) => `${object.kind} ${object.metadata.name}`)).toEqual([]);
  });
});
