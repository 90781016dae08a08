// Goal: the examples of the Cilium 1.18 security guides (Star Wars HTTP, Kafka, gRPC, Elasticsearch,
// DNS, deny policies) give the verdicts and proxy answers the guides describe, on both map layouts.
import { describe, expect, it } from 'vitest';
import { evaluateDnsQuery, evaluateHttpRequest, evaluateKafkaRequest } from '../../../simulator/policy';
import { configFor, pod, PolicyWorld, repositoryFrom, versions } from './fixtures';
import { cloudCityGrpcPolicy } from '../docs-policies';
import { ciliumExample } from '../cilium-examples';

const starWarsL7 = ciliumExample('minikube/sw_l3_l4_l7_policy.yaml');

function starWars(): PolicyWorld {
  return new PolicyWorld(repositoryFrom(starWarsL7), {
    deathstar: [1000, pod({ org: 'empire', class: 'deathstar' })],
    tiefighter: [1001, pod({ org: 'empire', class: 'tiefighter' })],
    xwing: [1002, pod({ org: 'alliance', class: 'xwing' })],
  });
}

describe.each(versions)('policy: seed examples (Cilium %s)', (version) => {
  const config = configFor(version);

  describe('star wars http', () => {
    const world = starWars();
    const deathstar = world.endpoint('deathstar');

    it('policy: ingress: xwing (org=alliance) is dropped by default deny', () => {
      const verdict = world.verdict(deathstar, config, 'ingress', 'xwing', 80);
      expect(verdict).toMatchObject({ decision: 'denied', matchType: 'none', dropReason: 133 });
      expect(verdict.explanation.layer).toBe('default-deny');
      expect(verdict.explanation.summary).toContain('CiliumNetworkPolicy default/rule1');
    });

    it('policy: ingress: tiefighter reaches port 80 through the HTTP proxy', () => {
      const verdict = world.verdict(deathstar, config, 'ingress', 'tiefighter', 80);
      expect(verdict).toMatchObject({ decision: 'allowed', matchType: 'L3-L4', proxyPort: 10001 });
      expect(verdict.explanation.rules[0]?.rule).toBe('CiliumNetworkPolicy default/rule1 spec.ingress[0]');
      expect(verdict.explanation.rules[0]?.peer).toContain('org=empire');
    });

    it('policy: l7: POST /v1/request-landing is allowed', () => {
      const verdict = world.verdict(deathstar, config, 'ingress', 'tiefighter', 80);
      const answer = evaluateHttpRequest(verdict, { method: 'POST', path: '/v1/request-landing' });
      expect(answer).toMatchObject({ allowed: true, proxied: true, httpStatus: 200 });
    });

    it('policy: l7: PUT /v1/exhaust-port gets 403 Access denied', () => {
      const verdict = world.verdict(deathstar, config, 'ingress', 'tiefighter', 80);
      const answer = evaluateHttpRequest(verdict, { method: 'PUT', path: '/v1/exhaust-port' });
      expect(answer).toMatchObject({ allowed: false, httpStatus: 403, body: 'Access denied\r\n' });
      expect(answer.explanation.layer).toBe('l7');
    });

    it('policy: l7: the path regex must match the whole path', () => {
      const verdict = world.verdict(deathstar, config, 'ingress', 'tiefighter', 80);
      expect(
        evaluateHttpRequest(verdict, { method: 'POST', path: '/v1/request-landing/extra' }).allowed,
      ).toBe(false);
    });

    it('policy: ingress: the local host is allowed by allow-localhost', () => {
      const verdict = world.verdict(deathstar, config, 'ingress', 1, 80);
      expect(verdict).toMatchObject({ decision: 'allowed', matchType: 'L3-Only' });
      expect(verdict.explanation.rules[0]?.rule).toContain('allow-localhost');
    });

    it('policy: egress: not restricted, the rule has no egress section', () => {
      expect(world.verdict(deathstar, config, 'egress', 'xwing', 443)).toMatchObject({
        decision: 'allowed',
        matchType: 'all',
      });
    });
  });

  describe('kafka', () => {
    const world = new PolicyWorld(
      repositoryFrom(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: secure-empire-kafka
spec:
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: empire-hq
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: produce
          topic: deathstar-plans
        - role: produce
          topic: empire-announce
  - fromEndpoints:
    - matchLabels:
        app: empire-outpost
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: consume
          topic: empire-announce
  - fromEndpoints:
    - matchLabels:
        app: empire-backup
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: consume
          topic: deathstar-plans
`),
      {
        kafka: [2000, pod({ app: 'kafka' })],
        hq: [2001, pod({ app: 'empire-hq' })],
        outpost: [2002, pod({ app: 'empire-outpost', outpost: '8888' })],
        backup: [2003, pod({ app: 'empire-backup' })],
      },
    );
    const broker = world.endpoint('kafka');
    const cases = [
      {
        name: 'outpost consumes empire-announce',
        from: 'outpost',
        apiKey: 'fetch',
        topic: 'empire-announce',
        allowed: true,
      },
      {
        name: 'outpost consuming deathstar-plans gets error 29',
        from: 'outpost',
        apiKey: 'fetch',
        topic: 'deathstar-plans',
        allowed: false,
      },
      {
        name: 'outpost producing to empire-announce gets error 29',
        from: 'outpost',
        apiKey: 'produce',
        topic: 'empire-announce',
        allowed: false,
      },
      {
        name: 'hq produces deathstar-plans',
        from: 'hq',
        apiKey: 'produce',
        topic: 'deathstar-plans',
        allowed: true,
      },
      {
        name: 'backup consumes deathstar-plans',
        from: 'backup',
        apiKey: 'fetch',
        topic: 'deathstar-plans',
        allowed: true,
      },
    ];
    it.each(cases)('policy: l7: kafka: $name', ({ from, apiKey, topic, allowed }) => {
      const verdict = world.verdict(broker, config, 'ingress', from, 9092);
      expect(verdict.l7?.parser).toBe('kafka');
      const answer = evaluateKafkaRequest(verdict, { apiKey, apiVersion: 0, topics: [topic] });
      expect(answer.allowed).toBe(allowed);
      if (!allowed) expect(answer.kafkaErrorCode).toBe(29);
    });
  });

  describe('grpc door manager', () => {
    const world = new PolicyWorld(repositoryFrom(cloudCityGrpcPolicy), {
      door: [3000, pod({ app: 'cc-door-mgr' })],
      terminal: [3001, pod({ app: 'public-terminal' })],
    });
    const door = world.endpoint('door');

    it('policy: l7: grpc: GetLocation is allowed', () => {
      const verdict = world.verdict(door, config, 'ingress', 'terminal', 50051);
      const answer = evaluateHttpRequest(verdict, {
        method: 'POST',
        path: '/cloudcity.DoorManager/GetLocation',
        grpc: true,
      });
      expect(answer.allowed).toBe(true);
    });

    it('policy: l7: grpc: SetAccessCode gets status 7 PERMISSION_DENIED', () => {
      const verdict = world.verdict(door, config, 'ingress', 'terminal', 50051);
      const answer = evaluateHttpRequest(verdict, {
        method: 'POST',
        path: '/cloudcity.DoorManager/SetAccessCode',
        grpc: true,
      });
      expect(answer).toMatchObject({ allowed: false, grpcStatus: 7, grpcMessage: 'Access denied' });
    });
  });

  describe('elasticsearch', () => {
    const world = new PolicyWorld(
      repositoryFrom(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: secure-empire-elasticsearch
spec:
  endpointSelector:
    matchLabels:
      component: elasticsearch
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: spaceship
    toPorts:
    - ports:
      - port: "9200"
        protocol: TCP
      rules:
        http:
        - method: PUT
          path: ^/spaceship_diagnostics/stats/.*$
  - fromEndpoints:
    - matchLabels:
        app: outpost
    toPorts:
    - ports:
      - port: "9200"
        protocol: TCP
      rules:
        http:
        - method: PUT
          path: ^/troop_logs/log/.*$
  - fromEndpoints:
    - matchLabels:
        app: empire
    toPorts:
    - ports:
      - port: "9200"
        protocol: TCP
      rules:
        http:
        - method: GET
          path: ^/spaceship_diagnostics/_search/??.*$
        - method: GET
          path: ^/troop_logs/search/??.*$
`),
      {
        elasticsearch: [4000, pod({ component: 'elasticsearch' })],
        outpost: [4001, pod({ app: 'outpost' })],
        spaceship: [4002, pod({ app: 'spaceship' })],
        empire: [4003, pod({ app: 'empire' })],
      },
    );
    const es = world.endpoint('elasticsearch');
    const cases = [
      {
        name: 'outpost uploads troop logs',
        from: 'outpost',
        method: 'PUT',
        path: '/troop_logs/log/1',
        allowed: true,
      },
      {
        name: 'outpost searching troop logs gets 403',
        from: 'outpost',
        method: 'GET',
        path: '/troop_logs/search/?q=x',
        allowed: false,
      },
      {
        name: 'outpost writing spaceship diagnostics gets 403',
        from: 'outpost',
        method: 'PUT',
        path: '/spaceship_diagnostics/stats/1',
        allowed: false,
      },
      {
        name: 'spaceship uploads diagnostics',
        from: 'spaceship',
        method: 'PUT',
        path: '/spaceship_diagnostics/stats/1',
        allowed: true,
      },
      {
        name: 'empire-hq searches diagnostics',
        from: 'empire',
        method: 'GET',
        path: '/spaceship_diagnostics/_search?q=tie',
        allowed: true,
      },
    ];
    it.each(cases)('policy: l7: elasticsearch: $name', ({ from, method, path, allowed }) => {
      const verdict = world.verdict(es, config, 'ingress', from, 9200);
      const answer = evaluateHttpRequest(verdict, { method, path });
      expect(answer.allowed).toBe(allowed);
      if (!allowed) expect(answer.httpStatus).toBe(403);
    });
  });

  describe('dns mediabot', () => {
    const world = new PolicyWorld(
      repositoryFrom(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
spec:
  endpointSelector:
    matchLabels:
      org: empire
      class: mediabot
  egress:
  - toFQDNs:
    - matchName: api.github.com
  - toFQDNs:
    - matchPattern: "*.cilium.io"
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s:k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`),
      {
        mediabot: [5000, pod({ org: 'empire', class: 'mediabot' })],
        kubedns: [5001, pod({ 'k8s-app': 'kube-dns' }, 'kube-system')],
        github: [16777300, { 'fqdn:api.github.com': '', 'reserved:world': '' }],
        support: [16777301, { 'fqdn:support.github.com': '', 'reserved:world': '' }],
        docs: [16777302, { 'fqdn:docs.cilium.io': '', 'reserved:world': '' }],
        apex: [16777303, { 'fqdn:cilium.io': '', 'reserved:world': '' }],
      },
    );
    const bot = world.endpoint('mediabot');

    it('policy: egress: DNS to kube-dns is redirected to the DNS proxy and forwarded', () => {
      const verdict = world.verdict(bot, config, 'egress', 'kubedns', 53, 'UDP');
      expect(verdict).toMatchObject({ decision: 'allowed', proxyPort: 10003 });
      expect(evaluateDnsQuery(verdict, { name: 'api.github.com' }).dnsRcode).toBe('NOERROR');
    });

    const cases = [
      { name: 'api.github.com (matchName) on any port', to: 'github', port: 443, decision: 'allowed' },
      { name: 'support.github.com is not api.github.com', to: 'support', port: 443, decision: 'denied' },
      { name: 'docs.cilium.io matches *.cilium.io on 443', to: 'docs', port: 443, decision: 'allowed' },
      { name: 'docs.cilium.io on 80 is not allowed', to: 'docs', port: 80, decision: 'denied' },
      { name: 'cilium.io does not match *.cilium.io', to: 'apex', port: 443, decision: 'denied' },
    ];
    it.each(cases)('policy: egress: toFQDNs: $name', ({ to, port, decision }) => {
      expect(world.verdict(bot, config, 'egress', to, port).decision).toBe(decision);
    });
  });

  describe('dns proxy refusals', () => {
    const world = new PolicyWorld(
      repositoryFrom(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns-only-github
spec:
  endpointSelector: {}
  egress:
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
    toPorts:
    - ports:
      - port: "53"
        protocol: UDP
      rules:
        dns:
        - matchName: api.github.com
`),
      {
        client: [6000, pod({ app: 'client' })],
        kubedns: [6001, pod({ 'k8s-app': 'kube-dns' }, 'kube-system')],
      },
    );
    const client = world.endpoint('client');

    it('policy: l7: dns: a name outside the rules is REFUSED by default', () => {
      const verdict = world.verdict(client, config, 'egress', 'kubedns', 53, 'UDP');
      expect(evaluateDnsQuery(verdict, { name: 'cilium.io' }).dnsRcode).toBe('REFUSED');
    });

    it('policy: l7: dns: with tofqdns-dns-reject-response-code=nameError the answer is NXDOMAIN', () => {
      const verdict = world.verdict(client, config, 'egress', 'kubedns', 53, 'UDP');
      expect(evaluateDnsQuery(verdict, { name: 'cilium.io' }, 'nameError').dnsRcode).toBe('NXDOMAIN');
    });

    it('policy: l7: dns: names compare case-insensitively and with a trailing dot', () => {
      const verdict = world.verdict(client, config, 'egress', 'kubedns', 53, 'UDP');
      expect(evaluateDnsQuery(verdict, { name: 'API.GitHub.com.' }).dnsRcode).toBe('NOERROR');
    });
  });

  describe('deny policies table', () => {
    const world = new PolicyWorld(
      repositoryFrom(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-client
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny-80
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingressDeny:
  - fromEndpoints:
    - matchLabels:
        app: client
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`),
      { server: [7000, pod({ app: 'server' })], client: [7001, pod({ app: 'client' })] },
    );
    const server = world.endpoint('server');
    const cases = [
      {
        name: 'curl to port 81 is allowed (L3 allow, no deny on 81)',
        port: 81,
        protocol: 'TCP' as const,
        decision: 'allowed',
        reason: undefined,
      },
      {
        name: 'curl to port 80 is denied by the deny policy',
        port: 80,
        protocol: 'TCP' as const,
        decision: 'denied',
        reason: 181,
      },
      {
        name: 'ping is allowed by the L3 allow',
        port: 0,
        protocol: 'ICMP' as const,
        decision: 'allowed',
        reason: undefined,
      },
    ];
    it.each(cases)('policy: deny: $name', ({ port, protocol, decision, reason }) => {
      const verdict = world.verdict(
        server,
        config,
        'ingress',
        'client',
        port,
        protocol,
        protocol === 'ICMP' ? 8 : undefined,
      );
      expect(verdict.decision).toBe(decision);
      expect(verdict.dropReason).toBe(reason);
      if (reason === 181) {
        expect(verdict.explanation.layer).toBe('deny');
        expect(verdict.explanation.rules[0]?.rule).toBe(
          'CiliumNetworkPolicy default/deny-80 spec.ingressDeny[0]',
        );
      }
    });
  });

  describe('deny world everywhere', () => {
    const world = new PolicyWorld(
      repositoryFrom(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: external-lockdown
spec:
  endpointSelector: {}
  ingressDeny:
  - fromEntities:
    - world
  ingress:
  - fromEntities:
    - all
`),
      {
        web: [7100, pod({ app: 'web' })],
        other: [7101, pod({ app: 'other' }, 'team-b')],
        outside: [16777400, { 'cidr:1.2.3.4/32': '', 'reserved:world': '' }],
      },
    );
    const web = world.endpoint('web');
    it('policy: deny: world is denied by the denylist even with fromEntities all', () => {
      expect(world.verdict(web, config, 'ingress', 2, 443)).toMatchObject({
        decision: 'denied',
        dropReason: 181,
      });
    });
    it('policy: deny: a CIDR identity is part of world and denied', () => {
      expect(world.verdict(web, config, 'ingress', 'outside', 443)).toMatchObject({
        decision: 'denied',
        dropReason: 181,
      });
    });
    it('policy: deny: pods of any namespace are still allowed', () => {
      expect(world.verdict(web, config, 'ingress', 'other', 443).decision).toBe('allowed');
    });
  });
});
