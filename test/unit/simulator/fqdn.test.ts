import { describe, expect, it } from 'vitest';
import { clusterDnsManifest } from '../../../simulator/k8s/dns-world';
import { listFqdnCache } from '../../../simulator/cilium/fqdn';
import { formatFlowCompact } from '../../../simulator/cilium/hubble-format';
import type { Simulation } from '../../../simulator/simulation';
import { apply, clusterWithCilium, settle } from './support';
import { applyPolicy, connectFrom, flowsOf, keyOfPod, onePod, traffic, workload } from './traffic-support';

// toFQDNs: egress to an address is allowed only after the DNS proxy saw an allowed answer for a
// selected name, for as long as the answer's TTL (raised to --tofqdns-min-ttl) lasts.
const mediabotPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fqdn
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
        - matchPattern: "*"
  - toFQDNs:
    - matchName: "api.github.com"
    - matchName: "s3.amazonaws.com"
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
`;

function setup(seed: number, version: string): { simulation: Simulation; mediabot: string; node: string } {
  const simulation = clusterWithCilium(seed, 2, version, { 'encryption.enabled': 'false' });
  const cluster = simulation.state.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  apply(simulation, clusterDnsManifest(cluster));
  apply(simulation, workload('mediabot', { app: 'mediabot' }, 'docker.io/curlimages/curl'));
  settle(simulation);
  applyPolicy(simulation, mediabotPolicy);
  const pod = onePod(simulation, { app: 'mediabot' });
  return { simulation, mediabot: keyOfPod(pod), node: pod.spec.nodeName ?? '' };
}

const github = '140.82.121.6';

describe('toFQDNs on Cilium 1.18 (TTL honoured)', () => {
  const { simulation, mediabot, node } = setup(11, '1.18.5');
  const curlIP = (ip: string) => connectFrom(simulation, { fromPodKey: mediabot, host: ip, port: 443 });

  it('drops egress to the address before any lookup: it is plain reserved:world', () => {
    expect(curlIP(github).kind).toBe('timeout');
    const verdict = flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    expect(verdict?.destination.identity).toBe(2);
    expect(verdict?.verdict).toBe('DROPPED');
  });

  it('allows it after the lookup, through a node-local FQDN identity', () => {
    const lookup = traffic(simulation, { kind: 'dns', fromPodKey: mediabot, name: 'api.github.com.' });
    expect(lookup.request === 'dns' && lookup.rcode).toBe('NOERROR');
    const outcome = curlIP(github);
    expect(outcome.kind).toBe('response');
    const verdict = flowsOf(simulation).findLast(
      (flow) => flow.eventType === 'policy-verdict' && flow.destination.ip === github,
    );
    expect(verdict?.verdict).toBe('FORWARDED');
    expect(verdict?.destination.identity).toBeGreaterThanOrEqual(16777216);
    expect(verdict?.destination.names).toEqual(['api.github.com.']);
    if (verdict !== undefined) expect(formatFlowCompact(verdict)).toContain('-> api.github.com:443 (ID:');
    const cluster = simulation.state.cluster;
    const identity = cluster?.datapath?.nodes[node]?.localIdentities[String(verdict?.destination.identity)];
    // Labelled with the selector that matched (no cidr: label of its own: no CIDR rule contains it).
    expect(identity?.labels).toEqual({ 'fqdn:api.github.com': '', 'reserved:world': '' });
  });

  it('connects by name: curl resolves through CoreDNS and the proxy, then connects', () => {
    const outcome = connectFrom(simulation, { fromPodKey: mediabot, host: 'api.github.com', port: 443 });
    expect(outcome.kind).toBe('response');
  });

  it('drops it again once the 30 s TTL ran out', () => {
    simulation.advance(31_000);
    expect(curlIP(github).kind).toBe('timeout');
  });

  it('keeps an address a live connection uses past its TTL', () => {
    traffic(simulation, { kind: 'dns', fromPodKey: mediabot, name: 'api.github.com.' });
    const open = connectFrom(simulation, { fromPodKey: mediabot, host: github, port: 443, keepOpen: true });
    if (open.kind !== 'response' || open.connectionId === undefined) throw new Error('not open');
    simulation.advance(60_000);
    const again = traffic(simulation, {
      kind: 'send',
      connectionId: open.connectionId,
      http: { method: 'GET', path: '/', headers: {} },
      timeoutMs: 2000,
    });
    expect(again.request === 'send' && again.kind).toBe('response');
    traffic(simulation, { kind: 'close', connectionId: open.connectionId });
    simulation.advance(11_000);
    expect(curlIP(github).kind).toBe('timeout');
  });

  it('keeps at most 50 addresses per name for an endpoint, forgetting the oldest', () => {
    const seen: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const outcome = traffic(simulation, { kind: 'dns', fromPodKey: mediabot, name: 's3.amazonaws.com.' });
      if (outcome.request === 'dns' && outcome.answers[0] !== undefined) seen.push(outcome.answers[0].ip);
    }
    const cluster = simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    const cached = listFqdnCache(cluster, node, simulation.state.timeMs).filter(
      (row) => row.name === 's3.amazonaws.com.',
    );
    expect(new Set(seen).size).toBe(60);
    expect(cached).toHaveLength(50);
    expect(cached.some((row) => row.ip === seen[0])).toBe(false);
    expect(curlIP(seen[0] ?? '').kind).toBe('timeout');
    expect(curlIP(seen[59] ?? '').kind).toBe('response');
  });
});

describe('toFQDNs on Cilium 1.12 (--tofqdns-min-ttl 3600)', () => {
  const { simulation, mediabot } = setup(12, '1.12.0');

  it('keeps the address for an hour although CoreDNS answered with a 30 s TTL', () => {
    traffic(simulation, { kind: 'dns', fromPodKey: mediabot, name: 'api.github.com.' });
    simulation.advance(120_000);
    expect(connectFrom(simulation, { fromPodKey: mediabot, host: github, port: 443 }).kind).toBe('response');
    simulation.advance(3_600_000);
    expect(connectFrom(simulation, { fromPodKey: mediabot, host: github, port: 443 }).kind).toBe('timeout');
  });
});

describe('determinism of DNS, toFQDNs and conntrack state', () => {
  it('replays to the same world: seeking back to the start and forward again gives the same hash', () => {
    const { simulation, mediabot } = setup(13, '1.18.5');
    traffic(simulation, { kind: 'dns', fromPodKey: mediabot, name: 'api.github.com.' });
    connectFrom(simulation, { fromPodKey: mediabot, host: github, port: 443, keepOpen: true });
    simulation.advance(5_000);
    const live = simulation.hash();
    expect(simulation.state.cluster?.datapath).toBeDefined();
    simulation.seek(0);
    simulation.seek(Number.MAX_SAFE_INTEGER);
    expect(simulation.hash()).toBe(live);
    const twin = setup(13, '1.18.5');
    traffic(twin.simulation, { kind: 'dns', fromPodKey: twin.mediabot, name: 'api.github.com.' });
    connectFrom(twin.simulation, { fromPodKey: twin.mediabot, host: github, port: 443, keepOpen: true });
    twin.simulation.advance(5_000);
    expect(twin.simulation.hash()).toBe(live);
  });
});
