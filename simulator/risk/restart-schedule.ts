/**
 * When each rollout restart of a trial happens and which Deployment it restarts: the cluster's churn
 * (a Poisson process over all client Deployments) and the attacker's own restarts (a Poisson
 * process on their Deployment). The schedule comes from its own random stream of the trial's seed,
 * so the reduced model and the full simulator's replay of the same trial restart the same
 * Deployments at the same moments; only the allocator's draws differ between them.
 */
import { nextInt, nextUint32, seedRandom, type RandomState } from '../engine/prng';
import { clientWorkloads, horizonSeconds, type RiskParameters } from './parameters';

/** One `kubectl rollout restart`, in ms after the node went stale. */
export interface ScheduledRestart {
  atMs: number;
  deployment: number;
}

/** A trial's inputs that do not depend on the model: its restarts and (for lag windows) its lag. */
export interface TrialSchedule {
  restarts: ScheduledRestart[];
  lagMs: number | undefined;
}

/** A uniform number in (0, 1). */
export function uniform(random: RandomState): number {
  return (nextUint32(random) + 0.5) / 4_294_967_296;
}

/** A log-normal lag from its median and 95th percentile (Box–Muller for the normal draw). */
function drawLagMs(random: RandomState, medianMs: number, p95Ms: number): number {
  if (p95Ms <= medianMs) return medianMs;
  const sigma = Math.log(p95Ms / medianMs) / 1.6448536269514722;
  const normal = Math.sqrt(-2 * Math.log(uniform(random))) * Math.cos(2 * Math.PI * uniform(random));
  return medianMs * Math.exp(sigma * normal);
}

/** Times of a Poisson process with this rate per ms, before `horizonMs`. */
function poissonTimes(random: RandomState, ratePerMs: number, horizonMs: number): number[] {
  const times: number[] = [];
  if (ratePerMs <= 0) return times;
  for (
    let atMs = -Math.log(uniform(random)) / ratePerMs;
    atMs < horizonMs;
    atMs += -Math.log(uniform(random)) / ratePerMs
  )
    times.push(atMs);
  return times;
}

/** The schedule of a trial. */
export function trialSchedule(parameters: RiskParameters, seed: number): TrialSchedule {
  const random = seedRandom((seed ^ 0x5bd1e995) >>> 0);
  const workloads = clientWorkloads(parameters);
  const window = parameters.window;
  const lagMs =
    window.kind === 'lag'
      ? drawLagMs(random, window.medianSeconds * 1000, window.p95Seconds * 1000)
      : undefined;
  const horizonMs = horizonSeconds(window) * 1000;
  const restarts: ScheduledRestart[] = poissonTimes(
    random,
    parameters.churnPerMinute / workloads.replicas / 60_000,
    horizonMs,
  ).map((atMs) => ({ atMs, deployment: nextInt(random, workloads.deployments) }));
  if (workloads.attacker !== undefined) {
    const attacker = workloads.attacker;
    for (const atMs of poissonTimes(random, parameters.attackerRestartsPerMinute / 60_000, horizonMs))
      restarts.push({ atMs, deployment: attacker });
    restarts.sort((a, b) => a.atMs - b.atMs);
  }
  return { restarts, lagMs };
}
