import { describe, expect, it } from 'vitest';
import { listConntrack } from '../../../simulator/cilium/conntrack';
import { formatFlowCompact, formatFlowJson } from '../../../simulator/cilium/hubble-format';
import type { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply } from './support';
import { applyPolicy, clientAndServer, flowsOf, labelNode, traffic } from './traffic-support';

// Pings go through the datapath like connections: the policy map is asked with the ICMP type in
// place of a port, conntrack pairs the echo reply with its request, Hubble reports ICMPv4.

const icmpOnly = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-icmp-from-client
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
    icmps:
    - fields:
      - type: 8
        family: IPv4
`;

const tcpOnly = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: server-http-from-client
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
        protocol: ANY
`;

function setup(seed: number, values: Record<string, string> = {}) {
  const { simulation, clientKey: client, serverIP } = clientAndServer(seed, { values });
  let sequence = 0;
  const ping = (host: string, from = client) => {
    const outcome = traffic(simulation, {
      kind: 'icmp-echo',
      fromPodKey: from,
      host,
      identifier: 4242,
      sequence: sequence++,
    });
    if (outcome.request !== 'icmp-echo') throw new Error('not an echo outcome');
    return outcome;
  };
  return { simulation, client, serverIP, ping };
}

function compact(simulation: Simulation): string[] {
  return flowsOf(simulation).map((flow) => formatFlowCompact(flow).replace(/^[^:]+:[^:]+:[^:]+: /, ''));
}

