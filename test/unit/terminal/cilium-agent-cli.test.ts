import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import type { Simulation } from '../../../simulator/simulation';
import type { AgentState } from '../../../simulator/cilium/state';
import { clusterWithCilium } from '../simulator/support';
import { listObjects } from '../../../simulator/k8s/api-store';

// The agent-side CLI as each Cilium release ships it: which binary names exist in the agent image,
// and the value format of the ipcache as `bpf ipcache list` and `map get cilium_ipcache` print it.
// Every case builds its own cluster of the version under test.

type Version = '1.12.0' | '1.14.5' | '1.15.6' | '1.18.5';

interface Bed {
  simulation: Simulation;
  session: TerminalSession;
  /** An agent on one worker, and the other worker's health address (an ipcache entry behind it). */
  agent: AgentState;
  serverIP: string;
  serverNodeIP: string;
}

/** A cluster of the version with two workers, seen from the first worker's agent. */
function twoNodeBed(version: Version): Bed {
  const simulation = clusterWithCilium(11, 2, version, { 'encryption.enabled': 'false' });
  const session = new TerminalSession(simulation);
  const cilium = simulation.state.cluster?.cilium;
  const agents = Object.values(cilium?.agents ?? {}).filter((agent) => agent.node !== 'kind-control-plane');
  const [agent, other] = agents;
  if (agent === undefined || other === undefined) throw new Error('two workers expected');
  return {
    simulation,
    session,
    agent,
    serverIP: other.healthIP,
    serverNodeIP: simulation.state.cluster?.nodes[other.node]?.internalIP ?? '',
  };
}

const exec = (bed: Bed, command: string) =>
  bed.session.run(`kubectl -n kube-system exec ${bed.agent.podName} -- ${command}`);

describe('cilium agent CLI: which names the agent image has', () => {
  const cases: { name: string; version: Version; program: string; runs: boolean }[] = [
    { name: '1.12 has cilium', version: '1.12.0', program: 'cilium', runs: true },
    { name: '1.12 has no cilium-dbg', version: '1.12.0', program: 'cilium-dbg', runs: false },
    { name: '1.14 has cilium', version: '1.14.5', program: 'cilium', runs: true },
    { name: '1.14 has no cilium-dbg', version: '1.14.5', program: 'cilium-dbg', runs: false },
    { name: '1.15 has cilium-dbg', version: '1.15.6', program: 'cilium-dbg', runs: true },
    { name: '1.15 keeps cilium as an alias', version: '1.15.6', program: 'cilium', runs: true },
    { name: '1.18 has cilium-dbg', version: '1.18.5', program: 'cilium-dbg', runs: true },
    { name: '1.18 keeps cilium as an alias', version: '1.18.5', program: 'cilium', runs: true },
  ];
  for (const testCase of cases)
    it(`${testCase.name}`, async () => {
      const simulation = clusterWithCilium(3, 1, testCase.version);
      const session = new TerminalSession(simulation);
      const result = await session.run(
        `kubectl -n kube-system exec ds/cilium -- ${testCase.program} endpoint list`,
      );
      if (testCase.runs) {
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toMatch(/^ENDPOINT +POLICY/);
      } else {
        // kind's containerd fails the exec before it starts; kubectl exits 1 with that error.
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toContain(`exec: "${testCase.program}": executable file not found in $PATH`);
        expect(result.stderr).not.toContain('command terminated');
      }
    });

  it('names itself cilium-dbg in its errors from 1.15, whichever name ran it', async () => {
    const session = new TerminalSession(clusterWithCilium(3, 1, '1.15.6'));
    const result = await session.run('kubectl -n kube-system exec ds/cilium -- cilium nonsense');
    expect(result.stderr).toMatch(/^Error: unknown command "nonsense" for "cilium-dbg"/);
  });
});

describe('cilium agent CLI: the ipcache value of each version', () => {
  const cases: { name: string; version: Version; value: (bed: Bed) => RegExp }[] = [
    {
      name: '1.12: identity, key and tunnel endpoint',
      version: '1.12.0',
      value: (bed) => new RegExp(`^identity=4 encryptkey=0 tunnelendpoint=${bed.serverNodeIP}$`),
    },
    {
      name: '1.14: the node map id of the tunnel endpoint',
      version: '1.14.5',
      value: (bed) =>
        new RegExp(
          `^identity=4 encryptkey=0 tunnelendpoint=${bed.serverNodeIP} nodeid=${bed.agent.nodeIds?.[bed.serverNodeIP] ?? -1}$`,
        ),
    },
    {
      name: '1.15: flags, none set',
      version: '1.15.6',
      value: (bed) => new RegExp(`^identity=4 encryptkey=0 tunnelendpoint=${bed.serverNodeIP} flags=<none>$`),
    },
    {
      name: '1.18: hastunnel for an address behind another node',
      version: '1.18.5',
      value: (bed) =>
        new RegExp(`^identity=4 encryptkey=0 tunnelendpoint=${bed.serverNodeIP} flags=hastunnel$`),
    },
  ];
  for (const testCase of cases)
    it(testCase.name, async () => {
      const bed = twoNodeBed(testCase.version);
      const cliName =
        testCase.version === '1.15.6' || testCase.version === '1.18.5' ? 'cilium-dbg' : 'cilium';
      const list = await exec(bed, `${cliName} bpf ipcache list`);
      const map = await exec(bed, `${cliName} map get cilium_ipcache`);
      const listed = list.stdout.split('\n').find((line) => line.startsWith(`${bed.serverIP}/32 `));
      const mapped = map.stdout.split('\n').find((line) => line.startsWith(`${bed.serverIP}/32 `));
      expect(listed?.replace(/^\S+\s+/, '')).toMatch(testCase.value(bed));
      expect(mapped?.replace(/^\S+\s+/, '').replace(/\s+sync$/, '')).toMatch(testCase.value(bed));
    });
});

