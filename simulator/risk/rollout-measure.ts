/**
 * Measures, in the full simulator, what one `kubectl rollout restart` of a Deployment does to pod
 * addresses over time: when new pods take an address and when old pods give theirs back. The reduced
 * model replays these measured waves instead of re-implementing the Deployment and ReplicaSet
 * controllers; `scripts/risk-profiles.ts` writes them to `rollout-profiles.ts`, and a unit test
 * measures some sizes again so the table cannot drift from the model unnoticed.
 */
import { Simulation } from '../simulation';
import { parseManifests } from '../k8s/manifests';
import { clusterSettled } from '../queries';
import type { RolloutWave } from './rollout-profiles';

/** Observation step, in virtual milliseconds: the table's time resolution. */
const profileResolutionMs = 5;

/** How long after the restart the measurement looks (the waves of 100 replicas end within 3.5 s). */
const observedMs = 12_000;

function clientDeployment(replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: probe
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: probe
  template:
    metadata:
      labels:
        app: probe
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: docker.io/curlimages/curl
        command: ["/bin/sleep", "3650d"]
`;
}

function podAddresses(simulation: Simulation): Map<string, string> {
  const held = new Map<string, string>();
  for (const node of Object.values(simulation.state.cluster?.nodes ?? {}))
    for (const offset in node.ipam.owners) {
      // A freed offset holds undefined (k8s/ipam.ts).
      const owner = node.ipam.owners[offset];
      if (owner !== undefined) held.set(`${node.name}/${offset}`, owner);
    }
  return held;
}

/** The waves of one rollout restart of a Deployment with this many replicas, on four workers. */
export function measureRolloutProfile(replicas: number, seed = 1): RolloutWave[] {
  const simulation = new Simulation(seed, { checkpointInterval: 0, keepLog: false });
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [{ role: 'control-plane' }, ...Array.from({ length: 4 }, () => ({ role: 'worker' as const }))],
      disableDefaultCNI: true,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  simulation.input({
    type: 'cilium.install',
    request: { version: '1.12.0', values: { 'ipam.mode': 'kubernetes' } },
  });
  simulation.advance(10_000);
  simulation.input({ type: 'api.apply', objects: parseManifests(clientDeployment(replicas)).objects });
  simulation.advanceUntil(clusterSettled, 120_000, 500);
  let before = podAddresses(simulation);
  const startedMs = simulation.nowMs;
  simulation.input({ type: 'deployment.restart', key: 'default/probe' });
  const waves = new Map<number, RolloutWave>();
  for (let elapsed = 0; elapsed < observedMs; elapsed += profileResolutionMs) {
    simulation.advance(profileResolutionMs);
    const now = podAddresses(simulation);
    const atMs = simulation.nowMs - startedMs;
    const wave = (): RolloutWave => {
      let found = waves.get(atMs);
      if (found === undefined) waves.set(atMs, (found = [atMs, 0, 0]));
      return found;
    };
    for (const [address, owner] of now) if (before.get(address) !== owner) wave()[1] += 1;
    for (const [address, owner] of before) if (now.get(address) !== owner) wave()[2] += 1;
    before = now;
  }
  return [...waves.values()];
}
