// Goal: selection and enforcement behave as Cilium documents them — namespaces, service accounts,
// entities, CIDR, ICMP, enforcement and audit modes, reserved:init, default-deny switches, Kubernetes
// NetworkPolicy, host policies, named ports, L7 unions and the differences between map generations.
import { describe, expect, it } from 'vitest';
import { evaluateHttpRequest, PolicyRepository, type PolicyEngineConfig } from '../../../simulator/policy';
import { parsePolicyDocuments } from '../../../simulator/cilium/policy-documents';
import { configFor, pod, PolicyWorld, repositoryFrom, versions } from './fixtures';

const cnp = (name: string, spec: string, namespace = 'default'): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}`;
const ccnp = (name: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

const identities = {
  server: [1000, pod({ app: 'server' }, 'prod')] as const,
  prodClient: [1001, pod({ app: 'client' }, 'prod', 'leia')] as const,
  devClient: [1002, pod({ app: 'client' }, 'dev', 'luke')] as const,
  prodOther: [1003, pod({ app: 'other' }, 'prod', 'luke', { team: 'red' })] as const,
  cidr10: [16777217, { 'cidr:10.1.0.0/16': '', 'reserved:world': '' }] as const,
  cidrService: [16777218, { 'cidr:10.96.0.0/16': '', 'reserved:world': '' }] as const,
  external: [16777219, { 'cidr:20.1.1.1/32': '', 'reserved:world': '' }] as const,
  controlPlane: [
    33554433,
    { 'reserved:remote-node': '', 'k8s:node-role.kubernetes.io/control-plane': '' },
  ] as const,
  worker: [33554434, { 'reserved:remote-node': '', 'k8s:node-role.kubernetes.io/worker': '' }] as const,
};

interface VerdictCase {
  readonly name: string;
  readonly from: string | number;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP' | 'ICMP';
  readonly icmpType?: number;
  readonly direction?: 'ingress' | 'egress';
  readonly decision: 'allowed' | 'denied' | 'audit';
  readonly matchType?: string;
}

function checkCases(
  title: string,
  yaml: string,
  cases: readonly VerdictCase[],
  config: PolicyEngineConfig,
  subject = 'server',
): void {
  describe(title, () => {
    const world = new PolicyWorld(repositoryFrom(yaml), identities);
    it.each(cases)(
      `${title}: $name`,
      ({ from, port, protocol, icmpType, direction, decision, matchType }) => {
        const verdict = world.verdict(
          world.endpoint(subject),
          config,
          direction ?? 'ingress',
          from,
          port,
          protocol ?? 'TCP',
          icmpType,
        );
        expect(verdict.decision).toBe(decision);
        if (matchType !== undefined) expect(verdict.matchType).toBe(matchType);
      },
    );
  });
}

describe.each(versions)('policy: semantics (Cilium %s)', (version) => {
  const config = configFor(version);

  checkCases(
    'policy: namespaces: a CNP peer selector is limited to the policy namespace',
    cnp(
      'same-ns',
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n',
      'prod',
    ),
    [
      {
        name: 'client in prod allowed',
        from: 'prodClient',
        port: 80,
        decision: 'allowed',
        matchType: 'L3-Only',
      },
      { name: 'client in dev denied', from: 'devClient', port: 80, decision: 'denied', matchType: 'none' },
    ],
    config,
  );

  checkCases(
    'policy: namespaces: naming the namespace label crosses namespaces',
    cnp(
      'cross-ns',
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        k8s:io.kubernetes.pod.namespace: dev\n',
      'prod',
    ),
    [
      { name: 'dev client allowed', from: 'devClient', port: 80, decision: 'allowed' },
      { name: 'prod client denied', from: 'prodClient', port: 80, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: namespaces: an empty peer selector in a CNP means every pod of its namespace only',
    cnp('ns-wide', '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - {}\n', 'prod'),
    [
      { name: 'prod pod allowed', from: 'prodOther', port: 80, decision: 'allowed' },
      { name: 'dev pod denied', from: 'devClient', port: 80, decision: 'denied' },
      { name: 'world denied', from: 2, port: 80, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: namespaces: an empty peer selector in a CCNP means every pod but no reserved identity',
    ccnp(
      'all-pods',
      '  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - {}\n',
    ),
    [
      { name: 'dev pod allowed', from: 'devClient', port: 80, decision: 'allowed' },
      { name: 'world denied', from: 2, port: 80, decision: 'denied' },
      { name: 'remote-node denied', from: 6, port: 80, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: namespaces: a CCNP peer selector without a namespace only ever selects pods',
    ccnp(
      'no-app',
      '  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - matchExpressions:\n      - key: app\n        operator: DoesNotExist\n',
    ),
    [
      { name: 'world has no app label but is not a pod', from: 2, port: 80, decision: 'denied' },
      { name: 'remote-node is not a pod', from: 6, port: 80, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: nodes: fromNodes selects remote nodes by label, never the local host',
    cnp(
      'nodes',
      '  endpointSelector: {}\n  ingress:\n  - fromNodes:\n    - matchLabels:\n        node-role.kubernetes.io/control-plane: ""\n',
      'prod',
    ),
    [
      { name: 'labelled control-plane node allowed', from: 'controlPlane', port: 10250, decision: 'allowed' },
      { name: 'worker node denied', from: 'worker', port: 10250, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: namespaces: an empty peer list selects nothing',
    cnp(
      'empty-list',
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints: []\n    toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n',
      'prod',
    ),
    [{ name: 'prod client denied', from: 'prodClient', port: 80, decision: 'denied' }],
    config,
  );

  checkCases(
    'policy: namespaces: a namespace-label selector matches pods of labelled namespaces',
    cnp(
      'team-red',
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        k8s:io.cilium.k8s.namespace.labels.team: red\n',
      'prod',
    ),
    [
      { name: 'pod in a team=red namespace allowed', from: 'prodOther', port: 80, decision: 'allowed' },
      { name: 'pod without the namespace label denied', from: 'prodClient', port: 80, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: service accounts: peers selected by service account',
    cnp(
      'sa',
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        io.cilium.k8s.policy.serviceaccount: leia\n',
      'prod',
    ),
    [
      { name: 'leia allowed', from: 'prodClient', port: 80, decision: 'allowed' },
      { name: 'luke denied', from: 'prodOther', port: 80, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: entities: world',
    cnp('world', '  endpointSelector: {}\n  ingress:\n  - fromEntities:\n    - world\n', 'prod'),
    [
      { name: 'world allowed', from: 2, port: 443, decision: 'allowed', matchType: 'L3-Only' },
      { name: 'a CIDR identity is world too', from: 'external', port: 443, decision: 'allowed' },
      { name: 'a pod is not world', from: 'devClient', port: 443, decision: 'denied' },
      { name: 'remote-node is not world', from: 6, port: 443, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: entities: cluster',
    cnp('cluster', '  endpointSelector: {}\n  ingress:\n  - fromEntities:\n    - cluster\n', 'prod'),
    [
      { name: 'pods of any namespace allowed', from: 'devClient', port: 443, decision: 'allowed' },
      { name: 'remote-node allowed', from: 6, port: 443, decision: 'allowed' },
      { name: 'kube-apiserver allowed', from: 7, port: 443, decision: 'allowed' },
      { name: 'init allowed', from: 5, port: 443, decision: 'allowed' },
      { name: 'world denied', from: 2, port: 443, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: entities: kube-apiserver and remote-node',
    cnp(
      'egress-entities',
      '  endpointSelector: {}\n  egress:\n  - toEntities:\n    - kube-apiserver\n',
      'prod',
    ),
    [
      { name: 'kube-apiserver allowed', direction: 'egress', from: 7, port: 6443, decision: 'allowed' },
      { name: 'a plain remote node denied', direction: 'egress', from: 6, port: 6443, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: cidr: toCIDR and toCIDRSet with except never select pods',
    cnp(
      'cidr',
      '  endpointSelector: {}\n  egress:\n  - toCIDR:\n    - 20.1.1.1/32\n  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except:\n      - 10.96.0.0/12\n',
      'prod',
    ),
    [
      { name: '20.1.1.1 allowed', direction: 'egress', from: 'external', port: 443, decision: 'allowed' },
      { name: '10.1.0.0/16 allowed', direction: 'egress', from: 'cidr10', port: 443, decision: 'allowed' },
      {
        name: '10.96.0.0/16 is excepted',
        direction: 'egress',
        from: 'cidrService',
        port: 443,
        decision: 'denied',
      },
      {
        name: 'pods are never CIDR peers',
        direction: 'egress',
        from: 'devClient',
        port: 443,
        decision: 'denied',
      },
      { name: 'world is not inside 10.0.0.0/8', direction: 'egress', from: 2, port: 443, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: cidr: 0.0.0.0/0 is world',
    cnp('any-ip', '  endpointSelector: {}\n  egress:\n  - toCIDR:\n    - 0.0.0.0/0\n', 'prod'),
    [
      { name: 'world allowed', direction: 'egress', from: 2, port: 443, decision: 'allowed' },
      { name: 'host is not selected by a CIDR', direction: 'egress', from: 1, port: 443, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: icmp: by type number and by name',
    cnp(
      'icmp',
      '  endpointSelector: {}\n  ingress:\n  - fromEntities: [cluster]\n    icmps:\n    - fields:\n      - type: 8\n        family: IPv4\n',
      'prod',
    ),
    [
      {
        name: 'echo request allowed',
        from: 'devClient',
        port: 0,
        protocol: 'ICMP',
        icmpType: 8,
        decision: 'allowed',
        matchType: 'L3-L4',
      },
      {
        name: 'timestamp denied',
        from: 'devClient',
        port: 0,
        protocol: 'ICMP',
        icmpType: 13,
        decision: 'denied',
      },
      { name: 'TCP denied', from: 'devClient', port: 8, decision: 'denied' },
    ],
    config,
  );

  checkCases(
    'policy: l4: ANY never includes ICMP',
    cnp(
      'any-proto',
      '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "53"\n        protocol: ANY\n',
      'prod',
    ),
    [
      {
        name: 'UDP 53 allowed from anyone (L4-only)',
        from: 'devClient',
        port: 53,
        protocol: 'UDP',
        decision: 'allowed',
        matchType: 'L4-Only',
      },
      { name: 'TCP 53 allowed', from: 2, port: 53, decision: 'allowed' },
      {
        name: 'ICMP type 53 denied',
        from: 'devClient',
        port: 0,
        protocol: 'ICMP',
        icmpType: 53,
        decision: 'denied',
      },
    ],
    config,
  );

  checkCases(
    'policy: default deny: an ingress section with one empty rule enables default deny without allowing anything',
    cnp(
      'egress-default-deny',
      '  endpointSelector:\n    matchLabels:\n      app: server\n  egress:\n  - {}\n',
      'prod',
    ),
    [
      {
        name: 'ingress stays open (no ingress section)',
        from: 2,
        port: 80,
        decision: 'allowed',
        matchType: 'all',
      },
      { name: 'egress is default deny', direction: 'egress', from: 2, port: 80, decision: 'denied' },
    ],
    config,
  );

  describe('policy: default deny: only non-empty sections count', () => {
    it('policy: default deny: a rule whose sections are all empty is refused by the agent (1.17+)', () => {
      const result = parsePolicyDocuments(cnp('empty', '  endpointSelector: {}\n  ingress: []\n', 'prod'));
      expect(result.errors).toMatchObject([
        {
          path: 'spec',
          stage: 'agent',
          message: 'rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny',
        },
      ]);
    });
    it('policy: default deny: for older agents `ingress: []` does not enable default deny', () => {
      const repo = new PolicyRepository();
      repo.upsert({
        kind: 'CiliumNetworkPolicy',
        name: 'empty',
        namespace: 'prod',
        rules: [
          {
            path: 'spec',
            endpointSelector: { matchLabels: [], matchExpressions: [] },
            enableDefaultDeny: {},
            ingress: [],
          },
        ],
      });
      const world = new PolicyWorld(repo, identities);
      expect(world.verdict(world.endpoint('server'), configFor('1.12.0'), 'ingress', 2, 80).matchType).toBe(
        'all',
      );
    });
    it('policy: default deny: since 1.17 enableDefaultDeny: true enforces a direction without rules', () => {
      const repo = new PolicyRepository();
      repo.upsert({
        kind: 'CiliumNetworkPolicy',
        name: 'explicit',
        namespace: 'prod',
        rules: [
          {
            path: 'spec',
            endpointSelector: { matchLabels: [], matchExpressions: [] },
            enableDefaultDeny: { ingress: true },
            egress: [{ peers: { entities: ['world'] } }],
          },
        ],
      });
      const world = new PolicyWorld(repo, identities);
      const server = world.endpoint('server');
      expect(world.verdict(server, configFor('1.18.5'), 'ingress', 2, 80).decision).toBe('denied');
      expect(world.verdict(server, configFor('1.16.0'), 'ingress', 2, 80).decision).toBe('allowed');
    });
  });

  checkCases(
    'policy: default deny: deny-only rules put the endpoint in default deny',
    cnp('deny-only', '  endpointSelector: {}\n  ingressDeny:\n  - fromEntities: [world]\n', 'prod'),
    [
      { name: 'world denied by the denylist', from: 2, port: 80, decision: 'denied' },
      {
        name: 'a pod is denied by default deny',
        from: 'prodClient',
        port: 80,
        decision: 'denied',
        matchType: 'none',
      },
    ],
    config,
  );

  checkCases(
    'policy: enforcement: never',
    cnp(
      'anything',
      '  endpointSelector: {}\n  ingress:\n  - {}\n  ingressDeny:\n  - fromEntities: [all]\n',
      'prod',
    ),
    [
      {
        name: 'everything allowed, denies ignored',
        from: 2,
        port: 80,
        decision: 'allowed',
        matchType: 'all',
      },
    ],
    configFor(version, { enforcementMode: 'never' }),
  );

  checkCases(
    'policy: enforcement: always with no rule',
    cnp('other-namespace', '  endpointSelector: {}\n  ingress:\n  - {}\n', 'elsewhere'),
    [
      { name: 'a pod is dropped', from: 'prodClient', port: 80, decision: 'denied', matchType: 'none' },
      { name: 'egress is dropped too', direction: 'egress', from: 2, port: 80, decision: 'denied' },
      {
        name: 'the local host still reaches the pod (allow-localhost)',
        from: 1,
        port: 80,
        decision: 'allowed',
      },
    ],
    configFor(version, { enforcementMode: 'always' }),
  );

  checkCases(
    'policy: enforcement: default with no rule selecting the endpoint',
    cnp('other-namespace', '  endpointSelector: {}\n  ingress:\n  - {}\n', 'elsewhere'),
    [{ name: 'everything allowed', from: 2, port: 80, decision: 'allowed', matchType: 'all' }],
    config,
  );

  checkCases(
    'policy: audit: what would be dropped is let through and reported as audit',
    cnp(
      'audited',
      '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n  ingressDeny:\n  - fromEntities: [world]\n',
      'prod',
    ),
    [
      { name: 'allowed traffic stays allowed', from: 'prodClient', port: 80, decision: 'allowed' },
      {
        name: 'default deny becomes audit',
        from: 'prodOther',
        port: 80,
        decision: 'audit',
        matchType: 'none',
      },
      { name: 'the denylist becomes audit', from: 2, port: 80, decision: 'audit' },
    ],
    configFor(version, { auditMode: true }),
  );

  describe('policy: audit: keeps the drop reason that would have applied', () => {
    const world = new PolicyWorld(
      repositoryFrom(
        cnp('deny', '  endpointSelector: {}\n  ingressDeny:\n  - fromEntities: [world]\n', 'prod'),
      ),
      identities,
    );
    it('policy: audit: denylist reason 181', () => {
      const verdict = world.verdict(
        world.endpoint('server'),
        configFor(version, { auditMode: true }),
        'ingress',
        2,
        80,
      );
      expect(verdict).toMatchObject({ decision: 'audit', dropReason: 181 });
      expect(verdict.explanation.summary).toContain('audit mode');
    });
  });

  describe('policy: enableDefaultDeny', () => {
    const yaml = cnp(
      'no-default-deny',
      '  endpointSelector: {}\n  enableDefaultDeny:\n    ingress: false\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n  ingressDeny:\n  - fromEntities: [world]\n',
      'prod',
    );
    const world = new PolicyWorld(repositoryFrom(yaml), identities);
    const supported = version !== '1.12.0';
    it(`policy: enableDefaultDeny: other peers are ${supported ? 'still allowed' : 'denied (field unknown before 1.16)'}`, () => {
      expect(world.verdict(world.endpoint('server'), config, 'ingress', 'prodOther', 80).decision).toBe(
        supported ? 'allowed' : 'denied',
      );
    });
    it('policy: enableDefaultDeny: deny rules still apply', () => {
      expect(world.verdict(world.endpoint('server'), config, 'ingress', 2, 80)).toMatchObject({
        decision: 'denied',
        dropReason: 181,
      });
    });
  });

  describe('policy: reserved:init', () => {
    const initEndpoint = { identity: 5, labels: { 'reserved:init': '' }, namespace: '' };
    const unrelated = new PolicyWorld(
      repositoryFrom(cnp('pods', '  endpointSelector: {}\n  ingress:\n  - {}\n  egress:\n  - {}\n', 'prod')),
      identities,
    );
    it('policy: init: with no rule selecting reserved:init, default mode allows everything', () => {
      expect(unrelated.verdict(initEndpoint, config, 'egress', 2, 443).decision).toBe('allowed');
      expect(unrelated.verdict(initEndpoint, config, 'ingress', 'devClient', 80).decision).toBe('allowed');
    });
    it('policy: init: always mode drops it', () => {
      expect(
        unrelated.verdict(initEndpoint, configFor(version, { enforcementMode: 'always' }), 'egress', 2, 443)
          .decision,
      ).toBe('denied');
    });
    const initPolicy = new PolicyWorld(
      repositoryFrom(
        ccnp(
          'init',
          '  endpointSelector:\n    matchLabels:\n      reserved:init: ""\n  egress:\n  - toEntities: [kube-apiserver]\n',
        ),
      ),
      identities,
    );
    const namespacedInit = new PolicyWorld(
      repositoryFrom(
        cnp(
          'init-cnp',
          '  endpointSelector:\n    matchLabels:\n      reserved:init: ""\n  egress:\n  - toEntities: [kube-apiserver]\n',
          'prod',
        ),
      ),
      identities,
    );
    it(`policy: init: a CiliumNetworkPolicy selecting reserved:init ${version === '1.12.0' ? 'applies (before 1.15)' : 'does not apply (1.15+)'}`, () => {
      expect(namespacedInit.verdict(initEndpoint, config, 'egress', 2, 443).decision).toBe(
        version === '1.12.0' ? 'denied' : 'allowed',
      );
    });
    it('policy: init: a CCNP selecting reserved:init restricts it in that direction only', () => {
      expect(initPolicy.verdict(initEndpoint, config, 'egress', 7, 443).decision).toBe('allowed');
      expect(initPolicy.verdict(initEndpoint, config, 'egress', 2, 443).decision).toBe('denied');
      expect(initPolicy.verdict(initEndpoint, config, 'ingress', 2, 443).decision).toBe('allowed');
    });
  });

  checkCases(
    'policy: kubernetes: NetworkPolicy as Cilium enforces it',
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: server
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: client
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: dev
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.96.0.0/12]
    ports:
    - port: 5432
    - protocol: UDP
      port: 8000
      endPort: 8100
`,
    [
      {
        name: 'prod client on 5432 allowed',
        from: 'prodClient',
        port: 5432,
        decision: 'allowed',
        matchType: 'L3-L4',
      },
      { name: 'dev namespace on 5432 allowed', from: 'devClient', port: 5432, decision: 'allowed' },
      { name: 'other prod pod denied', from: 'prodOther', port: 5432, decision: 'denied' },
      { name: 'ipBlock allows 10.1.0.0/16', from: 'cidr10', port: 5432, decision: 'allowed' },
      { name: 'ipBlock except', from: 'cidrService', port: 5432, decision: 'denied' },
      { name: 'prod client on 80 denied', from: 'prodClient', port: 80, decision: 'denied' },
      { name: 'UDP range start', from: 'prodClient', port: 8000, protocol: 'UDP', decision: 'allowed' },
      {
        name: `UDP range inside (${version === '1.12.0' ? 'no ranges before 1.16' : 'LPM range'})`,
        from: 'prodClient',
        port: 8050,
        protocol: 'UDP',
        decision: version === '1.12.0' ? 'denied' : 'allowed',
      },
      {
        name: 'egress default deny from policyTypes',
        direction: 'egress',
        from: 2,
        port: 443,
        decision: 'denied',
      },
    ],
    config,
  );

  describe('policy: host policies', () => {
    const world = new PolicyWorld(
      repositoryFrom(
        ccnp(
          'host-fw',
          '  nodeSelector:\n    matchLabels:\n      type: ingress-worker\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "22"\n        protocol: TCP\n      - port: "6443"\n        protocol: TCP\n',
        ),
      ),
      identities,
    );
    const host = {
      identity: 1,
      labels: { 'reserved:host': '', 'k8s:type': 'ingress-worker' },
      namespace: '',
      isHost: true,
    };
    it('policy: host: the nodeSelector selects the host endpoint', () => {
      expect(world.verdict(host, config, 'ingress', 2, 22).decision).toBe('allowed');
      expect(world.verdict(host, config, 'ingress', 2, 80).decision).toBe('denied');
    });
    it('policy: host: pods are not selected by a host policy', () => {
      expect(world.verdict(world.endpoint('server'), config, 'ingress', 2, 80).decision).toBe('allowed');
    });
    it('policy: host: a node without the label is not selected', () => {
      expect(
        world.verdict({ ...host, labels: { 'reserved:host': '' } }, config, 'ingress', 2, 80).decision,
      ).toBe('allowed');
    });
  });

  describe('policy: named ports', () => {
    const world = new PolicyWorld(
      repositoryFrom(
        cnp(
          'named',
          '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: http\n        protocol: TCP\n',
          'prod',
        ),
      ),
      identities,
    );
    const server = world.endpoint('server', { namedPorts: { http: { port: 8080, protocol: 'TCP' } } });
    it('policy: named ports: resolved on the destination pod', () => {
      expect(world.verdict(server, config, 'ingress', 2, 8080).decision).toBe('allowed');
      expect(world.verdict(server, config, 'ingress', 2, 80).decision).toBe('denied');
    });
    it('policy: named ports: a pod without the name allows nothing', () => {
      expect(world.verdict(world.endpoint('server'), config, 'ingress', 2, 8080).decision).toBe('denied');
    });
  });

  describe('policy: l7 union', () => {
    const yaml = `${cnp('a', '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n    toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n      rules:\n        http:\n        - {method: GET, path: /a}\n', 'prod')}---\n${cnp('b', '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n    toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n      rules:\n        http:\n        - {method: GET, path: /b}\n', 'prod')}`;
    const world = new PolicyWorld(repositoryFrom(yaml), identities);
    it('policy: l7: rules of two policies on the same peer and port add up', () => {
      const verdict = world.verdict(world.endpoint('server'), config, 'ingress', 'prodClient', 80);
      expect(evaluateHttpRequest(verdict, { method: 'GET', path: '/a' }).allowed).toBe(true);
      expect(evaluateHttpRequest(verdict, { method: 'GET', path: '/b' }).allowed).toBe(true);
      expect(evaluateHttpRequest(verdict, { method: 'GET', path: '/c' }).allowed).toBe(false);
    });
    const widened = new PolicyWorld(
      repositoryFrom(
        `${yaml}---\n${cnp('l4', '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n    toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n', 'prod')}`,
      ),
      identities,
    );
    it('policy: l7: an L4-only allow on the same peer and port widens to allow-all', () => {
      const verdict = widened.verdict(widened.endpoint('server'), config, 'ingress', 'prodClient', 80);
      expect(verdict.l7?.allowAll).toBe(true);
      expect(evaluateHttpRequest(verdict, { method: 'DELETE', path: '/anything' }).allowed).toBe(true);
    });
    it("policy: l7: an L3-only allow of the same peer is not narrowed by another rule's L7 rules", () => {
      const l3 = new PolicyWorld(
        repositoryFrom(
          `${cnp('l7-all', '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n      rules:\n        http:\n        - {method: GET}\n', 'prod')}---\n${cnp('l3-client', '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n', 'prod')}`,
        ),
        identities,
      );
      const server = l3.endpoint('server');
      const client = l3.verdict(server, config, 'ingress', 'prodClient', 80);
      expect(client).toMatchObject({ decision: 'allowed', matchType: 'L3-L4', proxyPort: 10001 });
      expect(evaluateHttpRequest(client, { method: 'POST', path: '/' }).allowed).toBe(true);
      const other = l3.verdict(server, config, 'ingress', 'prodOther', 80);
      expect(other.matchType).toBe('L4-Only');
      expect(evaluateHttpRequest(other, { method: 'POST', path: '/' }).httpStatus).toBe(403);
    });
    it('policy: l7: headerMatches with a mismatch action passes and reports the action', () => {
      const headers = new PolicyWorld(
        repositoryFrom(
          cnp(
            'headers',
            '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n      rules:\n        http:\n        - headers: ["X-Org: empire"]\n          headerMatches:\n          - {name: X-Token, value: secret, mismatch: LOG}\n',
            'prod',
          ),
        ),
        identities,
      );
      const verdict = headers.verdict(headers.endpoint('server'), config, 'ingress', 2, 80);
      expect(
        evaluateHttpRequest(verdict, { method: 'GET', path: '/', headers: { 'x-org': 'empire' } }),
      ).toMatchObject({
        allowed: true,
        headerActions: ['LOG X-Token: secret'],
      });
      expect(
        evaluateHttpRequest(verdict, { method: 'GET', path: '/', headers: { 'x-org': 'rebels' } }).httpStatus,
      ).toBe(403);
    });
  });

  describe('policy: toServices', () => {
    const yaml = cnp(
      'svc',
      '  endpointSelector: {}\n  egress:\n  - toServices:\n    - k8sService:\n        serviceName: db\n',
      'prod',
    );
    const world = new PolicyWorld(repositoryFrom(yaml), identities);
    const withServices = configFor(version, {
      services: [{ name: 'db', namespace: 'prod', selector: { app: 'server' } }],
    });
    it('policy: toServices: the service selector selects its backends', () => {
      expect(
        world.verdict(world.endpoint('prodClient'), withServices, 'egress', 'server', 5432).decision,
      ).toBe('allowed');
      expect(
        world.verdict(world.endpoint('prodClient'), withServices, 'egress', 'prodOther', 5432).decision,
      ).toBe('denied');
    });
  });
});

