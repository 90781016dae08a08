import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, runScenario, scenarios } from '../../../simulator/index';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import { podsSharingFaultyProxy, type ProxiedPod } from '../../../simulator/cilium/envoy-blast-radius';
import { isStalledOutcome } from '../../../simulator/cilium/envoy';
import type { Simulation } from '../../../simulator/simulation';

const scenario = scenarios['l7-envoy-blast-radius'];
if (scenario === undefined) throw new Error('scenario missing');
const blastRadius = scenario;

function probe(simulation: Simulation, namespace: string, app: string) {
  const client = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }, namespace))[0];
  return runningPods(podsWithLabels(simulation.state, { app }, namespace)).map((server) => {
    const result = simulation.input({
      type: 'pod.connect',
      request: {
        fromPodKey: `${namespace}/${client?.metadata.name ?? ''}`,
        host: server.status.podIP ?? '',
        port: 5000,
        protocol: 'TCP',
        http: { method: 'GET', path: '/hello', headers: {} },
        timeoutMs: 1000,
      },
    });
    if (!result.ok || result.connection === undefined) throw new Error('no outcome');
    return { node: server.spec.nodeName, outcome: result.connection };
  });
}

describe('scenario l7-envoy-blast-radius', () => {
  it('runs with every expectation holding, deterministically', () => {
    const first = runScenario(blastRadius);
    expect(first.steps.flatMap((step) => step.failures)).toEqual([]);
    expect(runScenario(blastRadius).finalHash).toBe(first.finalHash);
  }, 120_000);

  it('stalls every redirected pod on the faulty node, and nothing else', () => {
    const player = new ScenarioPlayer(blastRadius);
    for (let step = 0; step < 4; step++) player.next();
    const faulty = player.recorded.ENVOY_NODE;
    expect(typeof faulty).toBe('string');
    const { simulation } = player;
    for (const [namespace, app] of [
      ['tenant-a', 'shop'],
      ['tenant-b', 'billing'],
    ] as const) {
      const results = probe(simulation, namespace, app);
      expect(results).toHaveLength(2);
      for (const { node, outcome } of results) {
        if (node === faulty) {
          expect(outcome.kind).toBe('timeout');
          expect(isStalledOutcome(outcome)).toBe(true);
        } else expect(outcome.kind === 'response' && outcome.response.status).toBe(200);
      }
    }
    // ledger has only an L4 rule: never redirected, never stalled.
    for (const { outcome } of probe(simulation, 'tenant-b', 'ledger'))
      expect(outcome.kind === 'response' && outcome.response.status).toBe(200);
    // The proxy never logged the stalled requests: its records are the two earlier exchanges.
    const stalledL7 = (simulation.state.cluster?.cilium?.flows ?? []).filter(
      (flow) => flow.eventType === 'l7' && flow.node === faulty,
    );
    expect(stalledL7.map((flow) => flow.l7?.type)).toEqual([
      'http-request',
      'http-response',
      'http-request',
      'http-response',
    ]);
  }, 60_000);

  it('compares proxy architectures over the same pods', () => {
    const pods: ProxiedPod[] = [
      { name: 'shop-1', namespace: 'a', serviceAccount: 'shop', node: 'n1', l7: true },
      { name: 'shop-2', namespace: 'a', serviceAccount: 'shop', node: 'n2', l7: true },
      { name: 'cart-1', namespace: 'a', serviceAccount: 'cart', node: 'n1', l7: true },
      { name: 'billing-1', namespace: 'b', serviceAccount: 'billing', node: 'n1', l7: true },
      { name: 'ledger-1', namespace: 'b', serviceAccount: 'ledger', node: 'n1', l7: false },
    ];
    const fault = { node: 'n1', ownerPod: { name: 'shop-1', namespace: 'a', serviceAccount: 'shop' } };
    const names = (list: ProxiedPod[]) => list.map((pod) => pod.name);
    // Sorted by namespace/name: both tenants' L7 pods on n1, not ledger (L4 only) nor n2.
    expect(names(podsSharingFaultyProxy(pods, 'cilium-node-envoy', fault))).toEqual([
      'cart-1',
      'shop-1',
      'billing-1',
    ]);
    expect(names(podsSharingFaultyProxy(pods, 'istio-sidecar', fault))).toEqual(['shop-1']);
    expect(names(podsSharingFaultyProxy(pods, 'istio-ambient-waypoint', fault))).toEqual([
      'cart-1',
      'shop-1',
      'shop-2',
    ]);
    expect(names(podsSharingFaultyProxy(pods, 'istio-ambient-waypoint', fault, 'service-account'))).toEqual([
      'shop-1',
      'shop-2',
    ]);
  });
});
