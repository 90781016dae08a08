import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';
import { agentStartRefusal } from '../../../simulator/cilium/agent-startup';
import { nextBackoffMs } from '../../../simulator/k8s/container-lifecycle';
import { TerminalSession } from '../../../simulator/terminal/session';
import { withSiteRepositories } from '../terminal/kubectl-support';

// The agent refuses some configurations at start (cilium/cilium v1.12.0 daemon/cmd/daemon_main.go):
// up to 1.13, WireGuard with the L7 proxy on. The refusal must show where a reader looks for it:
// the agent pod crash-loops, its log ends with the fatal line, and the node never becomes Ready.
const wireguard = { 'encryption.enabled': 'true', 'encryption.type': 'wireguard' };

interface RefusalCase {
  name: string;
  version: string;
  values: Record<string, string>;
  refused: boolean;
}

const cases: RefusalCase[] = [
  { name: '1.12 WireGuard, L7 proxy on by default', version: '1.12.0', values: wireguard, refused: true },
  { name: '1.13 WireGuard, L7 proxy on by default', version: '1.13.4', values: wireguard, refused: true },
  {
    name: '1.12 WireGuard with l7Proxy=false (seed 001)',
    version: '1.12.0',
    values: { ...wireguard, l7Proxy: 'false' },
    refused: false,
  },
  { name: '1.14 WireGuard with the L7 proxy', version: '1.14.5', values: wireguard, refused: false },
  { name: '1.12 VXLAN with the L7 proxy (seed 003)', version: '1.12.0', values: {}, refused: false },
  {
    name: '1.12 IPsec with the L7 proxy',
    version: '1.12.0',
    values: { 'encryption.enabled': 'true', 'encryption.type': 'ipsec' },
    refused: false,
  },
];

describe('cilium: agent start-up checks', () => {
  it.each(cases)('$name', ({ version, values, refused }) => {
    const { config } = resolveCiliumConfig({ version, values });
    if (config === undefined) throw new Error('invalid config');
    expect(agentStartRefusal(config) !== undefined).toBe(refused);
  });

  it('backs off as the kubelet does: 10 s doubling up to 5 minutes', () => {
    const delays: number[] = [];
    for (let delay: number | undefined; delays.length < 7; delays.push(delay)) delay = nextBackoffMs(delay);
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('1.12 with WireGuard and the L7 proxy: the agents crash-loop and the nodes stay NotReady', async () => {
    const terminal = new TerminalSession(new Simulation(3), {}, withSiteRepositories);
    await terminal.run(
      'kind create cluster --config=- <<EOF\nkind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\nnetworking:\n  disableDefaultCNI: true\nEOF',
    );
    const installed = await terminal.run(
      'helm install cilium cilium/cilium --version 1.12.0 --namespace kube-system --set encryption.enabled=true --set encryption.type=wireguard',
    );
    expect(installed.exitCode).toBe(0);
    await terminal.run('sleep 120');
    const pods = await terminal.run('kubectl -n kube-system get pods -l k8s-app=cilium');
    const rows = pods.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/^cilium-\w{5}\s+0\/1\s+CrashLoopBackOff\s+[1-9]\d*\s+/);
    const agent = rows[0]?.split(/\s+/)[0] ?? '';
    const log = await terminal.run(`kubectl -n kube-system logs ${agent}`);
    expect(log.stdout.trimEnd().split('\n').at(-1)).toBe(
      'level=fatal msg="Wireguard (--enable-wireguard) is not compatible with L7 proxy (--enable-l7-proxy)" subsys=daemon',
    );
    const nodes = await terminal.run('kubectl get nodes');
    expect(nodes.stdout).not.toMatch(/\sReady\s/);
  }, 30_000);
});
