import { describe, expect, it } from 'vitest';
import { formatFlowCompact } from '../../../simulator/cilium/hubble-format';
import { TerminalSession } from '../../../simulator/terminal/session';
import { applyPolicy, clientAndServer, flowsOf } from '../simulator/traffic-support';

// busybox nc from a client pod: TCP port checks and UDP datagrams through the datapath, so an L4
// policy on a UDP port can be tried and seen in Hubble.
const udpOnly = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: dns-udp-only
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
      - port: "5353"
        protocol: UDP
`;

function setup() {
  const { simulation, serverIP, serverNode } = clientAndServer(51, { workers: 1, service: true });
  const session = new TerminalSession(simulation);
  const verdicts = () =>
    flowsOf(simulation)
      .filter((flow) => flow.eventType === 'policy-verdict' && flow.node === serverNode)
      .map((flow) => formatFlowCompact(flow).replace(/^[^:]+:[^:]+:[^:]+: /, ''));
  return { simulation, session, serverIP, verdicts };
}

describe('nc in a pod', () => {
  it('checks TCP ports as busybox prints it: open, refused only at -vv, timed out', async () => {
    const { simulation, session, serverIP } = setup();
    const open = await session.run('kubectl exec deploy/client -- nc -zv server 80');
    expect(open).toMatchObject({ stdout: '', exitCode: 0 });
    expect(open.stderr).toMatch(/^server \(10\.96\.\d+\.\d+:80\) open\n$/);
    const refused = await session.run(`kubectl exec deploy/client -- nc -zv ${serverIP} 81`);
    expect(refused).toMatchObject({ stderr: 'command terminated with exit code 1\n', exitCode: 1 });
    expect((await session.run(`kubectl exec deploy/client -- nc -zvv ${serverIP} 81`)).stderr).toBe(
      `nc: ${serverIP} (${serverIP}:81): Connection refused\nsent 0, rcvd 0\ncommand terminated with exit code 1\n`,
    );
    applyPolicy(simulation, udpOnly);
    const before = simulation.state.timeMs;
    const dropped = await session.run(`kubectl exec deploy/client -- nc -zv -w 2 ${serverIP} 80`);
    expect(dropped).toMatchObject({
      stderr: `nc: ${serverIP} (${serverIP}:80): Operation timed out\ncommand terminated with exit code 1\n`,
      exitCode: 1,
    });
    expect(simulation.state.timeMs - before).toBeGreaterThanOrEqual(2000);
    expect((await session.run('kubectl exec deploy/client -- nc -zv nosuch 80')).stderr).toBe(
      "nc: bad address 'nosuch'\ncommand terminated with exit code 1\n",
    );
  }, 60_000);

  it('sends UDP datagrams through the policy, which Hubble shows', async () => {
    const { simulation, session, serverIP, verdicts } = setup();
    applyPolicy(simulation, udpOnly);
    const allowed = await session.run(
      `echo hello | kubectl exec -i deploy/client -- nc -u -v -w 1 ${serverIP} 5353`,
    );
    expect(allowed).toMatchObject({
      stdout: '',
      stderr: `${serverIP} (${serverIP}:5353) open\n`,
      exitCode: 0,
    });
    expect(verdicts().at(-1)).toMatch(/:5353 \(ID:\d+\) policy-verdict:L3-L4 INGRESS ALLOWED \(UDP\)$/);
    await session.run(`echo hello | kubectl exec -i deploy/client -- nc -u -w 1 ${serverIP} 5354`);
    expect(verdicts().at(-1)).toMatch(/:5354 \(ID:\d+\) policy-verdict:none INGRESS DENIED \(UDP\)$/);
    // The UDP probe: nothing listens on 5353, so the ICMP port unreachable makes it fail; a dropped
    // datagram earns no ICMP, so the port looks open.
    expect((await session.run(`kubectl exec deploy/client -- nc -zuvv -w 1 ${serverIP} 5353`)).stderr).toBe(
      `nc: ${serverIP} (${serverIP}:5353): Connection refused\nsent 0, rcvd 0\ncommand terminated with exit code 1\n`,
    );
    expect((await session.run(`kubectl exec deploy/client -- nc -zuv -w 1 ${serverIP} 5354`)).stderr).toBe(
      `${serverIP} (${serverIP}:5354) open\n`,
    );
  }, 60_000);

  it('refuses what it does not simulate, with a clear message', async () => {
    const { session } = setup();
    expect((await session.run('kubectl exec deploy/client -- nc -l -p 8080')).stderr).toContain(
      'nc: -l is not simulated',
    );
    expect((await session.run('kubectl exec deploy/client -- nc server')).stderr).toContain(
      'Usage: nc [OPTIONS] HOST PORT',
    );
    expect((await session.run('kubectl exec deploy/client -- nc -q server 80')).stderr).toContain(
      'nc: unrecognized option: q',
    );
  }, 60_000);
});
