// Goal: the interval arithmetic the risk lab reports is right where it is easy to get wrong — at zero
// and at every success, for small and large samples — and the trial counts it plans are enough.
import { describe, expect, it } from 'vitest';
import {
  binomialRange,
  histogram,
  quantile,
  trialsForHalfWidth,
  wilsonHalfWidth,
  wilsonInterval,
} from '../../../simulator/risk/statistics';

interface WilsonCase {
  name: string;
  successes: number;
  trials: number;
  lower: number;
  upper: number;
}

// Reference values computed with the textbook formula (z = 1.95996), rounded to 4 places.
const wilsonCases: readonly WilsonCase[] = [
  { name: 'no successes in 10', successes: 0, trials: 10, lower: 0, upper: 0.2775 },
  { name: 'all 10 succeed', successes: 10, trials: 10, lower: 0.7225, upper: 1 },
  { name: 'half of 100', successes: 50, trials: 100, lower: 0.4038, upper: 0.5962 },
  { name: '1 in 1000', successes: 1, trials: 1000, lower: 0.0002, upper: 0.0056 },
  { name: '81 of 263', successes: 81, trials: 263, lower: 0.2553, upper: 0.3662 },
];

describe('risk statistics: Wilson score interval', () => {
  it.each(wilsonCases)('risk statistics: Wilson: $name', ({ successes, trials, lower, upper }) => {
    const interval = wilsonInterval(successes, trials);
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
    expect(interval.estimate).toBe(successes / trials);
  });

  it('risk statistics: Wilson: no trials means no knowledge', () => {
    expect(wilsonInterval(0, 0)).toEqual({ estimate: 0, lower: 0, upper: 1 });
  });

  it('risk statistics: the planned trials give the half-width asked for, and one fewer does not', () => {
    for (const halfWidth of [0.05, 0.02, 0.01]) {
      const trials = trialsForHalfWidth(halfWidth);
      expect(wilsonHalfWidth(trials / 2, trials)).toBeLessThanOrEqual(halfWidth);
      expect(wilsonHalfWidth((trials - 1) / 2, trials - 1)).toBeGreaterThan(halfWidth - 1e-6);
    }
    expect(trialsForHalfWidth(0.02)).toBe(2398);
  });
});

describe('risk statistics: binomial range of a small sample', () => {
  it('risk statistics: binomial range: covers the rate and excludes the far tails', () => {
    const range = binomialRange(0.3, 40);
    expect(range.lower).toBeLessThan(0.3);
    expect(range.upper).toBeGreaterThan(0.3);
    expect(range.lower).toBeGreaterThanOrEqual(0.15);
    expect(range.upper).toBeLessThanOrEqual(0.45);
  });

  it('risk statistics: binomial range: a rate of zero allows only zero', () => {
    expect(binomialRange(0, 30)).toEqual({ lower: 0, upper: 0 });
  });
});

describe('risk statistics: quantiles and bins', () => {
  it('risk statistics: nearest-rank quantiles', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(sorted, 0.5)).toBe(5);
    expect(quantile(sorted, 0.95)).toBe(10);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it('risk statistics: histogram puts the maximum in the last bin', () => {
    expect(histogram([0, 1, 5, 9.9, 10, 50], 10, 2)).toEqual([2, 4]);
  });
});
