import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, runScenario, scenarios } from '../../../simulator/index';
import type { Simulation } from '../../../simulator/simulation';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import type { ConnectionOutcome } from '../../../simulator/cilium/datapath-types';
import { authMapEntries, formatAuthMapList, type AuthMapEntry } from '../../../simulator/cilium/auth-map';
import { toGoString } from '../../../simulator/engine/virtual-time';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { mutualAuthTunnelIdentityVariant } from '../../../simulator/scenarios/mutual-auth';
import { observed, outcomeText, stepOf } from './scenario-support';

// Cilium 1.14 mutual authentication: the first SYN is dropped until the agents'
// handshake fills the auth map, entries never outlive the SVIDs behind them, and the scenario's
// bypass happens on 1.14 (identity from the stale ipcache) but not on 1.15 (identity in the tunnel).

const scenario = scenarios['mutual-auth'];
if (scenario === undefined) throw new Error('scenario missing');

/** The mutual-auth cluster after its deploy step: SPIRE up, SVIDs issued, policies applied. */
function deployed(seed = scenario!.defaultSeed): Simulation {
  const player = new ScenarioPlayer(scenario!, seed);
  player.next();
  player.next();
  return player.simulation;
}

function podOf(simulation: Simulation, app: string, version: string): string {
  const pod = runningPods(podsWithLabels(simulation.state, { app, version }))[0];
  if (pod === undefined) throw new Error(`no ${app}-${version} pod`);
  return pod.metadata.name;
}

function curl(simulation: Simulation, from: string, server: string): ConnectionOutcome {
  const result = simulation.input({
    type: 'pod.connect',
    request: {
      fromPodKey: `default/${from}`,
      host: server,
      port: 5000,
      protocol: 'TCP',
      http: { method: 'GET', path: '/hello', headers: {} },
      timeoutMs: 5000,
    },
  });
  if (!result.ok || result.connection === undefined) throw new Error('no outcome');
  simulation.advance(result.connection.elapsedMs);
  return result.connection;
}

function allEntries(simulation: Simulation): { node: string; entry: AuthMapEntry }[] {
  const cluster = simulation.state.cluster;
  if (cluster === undefined) return [];
  return Object.keys(cluster.nodes)
    .sort()
    .flatMap((node) => authMapEntries(cluster, node).map((entry) => ({ node, entry })));
}

