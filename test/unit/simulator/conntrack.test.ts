import { describe, expect, it } from 'vitest';
import { ctLifetimesMs, formatCtEntry, listConntrack } from '../../../simulator/cilium/conntrack';
import { formatFlowCompact, formatFlowJson } from '../../../simulator/cilium/hubble-format';
import { getObject } from '../../../simulator/k8s/api-store';
import { apply, clusterWithCilium, settle } from './support';
import { applyPolicy, connectFrom, flowsOf, keyOfPod, onePod, traffic, workload } from './traffic-support';

// Conntrack in the datapath: the SYN creates entries on both nodes, replies pass as CT_REPLY without
// a policy lookup, lifetimes follow Cilium's defaults on the virtual clock, and (as in bpf_lxc.c)
// established packets of the original direction are still checked against the policy map.
function setup() {
  const simulation = clusterWithCilium(21, 2, '1.18.5', { 'encryption.enabled': 'false' });
  apply(
    simulation,
    `${workload('client', { app: 'client' }, 'docker.io/curlimages/curl')}---
${workload('helloworld', { app: 'helloworld' }, 'docker.io/istio/examples-helloworld-v1', { port: 5000, service: true })}`,
  );
  settle(simulation);
  simulation.advance(1000);
  return simulation;
}

// Connections go to the Service's ClusterIP, so the DNS lookup of a name (its own UDP conntrack
// entries and flows) stays out of what these tests look at.
function helloworld(simulation: ReturnType<typeof setup>): string {
  const cluster = simulation.state.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  return getObject(cluster.api, 'Service', 'default/helloworld')?.spec.clusterIP ?? '';
}

const serverPolicy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-lockdown
spec:
  endpointSelector:
    matchLabels:
      app: helloworld
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
  egress:
  - toEndpoints:
    - matchLabels:
        app: nobody
