/**
 * A closed-form approximation of the probability of a wrong admit, computed beside the Monte Carlo:
 * a birthday-style argument about address reuse. An admitted rollout frees `replicas` addresses
 * that the stale node still maps to an admitted identity; each is then exposed to the non-admitted
 * allocations on its node until the window ends (or, under a watch lag, until the lag has passed).
 * The expected number of such rollouts that end in a wrong landing is
 *
 *   Λ = ∫ ρ(s) · (1 − e^(−replicas · q(s))) ds,   q(s) = 1 − e^(−w · min(T − s, memory) / F)
 *
 * where ρ(s) is the rate of admitted rollouts that free known addresses, w the rate of non-admitted
 * allocations on one node and F its free addresses. After a cut-off only each admitted Deployment's
 * first rollout frees addresses the node knew (later ones free addresses it never heard of), so each
 * of the k admitted Deployments contributes one chance Λ/k and P(wrong admit) = 1 − (1 − Λ/k)^k;
 * under a lag every admitted rollout counts, they form a Poisson stream and P ≈ 1 − e^(−Λ). It simplifies in three ways, which
 * is where it parts from the Monte Carlo (the page shows both and says so):
 *
 * 1. **Uniform choice among free addresses.** Cilium's allocator starts at a random offset and scans
 *    forward, so an address is picked with probability (1 + the run of taken addresses just before
 *    it) / pool size. Averaged over the pool that is 1 / F, which the formula uses; in a crowded pool
 *    (a small pod CIDR) freed addresses sit in long runs and are picked more often, so the formula
 *    underestimates small CIDRs.
 * 2. **Allocations spread evenly over nodes.** The reduced model puts the next pod on the node with
 *    the fewest, which is the node that just lost one: a freed address meets the next allocations
 *    sooner than an even spread suggests. The more churn, the more the formula underestimates.
 * 3. **Waves and queues ignored.** A rollout's first wave takes addresses before its old pods give
 *    theirs back, and restarts of a Deployment that is still rolling wait; the formula treats each
 *    rollout as freeing its addresses at once.
 */
import { agentAddressesPerNode, clientWorkloads, poolSize, type RiskParameters } from './parameters';

/** The per-node rates the approximation works with (per second). */
export interface ReuseRates {
  clientNodes: number;
  /** Pod replacements per second per node, by the cluster's churn. */
  replacements: number;
  /** The attacker's extra replacements per second per node. */
  attackerReplacements: number;
  /** Share of client pods whose identity the policy admits. */
  admittedShare: number;
  /** Free addresses per node. */
  free: number;
}

/** The rates of a parameter set. */
function reuseRates(parameters: RiskParameters): ReuseRates {
  const workloads = clientWorkloads(parameters);
  const clientNodes = parameters.nodes - 1;
  const podsPerNode = workloads.pods / clientNodes;
  return {
    clientNodes,
    replacements: parameters.churnPerMinute / 60 / clientNodes,
    attackerReplacements: (parameters.attackerRestartsPerMinute * workloads.replicas) / 60 / clientNodes,
    admittedShare: parameters.admittedIdentities / workloads.deployments,
    free: Math.max(1, poolSize(parameters.podCidrPrefix) - agentAddressesPerNode - podsPerNode),
  };
}

/** Steps of the numerical integral over the window. */
const integrationSteps = 256;

/**
 * Expected number of rollouts that end in at least one wrong landing, within `horizon` seconds,
 * when a freed admitted address counts for at most `memory` seconds (Infinity for a cut-off).
 */
function expectedWrongRollouts(
  parameters: RiskParameters,
  rates: ReuseRates,
  horizon: number,
  memory: number,
): number {
  const { replacements: c, attackerReplacements: a, free: f } = rates;
  const workloads = clientWorkloads(parameters);
  const all = c + a;
  if (all <= 0) return 0;
  const wrongShare = ((1 - rates.admittedShare) * c + a) / all;
  // Restart rate of one Deployment, per second.
  const perDeployment = parameters.churnPerMinute / workloads.replicas / workloads.deployments / 60;
  const admitted = parameters.admittedIdentities;
  const step = horizon / integrationSteps;
  let total = 0;
  for (let i = 0; i < integrationSteps; i++) {
    const s = (i + 0.5) * step;
    // After a cut-off only a Deployment's first rollout frees addresses the node knew as admitted;
    // under a lag every admitted release counts until the lag has passed.
    const poisoning =
      memory === Infinity
        ? admitted * perDeployment * Math.exp(-perDeployment * s)
        : admitted * perDeployment;
    const exposed = Math.min(horizon - s, memory);
    const hit = 1 - Math.exp((-wrongShare * all * exposed) / f);
    total += poisoning * (1 - Math.exp(-workloads.replicas * hit)) * step;
  }
  return total;
}

/** Standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Points used to average over the lag distribution (its quantiles at the midpoints of equal slices). */
const lagSlices = 64;

/** The approximate probability of at least one wrong landing for a parameter set. */
export function analyticWrongAdmitProbability(parameters: RiskParameters): number {
  const rates = reuseRates(parameters);
  const window = parameters.window;
  if (window.kind === 'cut-off') {
    // After a cut-off each admitted Deployment poisons addresses once, with its first rollout: the
    // chance that one of them ends in a wrong landing is the expected count per Deployment.
    const perDeployment =
      expectedWrongRollouts(parameters, rates, window.seconds, Infinity) / parameters.admittedIdentities;
    return 1 - (1 - Math.min(1, perDeployment)) ** parameters.admittedIdentities;
  }
  const sigma =
    window.p95Seconds > window.medianSeconds
      ? Math.log(window.p95Seconds / window.medianSeconds) / 1.6448536269514722
      : 0;
  let total = 0;
  for (let slice = 0; slice < lagSlices; slice++) {
    const lag = window.medianSeconds * Math.exp(sigma * normalQuantile((slice + 0.5) / lagSlices));
    total += 1 - Math.exp(-expectedWrongRollouts(parameters, rates, window.horizonSeconds, lag));
  }
  return total / lagSlices;
}