describe('ping through the datapath', () => {
  it('answers where no policy selects the server, leaving ICMPv4 flows without ports', () => {
    const { simulation, serverIP, ping } = setup(7);
    const before = flowsOf(simulation).length;
    const outcome = ping(serverIP);
    expect(outcome.kind).toBe('reply');
    if (outcome.kind === 'reply') expect(outcome.ttl).toBeLessThan(64);
    const flows = compact(simulation).slice(before);
    expect(flows).toContainEqual(
      expect.stringMatching(
        /^default\/client-[a-z0-9-]+ \(ID:\d+\) -> default\/server-[a-z0-9-]+ \(ID:\d+\) to-endpoint FORWARDED \(ICMPv4 EchoRequest\)$/,
      ),
    );
    expect(flows).toContainEqual(
      expect.stringMatching(
        /^default\/client-[a-z0-9-]+ \(ID:\d+\) <- default\/server-[a-z0-9-]+ \(ID:\d+\) to-endpoint FORWARDED \(ICMPv4 EchoReply\)$/,
      ),
    );
    const json = JSON.parse(formatFlowJson(flowsOf(simulation)[before] ?? flowsOf(simulation)[0]!)) as {
      flow: { l4: unknown };
    };
    expect(json.flow.l4).toEqual({ ICMPv4: { type: 8 } });
  });

  it('lets an icmps rule admit the echo request and reports the policy verdict', () => {
    const { simulation, serverIP, ping } = setup(8);
    applyPolicy(simulation, icmpOnly);
    const before = flowsOf(simulation).length;
    expect(ping(serverIP).kind).toBe('reply');
    expect(compact(simulation).slice(before)).toContainEqual(
      expect.stringMatching(/policy-verdict:L3-L4 INGRESS ALLOWED \(ICMPv4 EchoRequest\)$/),
    );
  });

  it('drops the echo request where only a port rule exists: ANY never includes ICMP', () => {
    const { simulation, serverIP, ping } = setup(9);
    applyPolicy(simulation, tcpOnly);
    const before = flowsOf(simulation).length;
    const outcome = ping(serverIP);
    expect(outcome.kind).toBe('lost');
    if (outcome.kind === 'lost')
      expect(outcome.reason).toMatch(/ingress policy of server-[a-z0-9-]+ .* drops the packet/);
    const flows = compact(simulation).slice(before);
    expect(flows).toContainEqual(
      expect.stringMatching(/policy-verdict:none INGRESS DENIED \(ICMPv4 EchoRequest\)$/),
    );
    expect(flows).toContainEqual(expect.stringMatching(/Policy denied DROPPED \(ICMPv4 EchoRequest\)$/));
  });

  it('keeps a conntrack entry keyed by the echo identifier, which the reply matches', () => {
    const { simulation, serverIP, ping } = setup(10);
    ping(serverIP);
    const now = simulation.state.timeMs;
    const cluster = simulation.state.cluster;
    if (cluster === undefined) throw new Error('no cluster');
    const entries = Object.keys(cluster.nodes).flatMap((node) => listConntrack(cluster, node, now));
    const icmp = entries.filter((entry) => entry.protocol === 'ICMP' && entry.destinationIP === serverIP);
    expect(icmp.map((entry) => entry.direction).sort()).toEqual(['egress', 'ingress']);
    for (const entry of icmp) {
      expect(entry.destinationPort).toBe(4242);
      expect(entry.replyPackets).toBe(1);
      // UDP and every other non-TCP protocol live 60 s after their last packet.
      expect(entry.expiresAtMs - now).toBeLessThanOrEqual(60_000);
    }
  });

  it('gets no reply from a ClusterIP, which is not translated for ICMP', () => {
    const { simulation, ping } = setup(11);
    apply(
      simulation,
      `apiVersion: v1
kind: Service
metadata:
  name: server
spec:
  selector:
    app: server
  ports:
  - port: 80
`,
    );
    simulation.advance(2000);
    const outcome = ping('server');
    expect(outcome.kind).toBe('lost');
    if (outcome.kind === 'lost') expect(outcome.reason).toContain('not translated');
  });

  it('follows the host firewall for a ping to a node address', () => {
    const { simulation, ping } = setup(12, { 'hostFirewall.enabled': 'true' });
    const node = simulation.state.cluster?.nodes['kind-worker'];
    const hostPolicy = (icmp: boolean) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: worker-host
spec:
  nodeSelector:
    matchLabels:
      host-policy: kind-worker
  ingress:
  - fromEntities:
    - cluster
    toPorts:
    - ports:
      - port: "22"
        protocol: TCP
${icmp ? '  - icmps:\n    - fields:\n      - type: 8\n        family: IPv4\n' : ''}`;
    labelNode(simulation, 'kind-worker', { 'host-policy': 'kind-worker' });
    applyPolicy(simulation, hostPolicy(false));
    const dropped = ping(node?.internalIP ?? '');
    expect(dropped.kind).toBe('lost');
    applyPolicy(simulation, hostPolicy(true));
    expect(ping(node?.internalIP ?? '').kind).toBe('reply');
  });
});

describe('ping in the terminal', () => {
  it('prints busybox replies and shows the flows in hubble observe', async () => {
    const { simulation, serverIP, serverNode } = clientAndServer(13);
    const session = new TerminalSession(simulation);
    const result = await session.run(`kubectl exec deploy/client -- ping -c 2 ${serverIP}`);
    expect(result.stdout).toMatch(
      new RegExp(
        `^PING ${serverIP} \\(${serverIP}\\): 56 data bytes\\n64 bytes from ${serverIP}: seq=0 ttl=6[23] time=\\d+\\.\\d{3} ms\\n64 bytes from ${serverIP}: seq=1 ttl=6[23] time=\\d+\\.\\d{3} ms\\n\\n--- ${serverIP.replace(/\./g, '\\.')} ping statistics ---\\n2 packets transmitted, 2 packets received, 0% packet loss\\nround-trip min/avg/max = `,
      ),
    );
    applyPolicy(simulation, tcpOnly);
    const lost = await session.run(`kubectl exec deploy/client -- ping -c 1 ${serverIP}`);
    expect(lost.exitCode).toBe(1);
    expect(lost.stdout).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
    const observed = await session.run(
      `docker exec ${serverNode} /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) hubble observe --type policy-verdict --last 1'`,
    );
    expect(observed.stdout).toMatch(
      new RegExp(
        `^\\w{3} +\\d+ [\\d:.]+: default/client-[a-z0-9-]+ \\(ID:\\d+\\) <> default/server-[a-z0-9-]+ \\(ID:\\d+\\) policy-verdict:none INGRESS DENIED \\(ICMPv4 EchoRequest\\)\\n$`,
      ),
    );
  }, 60_000);
});
