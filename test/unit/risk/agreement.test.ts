// Goal: the reduced model is a faithful stand-in for the full simulator. On a small grid of
// parameters both can run, every cell's full-model rate of incidents (a wrong pod at an address the
// cut-off node still calls admitted) lies in the range a sample of that size falls in 95 % of the
// time around the reduced model's rate; the full datapath admits the first wrong pod where the
// receiver reads its ipcache and refuses it where the tunnel header names the sender; and a trial's
// lab permalink replays to the very world the full-model trial measured.
import { describe, expect, it } from 'vitest';
import { decodeLabPermalink, encodeLabPermalink } from '../../../simulator/permalink';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { LabSession } from '../../../simulator/scenarios/lab-session';
import { runFullTrial } from '../../../simulator/risk/full-model';
import { labReplay, trialLabRecord } from '../../../simulator/risk/lab-trial';
import {
  defaultRiskParameters,
  withParameters,
  type RiskParameters,
} from '../../../simulator/risk/parameters';
import { runReducedTrial } from '../../../simulator/risk/reduced-model';
import { riskSetup } from '../../../simulator/risk/setups';
import { binomialRange } from '../../../simulator/risk/statistics';

const at = (changes: Partial<RiskParameters>): RiskParameters =>
  withParameters(defaultRiskParameters, changes);
const cutOff = (seconds: number): RiskParameters['window'] => ({ kind: 'cut-off', seconds });

interface AgreementCell {
  name: string;
  parameters: RiskParameters;
}

const grid: readonly AgreementCell[] = [
  {
    name: '3 nodes, 10 pods each, 40 restarts/min, 2 min',
    parameters: at({ nodes: 3, podsPerNode: 10, churnPerMinute: 40, window: cutOff(120) }),
  },
  {
    name: '4 nodes, Deployments of 3, two admitted identities, 60 restarts/min, 90 s',
    parameters: at({
      nodes: 4,
      podsPerNode: 6,
      rolloutSize: 3,
      churnPerMinute: 60,
      admittedIdentities: 2,
      window: cutOff(90),
    }),
  },
  {
    name: 'an attacker restarting their Deployment 4 times a minute',
    parameters: at({
      nodes: 3,
      podsPerNode: 12,
      rolloutSize: 4,
      churnPerMinute: 20,
      attackerRestartsPerMinute: 4,
      window: cutOff(120),
    }),
  },
  {
    name: 'one client node, as in the experiment, Deployments of 8',
    parameters: at({ nodes: 2, podsPerNode: 16, rolloutSize: 8, churnPerMinute: 24, window: cutOff(90) }),
  },
];

const fullSeeds = 20;
const reducedTrials = 3000;
const vulnerable = riskSetup('cilium-1.12-wireguard')!;
const tunnel = riskSetup('cilium-1.15-wireguard')!;

function reducedRate(parameters: RiskParameters): number {
  let hits = 0;
  for (let seed = 1; seed <= reducedTrials; seed++)
    if (runReducedTrial(parameters, seed).incidents.length > 0) hits += 1;
  return hits / reducedTrials;
}

describe('risk agreement: the reduced model against the full simulator', () => {
  it.each(grid)(
    'risk agreement: $name',
    async ({ parameters }) => {
      expect(labReplay(parameters, vulnerable)).toEqual({ ok: true });
      const expected = reducedRate(parameters);
      let hits = 0;
      let verified = 0;
      for (let seed = 1; seed <= fullSeeds; seed++) {
        // The datapath is asked about the first trials with an incident only: each ask replays again.
        const trial = await runFullTrial(parameters, vulnerable, seed, { verify: verified < 2 });
        if (trial.incidents.length === 0) continue;
        hits += 1;
        if (trial.firstConnection !== undefined) {
          verified += 1;
          expect(trial.firstConnection).toEqual({ admitted: true, outcome: 'response' });
        }
      }
      const range = binomialRange(expected, fullSeeds);
      expect(hits / fullSeeds).toBeGreaterThanOrEqual(range.lower);
      expect(hits / fullSeeds).toBeLessThanOrEqual(range.upper);
    },
    600_000,
  );

  it('risk agreement: with the tunnel header the cut-off node is just as stale, and the wrong pod is refused', async () => {
    const parameters = grid[0]!.parameters;
    let refused = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const trial = await runFullTrial(parameters, tunnel, seed, { verify: true });
      if (trial.firstConnection === undefined) continue;
      expect(trial.firstConnection.admitted).toBe(false);
      refused += 1;
    }
    expect(refused).toBeGreaterThan(0);
  }, 600_000);

  it("risk agreement: a trial's lab permalink replays to the world the full-model trial measured", async () => {
    const parameters = grid[3]!.parameters;
    const record = trialLabRecord(parameters, vulnerable, 5);
    const decoded = await decodeLabPermalink(await encodeLabPermalink(record));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const { session } = await LabSession.restore(
      scenarios['mistaken-identity']!,
      decoded.record,
      () => import('../../../simulator/terminal/session'),
    );
    const trial = await runFullTrial(parameters, vulnerable, 5);
    expect(session.simulation.hash()).toBe(trial.finalHash);
    expect(session.terminalLog.every((entry) => entry.exitCode === 0)).toBe(true);
  }, 600_000);
});
