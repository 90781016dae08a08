/**
 * Benchmarks of the compiled policy map: lookups per second and the time to compile a large rule set
 * over many identities. The simulator has no clock of its own, so the caller injects one
 * (`performance.now` in Node).
 */
import { podSecurityLabels, type LabelSet } from '../cilium/labels';
import { nextUint32, seedRandom } from '../engine/prng';
import { computeEndpointPolicy } from './compile';
import { MapIdentityDirectory } from './identity-directory';
import { lookupPolicy } from './lookup';
import type { CiliumPolicy, CiliumRule, LabelSelector, PortRule, RuleSection } from './model';
import type { FlowProtocol } from './normalize';
import { PolicyRepository } from './repository';

/** Sizes of a benchmark run; the defaults are the targets (20,000 rules, 1,000 identities, 1,000,000 lookups). */
export interface PolicyBenchmarkOptions {
  /** Milliseconds from an arbitrary origin; inject `() => performance.now()`. */
  readonly now: () => number;
  readonly rules?: number;
  readonly identities?: number;
  readonly lookups?: number;
  readonly ciliumVersion?: string;
  /** Warm compiles to time (the best is reported). */
  readonly compileRuns?: number;
}

/** What a run measured. */
export interface PolicyBenchmarkResult {
  readonly ciliumVersion: string;
  readonly rules: number;
  readonly identities: number;
  readonly mapEntries: number;
  /** Cold: includes normalizing the repository and JIT warm-up. */
  readonly firstCompileMilliseconds: number;
  /** Warm: the best of several endpoint regenerations with the repository already normalized. */
  readonly compileMilliseconds: number;
  readonly lookups: number;
  readonly lookupMilliseconds: number;
  readonly lookupsPerSecond: number;
  /** Allowed verdicts among the lookups, so the work cannot be optimised away and runs can be compared. */
  readonly allowedLookups: number;
}

/** A deterministic generator over the simulator's own seeded PRNG, so every run measures the same workload. */
function generator(seed: number): () => number {
  const state = seedRandom(seed);
  return () => nextUint32(state) / 0x1_0000_0000;
}

function selector(pairs: readonly (readonly [string, string])[]): LabelSelector {
  return { matchLabels: pairs, matchExpressions: [] };
}

function benchmarkWorkload(
  ruleCount: number,
  identityCount: number,
): {
  repo: PolicyRepository;
  directory: MapIdentityDirectory;
  endpointLabels: LabelSet;
} {
  const random = generator(42);
  const pick = (n: number): number => Math.floor(random() * n);
  const entries: [number, LabelSet][] = [];
  for (let index = 0; index < identityCount; index += 1) {
    const labels = podSecurityLabels({
      podLabels: { app: `app-${index % 97}`, team: `team-${index % 13}`, tier: `tier-${index % 5}` },
      namespace: `ns-${index % 7}`,
      namespaceLabels: { env: index % 2 === 0 ? 'prod' : 'dev' },
      serviceAccount: `sa-${index % 11}`,
      clusterName: 'default',
    });
    entries.push([256 + index, labels]);
  }
  const directory = new MapIdentityDirectory(entries);
  const endpointLabels = entries[0]?.[1] ?? {};
  const ports = [80, 443, 8080, 5432, 6379, 9090, 53, 3000];
  const sectionFor = (deny: boolean): RuleSection => {
    const kind = pick(10);
    const portRule: PortRule = {
      ports: [{ port: ports[pick(ports.length)] ?? 80, protocol: pick(4) === 0 ? 'ANY' : 'TCP' }],
      serverNames: [],
      ...(!deny && kind === 0
        ? {
            rules: {
              type: 'http' as const,
              http: [{ method: 'GET', path: `/v${pick(3)}/.*`, headers: [], headerMatches: [] }],
            },
          }
        : {}),
    };
    const peers =
      kind < 6
        ? { endpoints: [selector([[`app`, `app-${pick(97)}`]])] }
        : kind < 8
          ? {
              endpoints: [
                selector([
                  [`team`, `team-${pick(13)}`],
                  [`k8s:io.kubernetes.pod.namespace`, `ns-${pick(7)}`],
                ]),
              ],
            }
          : kind < 9
            ? { entities: ['cluster' as const] }
            : {};
    return { peers, ...(pick(5) === 0 && kind < 9 ? {} : { toPorts: [portRule] }) };
  };
  const repo = new PolicyRepository();
  const perPolicy = 100;
  for (let first = 0; first < ruleCount; first += perPolicy) {
    const rules: CiliumRule[] = [];
    for (let index = first; index < Math.min(ruleCount, first + perPolicy); index += 1) {
      const deny = index % 20 === 0;
      const section = sectionFor(deny);
      const egress = index % 2 === 1;
      const name = egress ? (deny ? 'egressDeny' : 'egress') : deny ? 'ingressDeny' : 'ingress';
      rules.push({
        path: `specs[${index - first}]`,
        endpointSelector: selector([]),
        enableDefaultDeny: {},
        [name]: [section],
      });
    }
    const policy: CiliumPolicy = {
      kind: 'CiliumClusterwideNetworkPolicy',
      name: `bench-${first / perPolicy}`,
      rules,
    };
    repo.upsert(policy);
  }
  return { repo, directory, endpointLabels };
}

