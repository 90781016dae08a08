/**
 * The statistics the risk lab reports: the Wilson score interval for a proportion (it stays inside
 * [0, 1] and is honest at 0 and 1 successes, where the normal approximation collapses), how many
 * trials an interval of a given half-width needs, and the quantiles and bins of exposure times.
 */

/** z for a two-sided 95 % interval. */
export const z95 = 1.959963984540054;

/** A proportion with its interval. */
export interface ProportionInterval {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Wilson score interval for `successes` out of `trials` (E. B. Wilson, 1927): the centre moves
 * toward one half by z²/2n and the half-width is z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
 */
export function wilsonInterval(successes: number, trials: number, z = z95): ProportionInterval {
  if (trials <= 0) return { estimate: 0, lower: 0, upper: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { estimate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Half the width of the Wilson interval. */
export function wilsonHalfWidth(successes: number, trials: number, z = z95): number {
  const interval = wilsonInterval(successes, trials, z);
  return (interval.upper - interval.lower) / 2;
}

/** Trials the worst case (p = ½) needs for a Wilson half-width of at most `halfWidth`. */
export function trialsForHalfWidth(halfWidth: number, z = z95): number {
  // At p = ½ the half-width is z / (2√(n + z²)), so n = (z / 2h)² − z².
  return Math.max(1, Math.ceil((z / (2 * halfWidth)) ** 2 - z * z));
}

/**
 * The range a rate measured over `trials` runs falls in 95 % of the time when the true rate is `p`
 * (binomial quantiles, exact by summing the probability mass). The agreement test compares the full
 * model's rate over a few dozen runs with this range around the reduced model's estimate.
 */
export function binomialRange(p: number, trials: number, coverage = 0.95): { lower: number; upper: number } {
  const tail = (1 - coverage) / 2;
  let cumulative = 0;
  let lower = -1;
  let upper = trials;
  for (let k = 0; k <= trials; k++) {
    cumulative += binomialMass(k, trials, p);
    if (lower < 0 && cumulative > tail) lower = k;
    if (cumulative >= 1 - tail) {
      upper = k;
      break;
    }
  }
  return { lower: Math.max(0, lower) / trials, upper: upper / trials };
}

function binomialMass(k: number, n: number, p: number): number {
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  let logChoose = 0;
  for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  return Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log(1 - p));
}

/** The q-quantile of sorted values (nearest rank); undefined when there are none. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Counts of values per bin of equal width from 0 to `maximum` (the last bin takes the rest). */
export function histogram(values: readonly number[], maximum: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  if (maximum <= 0) {
    counts[0] = values.length;
    return counts;
  }
  for (const value of values) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((value / maximum) * bins)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}
