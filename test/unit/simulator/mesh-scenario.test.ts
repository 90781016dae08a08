import { describe, expect, it } from 'vitest';
import { runScenario, scenarios } from '../../../simulator/index';
import { istioMistakenIdentityVariants } from '../../../simulator/scenarios/istio-mistaken-identity';

// The seed 001 experiment under Istio: the recycled address still looks like sleep-v1 to the cut-off
// node, but the certificate names the real sender's service account.
const scenario = scenarios['istio-mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');

const bypassLines = (variant = {}): string => {
  const transcript = runScenario(scenario, scenario.defaultSeed, variant);
  expect(transcript.steps.flatMap((step) => step.failures)).toEqual([]);
  return transcript.steps.find((step) => step.id === 'bypass')?.lines.join('\n') ?? '';
};

describe('scenario: istio-mistaken-identity', () => {
  it('refuses the recycled sleep-v2 pod with 403 although the ipcache is stale', () => {
    const transcript = runScenario(scenario);
    expect(transcript.ok).toBe(true);
    const matrix = transcript.steps.find((step) => step.id === 'matrix')?.lines ?? [];
    expect(matrix.filter((line) => line.includes('Hello version'))).toHaveLength(2);
    expect(matrix.filter((line) => line.includes('RBAC: access denied'))).toHaveLength(2);
    const bypass = transcript.steps.find((step) => step.id === 'bypass')?.lines.join('\n') ?? '';
    expect(bypass).toMatch(/RBAC: access denied/);
    expect(bypass).toMatch(/run-test.sh would print "Connection success."/);
    expect(bypass).toMatch(/client spiffe:\/\/cluster.local\/ns\/default\/sa\/sleep-v2/);
    expect(bypass).toMatch(/identity=\d+ \(named sleep-v1-/);
  });

  it('closes the connection at ztunnel in ambient mode', () => {
    const bypass = bypassLines(istioMistakenIdentityVariants.ambient);
    expect(bypass).toMatch(/exit 56/);
    expect(bypass).toMatch(/hbone/);
  });

  it('lets sleep-v2 in when both sleeps share the service account the policy names', () => {
    const bypass = bypassLines(istioMistakenIdentityVariants['shared-service-account']);
    expect(bypass).toMatch(/Hello version: v1/);
    expect(bypass).toMatch(/sa\/sleep /);
  });

  it('is reproducible: the same seed gives the same final state', () => {
    expect(runScenario(scenario, 5).finalHash).toBe(runScenario(scenario, 5).finalHash);
  });
});
