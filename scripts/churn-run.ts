/**
 * The benchmarks' steady churn: a three-worker cluster with Cilium 1.12 and two Deployments of ten
 * pods restarted in turn every five seconds, until the log holds the events asked for. `npm run
 * bench` replays it in Node and Chromium; `npm run budgets` checks its replay in a Web Worker.
 */
import type { Simulation } from '../simulator/simulation';
import { apply, clusterWithCilium, deploymentYaml, settle } from '../test/unit/simulator/support';

/** The churn run; `timeTravel: false` builds it without checkpoints, as a recording to replay. */
export function churnRun(targetEvents: number, timeTravel = true): Simulation {
  const simulation = clusterWithCilium(1, 3, '1.12.0', {}, timeTravel ? {} : { checkpointInterval: 0 });
  apply(simulation, deploymentYaml('alpha', 10, { app: 'alpha' }));
  apply(simulation, deploymentYaml('beta', 10, { app: 'beta' }));
  settle(simulation);
  let round = 0;
  while (simulation.position < targetEvents) {
    simulation.input({ type: 'deployment.restart', key: `default/${round % 2 === 0 ? 'alpha' : 'beta'}` });
    simulation.advance(5_000);
    round += 1;
  }
  return simulation;
}
