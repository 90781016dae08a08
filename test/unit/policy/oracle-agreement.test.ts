// Goal: for random policy sets, identities, agent settings and connections, the compiled policy map
// with the version's datapath lookup gives exactly the verdict of the oracle that reads the rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabelSet } from '../../../simulator/cilium/labels';
import {
  computeEndpointPolicy,
  evaluatePolicyOracle,
  lookupPolicy,
  MapIdentityDirectory,
  PolicyRepository,
  type CiliumPolicy,
  type CiliumRule,
  type FlowProtocol,
  type KubernetesNetworkPolicy,
  type LabelSelector,
  type PeerSpec,
  type PolicyEngineConfig,
  type PolicyQuery,
  type PortRule,
  type RuleSection,
} from '../../../simulator/policy';
import { pod, summaryOf } from './fixtures';

const namespaces = ['default', 'prod'] as const;
const apps = ['a', 'b', 'c'] as const;

const podArb = fc.record({
  app: fc.constantFrom(...apps),
  tier: fc.constantFrom('x', 'y'),
  namespace: fc.constantFrom(...namespaces),
  serviceAccount: fc.constantFrom('default', 'sa1'),
});

const selectorArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  fc.constant({ matchLabels: [], matchExpressions: [] }),
  fc.record({
    matchLabels: fc.subarray([
      ['app', 'a'],
      ['k8s:tier', 'x'],
      ['any:app', 'b'],
      ['io.kubernetes.pod.namespace', 'prod'],
      ['io.cilium.k8s.policy.serviceaccount', 'sa1'],
    ] as [string, string][]),
    matchExpressions: fc.subarray([
      { key: 'app', operator: 'In' as const, values: ['a', 'c'] },
      { key: 'tier', operator: 'NotIn' as const, values: ['y'] },
      { key: 'k8s:app', operator: 'Exists' as const, values: [] },
      { key: 'reserved:host', operator: 'DoesNotExist' as const, values: [] },
    ]),
  }),
);

const cidrArb = fc.constantFrom(
  { cidr: '10.0.0.0/8', except: [] as string[] },
  { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] },
  { cidr: '0.0.0.0/0', except: [] as string[] },
  { cidr: '192.168.1.0/24', except: [] as string[] },
);

const peersArb: fc.Arbitrary<PeerSpec> = fc.oneof(
  fc.constant({}),
  fc.record({ endpoints: fc.array(selectorArb, { maxLength: 2 }) }),
  fc.record({
    entities: fc.subarray(
      ['world', 'cluster', 'host', 'remote-node', 'all', 'init', 'kube-apiserver'] as const,
      { minLength: 1 },
    ),
  }),
  fc.record({ cidrs: fc.array(cidrArb, { minLength: 1, maxLength: 2 }) }),
  fc.record({ fqdns: fc.constant([{ matchPattern: '*.example.com' }]) }),
  fc.record({
    nodes: fc.constant([
      { matchLabels: [['node-role', 'control-plane']] as [string, string][], matchExpressions: [] },
    ]),
  }),
);

const portArb = fc.oneof(
  fc.record({
    port: fc.constantFrom(0, 53, 80, 443, 8080),
    protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const, 'ANY' as const),
  }),
  fc.record({
    port: fc.constant(80),
    endPort: fc.constantFrom(90, 8100),
    protocol: fc.constantFrom('TCP' as const, 'ANY' as const),
  }),
  fc.record({ port: fc.constant('http'), protocol: fc.constant('TCP' as const) }),
);

function portRuleArb(deny: boolean): fc.Arbitrary<PortRule> {
  return fc
    .record({
      ports: fc.array(portArb, { maxLength: 2 }),
      l7: deny ? fc.constant(0) : fc.constantFrom(0, 0, 1, 2),
    })
    .map(({ ports, l7 }) => {
      // L7 rules need a non-zero TCP (or ANY) port, as the agent insists.
      const l7Ports = ports.filter(
        (port) => port.port !== 0 && port.protocol !== 'UDP' && port.protocol !== 'SCTP',
      );
      if (l7 === 0 || l7Ports.length === 0) return { ports, serverNames: [] };
      if (l7 === 1) {
        return {
          ports: l7Ports,
          serverNames: [],
          rules: {
            type: 'http' as const,
            http: [{ method: 'GET', path: '/public', headers: [], headerMatches: [] }],
          },
        };
      }
      return {
        ports: l7Ports,
        serverNames: [],
        rules: { type: 'kafka' as const, kafka: [{ topic: 'empire-announce' }] },
      };
    });
}

