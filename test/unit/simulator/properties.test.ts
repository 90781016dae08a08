import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookupIpcache } from '../../../simulator/cilium/agent-ipcache';
import { replay } from '../../../simulator/simulation';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import type { Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

// Properties the model must keep under any seed and any churn: replay is exact, addresses are
// unique, caches converge after a cut heals, and without a cut no verdict uses a wrong identity.

type Churn =
  | { kind: 'scale'; deployment: 'alpha' | 'beta'; replicas: number }
  | { kind: 'restart'; deployment: 'alpha' | 'beta' }
  | { kind: 'wait'; ms: number };

const churnArbitrary: fc.Arbitrary<Churn> = fc.oneof(
  fc.record({
    kind: fc.constant('scale' as const),
    deployment: fc.constantFrom('alpha' as const, 'beta' as const),
    replicas: fc.integer({ min: 0, max: 6 }),
  }),
  fc.record({
    kind: fc.constant('restart' as const),
    deployment: fc.constantFrom('alpha' as const, 'beta' as const),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 5_000 }) }),
);

function churnWorld(seed: number, churn: readonly Churn[], cutOff: boolean): Simulation {
  const simulation = clusterWithCilium(seed, 2);
  apply(simulation, deploymentYaml('alpha', 3, { app: 'alpha' }));
  apply(simulation, deploymentYaml('beta', 2, { app: 'beta' }));
  settle(simulation);
  if (cutOff) {
    const endpointIP = simulation.state.cluster?.apiServer.endpointIP ?? '';
    simulation.input({
      type: 'node.firewall.insert',
      node: 'kind-worker',
      rule: { table: 'mangle', chain: 'INPUT', protocol: 'tcp', source: endpointIP, target: 'DROP' },
    });
  }
  for (const step of churn) {
    if (step.kind === 'scale')
      simulation.input({
        type: 'deployment.scale',
        key: `default/${step.deployment}`,
        replicas: step.replicas,
      });
    else if (step.kind === 'restart')
      simulation.input({ type: 'deployment.restart', key: `default/${step.deployment}` });
    simulation.advance(step.kind === 'wait' ? step.ms : 1_500);
  }
  return simulation;
}

function liveAddresses(simulation: Simulation): string[] {
  return Object.values(simulation.state.cluster?.nodes ?? {}).flatMap((node) =>
    Object.values(node.kubelet.sandboxes).flatMap((sandbox) =>
      sandbox.ip !== undefined && sandbox.ip !== node.internalIP ? [sandbox.ip] : [],
    ),
  );
}

describe('simulator: determinism', () => {
  it('gives the same state hash for the same seed and inputs (1,000 seeds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const first = clusterWithCilium(seed, 1);
        const second = clusterWithCilium(seed, 1);
        expect(first.hash()).toBe(second.hash());
      }),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('replays a recorded timeline to the same state, and seeks back and forth exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(churnArbitrary, { maxLength: 6 }),
        (seed, churn) => {
          const original = churnWorld(seed, churn, false);
          const copy = replay(seed, original.steps);
          expect(copy.hash()).toBe(original.hash());
          const end = original.position;
          const endHash = original.hash();
          const middle = Math.floor(end / 2);
          original.seek(middle);
          const middleHash = original.hash();
          original.seek(end);
          expect(original.hash()).toBe(endHash);
          original.seek(middle);
          expect(original.hash()).toBe(middleHash);
          original.seek(end);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe('simulator: IPAM under churn', () => {
  it('never gives two live pods the same address', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(churnArbitrary, { maxLength: 8 }),
        (seed, churn) => {
          const addresses = liveAddresses(churnWorld(seed, churn, false));
          expect(new Set(addresses).size).toBe(addresses.length);
        },
      ),
      { numRuns: 20 },
    );
  }, 120_000);
});

describe('simulator: convergence after a cut-off heals', () => {
  it('every agent maps every live pod address to the pod’s real identity within 40 s', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(churnArbitrary, { minLength: 1, maxLength: 6 }),
        (seed, churn) => {
          const simulation = churnWorld(seed, churn, true);
          const node = simulation.state.cluster?.nodes['kind-worker'];
          for (const rule of [...(node?.firewall ?? [])])
            simulation.input({ type: 'node.firewall.delete', node: 'kind-worker', rule });
          simulation.advance(40_000);
          const cluster = simulation.state.cluster;
          if (cluster?.cilium === undefined) throw new Error('no cilium');
          for (const agent of Object.values(cluster.cilium.agents)) {
            expect(agent.connection).toBe('connected');
            for (const owner of Object.values(cluster.cilium.agents)) {
              for (const endpoint of Object.values(owner.endpoints)) {
                if (endpoint.state !== 'ready') continue;
                expect(lookupIpcache(cluster, agent, endpoint.ip).identity).toBe(endpoint.identity);
              }
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe('simulator: safety without a cut-off', () => {
  it('never lets a verdict use a wrong source identity under random churn', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(churnArbitrary, { maxLength: 6 }),
        (seed, churn) => {
          const simulation = churnWorld(seed, churn, false);
          simulation.advance(2_000);
          const clients = runningPods(podsWithLabels(simulation.state, { app: 'alpha' }));
          const servers = runningPods(podsWithLabels(simulation.state, { app: 'beta' }));
          for (const client of clients.slice(0, 3)) {
            for (const server of servers.slice(0, 2)) {
              const result = simulation.input({
                type: 'pod.connect',
                request: {
                  fromPodKey: `default/${client.metadata.name}`,
                  host: server.status.podIP ?? '',
                  port: 80,
                  protocol: 'TCP',
                  timeoutMs: 1000,
                },
              });
              const outcome = result.ok ? result.connection : undefined;
              expect(
                outcome !== undefined && 'mistaken' in outcome ? outcome.mistaken : undefined,
              ).toBeUndefined();
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