`;

describe('conntrack: replies', () => {
  const simulation = setup();
  applyPolicy(simulation, serverPolicy);
  const client = onePod(simulation, { app: 'client' });
  const server = onePod(simulation, { app: 'helloworld' });

  it("lets the server's reply through although the server's egress policy allows nothing", () => {
    const before = flowsOf(simulation).length;
    const outcome = connectFrom(simulation, {
      fromPodKey: keyOfPod(client),
      host: helloworld(simulation),
      port: 5000,
      http: { method: 'GET', path: '/hello', headers: {} },
    });
    expect(outcome.kind).toBe('response');
    if (outcome.kind !== 'response') return;
    expect(outcome.response.body).toContain('Hello version: v1');
    expect(outcome.explanation.some((line) => line.includes('CT_REPLY'))).toBe(true);
    const flows = flowsOf(simulation).slice(before);
    // No egress policy verdict on the server's node: the reply never reached the policy map.
    expect(
      flows.some(
        (flow) =>
          flow.node === server.spec.nodeName &&
          flow.eventType === 'policy-verdict' &&
          flow.trafficDirection === 'EGRESS',
      ),
    ).toBe(false);
    const reply = flows.find((flow) => flow.isReply === true);
    expect(reply?.node).toBe(client.spec.nodeName);
    expect(reply?.source.ip).toBe(server.status.podIP);
    expect(reply?.tcpFlags).toBe('SYN, ACK');
    if (reply === undefined) return;
    expect(formatFlowCompact(reply)).toContain(' <- ');
    const json = JSON.parse(formatFlowJson(reply)) as { flow: { is_reply?: boolean } };
    expect(json.flow.is_reply).toBe(true);
  });

  it('keeps an egress entry on the client node and an ingress entry on the server node, closing after the FIN', () => {
    const now = simulation.state.timeMs;
    const cluster = simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    const clientEntries = listConntrack(cluster, client.spec.nodeName ?? '', now).filter(
      (entry) => entry.direction === 'egress' && entry.sourceIP === client.status.podIP,
    );
    const serverEntries = listConntrack(cluster, server.spec.nodeName ?? '', now).filter(
      (entry) => entry.direction === 'ingress' && entry.destinationIP === server.status.podIP,
    );
    expect(clientEntries.length).toBeGreaterThan(0);
    expect(serverEntries.length).toBeGreaterThan(0);
    const entry = clientEntries[clientEntries.length - 1];
    expect(entry?.state).toBe('closing');
    expect(entry?.replyPackets).toBeGreaterThan(0);
    expect(entry?.expiresAtMs).toBe(now + ctLifetimesMs.tcpFin);
    if (entry !== undefined) expect(formatCtEntry(entry, now)).toMatch(/^TCP OUT .* expires=10 /);
    simulation.advance(ctLifetimesMs.tcpFin + 1);
    const later = listConntrack(cluster, client.spec.nodeName ?? '', simulation.state.timeMs);
    expect(later.some((candidate) => candidate.sourcePort === entry?.sourcePort)).toBe(false);
  });
});

describe('conntrack: established connections', () => {
  const simulation = setup();
  const client = onePod(simulation, { app: 'client' });

  it('keeps an open connection for 6 h of idleness, then forgets it', () => {
    const opened = connectFrom(simulation, {
      fromPodKey: keyOfPod(client),
      host: helloworld(simulation),
      port: 5000,
      http: { method: 'GET', path: '/hello', headers: {} },
      keepOpen: true,
    });
    expect(opened.kind).toBe('response');
    const cluster = simulation.state.cluster;
    if (cluster === undefined || opened.kind !== 'response') throw new Error('no connection');
    const entry = listConntrack(cluster, client.spec.nodeName ?? '', simulation.state.timeMs).find(
      (candidate) => candidate.direction === 'egress' && candidate.state === 'established',
    );
    expect(entry?.expiresAtMs).toBe(simulation.state.timeMs + ctLifetimesMs.tcpEstablished);
    simulation.advance(ctLifetimesMs.tcpEstablished + 1000);
    expect(
      listConntrack(cluster, client.spec.nodeName ?? '', simulation.state.timeMs).some(
        (candidate) => candidate.sourcePort === entry?.sourcePort,
      ),
    ).toBe(false);
  });

  it('checks an established connection against the new policy: no verdict event while allowed, a drop after a deny', () => {
    const opened = connectFrom(simulation, {
      fromPodKey: keyOfPod(client),
      host: helloworld(simulation),
      port: 5000,
      http: { method: 'GET', path: '/hello', headers: {} },
      keepOpen: true,
    });
    if (opened.kind !== 'response' || opened.connectionId === undefined) throw new Error('not open');
    const connectionId = opened.connectionId;
    applyPolicy(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: client-allow
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toEndpoints:
    - matchLabels:
        app: helloworld
    toPorts:
    - ports:
      - port: "5000"
`,
    );
    const before = flowsOf(simulation).length;
    const again = traffic(simulation, {
      kind: 'send',
      connectionId,
      http: { method: 'GET', path: '/hello', headers: {} },
      timeoutMs: 2000,
    });
    expect(again.request === 'send' && again.kind).toBe('response');
    // CT_ESTABLISHED and allowed: the datapath emits no new policy-verdict event.
    expect(
      flowsOf(simulation)
        .slice(before)
        .some((flow) => flow.eventType === 'policy-verdict'),
    ).toBe(false);
    applyPolicy(
      simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: client-deny
spec:
  endpointSelector:
    matchLabels:
      app: client
  egressDeny:
  - toEndpoints:
    - matchLabels:
        app: helloworld
`,
    );
    const denied = traffic(simulation, {
      kind: 'send',
      connectionId,
      http: { method: 'GET', path: '/hello', headers: {} },
      timeoutMs: 2000,
    });
    expect(denied.request === 'send' && denied.kind).toBe('timeout');
    if (denied.request !== 'send' || !('explanation' in denied)) return;
    expect(denied.explanation.join('\n')).toMatch(/CT_ESTABLISHED[\s\S]*Policy denied by denylist/);
    const drop = flowsOf(simulation).findLast((flow) => flow.eventType === 'policy-verdict');
    expect(drop?.verdict).toBe('DROPPED');
    expect(drop?.dropReason).toBe('POLICY_DENY');
    expect(drop?.tcpFlags).toBe('ACK, PSH');
    const fresh = connectFrom(simulation, {
      fromPodKey: keyOfPod(client),
      host: helloworld(simulation),
      port: 5000,
    });
    expect(fresh.kind).toBe('timeout');
  });
});
