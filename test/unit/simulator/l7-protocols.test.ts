import { describe, expect, it } from 'vitest';
import { clusterDnsManifest } from '../../../simulator/k8s/dns-world';
import { formatFlowCompact } from '../../../simulator/cilium/hubble-format';
import { apply, clusterWithCilium, settle } from './support';
import { applyPolicy, flowsOf, keyOfPod, onePod, traffic, workload } from './traffic-support';
import { cloudCityGrpcPolicy } from '../docs-policies';

// gRPC, Kafka and DNS answered the way Cilium's proxies answer them (cilium/proxy's
// cilium.l7policy filter; the gRPC, Kafka and DNS pages of the Cilium docs), decided by the policy engine through the simulator's datapath.
describe('gRPC through Envoy (Cloud City)', () => {
  const simulation = clusterWithCilium(5, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(
    simulation,
    `${workload('cc-door-mgr', { app: 'cc-door-mgr' }, 'docker.io/cilium/cc-grpc-demo:v2', { port: 50051, service: true })}---
${workload('terminal-87', { app: 'public-terminal' }, 'docker.io/cilium/cc-grpc-demo:v2-client')}`,
  );
  settle(simulation);
  applyPolicy(simulation, cloudCityGrpcPolicy);
  const terminal = keyOfPod(onePod(simulation, { app: 'public-terminal' }));
  const call = (method: string) =>
    traffic(simulation, {
      kind: 'grpc',
      fromPodKey: terminal,
      host: 'cc-door-mgr',
      port: 50051,
      service: 'cloudcity.DoorManager',
      method,
      argument: '1',
      timeoutMs: 2000,
    });

  it('lets GetName through to the server', () => {
    const outcome = call('GetName');
    expect(outcome.request === 'grpc' && outcome.status).toBe(0);
    if (outcome.request === 'grpc') expect(JSON.parse(outcome.body)).toEqual({ name: 'Spaceport Door #1' });
  });

  it('answers SetAccessCode with grpc-status 7 PERMISSION_DENIED from Envoy, and logs an HTTP/2 L7 drop', () => {
    const outcome = call('SetAccessCode');
    if (outcome.request !== 'grpc') throw new Error('not grpc');
    expect(outcome.status).toBe(7);
    expect(outcome.statusName).toBe('PERMISSION_DENIED');
    expect(outcome.message).toBe('Access denied');
    expect(outcome.deniedByProxy).toBe(true);
    expect(outcome.explanation.join('\n')).toContain('matches no HTTP rule');
    const flow = flowsOf(simulation).findLast((candidate) => candidate.eventType === 'l7');
    expect(flow?.verdict).toBe('DROPPED');
    if (flow !== undefined)
      expect(formatFlowCompact(flow)).toContain(
        'http-request DROPPED (HTTP/2 POST http://cc-door-mgr:50051/cloudcity.DoorManager/SetAccessCode)',
      );
  });
});

describe('Kafka through the Kafka proxy', () => {
  const simulation = clusterWithCilium(6, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(
    simulation,
    `${workload('kafka-broker', { app: 'kafka' }, 'docker.io/wurstmeister/kafka:2.11-0.11.0.3', { port: 9092, service: true })}---
${workload('empire-outpost-8888', { app: 'empire-outpost', outpost: '8888' }, 'docker.io/cilium/kafkaclient')}`,
  );
  settle(simulation);
  applyPolicy(
    simulation,
    `apiVersion: cilium.io/v2
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
        app: empire-outpost
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: "consume"
          topic: "empire-announce"
`,
  );
  const outpost = keyOfPod(onePod(simulation, { app: 'empire-outpost' }));
  const request = (apiKey: string, topic: string) =>
    traffic(simulation, {
      kind: 'kafka',
      fromPodKey: outpost,
      host: 'kafka-broker',
      port: 9092,
      apiKey,
      apiVersion: 2,
      clientID: 'outpost',
      topics: [topic],
      timeoutMs: 2000,
    });

  it('lets the outpost consume empire-announce', () => {
    // The broker creates the topic on the first metadata request (auto.create.topics.enable), which
    // answers LEADER_NOT_AVAILABLE until the topic has a leader.
    const first = request('metadata', 'empire-announce');
    expect(first.request === 'kafka' && first.kind === 'kafka' && first.errorCode).toBe(5);
    const outcome = request('fetch', 'empire-announce');
    expect(outcome.request === 'kafka' && outcome.kind === 'kafka' && outcome.errorCode).toBe(0);
  });

  it('answers a produce to empire-announce with error 29 TOPIC_AUTHORIZATION_FAILED', () => {
    const outcome = request('produce', 'empire-announce');
    if (outcome.request !== 'kafka' || outcome.kind !== 'kafka') throw new Error('no kafka answer');
    expect(outcome.errorCode).toBe(29);
    expect(outcome.errorName).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(outcome.deniedByProxy).toBe(true);
  });

  it('refuses consuming a topic the rule does not name', () => {
    const outcome = request('fetch', 'deathstar-plans');
    expect(outcome.request === 'kafka' && outcome.kind === 'kafka' && outcome.errorCode).toBe(29);
    const flow = flowsOf(simulation).findLast((candidate) => candidate.eventType === 'l7');
    expect(flow?.l7?.type).toBe('kafka-request');
    expect(flow?.verdict).toBe('DROPPED');
  });
});

describe('DNS through the DNS proxy', () => {
  const simulation = clusterWithCilium(7, 2, '1.18.5', { 'encryption.enabled': 'false' });
  const cluster = simulation.state.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  apply(simulation, clusterDnsManifest(cluster));
  apply(simulation, workload('mediabot', { app: 'mediabot' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  applyPolicy(
    simulation,
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns-only-github
spec:
  endpointSelector:
    matchLabels:
      app: mediabot
  egress:
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
        - matchPattern: "*.*.svc.cluster.local"
`,
  );
  const mediabot = keyOfPod(onePod(simulation, { app: 'mediabot' }));
  const lookup = (name: string, searchList = false) =>
    traffic(simulation, { kind: 'dns', fromPodKey: mediabot, name, searchList });

  it('forwards an allowed query to CoreDNS, which answers with the TTL capped at 30 s', () => {
    const outcome = lookup('api.github.com');
    if (outcome.request !== 'dns') throw new Error('not dns');
    expect(outcome.rcode).toBe('NOERROR');
    expect(outcome.answers).toEqual([{ name: 'api.github.com.', ip: '140.82.121.6', ttlSeconds: 30 }]);
    expect(outcome.queries[0]?.proxied).toBe(true);
  });

  it('answers REFUSED itself for a name outside every matchPattern', () => {
    const outcome = lookup('cilium.io');
    if (outcome.request !== 'dns') throw new Error('not dns');
    expect(outcome.rcode).toBe('REFUSED');
    expect(outcome.queries[0]?.answeredBy).toBe('dns-proxy');
    expect(outcome.explanation.join('\n')).toContain('matches no DNS rule');
    const request = flowsOf(simulation).findLast((flow) => flow.l7?.type === 'dns-request');
    expect(request?.verdict).toBe('DROPPED');
    if (request !== undefined)
      expect(formatFlowCompact(request)).toContain('dns-request proxy DROPPED (DNS Query cilium.io. A)');
  });

  it('resolves a service through the search list when the pattern allows the expanded name', () => {
    const outcome = lookup('kubernetes', true);
    if (outcome.request !== 'dns') throw new Error('not dns');
    expect(outcome.rcode).toBe('NOERROR');
    expect(outcome.name).toBe('kubernetes.default.svc.cluster.local.');
    expect(outcome.answers[0]?.ip).toBe('10.96.0.1');
    // `kube-dns.kube-system` first becomes kube-dns.kube-system.default.svc.cluster.local, three labels
    // before `svc`, which `*.*.svc.cluster.local` does not match: the proxy refuses and the search ends.
    const refused = lookup('kube-dns.kube-system', true);
    expect(refused.request === 'dns' && refused.rcode).toBe('REFUSED');
  });

  it('stops the search list at the first REFUSED, as the docs warn for musl', () => {
    const outcome = lookup('api.github.com', true);
    if (outcome.request !== 'dns') throw new Error('not dns');
    expect(outcome.rcode).toBe('REFUSED');
    expect(outcome.queries.map((query) => query.name)).toEqual(['api.github.com.default.svc.cluster.local.']);
  });

  it('answers NXDOMAIN instead when the agent runs with --tofqdns-dns-reject-response-code=nameError', () => {
    const other = clusterWithCilium(8, 1, '1.18.5', {
      'encryption.enabled': 'false',
      'dnsProxy.dnsRejectResponseCode': 'nameError',
    });
    const otherCluster = other.state.cluster;
    if (otherCluster === undefined) throw new Error('no cluster');
    apply(other, clusterDnsManifest(otherCluster));
    apply(other, workload('mediabot', { app: 'mediabot' }, 'docker.io/curlimages/curl'));
    settle(other);
    applyPolicy(
      other,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns
spec:
  endpointSelector:
    matchLabels:
      app: mediabot
  egress:
  - toEndpoints:
    - matchLabels:
        "k8s:k8s-app": kube-dns
        "k8s:io.kubernetes.pod.namespace": kube-system
    toPorts:
    - ports:
      - port: "53"
        protocol: UDP
      rules:
        dns:
        - matchName: "api.github.com"
`,
    );
    const outcome = traffic(other, {
      kind: 'dns',
      fromPodKey: keyOfPod(onePod(other, { app: 'mediabot' })),
      name: 'cilium.io.',
    });
    expect(outcome.request === 'dns' && outcome.rcode).toBe('NXDOMAIN');
  });
});
