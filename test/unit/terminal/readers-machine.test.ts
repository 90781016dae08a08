import { describe, expect, it } from 'vitest';
import { ciliumExampleAt } from '../../../simulator/cilium/example-manifests';
import { demoPolicyUrl, guidePreamble } from './host-firewall-guide-lines';
import { formatFlowCompact } from '../../../simulator/cilium/hubble-format';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, settle } from '../simulator/support';
import { applyPolicy, flowsOf, onePod, workload } from '../simulator/traffic-support';

// The reader's own machine sits on kind's Docker network (gateway 172.18.0.1): it reaches the node
// containers, not the pod or service ranges, and to a node it is an address outside the cluster.
// The Cilium docs' demo host policy admits SSH and pings from anywhere and everything else only
// from the cluster, so the reader's machine can ping a selected node but not reach its kubelet.
const demoHostPolicy = ciliumExampleAt(demoPolicyUrl) ?? '';

function setup() {
  const simulation = clusterWithCilium(21, 2, '1.18.5', {
    'encryption.enabled': 'false',
    'hostFirewall.enabled': 'true',
  });
  apply(simulation, workload('server', { app: 'server' }, 'docker.io/library/nginx', { port: 80 }));
  settle(simulation);
  const session = new TerminalSession(simulation);
  const workerIP = simulation.state.cluster?.nodes['kind-worker']?.internalIP ?? '';
  const podIP = onePod(simulation, { app: 'server' }).status?.podIP ?? '';
  return { simulation, session, workerIP, podIP };
}