describe('policy: map generations', () => {
  const yaml = cnp(
    'wildcard-port',
    '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n    toPorts:\n    - ports:\n      - {port: "0", protocol: TCP}\n',
    'prod',
  );
  const world = new PolicyWorld(repositoryFrom(yaml), identities);
  it('policy: lookup: 1.12 never probes a protocol-only key, so "port 0/TCP" allows nothing', () => {
    expect(
      world.verdict(world.endpoint('server'), configFor('1.12.0'), 'ingress', 'prodClient', 80),
    ).toMatchObject({ decision: 'denied', matchType: 'none' });
  });
  it('policy: lookup: ≥1.16 matches it as L3-Proto', () => {
    expect(
      world.verdict(world.endpoint('server'), configFor('1.16.0'), 'ingress', 'prodClient', 80),
    ).toMatchObject({ decision: 'allowed', matchType: 'L3-Proto' });
  });
  it("policy: lookup: ≥1.16 prefers a wildcard exact port over the identity's protocol-only entry", () => {
    const mixed = new PolicyWorld(
      repositoryFrom(
        `${yaml}---\n${cnp('l4-only', '  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - {port: "80", protocol: TCP}\n', 'prod')}`,
      ),
      identities,
    );
    expect(
      mixed.verdict(mixed.endpoint('server'), configFor('1.18.5'), 'ingress', 'prodClient', 80).matchType,
    ).toBe('L4-Only');
    expect(
      mixed.verdict(mixed.endpoint('server'), configFor('1.18.5'), 'ingress', 'prodClient', 81).matchType,
    ).toBe('L3-Proto');
  });
  it('policy: lookup: the map layout follows the version', () => {
    expect(world.policy(world.endpoint('server'), configFor('1.12.0')).layout).toBe('hash');
    expect(world.policy(world.endpoint('server'), configFor('1.16.0')).layout).toBe('lpm');
  });
});

