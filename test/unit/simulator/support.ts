/** Small worlds for tests: a cluster with Cilium and a few workloads, driven through the public API. */
import { Simulation, replay, type SimulationOptions, type TimelineStep } from '../../../simulator/simulation';
import { parseManifests } from '../../../simulator/k8s/manifests';
import { customKinds } from '../../../simulator/k8s/extension-points';
import { clusterSettled } from '../../../simulator/queries';

/** A Deployment manifest with the given replicas, labels and service account. */
export function deploymentYaml(
  name: string,
  replicas: number,
  labels: Record<string, string>,
  image = 'docker.io/curlimages/curl',
): string {
  const labelLines = (indent: string): string =>
    Object.entries(labels)
      .map(([key, value]) => `${indent}${key}: ${value}`)
      .join('\n');
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
${labelLines('      ')}
  template:
    metadata:
      labels:
${labelLines('        ')}
    spec:
      serviceAccountName: ${name}
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: ${image}
        command: ["/bin/sleep", "3650d"]
`;
}

/**
 * Up to 1.13 the agent refuses WireGuard together with the L7 proxy (cilium/agent-startup.ts), so a
 * WireGuard cluster of those versions is installed with `l7Proxy=false`, as seed 001 and cilium-cli do.
 */
function withoutL7ProxyWhereRefused(version: string, values: Record<string, string>): Record<string, string> {
  const minor = Number(version.split('.')[1]);
  const wireguard = values['encryption.enabled'] === 'true' && values['encryption.type'] === 'wireguard';
  return wireguard && minor <= 13 && values.l7Proxy === undefined ? { ...values, l7Proxy: 'false' } : values;
}

/** Creates a kind cluster with Cilium and waits for the agents. */
export function clusterWithCilium(
  seed: number,
  workers = 2,
  version = '1.12.0',
  values: Record<string, string> = {},
  options: SimulationOptions = {},
): Simulation {
  const simulation = new Simulation(seed, options);
  const nodes: { role: 'control-plane' | 'worker' }[] = [
    { role: 'control-plane' },
    ...Array.from({ length: workers }, () => ({ role: 'worker' as const })),
  ];
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes,
      disableDefaultCNI: true,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  simulation.input({
    type: 'cilium.install',
    request: {
      version,
      values: withoutL7ProxyWhereRefused(version, {
        'ipam.mode': 'kubernetes',
        'encryption.enabled': 'true',
        'encryption.type': 'wireguard',
        ...values,
      }),
    },
  });
  simulation.advance(10_000);
  return simulation;
}

/** Applies manifest text, failing the test on any parse error. */
export function apply(simulation: Simulation, text: string): void {
  const parsed = parseManifests(text, { kinds: customKinds(simulation.state) });
  if (parsed.errors.length > 0) throw new Error(parsed.errors.join('\n'));
  const result = simulation.input({ type: 'api.apply', objects: parsed.objects });
  if (!result.ok) throw new Error(result.error);
}

/** Advances until every rollout completed; fails the test if that takes over the limit. */
export function settle(simulation: Simulation, limitMs = 120_000): void {
  if (!simulation.advanceUntil(clusterSettled, limitMs, 500)) throw new Error('cluster did not settle');
}

/**
 * A world built once and handed to each test as its own copy: the first call builds it, every call
 * after replays that build's timeline from its seed into a new simulation. Nothing is shared
 * between tests but the recorded inputs, and a replay skips the builder's polling.
 */
export function replayedCopies(build: () => Simulation): () => Simulation {
  let recorded: { seed: number; steps: readonly TimelineStep[]; options: SimulationOptions } | undefined;
  return () => {
    if (recorded !== undefined) return replay(recorded.seed, recorded.steps, recorded.options);
    const simulation = build();
    recorded = { seed: simulation.seed, steps: simulation.steps, options: { setup: simulation.setup } };
    return simulation;
  };
}