describe("the reader's machine on the kind network", () => {
  it('pings a node with iputils output, and cannot reach pods or the internet', async () => {
    const { session, workerIP, podIP } = setup();
    const ping = await session.run(`ping -c 2 ${workerIP}`);
    expect(ping.exitCode).toBe(0);
    expect(ping.stdout).toMatch(
      new RegExp(
        `^PING ${workerIP} \\(${workerIP}\\) 56\\(84\\) bytes of data\\.\\n64 bytes from ${workerIP}: icmp_seq=1 ttl=64 time=0\\.\\d{3} ms\\n64 bytes from ${workerIP}: icmp_seq=2 ttl=64 time=0\\.\\d{3} ms\\n\\n--- ${workerIP} ping statistics ---\\n2 packets transmitted, 2 received, 0% packet loss, time 100\\dms\\nrtt min/avg/max/mdev = [\\d.]+/[\\d.]+/[\\d.]+/[\\d.]+ ms\\n$`,
      ),
    );
    const toPod = await session.run(`ping -c 1 ${podIP}`);
    expect(toPod.exitCode).toBe(1);
    expect(toPod.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss');
    const curlPod = await session.run(`curl -sS -m 2 http://${podIP}`);
    expect(curlPod.exitCode).toBe(28);
    const outside = await session.run('curl -s http://93.184.215.14');
    expect(outside.exitCode).toBe(1);
    expect(outside.stderr).toContain('outside the kind network');
    // An address of the Docker network that no container holds: ARP fails on the reader's machine.
    const nobody = await session.run('ping -c 2 172.18.0.250');
    expect(nobody.stdout).toMatch(
      /^PING 172\.18\.0\.250 \(172\.18\.0\.250\) 56\(84\) bytes of data\.\nFrom 172\.18\.0\.1 icmp_seq=1 Destination Host Unreachable\nFrom 172\.18\.0\.1 icmp_seq=2 Destination Host Unreachable\n\n--- 172\.18\.0\.250 ping statistics ---\n2 packets transmitted, 0 received, \+2 errors, 100% packet loss, time 1000ms\n$/,
    );
    expect((await session.run('curl -sS http://172.18.0.250')).stderr).toBe(
      "curl: (7) Failed to connect to 172.18.0.250 port 80 after 3070 ms: Couldn't connect to server\n",
    );
    expect((await session.run('ping nosuch.example')).stderr).toBe(
      'ping: nosuch.example: Name or service not known\n',
    );
  }, 60_000);

  it('reaches the kubelet until the demo host policy selects the node, which still admits ping and SSH', async () => {
    const { simulation, session, workerIP } = setup();
    const open = await session.run(`curl -sk -m 3 https://${workerIP}:10250/pods`);
    expect(open.stdout).toBe('Unauthorized');
    applyPolicy(simulation, demoHostPolicy);
    await session.run('kubectl label node kind-worker node-access=ssh');
    simulation.advance(2000);
    const kubelet = await session.run(`curl -sSk -m 3 https://${workerIP}:10250/pods`);
    expect(kubelet.exitCode).toBe(28);
    const verdicts = flowsOf(simulation)
      .filter((flow) => flow.node === 'kind-worker' && flow.eventType === 'policy-verdict')
      .map((flow) => formatFlowCompact(flow).replace(/^[^:]+:[^:]+:[^:]+: /, ''));
    expect(verdicts.at(-1)).toBe(
      `172.18.0.1:${/172\.18\.0\.1:(\d+)/.exec(verdicts.at(-1) ?? '')?.[1] ?? ''} (world) <> ${workerIP}:10250 (host) policy-verdict:none INGRESS DENIED (TCP Flags: SYN)`,
    );
    // Nothing listens on port 22 in a kind node: the policy lets the SYN in and the node resets it.
    const ssh = await session.run(`curl -sS -m 3 http://${workerIP}:22`);
    expect(ssh.stderr).toMatch(/^curl: \(7\) Failed to connect to .* Couldn't connect to server\n$/);
    expect((await session.run(`ping -c 1 ${workerIP}`)).exitCode).toBe(0);
    // The other worker carries no label, so its host endpoint has no policy.
    const other = simulation.state.cluster?.nodes['kind-worker2']?.internalIP ?? '';
    expect((await session.run(`curl -sk -m 3 https://${other}:10250/pods`)).stdout).toBe('Unauthorized');
  }, 60_000);

  it("locks the reader's kubectl out when a host policy on the control plane admits only the cluster", async () => {
    const { simulation, session } = setup();
    applyPolicy(simulation, demoHostPolicy);
    expect((await session.run('kubectl label node kind-control-plane node-access=ssh')).exitCode).toBe(0);
    simulation.advance(2000);
    const before = simulation.state.timeMs;
    const locked = await session.run('kubectl get pods');
    expect(locked.stderr).toBe('Unable to connect to the server: net/http: TLS handshake timeout\n');
    expect(locked.exitCode).toBe(1);
    expect(simulation.state.timeMs - before).toBeGreaterThanOrEqual(10_000);
    const controlPlane = simulation.state.cluster?.nodes['kind-control-plane']?.internalIP ?? '';
    const denied = flowsOf(simulation)
      .filter((flow) => flow.node === 'kind-control-plane' && flow.eventType === 'policy-verdict')
      .at(-1);
    expect(denied?.verdict).toBe('DROPPED');
    expect(denied?.source.ip).toBe('172.18.0.1');
    expect(denied?.source.identity).toBe(2);
    expect(`${denied?.destination.ip}:${denied?.destination.port}`).toBe(`${controlPlane}:6443`);
    // Inside the control-plane node, kubectl talks to its own address, which bpf_host never sees.
    const inside = await session.run(
      "docker exec kind-control-plane bash -c 'kubectl delete ccnp demo-host-policy'",
    );
    expect(inside.stdout).toBe('ciliumclusterwidenetworkpolicy.cilium.io "demo-host-policy" deleted\n');
    simulation.advance(2000);
    expect((await session.run('kubectl get nodes -o name')).stdout).toContain('node/kind-control-plane');
  }, 60_000);

  it('walks the host firewall guide: audit first, then enforcement, for traffic from outside', async () => {
    const { session, workerIP } = setup();
    const guide = [
      ...guidePreamble,
      'kexec cilium-dbg endpoint config $HOST_EP_ID PolicyAuditMode=Enabled',
      `kubectl create -f ${demoPolicyUrl}`,
      'sleep 2',
    ];
    for (const line of guide) expect((await session.run(line)).exitCode, line).toBe(0);
    // From the reader's machine: `kexec` itself is a verdict too (the API server dialling the kubelet).
    const verdict = async () =>
      (
        await session.run('kexec hubble observe --type policy-verdict --from-ip 172.18.0.1 --last 1')
      ).stdout.replace(/^[^:]+:[^:]+:[^:]+: /, '');
    // The guide watches the verdicts with the monitor while it sends traffic: here as a job (&).
    const monitor = await session.run(
      'kexec cilium-dbg monitor -t policy-verdict --related-to $HOST_EP_ID &',
    );
    expect(monitor.stderr).toBe(
      '[1] 4711\nListening for events on 8 CPUs with 64x4096 of shared memory\nPress Ctrl-C to quit\n',
    );
    const watched = await session.run(`curl -sk -m 3 https://${workerIP}:10250/pods`);
    expect(watched.stdout).toMatch(
      new RegExp(
        `^UnauthorizedPolicy verdict log: flow 0x0 local EP ID \\d+, remote ID world, proto 6, ingress, action audit, auth: disabled, match none, 172\\.18\\.0\\.1:\\d+ -> ${workerIP}:10250 tcp SYN\\n$`,
      ),
    );
    expect((await session.run('jobs')).stdout).toBe(
      '[1]+  Running                 kexec cilium-dbg monitor -t policy-verdict --related-to $HOST_EP_ID &\n',
    );
    expect((await session.run('kill %1')).stderr).toBe(
      '[1]+  Terminated              kexec cilium-dbg monitor -t policy-verdict --related-to $HOST_EP_ID\n',
    );
    expect((await session.run('jobs')).stdout).toBe('');
    // Audit mode: the kubelet answers, and Hubble says what enforcement would have done.
    expect((await session.run(`curl -sk -m 3 https://${workerIP}:10250/pods`)).stdout).toBe('Unauthorized');
    expect(await verdict()).toMatch(
      new RegExp(
        `^172\\.18\\.0\\.1:\\d+ \\(world\\) -> ${workerIP}:10250 \\(host\\) policy-verdict:none INGRESS AUDITED \\(TCP Flags: SYN\\)\\n$`,
      ),
    );
    expect((await session.run(`ping -c 1 ${workerIP}`)).exitCode).toBe(0);
    expect(await verdict()).toMatch(
      /\(world\) -> [\d.]+ \(host\) policy-verdict:L4-Only INGRESS ALLOWED \(ICMPv4 EchoRequest\)\n$/,
    );
    // Enforcement: the same request is dropped; pings still pass.
    expect(
      (await session.run('kexec cilium-dbg endpoint config $HOST_EP_ID PolicyAuditMode=Disabled')).exitCode,
    ).toBe(0);
    expect((await session.run(`curl -sk -m 3 https://${workerIP}:10250/pods`)).exitCode).toBe(28);
    expect(await verdict()).toMatch(/policy-verdict:none INGRESS DENIED \(TCP Flags: SYN\)\n$/);
    expect((await session.run(`ping -c 1 ${workerIP}`)).exitCode).toBe(0);
    // Clean up, as the guide does: the kubelet answers again.
    await session.run(
      'kubectl delete ccnp demo-host-policy && kubectl label node $NODE_NAME node-access- && sleep 2',
    );
    expect((await session.run(`curl -sk -m 3 https://${workerIP}:10250/pods`)).stdout).toBe('Unauthorized');
  }, 60_000);
});
