// Goal: the reduced model does what README.md says it does — it allocates exactly as the full
// simulator's allocator, replays trials from their seeds, finds no incident where none is possible,
// treats a constant lag over its horizon as a cut-off, and its verdicts per setup follow the source
// identity the configuration model names (Istio and tunnel-header setups at zero by computation).
import { describe, expect, it } from 'vitest';
import { seedRandom } from '../../../simulator/engine/prng';
import { allocateNext, createIpamPool, releaseAddress } from '../../../simulator/k8s/ipam';
import { allocateOffset, createAddressPool, releaseOffset } from '../../../simulator/risk/address-pool';
import { judgeTrial, unionLength } from '../../../simulator/risk/judge';
import {
  checkRiskParameters,
  clientWorkloads,
  defaultRiskParameters,
  withParameters,
  type RiskParameters,
} from '../../../simulator/risk/parameters';
import { runReducedTrial, rolloutWaves } from '../../../simulator/risk/reduced-model';
import { receiverModel, riskSetup, riskSetups, type IdentitySource } from '../../../simulator/risk/setups';

const at = (changes: Partial<RiskParameters>): RiskParameters =>
  withParameters(defaultRiskParameters, changes);

function incidentRate(parameters: RiskParameters, trials: number): number {
  let hits = 0;
  for (let seed = 1; seed <= trials; seed++)
    if (runReducedTrial(parameters, seed).incidents.length > 0) hits += 1;
  return hits / trials;
}

describe('risk reduced model: the allocator', () => {
  it('risk reduced model: allocator: picks the same offsets as k8s/ipam.ts with the same seed', () => {
    const full = createIpamPool('10.244.1.0/24');
    const fullRandom = seedRandom(42);
    const reduced = createAddressPool(254);
    const reducedRandom = seedRandom(42);
    const taken: string[] = [];
    for (let round = 0; round < 400; round++) {
      if (round % 3 === 2 && taken.length > 0) {
        const ip = taken.splice(round % taken.length, 1)[0]!;
        releaseAddress(full, ip);
        releaseOffset(reduced, Number(ip.split('.')[3]) - 1);
        continue;
      }
      const ip = allocateNext(full, fullRandom, 'pod');
      const offset = allocateOffset(reduced, reducedRandom, 1);
      expect(ip).toBe(`10.244.1.${offset + 1}`);
      taken.push(ip!);
    }
  });

  it('risk reduced model: allocator: a full pool refuses', () => {
    const pool = createAddressPool(2);
    const random = seedRandom(1);
    expect(allocateOffset(pool, random, 1)).toBeGreaterThanOrEqual(0);
    expect(allocateOffset(pool, random, 2)).toBeGreaterThanOrEqual(0);
    expect(allocateOffset(pool, random, 3)).toBe(-1);
  });
});

