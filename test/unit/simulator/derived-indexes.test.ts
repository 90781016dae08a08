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
  createApiStore,
  getObject,
  keyOf,
  listObjects,
  putObject,
  removeObject,
  serviceKeysInNamespace,
  sortedKeysOf,
  type ApiStore,
  type Handover,
} from '../../../simulator/k8s/api-store';
import type { Pod, ReplicaSet, Service } from '../../../simulator/k8s/objects';
import { parsePolicyDocuments, parseStoredPolicy } from '../../../simulator/cilium/policy-documents';
import { replay, type Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';
import {
  expectHighestRevisionsMatch,
  expectIndexesMatch,
  expectNodeInfoCacheMatches,
} from './world-consistency';

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

describe('policy: parses of stored policies', () => {
  const stored = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'l7', namespace: 'default' },
    spec: {
      endpointSelector: { matchLabels: { app: 'helloworld' } },
      ingress: [
        { toPorts: [{ ports: [{ port: '5000', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
      ],
    },
  };
  it('answer as parsePolicyDocuments of the JSON does, once per object and agent settings', () => {
    const options = { ciliumVersion: '1.18.5', l7Proxy: true };
    const first = parseStoredPolicy(stored, options);
    expect(first).toEqual(parsePolicyDocuments(JSON.stringify(stored), options));
    expect(parseStoredPolicy(stored, { ...options })).toBe(first);
    // Another agent setting is another parse: without the L7 proxy the agent refuses the HTTP rule.
    const withoutProxy = parseStoredPolicy(stored, { ...options, l7Proxy: false });
    expect(withoutProxy).not.toBe(first);
    expect(withoutProxy.objects[0]?.agentErrors.length).toBeGreaterThan(0);
    expect(first.objects[0]?.agentErrors).toEqual([]);
  });
});

describe('cilium: policy caches carried to a copy of the world', () => {
  const policy = (name: string, from: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
spec:
  endpointSelector:
    matchLabels:
      app: beta
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: ${from}
`;
  const podOf = (simulation: Simulation, app: string) => {
    const pods = listObjects(simulation.state.cluster!.api, 'Pod');
    return pods.find((pod) => pod.metadata.labels?.app === app)!;
  };
  /**
   * A connection from a pod of `from` to beta's pod, which listens on no port: the policy lets it
   * through when the pod refuses it, and drops it when it times out.
   */
  const connect = (simulation: Simulation, from: string) => {
    const host = podOf(simulation, 'beta').status?.podIP ?? '';
    const result = simulation.input({
      type: 'pod.connect',
      request: {
        fromPodKey: keyOf(podOf(simulation, from)),
        host,
        port: 80,
        protocol: 'TCP',
        timeoutMs: 2_000,
      },
    });
    return result.ok ? result.connection?.kind : result.error;
  };

  it('answer after a seek as a replay without checkpoints does, before and after the policies change', () => {
    // Checkpoints every 8 events: each is a copy carrying the policies the live run had computed.
    const live = clusterWithCilium(3, 2, '1.12.0', {}, { checkpointInterval: 8 });
    apply(live, deploymentYaml('alpha', 1, { app: 'alpha' }));
    apply(live, deploymentYaml('beta', 1, { app: 'beta' }));
    apply(live, deploymentYaml('gamma', 1, { app: 'gamma' }));
    settle(live);
    apply(live, policy('beta-from-alpha', 'alpha'));
    live.advance(2_000);
    const before = { alpha: connect(live, 'alpha'), gamma: connect(live, 'gamma') };
    expect(before).toEqual({ alpha: 'refused', gamma: 'timeout' });
    apply(live, policy('beta-from-gamma', 'gamma'));
    live.advance(2_000);
    expect(connect(live, 'gamma')).toBe('refused');
    const truth = replay(3, live.steps, { checkpointInterval: 0 });
    expect(live.hash()).toBe(truth.hash());
    // Back to before the second policy (a copy of a checkpoint), then on with another connection.
    const position = live.entries.findLastIndex((entry) => entry.type === 'api.apply');
    for (const simulation of [live, truth]) simulation.seek(position);
    expect([connect(live, 'gamma'), connect(live, 'alpha')]).toEqual(['timeout', 'refused']);
    expect([connect(truth, 'gamma'), connect(truth, 'alpha')]).toEqual(['timeout', 'refused']);
    expect(live.hash()).toBe(truth.hash());
  }, 120_000);
});

/** A pending pod as a controller writes it. */
function pendingPod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: toTimestamp(virtualEpochMs),
    },
    spec: { containers: [{ name: 'app', image: 'nginx' }] },
    status: { phase: 'Pending' },
  };
}

describe('api store: writes handed over to the store', () => {
  const handovers: readonly { name: string; handover: Handover }[] = [
    { name: 'a copy (nothing handed over)', handover: 'none' },
    { name: 'the object handed over, its metadata shared with the stored version', handover: 'object' },
    { name: 'the object and its metadata handed over', handover: 'object-and-metadata' },
  ];
  for (const { name, handover } of handovers) {
    it(`${name}: stores the same fields in the same order, and leaves the previous version as it was`, () => {
      const store = createApiStore();
      const first = pendingPod('web-a');
      putObject(store, first);
      const stored = getObject(store, 'Pod', 'default/web-a')!;
      const before = JSON.stringify(stored);
      const next: Pod = {
        ...stored,
        metadata: handover === 'object-and-metadata' ? { ...stored.metadata } : stored.metadata,
        spec: { ...stored.spec, nodeName: 'worker' },
      };
      const expected = JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '1002' } });
      putObject(store, next, 'default/web-a', handover);
      const written = getObject(store, 'Pod', 'default/web-a')!;
      expect(JSON.stringify(written)).toBe(expected);
      expect(JSON.stringify(stored)).toBe(before);
      expect(written.metadata).not.toBe(stored.metadata);
      expect(written === next).toBe(handover !== 'none');
    });
  }
});

function service(namespace: string, name: string, selector: Record<string, string> | undefined): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      resourceVersion: '1',
      creationTimestamp: toTimestamp(virtualEpochMs),
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ...(selector === undefined ? {} : { selector }),
      ports: [],
    },
    status: {},
  };
}

const namespaces = ['default', 'kube-system', 'team-a'] as const;

/** The Services of a namespace as a walk over every Service in key order finds them. */
function expectServicesByNamespaceMatch(store: ApiStore): void {
  for (const namespace of namespaces) {
    const walked = sortedKeysOf(store, 'Service').filter(
      (key) => (getObject(store, 'Service', key)?.metadata.namespace ?? 'default') === namespace,
    );
    expect(serviceKeysInNamespace(store, namespace)).toEqual(walked);
  }
}

describe('api store: Services by namespace', () => {
  it('answer as a walk over every Service does, as Services come, change and go, and on a clone', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            namespace: fc.constantFrom(...namespaces),
            name: fc.constantFrom('a', 'b', 'dns', 'web'),
            remove: fc.boolean(),
            selector: fc.option(fc.constantFrom({ app: 'web' }, { app: 'dns' }), { nil: undefined }),
          }),
          { maxLength: 20 },
        ),
        (writes) => {
          const store = createApiStore();
          expectServicesByNamespaceMatch(store);
          for (const write of writes) {
            if (write.remove) removeObject(store, 'Service', `${write.namespace}/${write.name}`);
            else putObject(store, service(write.namespace, write.name, write.selector));
            expectServicesByNamespaceMatch(store);
          }
          expectServicesByNamespaceMatch(clonePlain(store));
        },
      ),
      { numRuns: 50 },
    );
  });
});

/** A ReplicaSet as the owner-index test writes it: only what the indexes read is meaningful. */
function ownedReplicaSet(
  name: string,
  uid: string,
  owner: string | undefined,
  revision: string | undefined,
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid,
      resourceVersion: '1',
      creationTimestamp: toTimestamp(virtualEpochMs),
      ...(revision === undefined ? {} : { annotations: { 'deployment.kubernetes.io/revision': revision } }),
      ...(owner === undefined
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: owner, controller: true },
            ],
          }),
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: {} },
      template: { metadata: {}, spec: { containers: [] } },
    },
    status: { replicas: 0 },
  } as unknown as ReplicaSet;
}

const owners = ['deploy-a', 'deploy-b'] as const;

describe('api store: highest revisions of an owner', () => {
  it('answer as MaxRevision over a walk of the owner index does, as ReplicaSets come, change owner, uid or revision, and go', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
            uid: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
            owner: fc.option(fc.constantFrom(...owners), { nil: undefined }),
            revision: fc.option(fc.constantFrom('1', '2', '3', '10', '-4', 'x', ''), { nil: undefined }),
            remove: fc.boolean(),
          }),
          { maxLength: 25 },
        ),
        (writes) => {
          const store = createApiStore();
          const check = (checked: ApiStore): void => {
            for (const owner of owners) expectHighestRevisionsMatch(checked, owner);
          };
          for (const write of writes) {
            if (write.remove) removeObject(store, 'ReplicaSet', `default/${write.name}`);
            else putObject(store, ownedReplicaSet(write.name, write.uid, write.owner, write.revision));
            check(store);
          }
          check(clonePlain(store));
          check(structuredClone(store));
        },
      ),
      { numRuns: 200 },
    );
  });
});