describe('mutual authentication: datapath and auth manager', () => {
  it('drops the first SYN with reason 189 and lets the retransmission through a second later', () => {
    const simulation = deployed();
    const mark = simulation.state.cluster?.cilium?.nextFlowNumber ?? 0;
    const startMs = simulation.nowMs;
    const outcome = curl(simulation, podOf(simulation, 'sleep', 'v1'), 'helloworld-v1');
    expect(outcome.kind).toBe('response');
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(outcome.elapsedMs).toBeLessThan(2000);
    const flows = (simulation.state.cluster?.cilium?.flows ?? []).filter((flow) => flow.number >= mark);
    const drop = flows.find((flow) => flow.eventType === 'drop');
    expect(drop?.dropReason).toBe('AUTH_REQUIRED');
    expect(drop?.timeMs).toBe(startMs);
    const allowed = flows.find((flow) => flow.eventType === 'policy-verdict' && flow.verdict === 'FORWARDED');
    expect(allowed?.authType).toBe('SPIRE');
    expect(allowed?.timeMs).toBe(startMs + 1000);
    const handshakes = simulation.state.cluster?.cilium?.mutualAuth?.handshakes ?? [];
    expect(handshakes.map((record) => record.result)).toEqual(['success']);
    expect(handshakes[0]?.sni).toMatch(/^\d+\.spiffe\.cilium$/);
    expect(handshakes[0]?.serverCertificate?.spiffeId).toBe(
      `spiffe://spiffe.cilium/identity/${handshakes[0]?.key.remoteIdentity}`,
    );
    // The entry is there now, so the next connection is not delayed.
    expect(curl(simulation, podOf(simulation, 'sleep', 'v1'), 'helloworld-v1').elapsedMs).toBeLessThan(100);
  });

  it('writes no auth map entry without a completed, successful handshake (random traffic)', () => {
    const clients = ['v1', 'v2'] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            client: fc.constantFrom(...clients),
            server: fc.constantFrom('helloworld-v1', 'helloworld-v2'),
            waitMs: fc.integer({ min: 0, max: 3000 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (traffic) => {
          const simulation = deployed();
          for (const step of traffic) {
            curl(simulation, podOf(simulation, 'sleep', step.client), step.server);
            simulation.advance(step.waitMs);
            const handshakes = simulation.state.cluster?.cilium?.mutualAuth?.handshakes ?? [];
            for (const { node, entry } of allEntries(simulation)) {
              const record = handshakes.find((candidate) => candidate.number === entry.handshake);
              expect(record?.result).toBe('success');
              expect(record?.node).toBe(node);
              expect(record?.key).toEqual(entry.key);
              expect(record?.atMs).toBeLessThanOrEqual(simulation.nowMs);
            }
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('never keeps an entry past the earlier notAfter of the two SVIDs (random clock advances)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1_000, max: 1_200_000 }), { minLength: 1, maxLength: 10 }),
        (advances) => {
          const simulation = deployed();
          for (const ms of advances) {
            curl(simulation, podOf(simulation, 'sleep', 'v1'), 'helloworld-v1');
            simulation.advance(ms);
            const handshakes = simulation.state.cluster?.cilium?.mutualAuth?.handshakes ?? [];
            for (const { entry } of allEntries(simulation)) {
              const record = handshakes.find((candidate) => candidate.number === entry.handshake);
              const client = record?.clientCertificate?.notAfterMs ?? 0;
              const server = record?.serverCertificate?.notAfterMs ?? 0;
              expect(entry.expirationMs).toBe(Math.min(client, server));
            }
            // The datapath only honours unexpired entries: a curl now must pass or pay for a handshake.
            const outcome = curl(simulation, podOf(simulation, 'sleep', 'v1'), 'helloworld-v1');
            expect(outcome.kind).toBe('response');
          }
        },
      ),
      { numRuns: 5 },
    );
  });

  it('renews every SVID before it expires', () => {
    const simulation = deployed();
    for (let hour = 0; hour < 6; hour++) {
      for (let slice = 0; slice < 12; slice++) {
        simulation.advance(300_000);
        const spire = simulation.state.cluster?.cilium?.spire;
        expect(spire?.ready).toBe(true);
        for (const store of Object.values(spire?.stores ?? {})) {
          expect(Object.keys(store).length).toBeGreaterThan(0);
          for (const svid of Object.values(store)) {
            expect(svid.rotateAtMs).toBeLessThan(svid.notAfterMs);
            expect(svid.notBeforeMs).toBeLessThanOrEqual(simulation.nowMs);
            expect(svid.notAfterMs).toBeGreaterThan(simulation.nowMs);
          }
        }
      }
    }
  });

  it('removes entries for a deleted identity', () => {
    const simulation = deployed();
    curl(simulation, podOf(simulation, 'sleep', 'v1'), 'helloworld-v1');
    const entry = allEntries(simulation)[0]?.entry;
    expect(entry).toBeDefined();
    const remote = entry?.key.remoteIdentity ?? 0;
    simulation.input({ type: 'api.delete', kind: 'CiliumIdentity', key: String(remote) });
    simulation.advance(5 * 60_000 + 1000);
    expect(allEntries(simulation).filter(({ entry: e }) => e.key.remoteIdentity === remote)).toEqual([]);
  });

  it('formats `cilium bpf auth list` like the CLI', () => {
    expect(formatAuthMapList([])).toEqual({ stdout: '', stderr: 'No entries found.\n', exitCode: 0 });
    const listing = formatAuthMapList([
      {
        key: { localIdentity: 30140, remoteIdentity: 42232, remoteNodeId: 2, authType: 1 },
        expirationMs: 3_600_000,
        storedAtMs: 0,
        handshake: 1,
      },
    ]);
    expect(listing.stdout).toBe(
      'SRC IDENTITY   DST IDENTITY   REMOTE NODE ID   AUTH TYPE   EXPIRATION\n' +
        '30140          42232          2                spire       2022-07-29 10:00:00 +0000 UTC\n',
    );
    expect(toGoString(1500)).toBe('2022-07-29 09:00:01 +0000 UTC');
  });

  it('configures mutual auth only from 1.14, and warns about the values before', () => {
    const values = { 'authentication.mutual.spire.enabled': 'true' };
    const old = resolveCiliumConfig({ version: '1.12.0', values });
    expect(old.config?.mutualAuth.spire).toBe(false);
    expect(old.warnings.join('\n')).toMatch(/mutual authentication exists from Cilium 1\.14/);
    const current = resolveCiliumConfig({ version: '1.14.5', values });
    expect(current.config?.mutualAuth).toMatchObject({
      enabled: true,
      spire: true,
      spireInstall: true,
      port: 4250,
    });
    expect(current.config?.mutualAuth.gcIntervalMs).toBe(300_000);
  });
});

describe('scenario: mutual-auth', () => {
  it('scenario: mutual-auth: reaches the bypass with the default seed, every expectation holding', () => {
    const transcript = runScenario(scenario);
    expect(transcript.steps.flatMap((step) => step.failures)).toEqual([]);
    const { identities, pods, focusNode } = transcript.facts;
    const pair = { localIdentity: identities.HELLOV1_ID, remoteIdentity: identities.SLEEPV1_ID };

    // The first SYN is dropped until the handshake, and the retransmission a second later passes.
    const first = stepOf(transcript, 'first-curl');
    const [firstCurl, ...others] = observed(first, 'curl');
    expect(others).toEqual([]);
    expect(outcomeText(firstCurl?.outcome)).toBe('200 Hello version: v1');
    expect(firstCurl?.drops).toEqual(['AUTH_REQUIRED']);
    expect(firstCurl?.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(firstCurl?.elapsedMs).toBeLessThan(2000);
    const [authMap] = observed(first, 'auth-map');
    expect(authMap?.entries).toMatchObject([pair]);
    expect(authMap?.handshakes).toEqual([{ number: 1, reason: 'signal', result: 'success' }]);

    // The cut-off node authenticates the identity its stale ipcache names, and lets sleep-v2 in.
    const bypass = stepOf(transcript, 'bypass');
    const [bypassCurl, ...more] = observed(bypass, 'curl');
    expect(more).toEqual([]);
    expect(bypassCurl?.from).toBe(pods.SLEEPV2POD);
    expect(outcomeText(bypassCurl?.outcome)).toBe('200 Hello version: v1');
    expect(bypassCurl?.mistakenBy?.believedIdentity).toBe(identities.SLEEPV1_ID);
    expect(observed(bypass, 'auth-map')).toMatchObject([{ node: focusNode, entries: [pair] }]);
  });

  it('scenario: mutual-auth: is denied on 1.15, where the source identity travels in the tunnel header', () => {
    const transcript = runScenario(scenario, scenario.defaultSeed, mutualAuthTunnelIdentityVariant);
    const bypass = stepOf(transcript, 'bypass');
    const curls = observed(bypass, 'curl');
    expect(curls.map((curl) => [outcomeText(curl.outcome), curl.drops, curl.mistakenBy])).toEqual([
      ['timeout', ['POLICY_DENIED'], undefined],
    ]);
    expect(bypass.failures).toContain('the curl should be a success');
  });

  it('scenario: mutual-auth: is reproducible: the same seed gives the same final state', () => {
    expect(runScenario(scenario, 5).finalHash).toBe(runScenario(scenario, 5).finalHash);
  });
});