describe('risk reduced model: trials', () => {
  it('risk reduced model: a trial replays from its seed', () => {
    const parameters = at({ churnPerMinute: 40 });
    expect(runReducedTrial(parameters, 7)).toEqual(runReducedTrial(parameters, 7));
    const seeds = [1, 2, 3, 4, 5, 6].map((seed) => runReducedTrial(parameters, seed).allocations);
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  interface NoIncidentCase {
    name: string;
    parameters: RiskParameters;
  }
  const impossible: readonly NoIncidentCase[] = [
    { name: 'no churn', parameters: at({ churnPerMinute: 0 }) },
    {
      name: 'a one-second window',
      parameters: at({ churnPerMinute: 30, window: { kind: 'cut-off', seconds: 1 } }),
    },
  ];
  it.each(impossible)('risk reduced model: no incident with $name', ({ parameters }) => {
    expect(incidentRate(parameters, 200)).toBe(0);
  });

  it('risk reduced model: more churn, a smaller CIDR or a longer window raise the rate', () => {
    const base = incidentRate(defaultRiskParameters, 600);
    expect(base).toBeGreaterThan(0);
    expect(incidentRate(at({ churnPerMinute: 40 }), 600)).toBeGreaterThan(base);
    expect(incidentRate(at({ podCidrPrefix: 27 }), 600)).toBeGreaterThan(base);
    expect(incidentRate(at({ window: { kind: 'cut-off', seconds: 1200 } }), 600)).toBeGreaterThan(base);
  });

  it('risk reduced model: a constant lag watched for exactly the lag is a cut-off of that length', () => {
    const cutOff = at({ churnPerMinute: 30, window: { kind: 'cut-off', seconds: 240 } });
    const lag = at({
      churnPerMinute: 30,
      window: { kind: 'lag', medianSeconds: 240, p95Seconds: 240, horizonSeconds: 240 },
    });
    for (let seed = 1; seed <= 40; seed++) {
      const a = runReducedTrial(cutOff, seed);
      const b = runReducedTrial(lag, seed);
      expect(b.lagMs).toBe(240_000);
      expect(unionLength(b.incidents)).toBeCloseTo(unionLength(a.incidents), 6);
    }
  });

  it('risk reduced model: every incident lies inside the window and pairs an admitted belief with a wrong pod', () => {
    const parameters = at({ churnPerMinute: 60, admittedIdentities: 3 });
    for (let seed = 1; seed <= 50; seed++) {
      const record = runReducedTrial(parameters, seed);
      for (const incident of record.incidents) {
        expect(incident.startMs).toBeGreaterThanOrEqual(0);
        expect(incident.endMs).toBeLessThanOrEqual(record.horizonMs);
        expect(incident.startMs).toBeLessThan(incident.endMs);
        expect(incident.believed).toBeLessThan(3);
        expect(incident.actual).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('risk reduced model: the attacker restarting their own Deployment is let in more often', () => {
    const quiet = at({ churnPerMinute: 5 });
    const attacked = at({ churnPerMinute: 5, attackerRestartsPerMinute: 6 });
    const setup = riskSetup('cilium-1.12-wireguard')!;
    let attackerHits = 0;
    for (let seed = 1; seed <= 300; seed++)
      if (judgeTrial(runReducedTrial(attacked, seed), setup, 1).attacker) attackerHits += 1;
    expect(attackerHits).toBeGreaterThan(0);
    expect(incidentRate(attacked, 300)).toBeGreaterThan(incidentRate(quiet, 300));
  });

  it('risk reduced model: a rollout replaces every replica', () => {
    for (const size of [1, 5, 17, 100]) {
      const waves = rolloutWaves(size);
      expect(waves.reduce((sum, wave) => sum + wave[1], 0)).toBe(size);
      expect(waves.reduce((sum, wave) => sum + wave[2], 0)).toBe(size);
    }
  });
});

describe('risk reduced model: setups', () => {
  const expected: Record<string, IdentitySource> = {
    'cilium-1.12-vxlan': 'tunnel-header',
    'cilium-1.15-geneve': 'tunnel-header',
    'cilium-1.12-wireguard': 'ipcache',
    'cilium-1.14-wireguard': 'ipcache',
    'cilium-1.14-wireguard-encapsulate': 'tunnel-header',
    'cilium-1.15-wireguard': 'tunnel-header',
    'cilium-1.15-native-routing': 'ipcache',
    'cilium-1.14-mutual-auth': 'ipcache',
    'cilium-1.15-mutual-auth': 'tunnel-header',
    'istio-sidecar': 'certificate',
    'istio-ambient': 'certificate',
  };
  it.each(riskSetups.map((setup) => ({ name: setup.id, setup })))(
    'risk setups: $name takes the source identity from where the configuration model says',
    ({ setup }) => {
      expect(receiverModel(setup).source).toBe(expected[setup.id]);
    },
  );

  it('risk setups: incidents become wrong admits only where the receiver reads its ipcache', () => {
    const parameters = at({ churnPerMinute: 60 });
    const records = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => runReducedTrial(parameters, seed));
    expect(records.some((record) => record.incidents.length > 0)).toBe(true);
    for (const setup of riskSetups)
      for (const record of records) {
        const verdict = judgeTrial(record, setup, 1);
        const vulnerable = receiverModel(setup).source === 'ipcache';
        expect(verdict.wrongAdmit).toBe(vulnerable && record.incidents.length > 0);
        if (!vulnerable) expect(verdict.exposureMs).toBe(0);
      }
  });

  it('risk setups: mutual authentication is modelled as authenticating the resolved identity', () => {
    expect(receiverModel(riskSetup('cilium-1.14-mutual-auth')!).authenticatesResolvedIdentity).toBe(true);
    expect(receiverModel(riskSetup('cilium-1.14-wireguard')!).authenticatesResolvedIdentity).toBe(false);
  });
});

describe('risk parameters', () => {
  it('risk parameters: the defaults are valid', () => {
    expect(checkRiskParameters(defaultRiskParameters)).toEqual([]);
  });

  const invalid: readonly { name: string; parameters: RiskParameters; problem: RegExp }[] = [
    { name: 'one node', parameters: at({ nodes: 1 }), problem: /nodes must be between 2/ },
    { name: 'a fractional pod count', parameters: at({ podsPerNode: 2.5 }), problem: /whole number/ },
    {
      name: 'too many pods for a /28',
      parameters: at({ podCidrPrefix: 28, podsPerNode: 12 }),
      problem: /a \/28 holds 14/,
    },
    {
      name: 'a lag whose p95 is below its median',
      parameters: at({ window: { kind: 'lag', medianSeconds: 60, p95Seconds: 30, horizonSeconds: 600 } }),
      problem: /cannot be below its median/,
    },
  ];
  it.each(invalid)('risk parameters: refuses $name', ({ parameters, problem }) => {
    expect(checkRiskParameters(parameters).join('; ')).toMatch(problem);
  });

  it('risk parameters: client pods are split into Deployments of the rollout size', () => {
    expect(clientWorkloads(defaultRiskParameters)).toEqual({
      deployments: 12,
      replicas: 5,
      pods: 60,
      attacker: undefined,
    });
    expect(clientWorkloads(at({ attackerRestartsPerMinute: 1 })).attacker).toBe(11);
  });
});