function sectionArb(deny: boolean): fc.Arbitrary<RuleSection> {
  return fc
    .record({
      peers: peersArb,
      shape: fc.constantFrom('l3', 'ports', 'ports', 'icmp'),
      toPorts: fc.array(portRuleArb(deny), { minLength: 1, maxLength: 2 }),
      icmpType: fc.constantFrom(0, 8),
      auth: fc.constantFrom(undefined, undefined, 'required' as const),
    })
    .map(({ peers, shape, toPorts, icmpType, auth }): RuleSection => {
      const authentication = !deny && auth ? { authentication: auth } : {};
      if (shape === 'l3') return { peers, ...authentication };
      if (shape === 'icmp')
        return { peers, icmps: [{ family: 'IPv4' as const, type: icmpType }], ...authentication };
      return { peers, toPorts, ...authentication };
    });
}

const subjectArb: fc.Arbitrary<LabelSelector> = fc.oneof(
  { weight: 5, arbitrary: selectorArb },
  {
    weight: 1,
    arbitrary: fc.constant({
      matchLabels: [['reserved:init', '']] as [string, string][],
      matchExpressions: [],
    }),
  },
);

const ruleArb: fc.Arbitrary<CiliumRule> = fc
  .record({
    endpointSelector: subjectArb,
    ingress: fc.option(fc.array(sectionArb(false), { maxLength: 2 }), { nil: undefined }),
    ingressDeny: fc.option(fc.array(sectionArb(true), { maxLength: 1 }), { nil: undefined }),
    egress: fc.option(fc.array(sectionArb(false), { maxLength: 2 }), { nil: undefined }),
    egressDeny: fc.option(fc.array(sectionArb(true), { maxLength: 1 }), { nil: undefined }),
    defaultDeny: fc.constantFrom('unset', 'unset', 'ingress-off', 'egress-on'),
  })
  .map(({ endpointSelector, ingress, ingressDeny, egress, egressDeny, defaultDeny }) => ({
    path: 'spec',
    endpointSelector,
    enableDefaultDeny:
      defaultDeny === 'ingress-off'
        ? { ingress: false }
        : defaultDeny === 'egress-on'
          ? { egress: true }
          : {},
    ...(ingress ? { ingress } : {}),
    ...(ingressDeny ? { ingressDeny } : {}),
    ...(egress ? { egress } : {}),
    ...(egressDeny ? { egressDeny } : {}),
  }));

