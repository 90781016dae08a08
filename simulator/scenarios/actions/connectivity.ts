/**
 * Curls between the experiment's workloads, narrated the way seed 001's run-test.sh reads them
 * ("Connection success" for an HTTP answer below 400, "Connection Failed" otherwise): the
 * two-by-two matrix, one curl from a workload, and one from the pod that took a recycled address.
 */
import type { Pod } from '../../k8s/objects';
import { formatDuration } from '../../engine/virtual-time';
import { podsWithLabels, runningPods } from '../../queries';
import { curlSummary } from '../curl-reading';
import { curlObservation, curlSucceeded } from '../observations';
import type { ScenarioRun } from '../run';
import type { ActionOf } from '../types';

/** The first running pod of a workload named `app-version` (`sleep-v1`). */
export function workloadPod(run: ScenarioRun, workload: string): Pod | undefined {
  const [app = workload, version = ''] = workload.split('-');
  return runningPods(podsWithLabels(run.world, { app, version }))[0];
}

function verdictWord(success: boolean): string {
  return success ? 'Connection success' : 'Connection Failed';
}

/** The drop reasons of the flows since a mark, each once, in the order they happened. */
function dropsSince(run: ScenarioRun, mark: number): string[] {
  const drops = run.flowsSince(mark).filter((flow) => flow.eventType === 'drop');
  return [...new Set(drops.map((flow) => flow.dropReason ?? ''))];
}

export function connectivityMatrix(run: ScenarioRun, action: ActionOf<'connectivity-matrix'>): void {
  for (const client of action.clients) {
    for (const server of action.servers) {
      const label = `${client} -> ${server}`;
      const clientPod = workloadPod(run, client);
      if (clientPod === undefined) {
        run.fail(`no running pod for ${client}`);
        continue;
      }
      const from = clientPod.metadata.name;
      const outcome = run.curl(`default/${from}`, server, action.port, action.path, action.timeoutMs);
      const observation = curlObservation(
        { from, to: server, port: action.port, path: action.path },
        outcome,
      );
      const success = curlSucceeded(observation);
      run.say(`${label}: ${verdictWord(success)} (${curlSummary(outcome)})`);
      run.observe(observation);
      const expected = action.expect[label];
      if (expected !== undefined && (expected === 'success') !== success)
        run.fail(`${label} should be a ${expected}`);
    }
  }
}

export function curlFromRecorded(run: ScenarioRun, action: ActionOf<'curl-from-recorded'>): void {
  const pod = run.facts.pods[action.pod];
  if (pod === undefined) {
    run.fail(`nothing recorded as ${action.pod}`);
    return;
  }
  const mark = run.flowMark;
  const outcome = run.curl(`default/${pod}`, action.server, action.port, action.path, action.timeoutMs);
  const observation = curlObservation(
    { from: pod, to: action.server, port: action.port, path: action.path },
    outcome,
    { drops: dropsSince(run, mark) },
  );
  const success = curlSucceeded(observation);
  run.say(
    `kubectl exec ${pod} -- curl -s http://${action.server}:${action.port}${action.path} --max-time ${action.timeoutMs / 1000}: ${verdictWord(success)} (${curlSummary(outcome)})`,
  );
  for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
  if (action.showFlows === true) run.sayFlows(mark);
  if (outcome !== undefined && 'mistaken' in outcome && outcome.mistaken !== undefined)
    run.say(`Mistaken identity: ${outcome.mistaken.sentence}`);
  run.observe(observation);
  if ((action.expect === 'success') !== success) run.fail(`the curl should be a ${action.expect}`);
}

export function curl(run: ScenarioRun, action: ActionOf<'curl'>): void {
  const clientPod = workloadPod(run, action.from);
  if (clientPod === undefined) {
    run.fail(`no running pod for ${action.from}`);
    return;
  }
  const from = clientPod.metadata.name;
  const mark = run.flowMark;
  const outcome = run.curl(`default/${from}`, action.server, action.port, action.path, action.timeoutMs);
  const drops = dropsSince(run, mark);
  const observation = curlObservation(
    { from, to: action.server, port: action.port, path: action.path },
    outcome,
    { drops },
  );
  const success = curlSucceeded(observation);
  run.say(
    `kubectl exec ${from} -- curl -s http://${action.server}:${action.port}${action.path} --max-time ${action.timeoutMs / 1000}: ${verdictWord(success)} (${curlSummary(outcome)}, ${(observation.elapsedMs / 1000).toFixed(3)} s)`,
  );
  for (const line of outcome?.explanation ?? []) run.say(`  · ${line}`);
  if (action.showFlows === true) run.sayFlows(mark);
  run.observe(observation);
  if ((action.expect === 'success') !== success) run.fail(`the curl should be a ${action.expect}`);
  for (const reason of action.expectDrops ?? [])
    if (!drops.includes(reason)) run.fail(`expected a ${reason} drop during the curl`);
  if (action.minElapsedMs !== undefined && observation.elapsedMs < action.minElapsedMs)
    run.fail(`the curl should take at least ${formatDuration(action.minElapsedMs)}`);
}
