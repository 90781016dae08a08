import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, runScenario, scenarios } from '../../../simulator/index';
import { podsWithLabels, runningPods } from '../../../simulator/queries';
import {
  podsSharingFaultyProxy,
  type FaultyExtension,
  type ProxiedPod,
} from '../../../simulator/cilium/envoy-blast-radius';
import { envoyWorkerThreads, isStalledOutcome, stuckWorkers } from '../../../simulator/cilium/envoy';
import { envoyListenerConfigs } from '../../../simulator/cilium/envoy-config-dump';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { qualifiedListenerName } from '../../../simulator/cilium/envoy-config-resources';
import {
  envoyConfigYaml,
  shopEnvoyConfig,
} from '../../../simulator/scenarios/l7-envoy-blast-radius/envoy-config';
import type { Simulation } from '../../../simulator/simulation';
import { clusterWithCilium } from './support';
import { observed, outcomeText, stepOf, workloadOf } from './scenario-support';
import { TerminalSession } from '../../../simulator/terminal/session';

// The node Envoy's blast radius as Cilium really works: a tenant extends Envoy only through a
// CiliumEnvoyConfig listener of its own, the agent's policy listeners never change, and what the
// tenants share is the process's worker threads, which a looping filter pins until Envoy restarts.
const scenario = scenarios['l7-envoy-blast-radius'];
if (scenario === undefined) throw new Error('scenario missing');
const blastRadius = scenario;
const stepIndex = (id: string): number => blastRadius.steps.findIndex((step) => step.id === id);

function playerAfter(stepId: string): ScenarioPlayer {
  const player = new ScenarioPlayer(blastRadius);
  for (let step = 0; step <= stepIndex(stepId); step++) player.next();
  return player;
}

