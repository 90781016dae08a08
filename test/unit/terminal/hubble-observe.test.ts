import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { replayedCopies } from '../simulator/support';
import { clientAndServer, onePod } from '../simulator/traffic-support';

// hubble observe's filters over one node's flows: a curl, a ping and a DNS lookup from one client.
const clientAndServerWorld = replayedCopies(
  () => clientAndServer(31, { workers: 1, service: true }).simulation,
);

/** A client and an nginx server on one worker, with a terminal; each test gets its own. */
function lab() {
  const simulation = clientAndServerWorld();
  const session = new TerminalSession(simulation);
  const node = onePod(simulation, { app: 'client' }).spec.nodeName ?? '';
  const serverIP = onePod(simulation, { app: 'server' }).status?.podIP ?? '';
  const observe = async (filters: string): Promise<string[]> => {
    const result = await session.run(
      `docker exec ${node} /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) hubble observe ${filters}'`,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    return result.stdout.split('\n').filter((line) => line !== '');
  };
  return { simulation, session, node, serverIP, observe };
}

describe('hubble observe filters', () => {
  it('selects by protocol, address, port and identity, and combines flags', async () => {
    const { session, serverIP, observe } = lab();
    await session.run(`kubectl exec deploy/client -- ping -c 1 ${serverIP}`);
    await session.run('kubectl exec deploy/client -- curl -s -o /dev/null http://server');
    const icmp = await observe('--protocol icmp');
    expect(icmp.length).toBeGreaterThan(0);
    expect(icmp.every((line) => line.includes('(ICMPv4 Echo'))).toBe(true);
    const udp = await observe('--protocol udp');
    expect(udp.length).toBeGreaterThan(0);
    expect(udp.every((line) => line.endsWith('(UDP)'))).toBe(true);
    const toPort = await observe(`--to-ip ${serverIP} --to-port 80`);
    expect(toPort.length).toBeGreaterThan(0);
    expect(toPort.every((line) => line.includes(`-> default/server-`) && line.includes('(TCP Flags:'))).toBe(
      true,
    );
    // Two values of one flag widen the filter; a second flag narrows it.
    const either = await observe('--protocol icmp --protocol tcp');
    expect(either.length).toBe(icmp.length + (await observe('--protocol tcp')).length);
    const narrowed = await observe(`--protocol icmp --to-ip ${serverIP}/32`);
    expect(narrowed.every((line) => line.includes('EchoRequest'))).toBe(true);
    const identity = /\(ID:(\d+)\) -> default\/server/.exec(toPort[0] ?? '')?.[1] ?? '';
    expect((await observe(`--from-identity ${identity} --protocol tcp`)).length).toBeGreaterThan(0);
  });

  it('prints the last 20 flows by default, every flow with --all', async () => {
    const { session, serverIP, observe } = lab();
    await session.run(`kubectl exec deploy/client -- ping -c 12 ${serverIP}`);
    const vanilla = await observe('');
    const all = await observe('--all');
    expect(vanilla.length).toBe(20);
    expect(all.length).toBeGreaterThan(20);
    expect(vanilla).toEqual(all.slice(-20));
  });

  it('follows new flows: as a background job with &, or for a window in the foreground', async () => {
    const { simulation, session, node, serverIP } = lab();
    const agent = simulation.state.cluster?.cilium?.agents[node]?.podName ?? '';
    const started = await session.run(
      `kubectl -n kube-system exec ${agent} -- hubble observe -f --protocol icmp --to-ip ${serverIP} &`,
    );
    expect(started).toMatchObject({ stdout: '', exitCode: 0 });
    expect(started.stderr).toMatch(/^\[1\] \d+\n$/);
    const pinged = await session.run(`kubectl exec deploy/client -- ping -c 2 ${serverIP}`);
    const followed = pinged.stdout.split('\n').filter((line) => line.includes('(ICMPv4 '));
    expect(followed.length).toBeGreaterThanOrEqual(2);
    expect(followed.every((line) => line.includes('EchoRequest'))).toBe(true);
    expect((await session.run('kill %1')).exitCode).toBe(0);
    const before = simulation.state.timeMs;
    const foreground = await session.run(`kubectl -n kube-system exec ${agent} -- hubble observe --follow`);
    expect(foreground.stdout).toBe('');
    expect(foreground.stderr).toContain('hubble observe --follow stopped after 60 simulated seconds');
    expect(simulation.state.timeMs - before).toBeGreaterThanOrEqual(60_000);
  });

  it('refuses a malformed value with the flag list', async () => {
    const { session, node } = lab();
    const result = await session.run(
      `docker exec ${node} /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) hubble observe --to-ip 10.0.0.300'`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('invalid IP address or CIDR in filter: "10.0.0.300"');
    const protocol = await session.run(
      `docker exec ${node} /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) hubble observe --protocol foo'`,
    );
    expect(protocol.stderr).toContain('unknown protocol in filter: "foo"');
  });
});

// Hubble colours its compact lines only when its standard output is a terminal (`kubectl exec
// -it`), as fatih/color decides under `--color auto`; `--color always|never` overrides that. The
// colours are SGR sequences around the parts the printer colours, and nothing else changes.
describe('hubble observe colour', () => {
  const cases: { name: string; exec: string; flags: string; coloured: boolean }[] = [
    { name: 'no terminal: plain', exec: 'exec', flags: '', coloured: false },
    { name: 'a terminal (-it): coloured', exec: 'exec -it', flags: '', coloured: true },
    { name: '--color always without a terminal', exec: 'exec', flags: '--color always', coloured: true },
    { name: '--color=never on a terminal', exec: 'exec -it', flags: '--color=never', coloured: false },
    { name: '-t without -i gives no terminal', exec: 'exec -t', flags: '', coloured: false },
  ];
  it.each(cases)('$name', async ({ exec, flags, coloured }) => {
    const { simulation, session, node } = lab();
    await session.run('kubectl exec deploy/client -- curl -s -o /dev/null http://server');
    const agent = simulation.state.cluster?.cilium?.agents[node]?.podName ?? '';
    const run = (line: string) => session.run(line);
    const plain = await run(`kubectl -n kube-system exec ${agent} -- hubble observe --protocol tcp`);
    const result = await run(
      `kubectl -n kube-system ${exec} ${agent} -- hubble observe --protocol tcp ${flags}`,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    // ESC written as ^[, as `cat -v` shows it.
    const shown = result.stdout.replaceAll('\u001b', '^[');
    expect(shown.includes('^[[')).toBe(coloured);
    // Without its escape sequences, a coloured line is the plain one.
    expect(shown.replace(/\^\[\[[0-9;]*m/g, '')).toBe(plain.stdout);
    if (coloured) {
      expect(shown).toMatch(/\^\[\[32mFORWARDED\^\[\[0m/);
      expect(shown).toMatch(
        /\^\[\[36mdefault\/server-\S+:\^\[\[33m80\^\[\[0m\^\[\[0m \^\[\[35m\(ID:\d+\)\^\[\[0m/,
      );
    }
  });
});
