import { describe, expect, it } from 'vitest';
import { nodeIdsOf } from '../../../simulator/cilium/node-ids';
import { authMapEntries } from '../../../simulator/cilium/auth-map';
import type { Simulation } from '../../../simulator/simulation';
import { clusterWithCilium } from './support';
import { applyPolicy, clientAndServer, connectFrom, flowsOf } from './traffic-support';

// Each agent numbers the other nodes with free IDs of its own, drawn at random from 1-65535 when it
// learns them (pkg/datapath/linux/node_ids.go, pkg/idpool), and knows itself as 0; the numbers are
// reproducible from the seed. Mutual authentication keys its auth map on them, also for two pods
// on one node, where the key's remote node is 0.

function nodeIdTables(simulation: Simulation): Record<string, Record<string, number>> {
  const cluster = simulation.state.cluster;
  const tables: Record<string, Record<string, number>> = {};
  for (const agent of Object.values(cluster?.cilium?.agents ?? {}))
    tables[agent.node] = Object.fromEntries(nodeIdsOf(cluster!, agent));
  return tables;
}

describe('node ids: allocation', () => {
  it('gives every other node a random free id in 1-65535 and the own node 0', () => {
    const simulation = clusterWithCilium(5, 3, '1.14.5');
    const cluster = simulation.state.cluster!;
    const addresses = Object.values(cluster.nodes)
      .map((node) => node.internalIP)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const inAddressOrder = addresses.map((_, index) => index + 1);
    let allInAddressOrder = true;
    for (const agent of Object.values(cluster.cilium!.agents)) {
      const ids = nodeIdsOf(cluster, agent);
      const own = cluster.nodes[agent.node]!.internalIP;
      expect(ids.get(own)).toBe(0);
      const others = addresses.filter((ip) => ip !== own).map((ip) => ids.get(ip));
      expect(others.every((id) => id !== undefined && id >= 1 && id <= 65535)).toBe(true);
      expect(new Set(others).size).toBe(others.length);
      if (others.join() !== inAddressOrder.slice(0, others.length).join()) allInAddressOrder = false;
    }
    expect(allInAddressOrder).toBe(false);
  });

  it('draws the same ids from the same seed, and others from another seed', () => {
    expect(nodeIdTables(clusterWithCilium(5, 2, '1.14.5'))).toEqual(
      nodeIdTables(clusterWithCilium(5, 2, '1.14.5')),
    );
    expect(nodeIdTables(clusterWithCilium(6, 2, '1.14.5'))).not.toEqual(
      nodeIdTables(clusterWithCilium(5, 2, '1.14.5')),
    );
  });

  it('keeps no node ids where no 1.12 output shows them', () => {
    const simulation = clusterWithCilium(5, 2, '1.12.0');
    for (const agent of Object.values(simulation.state.cluster!.cilium!.agents))
      expect(agent.nodeIds).toBeUndefined();
  });
});

const authValues = {
  'authentication.mutual.spire.enabled': 'true',
  'authentication.mutual.spire.install.enabled': 'true',
};

const ingressAuth = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-auth
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
    authentication:
      mode: required
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`;

const egressAuth = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: client-auth
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toEndpoints:
    - matchLabels:
        app: server
    authentication:
      mode: required
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`;

describe('node ids: mutual authentication between pods on one node', () => {
  const cases: { name: string; version: string; policies: string[]; waitMs: number }[] = [
    { name: '1.14, ingress rule', version: '1.14.5', policies: [ingressAuth], waitMs: 1000 },
    { name: '1.14, egress rule', version: '1.14.5', policies: [egressAuth], waitMs: 1000 },
    // The egress key is authenticated first; the second retransmission (3 s) also passes ingress.
    { name: '1.14, both rules', version: '1.14.5', policies: [ingressAuth, egressAuth], waitMs: 3000 },
    { name: '1.18, ingress rule', version: '1.18.5', policies: [ingressAuth], waitMs: 1000 },
  ];
  for (const testCase of cases)
    it(`${testCase.name}: the retransmitted SYN passes once the node-0 entry is written`, () => {
      const bed = clientAndServer(7, { workers: 1, values: authValues });
      expect(bed.clientNode).toBe(bed.serverNode);
      bed.simulation.advance(30_000);
      for (const policy of testCase.policies) applyPolicy(bed.simulation, policy);
      const mark = flowsOf(bed.simulation).length;
      const outcome = connectFrom(bed.simulation, {
        fromPodKey: bed.clientKey,
        host: bed.serverIP,
        port: 80,
        timeoutMs: 5000,
      });
      expect(outcome.kind).toBe('response');
      expect(outcome.elapsedMs).toBeGreaterThanOrEqual(testCase.waitMs);
      expect(outcome.elapsedMs).toBeLessThan(testCase.waitMs + 1000);
      bed.simulation.advance(outcome.elapsedMs);
      const entries = authMapEntries(bed.simulation.state.cluster!, bed.serverNode);
      expect(entries).toHaveLength(testCase.policies.length);
      expect(entries.every((entry) => entry.key.remoteNodeId === 0)).toBe(true);
      const drops = flowsOf(bed.simulation)
        .slice(mark)
        .filter((flow) => flow.eventType === 'drop' && flow.dropReason === 'AUTH_REQUIRED');
      expect(drops).toHaveLength(testCase.policies.length);
      // A second connection finds the entries at once.
      const again = connectFrom(bed.simulation, {
        fromPodKey: bed.clientKey,
        host: bed.serverIP,
        port: 80,
        timeoutMs: 5000,
      });
      expect(again.kind).toBe('response');
      expect(again.elapsedMs).toBeLessThan(100);
    });
});