const kubernetesRuleArb = fc
  .record({
    peers: fc.option(
      fc.array(
        fc.oneof(
          fc.record({ podSelector: selectorArb }),
          fc.record({
            namespaceSelector: fc.constant({
              matchLabels: [['kubernetes.io/metadata.name', 'prod']] as [string, string][],
              matchExpressions: [],
            }),
          }),
          fc.record({ ipBlock: cidrArb }),
        ),
        { minLength: 1, maxLength: 2 },
      ),
      { nil: undefined },
    ),
    ports: fc.option(
      fc.array(
        fc.record({
          port: fc.constantFrom(80, 443, 'http'),
          protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      { nil: undefined },
    ),
  })
  .map(({ peers, ports }) => ({ ...(peers ? { peers } : {}), ...(ports ? { ports } : {}) }));

const kubernetesArb: fc.Arbitrary<KubernetesNetworkPolicy> = fc.record({
  kind: fc.constant('NetworkPolicy' as const),
  name: fc.constant('knp'),
  namespace: fc.constantFrom(...namespaces),
  podSelector: selectorArb,
  policyTypes: fc.subarray(['Ingress', 'Egress'] as const, { minLength: 1 }),
  ingress: fc.array(kubernetesRuleArb, { maxLength: 2 }),
  egress: fc.array(kubernetesRuleArb, { maxLength: 2 }),
});

const policyArb = fc.oneof(
  fc
    .record({
      rules: fc.array(ruleArb, { minLength: 1, maxLength: 2 }),
      namespace: fc.constantFrom(...namespaces),
    })
    .map(({ rules, namespace }): CiliumPolicy => ({
      kind: 'CiliumNetworkPolicy',
      name: 'cnp',
      namespace,
      rules,
    })),
  fc
    .array(ruleArb, { minLength: 1, maxLength: 2 })
    .map((rules): CiliumPolicy => ({ kind: 'CiliumClusterwideNetworkPolicy', name: 'ccnp', rules })),
  kubernetesArb,
);

const configArb: fc.Arbitrary<PolicyEngineConfig> = fc.record({
  enforcementMode: fc.constantFrom(
    'default' as const,
    'default' as const,
    'always' as const,
    'never' as const,
  ),
  auditMode: fc.boolean(),
  ciliumVersion: fc.constantFrom('1.12.0', '1.14.2', '1.16.0', '1.18.5'),
  allowLocalhost: fc.constantFrom('always' as const, 'policy' as const),
  egressNamedPorts: fc.constant({ http: [{ port: 8080, protocol: 'TCP' as const }] }),
});

const queryArb = fc.record({
  direction: fc.constantFrom('ingress' as const, 'egress' as const),
  remote: fc.nat(40),
  port: fc.constantFrom(53, 80, 85, 443, 8080, 8090, 1),
  protocol: fc.constantFrom<FlowProtocol>('TCP', 'TCP', 'UDP', 'SCTP', 'ICMP'),
  icmpType: fc.constantFrom(0, 8),
});

const fixedIdentities: [number, LabelSet][] = [
  [16777217, { 'cidr:10.1.0.0/16': '', 'reserved:world': '' }],
  [16777218, { 'cidr:10.96.0.0/16': '', 'reserved:world': '' }],
  [16777219, { 'cidr:192.168.1.7/32': '', 'reserved:world': '' }],
  [16777220, { 'fqdn:www.example.com': '', 'reserved:world': '' }],
  [5, { 'reserved:init': '' }],
  [33554433, { 'reserved:remote-node': '', 'k8s:node-role': 'control-plane' }],
];

describe('policy: oracle agreement', () => {
  it('policy: map lookup and oracle agree on 10,000 random cases', () => {
    fc.assert(
      fc.property(
        fc.array(podArb, { minLength: 1, maxLength: 6 }),
        fc.array(policyArb, { minLength: 1, maxLength: 4 }),
        configArb,
        fc.array(queryArb, { minLength: 1, maxLength: 6 }),
        fc.nat(8),
        (pods, policies, config, queries, endpointChoice) => {
          const podEntries: [number, LabelSet][] = pods.map((spec, index) => [
            1000 + index,
            pod({ app: spec.app, tier: spec.tier }, spec.namespace, spec.serviceAccount, {
              team: spec.namespace === 'prod' ? 'red' : 'blue',
            }),
          ]);
          const all = [...podEntries, ...fixedIdentities];
          const directory = new MapIdentityDirectory(all);
          const repo = new PolicyRepository();
          policies.forEach((policy, index) => repo.upsert({ ...policy, name: `${policy.name}-${index}` }));
          const chosen = podEntries[endpointChoice % podEntries.length];
          const endpointIdentity =
            endpointChoice === 7 ? 5 : endpointChoice === 8 ? 1 : (chosen?.[0] ?? 1000);
          const endpointLabels =
            endpointChoice === 7
              ? { 'reserved:init': '' }
              : endpointChoice === 8
                ? { 'reserved:host': '', 'k8s:node-role': 'worker' }
                : (chosen?.[1] ?? {});
          const endpoint = {
            identity: endpointIdentity,
            labels: endpointLabels,
            namespace: endpointLabels['k8s:io.kubernetes.pod.namespace'] ?? '',
            isHost: endpointChoice === 8,
            namedPorts: { http: { port: 80, protocol: 'TCP' as const } },
          };
          const compiled = computeEndpointPolicy(repo, endpoint, directory, config);
          const remotes = [...all.map(([id]) => id), 1, 2, 6, 7, 99999];
          for (const raw of queries) {
            const query: PolicyQuery = {
              direction: raw.direction,
              remoteIdentity: remotes[raw.remote % remotes.length] ?? 2,
              port: raw.protocol === 'ICMP' ? 0 : raw.port,
              protocol: raw.protocol,
              ...(raw.protocol === 'ICMP' ? { icmpType: raw.icmpType } : {}),
            };
            const fromMap = summaryOf(lookupPolicy(compiled, query));
            const fromOracle = summaryOf(evaluatePolicyOracle(repo, endpoint, directory, config, query));
            expect(fromMap).toEqual(fromOracle);
          }
        },
      ),
      { numRuns: 10_000, seed: 20261122 },
    );
    // Ten thousand compiled maps take a few seconds, more on a busy machine.
  }, 120_000);
});