function probe(simulation: Simulation, namespace: string, app: string, from = 'sleep') {
  const client = runningPods(podsWithLabels(simulation.state, { app: from }, namespace))[0];
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
    // Once the node's Envoy is stuck, the redirected pods behind it hang and everything else answers.
    const probes = observed(stepOf(first, 'stalled'), 'curl').map((curl) => {
      const behindStuckEnvoy = curl.server?.behindStuckEnvoy === true;
      const redirected = workloadOf(curl.server?.pod ?? '') !== 'ledger';
      return [behindStuckEnvoy && redirected, outcomeText(curl.outcome)];
    });
    expect(probes.filter(([hangs]) => hangs).map(([, outcome]) => outcome)).toEqual(['timeout', 'timeout']);
    expect(
      probes.filter(([hangs]) => !hangs).every(([, outcome]) => String(outcome).startsWith('200 ')),
    ).toBe(true);
    expect(runScenario(blastRadius).finalHash).toBe(first.finalHash);
  }, 120_000);

  it.each([5, 11, 23])(
    'pins every worker of the client node’s Envoy with seed %i',
    (seed) => {
      const transcript = runScenario(blastRadius, seed);
      expect(transcript.steps.flatMap((step) => step.failures)).toEqual([]);
    },
    120_000,
  );

  it('ships the manifest the agents act on', () => {
    expect(blastRadius.files['yamls/shop-envoy-config.yaml']).toBe(envoyConfigYaml(shopEnvoyConfig));
    expect(blastRadius.files['yamls/shop-envoy-config.yaml']).toContain('kind: CiliumEnvoyConfig');
  });

  it("adds the tenant's listener beside the agent's, whose HTTP filters stay Cilium's own", () => {
    const { simulation } = playerAfter('envoy-config');
    const cluster = simulation.state.cluster;
    const agents = Object.values(cluster?.cilium?.agents ?? {});
    if (cluster === undefined) throw new Error('no cluster');
    const httpFilters = (config: unknown): string[] =>
      (
        config as {
          filter_chains: { filters: { typed_config?: { http_filters?: { name: string }[] } }[] }[];
        }
      ).filter_chains[0]?.filters
        .flatMap((filter) => filter.typed_config?.http_filters ?? [])
        .map((f) => f.name) ?? [];
    for (const agent of agents) {
      const listeners = envoyListenerConfigs(cluster, agent);
      const tenant = listeners.find(
        (listener) => listener.name === 'tenant-a/shop-header-rewrite/shop-listener',
      );
      expect(tenant, agent.node).toBeDefined();
      expect(httpFilters(tenant?.config)).toEqual([
        'envoy.filters.http.lua',
        'cilium.l7policy',
        'envoy.filters.http.router',
      ]);
      for (const listener of listeners.filter((candidate) => candidate.name.startsWith('cilium-http-')))
        expect(httpFilters(listener.config)).toEqual(['cilium.l7policy', 'envoy.filters.http.router']);
    }
  }, 60_000);

  it('lists both listeners on the 1.15 admin socket, which moved under /var/run/cilium/envoy/sockets', async () => {
    const { simulation } = playerAfter('envoy-config');
    const terminal = new TerminalSession(simulation, blastRadius.files);
    const agent = (
      await terminal.run(
        'kubectl -n kube-system get pods -l k8s-app=cilium -o custom-columns=:.metadata.name --no-headers | head -1',
      )
    ).stdout.trim();
    const listeners = await terminal.run(
      `kubectl -n kube-system exec ${agent} -- curl -s --unix-socket /var/run/cilium/envoy/sockets/admin.sock http://localhost/listeners`,
    );
    expect(listeners.stdout).toContain('tenant-a/shop-header-rewrite/shop-listener::[::]:10007\n');
    const old = await terminal.run(
      `kubectl -n kube-system exec ${agent} -- curl --unix-socket /var/run/cilium/envoy-admin.sock http://localhost/listeners`,
    );
    expect(old.exitCode).toBe(7);
  }, 60_000);

  it("tells a reader who applies the CiliumEnvoyConfig by hand that only the lab's step does", async () => {
    const { simulation } = playerAfter('tenants');
    const terminal = new TerminalSession(simulation, blastRadius.files);
    const applied = await terminal.run('kubectl apply -f yamls/shop-envoy-config.yaml');
    expect(applied.exitCode).toBe(1);
    expect(applied.stderr).toContain('applies CiliumEnvoyConfig objects only through a lab');
    expect(simulation.state.cluster?.envoy?.configs).toBeUndefined();
  }, 60_000);

  it('stalls every redirected pod on the stuck node, and nothing else', () => {
    const player = playerAfter('pin-workers');
    const faulty = player.facts.stuckEnvoyNode;
    if (faulty === undefined) throw new Error('no stuck node recorded');
    const { simulation } = player;
    const cluster = simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    expect(stuckWorkers(cluster, faulty)).toHaveLength(envoyWorkerThreads);
    for (const [namespace, app] of [
      ['tenant-a', 'shop'],
      ['tenant-b', 'billing'],
    ] as const) {
      const results = probe(simulation, namespace, app);
      expect(results).toHaveLength(2);
      for (const { node, outcome } of results) {
        if (node === faulty) expect(isStalledOutcome(outcome)).toBe(true);
        else expect(outcome.kind === 'response' && outcome.response.status).toBe(200);
      }
    }
    // ledger has only an L4 rule: never redirected, never stalled.
    for (const { outcome } of probe(simulation, 'tenant-b', 'ledger'))
      expect(outcome.kind === 'response' && outcome.response.status).toBe(200);
  }, 60_000);

  it('keeps the workers stuck when the CiliumEnvoyConfig is deleted, and frees them on an Envoy restart', () => {
    const deleted = playerAfter('delete-config');
    const node = deleted.facts.stuckEnvoyNode;
    if (node === undefined || deleted.simulation.state.cluster === undefined) throw new Error('no node');
    expect(deleted.simulation.state.cluster.envoy?.configs?.['tenant-a/shop-header-rewrite']).toBeUndefined();
    expect(stuckWorkers(deleted.simulation.state.cluster, node)).toHaveLength(envoyWorkerThreads);
    const restarted = playerAfter('restart');
    const cluster = restarted.simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    expect(stuckWorkers(cluster, node)).toEqual([]);
    expect(cluster.envoy?.nodes[node]?.starts).toBe(2);
  }, 60_000);

  it('with one of two workers stuck, the node serves some connections and hangs others', () => {
    const player = playerAfter('envoy-config');
    const { simulation } = player;
    const client = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }, 'tenant-a'))[0];
    const node = client?.spec.nodeName ?? '';
    const shopPath = { method: 'GET', path: '/hello', headers: {} };
    simulation.input({
      type: 'pod.connect',
      request: {
        fromPodKey: `tenant-a/${client?.metadata.name ?? ''}`,
        host: 'shop.tenant-a',
        port: 5000,
        protocol: 'TCP',
        http: shopPath,
        timeoutMs: 1000,
      },
    });
    const cluster = simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    expect(stuckWorkers(cluster, node)).toHaveLength(1);
    const billingOnNode = runningPods(podsWithLabels(simulation.state, { app: 'billing' }, 'tenant-b')).find(
      (pod) => pod.spec.nodeName === node,
    );
    const sleepB = runningPods(podsWithLabels(simulation.state, { app: 'sleep' }, 'tenant-b'))[0];
    const kinds = Array.from({ length: 12 }, () => {
      const result = simulation.input({
        type: 'pod.connect',
        request: {
          fromPodKey: `tenant-b/${sleepB?.metadata.name ?? ''}`,
          host: billingOnNode?.status.podIP ?? '',
          port: 5000,
          protocol: 'TCP',
          http: shopPath,
          timeoutMs: 1000,
        },
      });
      return result.ok && result.connection !== undefined && isStalledOutcome(result.connection)
        ? 'stalled'
        : 'answered';
    });
    expect(new Set(kinds)).toEqual(new Set(['stalled', 'answered']));
  }, 60_000);
});

