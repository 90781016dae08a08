import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clonePlain } from '../../../simulator/engine/clone';
import {
  hex32,
  nextUint32,
  randomHex,
  seedRandom,
  writeRandomHexCodes,
} from '../../../simulator/engine/prng';
import { canonicalJson, jsonEqual } from '../../../simulator/engine/state-hash';
import { toTimestamp, virtualEpochMs } from '../../../simulator/engine/virtual-time';
import {
  controlledPodCounts,
  countOwnedReplicaSets,
  findOwnedReplicaSetByTemplateHash,
  listBusyReplicaSetsOwnedBy,
  listObjects,
  listOwnedBy,
  type ApiStore,
} from '../../../simulator/k8s/api-store';
import { keyOf } from '../../../simulator/k8s/api-store';
import { selectorMatches } from '../../../simulator/k8s/metadata';
import type { Pod } from '../../../simulator/k8s/objects';
import { nodeInfoCacheOf } from '../../../simulator/k8s/scheduling/node-info-cache';
import { matchingPodsOn, scoringConstraints } from '../../../simulator/k8s/scheduling/pod-topology-spread';
import { podRequests } from '../../../simulator/k8s/scheduling/resources';
import { replay, type Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

// The engine's shortcuts (derived indexes beside the world, memoised pure functions, a faster
// clone and hash) must answer exactly what the slow, obvious code answers, or replay would drift.

/** The canonical JSON the engine used before it was tuned: the reference for the faster one. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => referenceCanonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${referenceCanonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

const plainData = fc
  .jsonValue()
  .chain((value) =>
    fc.constantFrom(value, { wrapped: value, missing: undefined }, [value, undefined, -0, NaN]),
  );

describe('engine: plain-data helpers', () => {
  it('serialises canonically exactly as the reference does', () => {
    fc.assert(
      fc.property(plainData, (value) => {
        expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
      }),
    );
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson([, 1])).toBe(referenceCanonicalJson([, 1]));
  });

  it('compares as JSON.stringify would, key order included', () => {
    fc.assert(
      fc.property(plainData, plainData, (a, b) => {
        expect(jsonEqual(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(jsonEqual(a, clonePlain(a))).toBe(true);
      }),
    );
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([undefined], [null])).toBe(true);
    expect(jsonEqual(NaN, null)).toBe(true);
  });

  it('clones like structuredClone: same content and key order, shared parts stay shared', () => {
    fc.assert(
      fc.property(plainData, (value) => {
        const copy = clonePlain(value);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(structuredClone(value)));
        expect(canonicalJson(copy)).toBe(canonicalJson(value));
      }),
    );
    const shared = { labels: { app: 'a' } };
    const world = { first: shared, second: shared, list: [shared] };
    const copy = clonePlain(world);
    expect(copy.first).not.toBe(shared);
    expect(copy.first).toBe(copy.second);
    expect(copy.list[0]).toBe(copy.first);
  });

  it('prints hex digits as toString(16) does, and draws the same numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        expect(hex32(value)).toBe(value.toString(16).padStart(8, '0'));
      }),
    );
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 70 }), (seed, count) => {
        const fast = seedRandom(seed);
        const slow = seedRandom(seed);
        let expected = '';
        while (expected.length < count) expected += nextUint32(slow).toString(16).padStart(8, '0');
        expect(randomHex(fast, count)).toBe(expected.slice(0, count));
        expect(fast).toEqual(slow);
      }),
    );
    // The uid writer draws what randomHex draws, digit for digit.
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 40 }), fc.nat(8), (seed, count, at) => {
        const fast = seedRandom(seed);
        const slow = seedRandom(seed);
        const codes: number[] = new Array<number>(at).fill(0);
        expect(writeRandomHexCodes(fast, count, codes, at)).toBe(at + count);
        expect(String.fromCharCode(...codes.slice(at))).toBe(randomHex(slow, count));
        expect(fast).toEqual(slow);
      }),
    );
  });

  it('formats timestamps the same whether or not the second was formatted just before', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 * 86_400_000 }), { maxLength: 50 }), (times) => {
        for (const timeMs of times) {
          const expected = `${new Date(virtualEpochMs + timeMs).toISOString().slice(0, 19)}Z`;
          expect(toTimestamp(timeMs)).toBe(expected);
          expect(toTimestamp(timeMs)).toBe(expected);
        }
      }),
    );
  });
});

/** What the derived indexes must answer, computed the slow way from listOwnedBy. */
function expectIndexesMatch(store: ApiStore): void {
  for (const deployment of listObjects(store, 'Deployment')) {
    const owned = listOwnedBy(store, 'ReplicaSet', deployment.metadata.uid);
    const activePods = (uid: string) =>
      listOwnedBy(store, 'Pod', uid).filter((pod) => pod.metadata.deletionTimestamp === undefined);
    const busy = owned.filter(
      (replicaSet) => replicaSet.spec.replicas !== 0 || activePods(replicaSet.metadata.uid).length > 0,
    );
    expect(listBusyReplicaSetsOwnedBy(store, deployment.metadata.uid)).toEqual(busy);
    expect(countOwnedReplicaSets(store, deployment.metadata.uid)).toBe(owned.length);
    for (const replicaSet of owned) {
      const hash = replicaSet.metadata.labels?.['pod-template-hash'] ?? '';
      expect(findOwnedReplicaSetByTemplateHash(store, deployment.metadata.uid, hash)).toBe(
        owned.find((candidate) => candidate.metadata.labels?.['pod-template-hash'] === hash),
      );
      const pods = activePods(replicaSet.metadata.uid);
      const counts = controlledPodCounts(store, replicaSet.metadata.uid);
      expect(counts?.active ?? 0).toBe(pods.length);
      expect(counts?.ready ?? 0).toBe(
        pods.filter((pod) =>
          pod.status.conditions?.some(
            (condition) => condition.type === 'Ready' && condition.status === 'True',
          ),
        ).length,
      );
      expect(counts?.byTemplateHash.get(hash) ?? 0).toBe(
        pods.filter((pod) => pod.metadata.labels?.['pod-template-hash'] === hash).length,
      );
    }
  }
}

function restartedWorld(
  seed: number,
  rounds: readonly { scale?: number | undefined; waitMs: number }[],
): Simulation {
  const simulation = clusterWithCilium(seed, 2);
  apply(simulation, deploymentYaml('alpha', 3, { app: 'alpha' }));
  settle(simulation);
  for (const round of rounds) {
    if (round.scale !== undefined)
      simulation.input({ type: 'deployment.scale', key: 'default/alpha', replicas: round.scale });
    else simulation.input({ type: 'deployment.restart', key: 'default/alpha' });
    simulation.advance(round.waitMs);
  }
  return simulation;
}

describe('simulation: checkpoints', () => {
  it('stay exact although they share stored objects with the run that went on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(
          fc.record({
            scale: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
            waitMs: fc.integer({ min: 0, max: 4_000 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (seed, rounds, fractions) => {
          const live = restartedWorld(seed, rounds);
          // Without checkpoints, a seek replays from the empty world: the truth at that position.
          const truth = replay(seed, live.steps, { checkpointInterval: 0 });
          for (const fraction of fractions) {
            const position = Math.floor(fraction * live.length);
            live.seek(position);
            truth.seek(position);
            expect(live.hash()).toBe(truth.hash());
          }
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);
});

describe('api store: derived indexes', () => {
  it('answer as listOwnedBy does, mid-rollout, settled, and rebuilt on a clone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(
          fc.record({
            scale: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
            waitMs: fc.integer({ min: 0, max: 4_000 }),
          }),
          { maxLength: 6 },
        ),
        (seed, rounds) => {
          const simulation = restartedWorld(seed, rounds);
          const store = simulation.state.cluster?.api;
          if (store === undefined) throw new Error('no cluster');
          expectIndexesMatch(store);
          // A clone has no indexes yet: they are built from its objects on first use.
          expectIndexesMatch(structuredClone(store));
          expectIndexesMatch(clonePlain(store));
          // Seeking restores a checkpoint clone; the indexes must follow it.
          simulation.seek(Math.floor(simulation.position / 2));
          expectIndexesMatch(simulation.state.cluster!.api);
          simulation.seek(simulation.length);
          expectIndexesMatch(simulation.state.cluster!.api);
          expect(replay(seed, simulation.steps).hash()).toBe(simulation.hash());
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});

/** The scheduler's view of a store, computed the slow way: every pod walked. */
function expectNodeInfoCacheMatches(store: ApiStore): void {
  const cache = nodeInfoCacheOf(store);
  const pods = listObjects(store, 'Pod').filter(
    (pod) =>
      pod.spec.nodeName !== undefined && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed',
  );
  const nodes = listObjects(store, 'Node');
  expect(cache.nodeCount).toBe(nodes.length);
  for (const node of nodes) {
    const here = pods.filter((pod) => pod.spec.nodeName === node.metadata.name);
    const info = cache.nodes.get(node.metadata.name);
    expect(info?.node).toBe(node);
    expect(info?.podCount).toBe(here.length);
    const sum = (field: 'milliCpu' | 'memory' | 'nonZeroMilliCpu' | 'nonZeroMemory'): number =>
      here.reduce((total, pod) => total + podRequests(pod)[field], 0);
    expect(info?.requestedMilliCpu).toBe(sum('milliCpu'));
    expect(info?.requestedMemory).toBe(sum('memory'));
    expect(info?.nonZeroMilliCpu).toBe(sum('nonZeroMilliCpu'));
    expect(info?.nonZeroMemory).toBe(sum('nonZeroMemory'));
    expect(info?.unschedulable).toBe(node.spec.unschedulable === true);
    expect(info?.taints).toBe(node.spec.taints);
    for (const labelSet of cache.labelSets) {
      const same = here.filter(
        (pod) =>
          (pod.metadata.namespace ?? 'default') === labelSet.namespace &&
          canonicalJson(pod.metadata.labels ?? {}) === canonicalJson(labelSet.labels),
      );
      expect(labelSet.all.get(node.metadata.name) ?? 0).toBe(same.length);
      expect(labelSet.active.get(node.metadata.name) ?? 0).toBe(
        same.filter((pod) => pod.metadata.deletionTimestamp === undefined).length,
      );
    }
  }
  const keyed = (list: Pod[]): string[] => list.map((pod) => keyOf(pod)).sort();
  expect([...cache.podsWithAffinity.keys()].sort()).toEqual(
    keyed(pods.filter((pod) => pod.spec.affinity?.podAffinity ?? pod.spec.affinity?.podAntiAffinity)),
  );
  // The affinity groups count those pods once each, on their nodes, with their group's terms.
  const grouped = new Map<string, number>();
  for (const group of cache.affinityGroups.values())
    for (const [nodeName, count] of group.nodes) grouped.set(nodeName, (grouped.get(nodeName) ?? 0) + count);
  const withAffinity = new Map<string, number>();
  for (const pod of cache.podsWithAffinity.values())
    withAffinity.set(pod.spec.nodeName ?? '', (withAffinity.get(pod.spec.nodeName ?? '') ?? 0) + 1);
  expect(grouped).toEqual(withAffinity);
  expect([...cache.podsWithRequiredAntiAffinity.keys()].sort()).toEqual(
    keyed(
      pods.filter(
        (pod) =>
          (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) >
          0,
      ),
    ),
  );
  for (const key of new Set(nodes.flatMap((node) => Object.keys(node.metadata.labels ?? {}))))
    expect(cache.nodeLabelKeys.get(key)).toBe(
      nodes.filter((node) => key in (node.metadata.labels ?? {})).length,
    );
  // The spreading counts each pending kind of pod would use: its ReplicaSet's active pods per node.
  for (const pod of listObjects(store, 'Pod')) {
    const { constraints } = scoringConstraints(store, cache, pod);
    for (const constraint of constraints)
      for (const node of nodes)
        expect(matchingPodsOn(constraint, node.metadata.name)).toBe(
          pods.filter(
            (other) =>
              other.spec.nodeName === node.metadata.name &&
              other.metadata.deletionTimestamp === undefined &&
              other.metadata.namespace === pod.metadata.namespace &&
              selectorMatches(constraint.selector, other.metadata.labels),
          ).length,
        );
  }
}

/** A churning world: two Deployments (one with requests and anti-affinity), restarts, a cordon, a relabel. */
function schedulingWorld(
  seed: number,
  rounds: readonly { scale?: number | undefined; waitMs: number }[],
): Simulation {
  const simulation = restartedWorld(seed, []);
  apply(
    simulation,
    deploymentYaml('beta', 4, { app: 'beta' })
      .replace(
        '      containers:',
        '      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: alpha\n            topologyKey: kubernetes.io/hostname\n      containers:',
      )
      .replace(
        'command:',
        'resources:\n          requests:\n            cpu: 250m\n            memory: 64Mi\n        command:',
      )
      // sleep ignores SIGTERM, so beta's pods stay Terminating for the whole grace period.
      .replace('terminationGracePeriodSeconds: 0', 'terminationGracePeriodSeconds: 5'),
  );
  simulation.input({ type: 'node.spec.update', node: 'kind-worker2', unschedulable: true });
  rounds.forEach((round, index) => {
    if (index === 1)
      simulation.input({ type: 'node.spec.update', node: 'kind-worker2', unschedulable: false });
    if (round.scale !== undefined)
      simulation.input({ type: 'deployment.scale', key: 'default/alpha', replicas: round.scale });
    else simulation.input({ type: 'deployment.restart', key: 'default/beta' });
    const pod = listObjects(simulation.state.cluster!.api, 'Pod').find(
      (candidate) => candidate.metadata.labels?.app === 'beta',
    );
    if (pod !== undefined && index === 2)
      simulation.input({ type: 'object.label', kind: 'Pod', key: keyOf(pod), labels: { tier: 'gold' } });
    simulation.advance(round.waitMs);
    expectNodeInfoCacheMatches(simulation.state.cluster!.api);
  });
  return simulation;
}

describe('scheduler: node-info cache', () => {
  it('counts as a walk over every pod does, as pods come and go and on a clone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(
          fc.record({
            scale: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
            waitMs: fc.integer({ min: 0, max: 4_000 }),
          }),
          { maxLength: 5 },
        ),
        (seed, rounds) => {
          const simulation = schedulingWorld(seed, rounds);
          expectNodeInfoCacheMatches(simulation.state.cluster!.api);
          // A clone has no cache yet: it is built from the clone's objects on first use.
          expectNodeInfoCacheMatches(clonePlain(simulation.state.cluster!.api));
          simulation.seek(Math.floor(simulation.position / 2));
          expectNodeInfoCacheMatches(simulation.state.cluster!.api);
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);
});
