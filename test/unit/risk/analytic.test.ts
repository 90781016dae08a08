// Goal: the closed-form approximation has the right limits and stays near the Monte Carlo where its
// simplifications hold (a roomy CIDR, modest churn), and parts from it in the direction the page
// says where they do not (small CIDRs and heavy churn: the formula is lower).
import { describe, expect, it } from 'vitest';
import { analyticWrongAdmitProbability } from '../../../simulator/risk/analytic';
import {
  defaultRiskParameters,
  withParameters,
  type RiskParameters,
} from '../../../simulator/risk/parameters';
import { runReducedTrial } from '../../../simulator/risk/reduced-model';
import { wilsonInterval } from '../../../simulator/risk/statistics';

const at = (changes: Partial<RiskParameters>): RiskParameters =>
  withParameters(defaultRiskParameters, changes);

function monteCarlo(parameters: RiskParameters, trials: number): { lower: number; upper: number } {
  let hits = 0;
  for (let seed = 1; seed <= trials; seed++)
    if (runReducedTrial(parameters, seed).incidents.length > 0) hits += 1;
  return wilsonInterval(hits, trials);
}

describe('risk analytic approximation: limits', () => {
  it('risk analytic: no churn, no risk', () => {
    expect(analyticWrongAdmitProbability(at({ churnPerMinute: 0 }))).toBe(0);
  });

  it('risk analytic: grows with churn and with the window, and stays a probability', () => {
    const values = [1, 5, 20, 80].map((churnPerMinute) =>
      analyticWrongAdmitProbability(at({ churnPerMinute })),
    );
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]!);
    expect(analyticWrongAdmitProbability(at({ window: { kind: 'cut-off', seconds: 3600 } }))).toBeGreaterThan(
      analyticWrongAdmitProbability(defaultRiskParameters),
    );
    for (const value of values) expect(value).toBeLessThanOrEqual(1);
  });

  it('risk analytic: a longer lag means more risk', () => {
    const lag = (medianSeconds: number): number =>
      analyticWrongAdmitProbability(
        at({ window: { kind: 'lag', medianSeconds, p95Seconds: medianSeconds * 4, horizonSeconds: 600 } }),
      );
    expect(lag(60)).toBeGreaterThan(lag(5));
  });
});

describe('risk analytic approximation beside the Monte Carlo', () => {
  const agreeing: readonly { name: string; parameters: RiskParameters }[] = [
    { name: 'the defaults', parameters: defaultRiskParameters },
    { name: 'a /27 per node', parameters: at({ podCidrPrefix: 27 }) },
    { name: 'three admitted identities', parameters: at({ admittedIdentities: 3, churnPerMinute: 20 }) },
    { name: 'single-pod Deployments', parameters: at({ rolloutSize: 1, admittedIdentities: 10 }) },
    {
      name: 'a 30 s median lag over 10 minutes',
      parameters: at({ window: { kind: 'lag', medianSeconds: 30, p95Seconds: 120, horizonSeconds: 600 } }),
    },
  ];
  it.each(agreeing)('risk analytic: within 0.03 of the Monte Carlo interval for $name', ({ parameters }) => {
    const interval = monteCarlo(parameters, 1500);
    const analytic = analyticWrongAdmitProbability(parameters);
    expect(analytic).toBeGreaterThan(interval.lower - 0.03);
    expect(analytic).toBeLessThan(interval.upper + 0.03);
  });

  it('risk analytic: below the Monte Carlo under heavy churn (the scheduler refills the node that just freed an address)', () => {
    const parameters = at({ churnPerMinute: 90 });
    const interval = monteCarlo(parameters, 800);
    expect(analyticWrongAdmitProbability(parameters)).toBeLessThan(interval.lower);
    expect(analyticWrongAdmitProbability(parameters)).toBeGreaterThan(interval.lower - 0.1);
  });
});
