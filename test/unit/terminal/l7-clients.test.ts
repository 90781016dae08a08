import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, replayedCopies, settle } from '../simulator/support';
import { onePod, workload } from '../simulator/traffic-support';
import { cloudCityGrpcPolicy } from '../docs-policies';

// DNS, toFQDNs, gRPC and Kafka policies exercised the way a reader would: kubectl apply, then the
// clients inside pods. Every kind cluster runs CoreDNS, so names are resolved with DNS packets
// that pass through the datapath and, when a DNS rule applies, through Cilium's DNS proxy.

// The docs' mediabot example with matchPattern, except that the DNS rule itself only admits
// GitHub names, so a lookup of anything else is refused by the DNS proxy.
const fqdnPolicy = `apiVersion: cilium.io/v2
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
    - matchPattern: "*.github.com"
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*.github.com"
        - matchPattern: "*.github.com.*.svc.cluster.local"
        - matchPattern: "*.github.com.svc.cluster.local"
        - matchPattern: "*.github.com.cluster.local"
`;

const mediabotWorld = replayedCopies(() => {
  const simulation = clusterWithCilium(11, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(simulation, workload('mediabot', { org: 'empire', class: 'mediabot' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  return simulation;
});

/** mediabot on a cluster of its own, and a terminal holding the toFQDNs policy (applied when asked). */
async function mediabotLab(policy: 'applied' | 'not applied') {
  const simulation = mediabotWorld();
  const session = new TerminalSession(simulation, { 'fqdn.yaml': fqdnPolicy });
  const pod = onePod(simulation, { class: 'mediabot' }).metadata.name;
  if (policy === 'applied') {
    expect((await session.run('kubectl apply -f fqdn.yaml')).exitCode).toBe(0);
    simulation.advance(5000);
  }
  return { simulation, session, pod };
}

describe('terminal: DNS and toFQDNs through CoreDNS and the DNS proxy', () => {
  it('runs kind CoreDNS: two coredns pods behind kube-dns at 10.96.0.10', async () => {
    const { session } = await mediabotLab('not applied');
    const pods = await session.run('kubectl -n kube-system get pods -l k8s-app=kube-dns --no-headers');
    expect(pods.stdout.trim().split('\n')).toHaveLength(2);
    expect(pods.stdout).toMatch(/^coredns-\S+ +1\/1 +Running/m);
    const service = await session.run('kubectl -n kube-system get svc kube-dns --no-headers');
    expect(service.stdout).toMatch(/^kube-dns +ClusterIP +10\.96\.0\.10 +<none> +53\/UDP,53\/TCP,9153\/TCP/);
  });

  it('resolves a Service name through CoreDNS with nslookup before any policy', async () => {
    const { session, pod } = await mediabotLab('not applied');
    const result = await session.run(`kubectl exec ${pod} -- nslookup kubernetes.default`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n');
    expect(result.stdout).toContain('Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n');
  });

  it('lets mediabot reach api.github.com once the DNS proxy has seen the lookup', async () => {
    const { session, pod } = await mediabotLab('applied');
    const result = await session.run(`kubectl exec ${pod} -- curl -sI https://api.github.com`);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^HTTP\/2 200 \r\n/);
  });

  it("shows what the DNS proxy learnt with cilium-dbg fqdn cache list on the pod's node", async () => {
    const { simulation, session, pod } = await mediabotLab('applied');
    expect((await session.run(`kubectl exec ${pod} -- curl -sI https://api.github.com`)).exitCode).toBe(0);
    const node = onePod(simulation, { class: 'mediabot' }).spec.nodeName ?? '';
    const agent = simulation.state.cluster?.cilium?.agents[node]?.podName ?? '';
    const result = await session.run(`kubectl -n kube-system exec ${agent} -- cilium-dbg fqdn cache list`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Endpoint +Source +FQDN +TTL +ExpirationTime +IPs *\n/);
    expect(result.stdout).toMatch(/\n\d+ +lookup +api\.github\.com\. +30 +\S+Z +140\.82\.121\.6 *\n/);
  });

  it('refuses the lookup of a name outside the pattern, so curl cannot resolve it', async () => {
    const { session, pod } = await mediabotLab('applied');
    const result = await session.run(`kubectl exec ${pod} -- curl -sS https://cilium.io`);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('curl: (6) Could not resolve host: cilium.io');
    const lookup = await session.run(`kubectl exec ${pod} -- nslookup cilium.io.`);
    expect(lookup.exitCode).toBe(1);
    expect(lookup.stdout).toContain("** server can't find cilium.io.: REFUSED");
  });

  it('answers nslookup of an allowed name through the proxy (not authoritative)', async () => {
    const { session, pod } = await mediabotLab('applied');
    const result = await session.run(`kubectl exec ${pod} -- nslookup api.github.com.`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'Non-authoritative answer:\nName:\tapi.github.com\nAddress: 140.82.121.6\n',
    );
  });
});

const doorManagerWorld = replayedCopies(() => {
  const simulation = clusterWithCilium(5, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(
    simulation,
    `${workload('cc-door-mgr', { app: 'cc-door-mgr' }, 'docker.io/cilium/cc-grpc-demo:v2', { port: 50051, service: true })}---
${workload('terminal-87', { app: 'public-terminal' }, 'docker.io/nicolaka/netshoot')}`,
  );
  settle(simulation);
  return simulation;
});

/** The door manager and a public terminal on a cluster of their own, with the docs' gRPC rule. */
function doorManagerLab() {
  const simulation = doorManagerWorld();
  const session = new TerminalSession(simulation, { 'rule1.yaml': cloudCityGrpcPolicy });
  const pod = onePod(simulation, { app: 'public-terminal' }).metadata.name;
  const call = (method: string, data: string) =>
    session.run(
      `kubectl exec ${pod} -- grpcurl -plaintext -d '${data}' cc-door-mgr:50051 cloudcity.DoorManager/${method}`,
    );
  return { simulation, session, pod, call };
}

describe('terminal: grpcurl against the docs’ door manager', () => {
  it('allows GetName and denies SetAccessCode with PermissionDenied once the policy is in', async () => {
    const { simulation, session, call } = doorManagerLab();
    expect((await session.run('kubectl apply -f rule1.yaml')).exitCode).toBe(0);
    simulation.advance(5000);
    const allowed = await call('GetName', '{"door_id": 1}');
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toBe('{\n  "name": "Spaceport Door #1"\n}\n');
    const denied = await call('SetAccessCode', '{"door_id": 1, "access_code": 4567}');
    expect(denied.stdout).toBe('');
    expect(denied.stderr).toBe(
      'ERROR:\n  Code: PermissionDenied\n  Message: Access denied\ncommand terminated with exit code 71\n',
    );
    expect(denied.exitCode).toBe(64 + 7);
  });

  it('is missing from images that do not ship it, and complains about a bad call', async () => {
    const { simulation, session, pod } = doorManagerLab();
    const door = onePod(simulation, { app: 'cc-door-mgr' }).metadata.name;
    const missing = await session.run(`kubectl exec ${door} -- grpcurl -plaintext localhost:50051 x/y`);
    // kind's containerd fails the exec before it starts: kubectl's own error, exit 1.
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('exec: "grpcurl": executable file not found in $PATH');
    const tooFew = await session.run(`kubectl exec ${pod} -- grpcurl -plaintext cc-door-mgr:50051`);
    expect(tooFew.exitCode).toBe(2);
    expect(tooFew.stderr).toContain('Too few arguments.');
  });
});

const kafkaPolicy = `apiVersion: cilium.io/v2
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
        - role: "produce"
          topic: "empire-announce"
`;

describe('terminal: Kafka console clients through the Kafka proxy', () => {
  it('produces to an allowed topic and gets TopicAuthorizationException on another', async () => {
    const simulation = clusterWithCilium(6, 2, '1.18.5', { 'encryption.enabled': 'false' });
    apply(
      simulation,
      `${workload('kafka-service', { app: 'kafka' }, 'docker.io/wurstmeister/kafka:2.11-0.11.0.3', { port: 9092, service: true })}---
${workload('empire-hq', { app: 'empire-hq' }, 'docker.io/cilium/kafkaclient')}`,
    );
    settle(simulation);
    const session = new TerminalSession(simulation, { 'kafka-policy.yaml': kafkaPolicy });
    const pod = onePod(simulation, { app: 'empire-hq' }).metadata.name;
    expect((await session.run('kubectl apply -f kafka-policy.yaml')).exitCode).toBe(0);
    simulation.advance(5000);
    const allowed = await session.run(
      `echo 'Happy 40th Birthday to General Tagge' | kubectl exec -i ${pod} -- kafka-console-producer.sh --broker-list kafka-service:9092 --topic empire-announce`,
    );
    expect(allowed.exitCode).toBe(0);
    // This broker creates the topic on first use, which has no leader for a moment.
    expect(allowed.stderr).toMatch(
      /^\[[^\]]+\] WARN Error while fetching metadata with correlation id 1 : \{empire-announce=LEADER_NOT_AVAILABLE\} \(org\.apache\.kafka\.clients\.NetworkClient\)\n$/,
    );
    const denied = await session.run(
      `echo 'deathstar reactor design v3' | kubectl exec -i ${pod} -- kafka-console-producer.sh --broker-list kafka-service:9092 --topic deathstar-plans`,
    );
    expect(denied.stderr).toContain('{deathstar-plans=TOPIC_AUTHORIZATION_FAILED}');
    expect(denied.stderr).toContain(
      'org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [deathstar-plans]',
    );
    const consume = await session.run(
      `kubectl exec ${pod} -- kafka-console-consumer.sh --bootstrap-server kafka-service:9092 --topic deathstar-plans --from-beginning --max-messages 2`,
    );
    expect(consume.exitCode).toBe(1);
    expect(consume.stderr).toContain('Not authorized to access topics: [deathstar-plans]');
  });
});

// A console producer asks for the topic's metadata before it produces. A rule that admits only
// `apiKey: produce` therefore refuses that first request, which Cilium's example policy avoids by
// listing metadata too, and `role: produce` by expanding to it.
describe('terminal: a Kafka producer needs more than the produce request', () => {
  const rows: { name: string; rules: string; produces: boolean; keys: string[] }[] = [
    {
      name: 'apiKey produce alone: the metadata request that comes first is refused',
      rules: '- apiKey: produce\n          topic: empire-announce',
      produces: false,
      keys: [],
    },
    {
      name: "apiversions, metadata and produce, as Cilium's example lists them: metadata, then produce",
      rules:
        '- apiKey: apiversions\n        - apiKey: metadata\n        - apiKey: produce\n          topic: empire-announce',
      produces: true,
      keys: ['metadata', 'produce'],
    },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const simulation = clusterWithCilium(6, 2, '1.18.5', { 'encryption.enabled': 'false' });
    apply(
      simulation,
      `${workload('kafka-service', { app: 'kafka' }, 'docker.io/wurstmeister/kafka:2.11-0.11.0.3', { port: 9092, service: true })}---
${workload('empire-hq', { app: 'empire-hq' }, 'docker.io/cilium/kafkaclient')}`,
    );
    settle(simulation);
    const session = new TerminalSession(simulation, {
      'kafka-policy.yaml': kafkaPolicy.replace(
        '- role: "produce"\n          topic: "empire-announce"',
        row.rules,
      ),
    });
    expect((await session.run('kubectl apply -f kafka-policy.yaml')).exitCode).toBe(0);
    simulation.advance(5000);
    const pod = onePod(simulation, { app: 'empire-hq' }).metadata.name;
    const produced = await session.run(
      `echo 'Happy 40th Birthday to General Tagge' | kubectl exec -i ${pod} -- kafka-console-producer.sh --broker-list kafka-service:9092 --topic empire-announce`,
    );
    expect(produced.stderr.includes('TOPIC_AUTHORIZATION_FAILED')).toBe(!row.produces);
    const requests = (simulation.state.cluster?.cilium?.flows ?? []).flatMap((flow) =>
      flow.l7?.kafka !== undefined && flow.verdict === 'FORWARDED' ? [flow.l7.kafka.apiKey] : [],
    );
    // Which requests got through, in the order they first did (a new topic's metadata is asked twice).
    expect([...new Set(requests)]).toEqual(row.keys);
  });
});

// The docs' SNI example: TLS connections from the pod only with the SNI one.one.one.one; the
// toFQDNs peer and the DNS rule are there so the names resolve and the addresses are allowed.
const sniPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: l7-rule-sni
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
  - toFQDNs:
    - matchName: one.one.one.one
    - matchName: cilium.io
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
      serverNames:
      - one.one.one.one
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*"
`;

const sniWorld = replayedCopies(() => {
  const simulation = clusterWithCilium(12, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(simulation, workload('my-service', { app: 'myService' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  return simulation;
});

/** myService on a cluster of its own, with the docs' SNI policy applied. */
async function sniLab() {
  const simulation = sniWorld();
  const session = new TerminalSession(simulation, { 'sni.yaml': sniPolicy });
  const pod = onePod(simulation, { app: 'myService' }).metadata.name;
  expect((await session.run('kubectl apply -f sni.yaml')).exitCode).toBe(0);
  simulation.advance(5000);
  return { session, pod };
}

describe('terminal: TLS SNI through toPorts serverNames', () => {
  it('lets a ClientHello for an admitted name through and resets one for another name', async () => {
    const { session, pod } = await sniLab();
    const allowed = await session.run(
      `kubectl exec ${pod} -- curl -sS -o /dev/null -w '%{http_code}' https://one.one.one.one`,
    );
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toBe('200');
    const refused = await session.run(`kubectl exec ${pod} -- curl -sS https://cilium.io`);
    expect(refused.exitCode).toBe(35);
    expect(refused.stderr).toBe(
      'curl: (35) Recv failure: Connection reset by peer\ncommand terminated with exit code 35\n',
    );
  });

  it('sends no SNI for an address, which the rule does not admit either', async () => {
    const { session, pod } = await sniLab();
    // Resolving cilium.io through the DNS proxy lets its address past the toFQDNs peer first.
    expect((await session.run(`kubectl exec ${pod} -- nslookup cilium.io`)).exitCode).toBe(0);
    const result = await session.run(`kubectl exec ${pod} -- curl -sS https://104.198.14.52`);
    expect(result.exitCode).toBe(35);
  });
});