describe('policy: the agent decides from its own identity view', () => {
  const yaml = cnp(
    'clients',
    '  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: client}\n',
    'prod',
  );
  const config = configFor('1.12.0');
  it('policy: identity: an identity the agent still maps to the old labels keeps their access', () => {
    const stale = new PolicyWorld(repositoryFrom(yaml), {
      ...identities,
      reused: [1001, pod({ app: 'client' }, 'prod')],
    });
    expect(stale.verdict(stale.endpoint('server'), config, 'ingress', 1001, 80).decision).toBe('allowed');
  });
  it('policy: identity: an identity the agent does not know only matches wildcard entries', () => {
    const rest = Object.fromEntries(Object.entries(identities).filter(([name]) => name !== 'prodClient'));
    const missing = new PolicyWorld(repositoryFrom(yaml), rest);
    const verdict = missing.verdict(missing.endpoint('server'), config, 'ingress', 1001, 80);
    expect(verdict).toMatchObject({ decision: 'denied', dropReason: 133 });
    expect(verdict.explanation).toMatchObject({ layer: 'identity', identityKnown: false });
  });
});

describe.each(versions)('policy: fromRequires (Cilium %s)', (version) => {
  const config = configFor(version);
  const requiresOther = cnp(
    'requires-other',
    '  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromRequires:\n    - matchLabels:\n        app: other\n',
    'prod',
  );
  const allowPort80 = cnp(
    'allow-80',
    '  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - {}\n    toPorts:\n    - ports:\n      - port: "80"\n  - fromCIDR:\n    - 10.1.0.0/16\n    toPorts:\n    - ports:\n      - port: "80"\n',
    'prod',
  );

  checkCases(
    'policy: fromRequires: a requirement in one policy narrows the endpoint peers of another',
    `${requiresOther}\n---\n${allowPort80}`,
    [
      {
        name: 'a pod of the namespace that meets the requirement',
        from: 'prodOther',
        port: 80,
        decision: 'allowed',
      },
      {
        name: 'a pod of the namespace without the required label',
        from: 'prodClient',
        port: 80,
        decision: 'denied',
      },
      { name: 'a pod of another namespace', from: 'devClient', port: 80, decision: 'denied' },
      {
        name: 'a CIDR peer is not an endpoint selector and keeps its allow',
        from: 'cidr10',
        port: 80,
        decision: 'allowed',
      },
    ],
    config,
  );

  checkCases(
    'policy: fromRequires: a requirement alone allows nothing',
    requiresOther,
    [{ name: 'even a peer that meets it', from: 'prodOther', port: 80, decision: 'denied' }],
    config,
  );
});