describe('cilium: CiliumEnvoyConfig by version', () => {
  interface VersionCase {
    name: string;
    version: string;
    values: Record<string, string>;
    outcome: 'listener' | 'dropped' | 'not-watched';
  }
  const enabled = { 'envoyConfig.enabled': 'true', 'encryption.enabled': 'false' };
  const cases: VersionCase[] = [
    { name: '1.15 decodes the Lua filter', version: '1.15.0', values: enabled, outcome: 'listener' },
    { name: '1.18 decodes the Lua filter', version: '1.18.5', values: enabled, outcome: 'listener' },
    {
      name: '1.14 has no Lua type and adds no listener',
      version: '1.14.5',
      values: enabled,
      outcome: 'dropped',
    },
    {
      name: '1.12 with enable-envoy-config has no Lua type either',
      version: '1.12.0',
      values: { 'extraConfig.enable-envoy-config': 'true', 'encryption.enabled': 'false' },
      outcome: 'dropped',
    },
    {
      name: 'without envoyConfig.enabled the agents do not watch CECs',
      version: '1.15.0',
      values: { 'encryption.enabled': 'false' },
      outcome: 'not-watched',
    },
  ];

  it.each(cases)('$name', ({ version, values, outcome }) => {
    const simulation = clusterWithCilium(7, 1, version, values);
    const result = simulation.input({ type: 'envoy.config.apply', config: shopEnvoyConfig });
    const stored = simulation.state.cluster?.envoy?.configs?.['tenant-a/shop-header-rewrite'];
    if (outcome === 'not-watched') {
      expect(result.ok).toBe(false);
      return;
    }
    expect(result.ok).toBe(true);
    expect((stored?.listeners.length ?? 0) > 0).toBe(outcome === 'listener');
    expect(stored?.refusal !== undefined).toBe(outcome === 'dropped');
  });

  it.each([
    ['1.12.0', 'shop-listener'],
    ['1.13.0', 'tenant-a/shop-header-rewrite/shop-listener'],
    ['1.18.5', 'tenant-a/shop-header-rewrite/shop-listener'],
  ])('Cilium %s names the listener %s', (version, expected) => {
    const { config } = resolveCiliumConfig({ version, values: {} });
    if (config === undefined) throw new Error('invalid config');
    expect(qualifiedListenerName(config, 'tenant-a', 'shop-header-rewrite', 'shop-listener')).toBe(expected);
  });
});

describe('proxy blast radius by architecture', () => {
  const pods: ProxiedPod[] = [
    { name: 'shop-1', namespace: 'a', serviceAccount: 'shop', node: 'n1', services: ['shop'], l7: true },
    { name: 'shop-2', namespace: 'a', serviceAccount: 'shop', node: 'n2', services: ['shop'], l7: true },
    { name: 'cart-1', namespace: 'a', serviceAccount: 'shop', node: 'n1', services: ['cart'], l7: true },
    { name: 'sleep-1', namespace: 'a', serviceAccount: 'sleep', node: 'n1', services: [], l7: false },
    {
      name: 'billing-1',
      namespace: 'b',
      serviceAccount: 'billing',
      node: 'n1',
      services: ['billing'],
      l7: true,
    },
    {
      name: 'ledger-1',
      namespace: 'b',
      serviceAccount: 'ledger',
      node: 'n1',
      services: ['ledger'],
      l7: false,
    },
  ];
  const fault: FaultyExtension = { node: 'n1', namespace: 'a', services: ['shop'] };
  const names = (list: ProxiedPod[]) => list.map((pod) => pod.name);

  it.each([
    // Both tenants' redirected pods on n1; not ledger (L4 only) nor anything on n2.
    ['Cilium node Envoy', 'cilium-node-envoy', undefined, ['cart-1', 'shop-1', 'billing-1']],
    ['Istio sidecars of the shop pods', 'istio-sidecar', undefined, ['shop-1', 'shop-2']],
    ['a waypoint for the shop Service', 'istio-ambient-waypoint', 'service', ['shop-1', 'shop-2']],
    // cart-1 shares shop's service account but not its Service: a waypoint is not per service account.
    ['a waypoint for namespace a', 'istio-ambient-waypoint', 'namespace', ['cart-1', 'shop-1', 'shop-2']],
  ] as const)('%s', (_name, architecture, scope, expected) => {
    expect(names(podsSharingFaultyProxy(pods, architecture, fault, scope))).toEqual(expected);
  });
});