/** Runs the compile and lookup benchmarks and returns what they measured. */
export function runPolicyBenchmarks(options: PolicyBenchmarkOptions): PolicyBenchmarkResult {
  const ruleCount = options.rules ?? 20_000;
  const identityCount = options.identities ?? 1_000;
  const lookups = options.lookups ?? 1_000_000;
  const ciliumVersion = options.ciliumVersion ?? '1.18.5';
  const { repo, directory, endpointLabels } = benchmarkWorkload(ruleCount, identityCount);
  const config = { enforcementMode: 'default' as const, auditMode: false, ciliumVersion };
  const endpoint = { identity: 256, labels: endpointLabels, namespace: 'ns-0' };
  // The first compile also normalizes the repository (once per revision in the agent) and warms the JIT.
  const coldStart = options.now();
  computeEndpointPolicy(repo, endpoint, directory, config);
  const firstCompileMilliseconds = options.now() - coldStart;
  // Warm compiles vary with the machine's load and the garbage collector; report the best of a few.
  let compileMilliseconds = Infinity;
  let policy = computeEndpointPolicy(repo, endpoint, directory, config);
  for (let run = 0; run < (options.compileRuns ?? 5); run += 1) {
    const compileStart = options.now();
    policy = computeEndpointPolicy(repo, endpoint, directory, config);
    compileMilliseconds = Math.min(compileMilliseconds, options.now() - compileStart);
  }
  let mapEntries = 0;
  for (const direction of [policy.ingress, policy.egress])
    for (const table of direction.entries.values()) mapEntries += table.size;
  const random = generator(7);
  const protocols: readonly FlowProtocol[] = ['TCP', 'TCP', 'TCP', 'UDP'];
  const queries = Array.from({ length: 4096 }, () => ({
    direction: random() < 0.5 ? ('ingress' as const) : ('egress' as const),
    remoteIdentity: 256 + Math.floor(random() * identityCount),
    port: [80, 443, 8080, 5432, 53, 22][Math.floor(random() * 6)] ?? 80,
    protocol: protocols[Math.floor(random() * protocols.length)] ?? 'TCP',
  }));
  let allowedLookups = 0;
  const lookupStart = options.now();
  for (let index = 0; index < lookups; index += 1) {
    const query = queries[index & 4095];
    if (query && lookupPolicy(policy, query).decision === 'allowed') allowedLookups += 1;
  }
  const lookupMilliseconds = options.now() - lookupStart;
  return {
    ciliumVersion,
    rules: ruleCount,
    identities: identityCount,
    mapEntries,
    firstCompileMilliseconds,
    compileMilliseconds,
    lookups,
    lookupMilliseconds,
    lookupsPerSecond: lookupMilliseconds > 0 ? Math.round((lookups / lookupMilliseconds) * 1000) : Infinity,
    allowedLookups,
  };
}
