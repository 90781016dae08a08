import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import type { Simulation } from '../../../simulator/index';
import { clusterWithCilium } from './support';

// Goal: the agent gives identity 5 (reserved:init) only to an endpoint whose pod it cannot find in
// its pod cache, as Cilium 1.18.5 does (CreateEndpoint and metadataResolver in pkg/endpoint): here
// a pod the kubelet starts while an OUTPUT rule keeps the agent, and only the agent, from the
// `kubernetes` Service. The label resolver then retries 1 s, 2 s, 3 s… apart (pkg/controller), and
// the endpoint gets its pod's identity at the first retry after the agent re-listed. Each case
// builds its own one-node cluster with Cilium 1.18.5.

const cutRule = 'iptables -t mangle -A OUTPUT -d 10.96.0.1 -p tcp --dport 443 -j DROP';
const healRule = cutRule.replace('-A OUTPUT', '-D OUTPUT');
const podYaml = `apiVersion: v1
kind: Pod
metadata:
  name: newcomer
  labels:
    app: newcomer
spec:
  containers:
  - name: newcomer
    image: nginx
`;

function agentOf(simulation: Simulation) {
  const agent = simulation.state.cluster?.cilium?.agents['kind-control-plane'];
  if (agent === undefined) throw new Error('no agent');
  return agent;
}

function newcomerEndpoint(simulation: Simulation) {
  const endpoint = Object.values(agentOf(simulation).endpoints).find((item) => item.podName === 'newcomer');
  if (endpoint === undefined) throw new Error('no endpoint for newcomer');
  return endpoint;
}

async function startNewcomer(session: TerminalSession, simulation: Simulation): Promise<void> {
  await session.run(`kubectl apply -f - <<'EOF'\n${podYaml}EOF`);
  simulation.advance(5_000);
}

describe('the init identity of an endpoint whose pod the agent does not know', () => {
  describe('which OUTPUT rules cut off the agent, and only it', () => {
    const cases: readonly {
      name: string;
      values: Record<string, string>;
      rule: string;
      agentCut: boolean;
    }[] = [
      { name: 'TCP to the ClusterIP on 443', values: {}, rule: cutRule, agentCut: true },
      {
        name: 'TCP to the ClusterIP on any port',
        values: {},
        rule: 'iptables -A OUTPUT -d 10.96.0.1/32 -p tcp -j REJECT',
        agentCut: true,
      },
      {
        name: 'TCP to the ClusterIP on another port',
        values: {},
        rule: 'iptables -t mangle -A OUTPUT -d 10.96.0.1 -p tcp --dport 80 -j DROP',
        agentCut: false,
      },
      {
        name: 'UDP to the ClusterIP',
        values: {},
        rule: 'iptables -t mangle -A OUTPUT -d 10.96.0.1 -p udp -j DROP',
        agentCut: false,
      },
      {
        name: 'the same rule with the socket load balancer, which rewrites the address at connect()',
        values: {
          kubeProxyReplacement: 'true',
          k8sServiceHost: 'kind-control-plane',
          k8sServicePort: '6443',
        },
        rule: cutRule,
        agentCut: false,
      },
    ];
    it.each(cases)('$name', async ({ values, rule, agentCut }) => {
      const simulation = clusterWithCilium(3, 0, '1.18.5', values);
      const session = new TerminalSession(simulation);
      expect((await session.run(`docker exec kind-control-plane ${rule}`)).exitCode).toBe(0);
      expect(agentOf(simulation).connection).toBe(agentCut ? 'cutOff' : 'connected');
      expect(simulation.state.cluster?.nodes['kind-control-plane']?.kubelet.connection).toBe('connected');
    });
  });

  it('iptables refuses --dport without a protocol that has ports', async () => {
    const simulation = clusterWithCilium(3, 0, '1.18.5');
    const session = new TerminalSession(simulation);
    const result = await session.run(
      'docker exec kind-control-plane iptables -A OUTPUT -d 10.96.0.1 --dport 443 -j DROP',
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown option "--dport"');
  });

  it('gives a pod started while the agent is cut off identity 5 and no CiliumEndpoint', async () => {
    const simulation = clusterWithCilium(3, 0, '1.18.5');
    const session = new TerminalSession(simulation);
    await session.run(`docker exec kind-control-plane ${cutRule}`);
    await startNewcomer(session, simulation);
    const endpoint = newcomerEndpoint(simulation);
    expect({ identity: endpoint.identity, labels: endpoint.labels, state: endpoint.state }).toEqual({
      identity: 5,
      labels: ['reserved:init'],
      state: 'ready',
    });
    expect((await session.run('kubectl get pod newcomer --no-headers')).stdout).toMatch(
      /^newcomer +1\/1 +Running /,
    );
    expect((await session.run('kubectl get cep newcomer')).exitCode).toBe(1);
  });

  it('gives a pod started while the agent is connected its own identity at once', async () => {
    const simulation = clusterWithCilium(3, 0, '1.18.5');
    const session = new TerminalSession(simulation);
    await startNewcomer(session, simulation);
    expect(newcomerEndpoint(simulation).labels).toContain('k8s:app=newcomer');
  });

  it("resolves the pod's labels at the resolver's first retry after the agent re-listed", async () => {
    const simulation = clusterWithCilium(3, 0, '1.18.5');
    const session = new TerminalSession(simulation);
    await session.run(`docker exec kind-control-plane ${cutRule}`);
    await startNewcomer(session, simulation);
    simulation.advance(20_000);
    expect(newcomerEndpoint(simulation).identity).toBe(5);
    await session.run(`docker exec kind-control-plane ${healRule}`);
    simulation.advance(60_000);
    const endpoint = newcomerEndpoint(simulation);
    expect(endpoint.identity).toBeGreaterThanOrEqual(256);
    expect(endpoint.labels).toContain('k8s:app=newcomer');
    expect((await session.run("kubectl get cep newcomer -o jsonpath='{.status.identity.id}'")).stdout).toBe(
      String(endpoint.identity),
    );
    // The resolver's runs fall 1, 3, 6, 10, 15… seconds after its first, failed, run (the endpoint's
    // first identity, 5): the relabelling is one of them.
    const log = endpoint.statusLog ?? [];
    const created =
      log.find((entry) => entry.message === 'Set identity for this endpoint')?.atMs ?? Number.NaN;
    const relabelled = log.find((entry) => entry.message.startsWith('Triggering identity resolution'))?.atMs;
    const seconds = ((relabelled ?? Number.NaN) - created) / 1000;
    const triangular = Array.from({ length: 20 }, (_, n) => ((n + 1) * (n + 2)) / 2);
    expect(triangular).toContain(seconds);
    expect(seconds).toBeGreaterThan(25);
  });
});
