import { describe, expect, it } from 'vitest';
import { runScenario, scenarios } from '../../../simulator/index';

// The seed 001 experiment end to end: with its settings a recycled address inherits sleep-v1's
// identity on the cut-off node, and the setups FACTS §3 says are immune do not show the bypass.
const scenario = scenarios['mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');

const bypassed = (seed: number, variant = {}): boolean => {
  const transcript = runScenario(scenario, seed, variant);
  const step = transcript.steps.find((candidate) => candidate.id === 'bypass');
  return step?.lines.some((line) => line.includes('Connection success')) === true;
};

describe('scenario: mistaken-identity', () => {
  it('reaches the bypass with the default seed, every expectation holding', () => {
    const transcript = runScenario(scenario);
    expect(transcript.steps.flatMap((step) => step.failures)).toEqual([]);
    expect(transcript.ok).toBe(true);
    const matrix = transcript.steps.find((step) => step.id === 'matrix')?.lines ?? [];
    expect(matrix.filter((line) => line.includes('Connection success'))).toHaveLength(2);
    const bypass = transcript.steps.find((step) => step.id === 'bypass')?.lines.join('\n') ?? '';
    expect(bypass).toMatch(/Hello version: v1/);
    expect(bypass).toMatch(/believed 10\.244\.\d+\.\d+ was identity \d+ \(sleep-v1-/);
    expect(transcript.recorded.SLEEPV1_ID).toBeTypeOf('number');
  });

  it('is reproducible: the same seed gives the same final state', () => {
    expect(runScenario(scenario, 11).finalHash).toBe(runScenario(scenario, 11).finalHash);
    expect(runScenario(scenario, 11).finalHash).not.toBe(runScenario(scenario, 12).finalHash);
  });

  it('does not bypass without the cut-off: the healthy node learns the new CiliumEndpoint', () => {
    expect(bypassed(1, { skipActions: ['cut-off'] })).toBe(false);
  });

  it('does not bypass with Cilium 1.15 and WireGuard: the identity travels in the tunnel header', () => {
    expect(bypassed(1, { ciliumVersion: '1.15.0' })).toBe(false);
  });

  it('does not bypass over plain VXLAN in 1.12', () => {
    expect(bypassed(1, { helmValues: { 'encryption.enabled': 'false' } })).toBe(false);
  });

  it('still bypasses with native routing, where the receiver always asks its ipcache', () => {
    expect(bypassed(1, { helmValues: { tunnel: 'disabled', 'encryption.enabled': 'false' } })).toBe(true);
  });
});
