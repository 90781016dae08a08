import { describe, expect, it } from 'vitest';
import { runScenario, scenarios, type ScenarioVariant } from '../../../simulator/index';
import { istioMistakenIdentityVariants } from '../../../simulator/scenarios/istio-mistaken-identity';
import { observed, outcomeText, stepOf, workloadOf } from './scenario-support';

// The seed 001 experiment under Istio: the recycled address still looks like sleep-v1 to the cut-off
// node, but the certificate names the real sender's service account, so only a policy that cannot
// tell the two sleeps apart lets sleep-v2 in.
const scenario = scenarios['istio-mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');

const serviceAccount = (name: string): string => `spiffe://cluster.local/ns/default/sa/${name}`;

interface BypassCase {
  readonly name: string;
  readonly variant: ScenarioVariant;
  /** The bypass curl: its outcome, curl's exit status, the mesh transport and the client certificate. */
  readonly curl: readonly [outcome: string, exitCode: number, transport: string, clientId: string];
}

const bypassCases: readonly BypassCase[] = [
  {
    // curl -s exits 0 on a 403, so run-test.sh still prints "Connection success.".
    name: 'refuses the recycled sleep-v2 pod with 403 although the ipcache is stale',
    variant: {},
    curl: ['403 RBAC: access denied', 0, 'mtls', serviceAccount('sleep-v2')],
  },
  {
    name: 'closes the connection at ztunnel in ambient mode',
    variant: istioMistakenIdentityVariants.ambient,
    curl: ['error', 56, 'hbone', serviceAccount('sleep-v2')],
  },
  {
    name: 'lets sleep-v2 in when both sleeps share the service account the policy names',
    variant: istioMistakenIdentityVariants['shared-service-account'],
    curl: ['200 Hello version: v1', 0, 'mtls', serviceAccount('sleep')],
  },
];

describe('scenario: istio-mistaken-identity', () => {
  it('scenario: istio-mistaken-identity: answers matching pairs and refuses the others with 403', () => {
    const transcript = runScenario(scenario);
    expect(transcript.ok).toBe(true);
    const matrix = observed(stepOf(transcript, 'matrix'), 'curl').map((curl) => [
      `${workloadOf(curl.from)} -> ${curl.to}`,
      outcomeText(curl.outcome),
      curl.exitCode,
    ]);
    expect(matrix).toEqual([
      ['sleep-v1 -> helloworld-v1', '200 Hello version: v1', 0],
      ['sleep-v1 -> helloworld-v2', '403 RBAC: access denied', 0],
      ['sleep-v2 -> helloworld-v1', '403 RBAC: access denied', 0],
      ['sleep-v2 -> helloworld-v2', '200 Hello version: v2', 0],
    ]);
  });

  it.each(bypassCases)('scenario: istio-mistaken-identity: bypass: $name', ({ variant, curl }) => {
    const transcript = runScenario(scenario, scenario.defaultSeed, variant);
    expect(transcript.steps.flatMap((step) => step.failures)).toEqual([]);
    const bypass = stepOf(transcript, 'bypass');
    expect(
      observed(bypass, 'curl').map((observation) => [
        observation.from,
        outcomeText(observation.outcome),
        observation.exitCode,
        observation.mesh?.transport,
        observation.mesh?.clientId,
      ]),
    ).toEqual([[transcript.facts.pods.SLEEPV2POD, ...curl]]);
    // Cilium's ipcache on the cut-off node is as stale as in the experiment: it names sleep-v1.
    const entries = observed(bypass, 'ipcache-entry');
    expect(entries.map((entry) => [entry.identity, workloadOf(entry.namedPod ?? '')])).toEqual([
      [transcript.facts.identities.SLEEPV1_ID, 'sleep-v1'],
    ]);
  });

  it('scenario: istio-mistaken-identity: is reproducible: the same seed gives the same final state', () => {
    expect(runScenario(scenario, 5).finalHash).toBe(runScenario(scenario, 5).finalHash);
  });
});