describe('cilium agent CLI: ip list prints identities as labels', () => {
  /** The row of an address and its continuation lines, as printed. */
  const rowsOf = (stdout: string, ip: string): string[] => {
    const lines = stdout.split('\n');
    const start = lines.findIndex((line) => line.startsWith(`${ip}/32 `));
    if (start < 0) return [];
    const rows = [lines[start] ?? ''];
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith(' ')) break;
      rows.push(line);
    }
    return rows.map((row) => row.trim().replace(/\s+/g, ' '));
  };
  const cases: { name: string; version: string; args: string; health: string[]; world: string }[] = [
    {
      name: '1.12: reserved names, pod labels',
      version: '1.12.0',
      args: '',
      health: ['health custom-resource'],
      world: 'world',
    },
    {
      name: '1.14.2: reserved names still',
      version: '1.14.2',
      args: '',
      health: ['health custom-resource'],
      world: 'world',
    },
    {
      name: '1.14.4: every identity as labels',
      version: '1.14.4',
      args: '',
      health: ['reserved:health custom-resource'],
      world: 'reserved:world',
    },
    {
      name: '1.18: every identity as labels',
      version: '1.18.5',
      args: '',
      health: ['reserved:health custom-resource'],
      world: 'reserved:world',
    },
    { name: '1.18 -n: numbers', version: '1.18.5', args: ' -n', health: ['4 custom-resource'], world: '2' },
  ];
  for (const testCase of cases)
    it(testCase.name, async () => {
      const simulation = clusterWithCilium(11, 2, testCase.version, { 'encryption.enabled': 'false' });
      const session = new TerminalSession(simulation);
      const agents = Object.values(simulation.state.cluster!.cilium!.agents);
      // An agent on a worker without CoreDNS, so that it learnt the CoreDNS pod from its CiliumEndpoint.
      const coredns = listObjects(simulation.state.cluster!.api, 'Pod').find((pod) =>
        pod.metadata.name.startsWith('coredns-'),
      );
      const workers = agents.filter((candidate) => candidate.node !== 'kind-control-plane');
      const agent = workers.find((candidate) => candidate.node !== coredns?.spec.nodeName);
      const other = workers.find((candidate) => candidate !== agent);
      const name = testCase.version.startsWith('1.18') ? 'cilium-dbg' : 'cilium';
      const result = await session.run(
        `kubectl -n kube-system exec ${agent!.podName} -- ${name} ip list${testCase.args}`,
      );
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^IP +IDENTITY +SOURCE\n/);
      expect(rowsOf(result.stdout, other!.healthIP).map((row) => row.replace(/^\S+ /, ''))).toEqual(
        testCase.health,
      );
      expect(result.stdout).toMatch(new RegExp(`\\n0\\.0\\.0\\.0/0 +${testCase.world} `));
      const dns = rowsOf(result.stdout, coredns?.status?.podIP ?? '');
      if (testCase.args === ' -n') expect(dns[0]).toMatch(/^\S+ \d+ custom-resource$/);
      else {
        expect(dns[0]).toMatch(/^\S+ k8s:\S+ custom-resource$/);
        expect(dns).toContain('k8s:k8s-app=kube-dns');
      }
    });
});

describe('cilium agent CLI: status', () => {
  const cases: { name: string; version: string; cilium: string; encryption: RegExp }[] = [
    {
      name: '1.12: the commit, and the WireGuard device with its key',
      version: '1.12.0',
      cilium: 'Ok   1.12.0 (v1.12.0-9447cd1)',
      encryption: /^Wireguard {3}\[cilium_wg0 \(Pubkey: [A-Za-z0-9+/]{43}=, Port: 51871, Peers: 2\)\]$/,
    },
    {
      name: '1.14: node encryption first',
      version: '1.14.5',
      cilium: 'Ok   1.14.5 (v1.14.5-85db28be)',
      encryption:
        /^Wireguard {3}\[NodeEncryption: Disabled, cilium_wg0 \(Pubkey: [A-Za-z0-9+/]{43}=, Port: 51871, Peers: 2\)\]$/,
    },
    {
      name: '1.18',
      version: '1.18.5',
      cilium: 'Ok   1.18.5 (v1.18.5-7d4d8932)',
      encryption:
        /^Wireguard {3}\[NodeEncryption: Disabled, cilium_wg0 \(Pubkey: [A-Za-z0-9+/]{43}=, Port: 51871, Peers: 2\)\]$/,
    },
  ];
  const line = (stdout: string, label: string): string =>
    (stdout.split('\n').find((candidate) => candidate.startsWith(label)) ?? '').slice(25);
  for (const testCase of cases)
    it(testCase.name, async () => {
      const simulation = clusterWithCilium(8, 2, testCase.version);
      const session = new TerminalSession(simulation);
      const agents = Object.values(simulation.state.cluster!.cilium!.agents);
      const outputs: { stdout: string }[] = [];
      for (const agent of agents)
        outputs.push(await session.run(`kubectl -n kube-system exec ${agent.podName} -- cilium status`));
      const keys = outputs.map((output) => /Pubkey: (\S+),/.exec(output.stdout)?.[1]);
      for (const output of outputs) {
        expect(line(output.stdout, 'Cilium:')).toBe(testCase.cilium);
        expect(line(output.stdout, 'Encryption:')).toMatch(testCase.encryption);
      }
      // One static key per node: every agent shows its own.
      expect(new Set(keys).size).toBe(agents.length);
      expect(keys).toEqual(agents.map((agent) => agent.wireguardPublicKey));
    });
});
