import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { applyPolicy, clientAndServer, connectFrom, flowsOf } from './traffic-support';

// A dropped SYN is sent again by the client's kernel (initial RTO 1 s, doubling, at most
// tcp_syn_retries = 6 times), whatever dropped it, and each copy meets the policy again: Hubble
// shows a policy verdict and a drop for every copy. Packets the policy lookup admits add to the
// entry's packet and byte counters that `bpf policy get` prints.

const onlyPort80 = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-80
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`;

const clientToDns = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: client-dns-only
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toEndpoints:
    - matchLabels:
        k8s-app: kube-dns
        io.kubernetes.pod.namespace: kube-system
`;

describe('SYN retransmission: every copy meets the policy', () => {
  const cases: {
    name: string;
    policy: string;
    direction: 'INGRESS' | 'EGRESS';
    timeoutMs: number;
    copies: number;
    elapsedMs: number;
  }[] = [
    {
      name: 'ingress deny, 2 s curl',
      policy: onlyPort80,
      direction: 'INGRESS',
      timeoutMs: 2000,
      copies: 2,
      elapsedMs: 2000,
    },
    {
      name: 'ingress deny, 5 s curl',
      policy: onlyPort80,
      direction: 'INGRESS',
      timeoutMs: 5000,
      copies: 3,
      elapsedMs: 5000,
    },
    {
      name: 'egress deny, 2 s curl',
      policy: clientToDns,
      direction: 'EGRESS',
      timeoutMs: 2000,
      copies: 2,
      elapsedMs: 2000,
    },
    // The kernel gives up after the sixth retransmission's timeout: 127 s after the first SYN.
    {
      name: 'ingress deny, no client timeout',
      policy: onlyPort80,
      direction: 'INGRESS',
      timeoutMs: 300_000,
      copies: 7,
      elapsedMs: 127_000,
    },
  ];
  for (const testCase of cases)
    it(testCase.name, () => {
      const bed = clientAndServer(21);
      applyPolicy(bed.simulation, testCase.policy);
      const mark = flowsOf(bed.simulation).length;
      const start = bed.simulation.nowMs;
      const outcome = connectFrom(bed.simulation, {
        fromPodKey: bed.clientKey,
        host: bed.serverIP,
        port: 8080,
        timeoutMs: testCase.timeoutMs,
      });
      expect(outcome.kind).toBe('timeout');
      expect(outcome.elapsedMs).toBe(testCase.elapsedMs);
      const flows = flowsOf(bed.simulation).slice(mark);
      const denied = flows.filter(
        (flow) =>
          flow.eventType === 'policy-verdict' &&
          flow.verdict === 'DROPPED' &&
          flow.trafficDirection === testCase.direction,
      );
      const drops = flows.filter((flow) => flow.eventType === 'drop');
      expect(denied).toHaveLength(testCase.copies);
      expect(drops).toHaveLength(testCase.copies);
      const offsets = [0, 1000, 3000, 7000, 15_000, 31_000, 63_000].slice(0, testCase.copies);
      expect(drops.map((flow) => flow.timeMs - start)).toEqual(offsets);
    });
});

describe('SYN retransmission: policy-map counters', () => {
  it('counts the packets of an allowed curl on the entry it hit', async () => {
    const bed = clientAndServer(21);
    applyPolicy(bed.simulation, onlyPort80);
    const session = new TerminalSession(bed.simulation);
    const agent = Object.values(bed.simulation.state.cluster!.cilium!.agents).find(
      (candidate) => candidate.node === bed.serverNode,
    )!;
    const endpoint = Object.values(agent.endpoints).find((candidate) =>
      candidate.podName.startsWith('server-'),
    )!;
    const policyMap = async (): Promise<string> =>
      (
        await session.run(
          `kubectl -n kube-system exec ${agent.podName} -- cilium-dbg bpf policy get ${endpoint.id}`,
        )
      ).stdout;
    const row = (table: string): string[] =>
      (table.split('\n').find((line) => line.startsWith('Allow') && line.includes(' 80/TCP')) ?? '')
        .trim()
        .split(/\s{2,}/);
    expect(row(await policyMap()).slice(-3)).toEqual(['0', '0', '24']);
    const allowed = connectFrom(bed.simulation, {
      fromPodKey: bed.clientKey,
      host: bed.serverIP,
      port: 80,
      timeoutMs: 2000,
      http: { method: 'GET', path: '/', headers: {} },
    });
    expect(allowed.kind).not.toBe('timeout');
    const [bytes, packets] = row(await policyMap()).slice(-3);
    // SYN, handshake ACK, request, ACK of the response, FIN and the last ACK.
    expect(Number(packets)).toBe(6);
    expect(Number(bytes)).toBeGreaterThan(74 + 5 * 66);
  });
});
