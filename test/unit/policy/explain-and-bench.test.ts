// Goal: verdicts say which rule decided and at which layer, the map lists like `cilium bpf policy get`,
// the repository tracks revisions, and the benchmark entry point runs and reports its figures.
import { describe, expect, it } from 'vitest';
import { runPolicyBenchmarks } from '../../../simulator/policy/bench';
import {
  computeEndpointPolicy,
  lookupPolicy,
  enforcementText,
  policyMapRows,
  PolicyRepository,
} from '../../../simulator/policy';
import { parsePolicyDocuments } from '../../../simulator/cilium/policy-documents';
import { configFor, pod, PolicyWorld, repositoryFrom } from './fixtures';

const yaml = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: prod
spec:
  endpointSelector:
    matchLabels:
      app: api
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: web
    toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
specs:
- endpointSelector:
    matchLabels:
      app: api
  ingressDeny:
  - fromEntities:
    - world
`;

describe('policy: explain', () => {
  const world = new PolicyWorld(repositoryFrom(yaml), {
    api: [1000, pod({ app: 'api' }, 'prod')],
    web: [1001, pod({ app: 'web' }, 'prod')],
  });
  const api = world.endpoint('api');
  const config = configFor('1.18.5');

  it('policy: explain: an allow names the policy, section, rule index, peer and port', () => {
    const verdict = world.verdict(api, config, 'ingress', 'web', 8080);
    expect(verdict.explanation).toMatchObject({
      layer: 'l3-l4',
      matchedKey: 'identity 1001, 8080/TCP',
      identityKnown: true,
    });
    expect(verdict.explanation.rules).toHaveLength(1);
    expect(verdict.explanation.rules[0]).toMatchObject({
      rule: 'CiliumNetworkPolicy prod/api spec.ingress[0]',
      peer: 'fromEndpoints[0] {app=web} in namespace prod',
      port: '8080/TCP',
      origin: {
        kind: 'CiliumNetworkPolicy',
        namespace: 'prod',
        name: 'api',
        section: 'ingress',
        specPath: 'spec',
        ruleIndex: 0,
      },
    });
  });

  it('policy: explain: a deny names the deny rule of specs[]', () => {
    const verdict = world.verdict(api, config, 'ingress', 2, 8080);
    expect(verdict.explanation.layer).toBe('deny');
    expect(verdict.explanation.rules[0]?.rule).toBe('CiliumNetworkPolicy prod/api specs[0].ingressDeny[0]');
    expect(verdict.explanation.summary).toContain('Policy denied by denylist');
  });

  it('policy: explain: default deny names the selecting rules', () => {
    const verdict = world.verdict(api, config, 'ingress', 'web', 80);
    expect(verdict.explanation.layer).toBe('default-deny');
    expect(verdict.explanation.summary).toContain('CiliumNetworkPolicy prod/api');
  });

  it('policy: explain: an identity unknown to the agent is reported at the identity layer', () => {
    const verdict = world.verdict(api, config, 'ingress', 54321, 8080);
    expect(verdict.explanation).toMatchObject({ layer: 'identity', identityKnown: false });
  });

  it('policy: explain: deny entries keep the allows they displaced', () => {
    const policy = computeEndpointPolicy(world.repo, api, world.directory, config);
    const entry = policy.ingress.entries.get(2)?.values().next().value;
    expect(entry?.deny).toBe(true);
    expect(
      lookupPolicy(policy, { direction: 'ingress', remoteIdentity: 2, port: 1, protocol: 'UDP' }).dropReason,
    ).toBe(181);
  });

  it('policy: explain: enforcement text as cilium endpoint list prints it', () => {
    const policy = computeEndpointPolicy(
      world.repo,
      api,
      world.directory,
      configFor('1.18.5', { auditMode: true }),
    );
    expect(enforcementText(policy, 'ingress')).toBe('Disabled (Audit)');
    expect(enforcementText(policy, 'egress')).toBe('Disabled');
  });
});

describe('policy: map listing', () => {
  const world = new PolicyWorld(repositoryFrom(yaml), {
    api: [1000, pod({ app: 'api' }, 'prod')],
    web: [1001, pod({ app: 'web' }, 'prod')],
  });
  const api = world.endpoint('api');

  it('policy: map: 1.12 rows have neither auth type nor prefix', () => {
    const rows = policyMapRows(world.policy(api, configFor('1.12.0')), world.directory);
    const web = rows.find((row) => row.identity === 1001);
    expect(web).toEqual({
      policy: 'Allow',
      direction: 'Ingress',
      identity: 1001,
      labels: web?.labels,
      port: '8080/TCP',
      proxyPort: 0,
      rules: ['CiliumNetworkPolicy prod/api spec.ingress[0]'],
    });
    expect(web?.labels).toContain('k8s:app=web');
    expect(rows.find((row) => row.identity === 2)).toMatchObject({
      policy: 'Deny',
      labels: 'reserved:world',
      port: 'ANY',
    });
  });

  it('policy: map: 1.18 rows carry auth type and LPM prefix length', () => {
    const rows = policyMapRows(world.policy(api, configFor('1.18.5')), world.directory);
    expect(rows.find((row) => row.identity === 1001)).toMatchObject({
      authType: 'disabled',
      prefixLength: 24,
    });
    expect(rows.find((row) => row.identity === 1)).toMatchObject({
      port: 'ANY',
      prefixLength: 0,
      rules: ['agent: allow-localhost (traffic from the local host)'],
    });
  });
});

describe('policy: repository', () => {
  it('policy: repository: upsert, delete and revisions', () => {
    const repo = new PolicyRepository();
    const [object] = parsePolicyDocuments(yaml).objects;
    expect(repo.revision).toBe(0);
    expect(object && repo.upsert(object)).toBe(true);
    expect(repo.revision).toBe(1);
    expect(repo.get('CiliumNetworkPolicy', 'prod', 'api')?.kind).toBe('CiliumNetworkPolicy');
    expect(repo.delete('CiliumNetworkPolicy', 'prod', 'api')).toBe(true);
    expect(repo.revision).toBe(2);
    expect(repo.delete('CiliumNetworkPolicy', 'prod', 'api')).toBe(false);
    expect(repo.list()).toEqual([]);
  });
});

describe('policy: benchmarks', () => {
  it('policy: bench: runPolicyBenchmarks reports its figures', () => {
    let tick = 0;
    const result = runPolicyBenchmarks({
      now: () => (tick += 1),
      rules: 500,
      identities: 50,
      lookups: 2000,
      compileRuns: 1,
    });
    expect(result).toMatchObject({ rules: 500, identities: 50, lookups: 2000 });
    expect(result.mapEntries).toBeGreaterThan(0);
    expect(result.lookupsPerSecond).toBeGreaterThan(0);
  });
});
