// Goal: `npm run sim -- risk` prints the risk lab's numbers headless, in the three formats a reader
// asks for, and answers bad input as the sim command does: a sentence, the usage, exit status 2.
import { describe, expect, it } from 'vitest';
import { runRiskCommand } from '../../../scripts/sim-risk';

describe('sim risk: output formats', () => {
  it('sim risk: the table has one row per setup, with the interval and the analytic column', async () => {
    const result = await runRiskCommand([
      '--churn',
      '30',
      '--trials',
      '200',
      '--setups',
      'cilium-1.12-wireguard,cilium-1.15-wireguard',
    ]);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^Risk of a wrong admit: 4 nodes, 20 pods per node, \/24 per node \(kubernetes\), churn 30\/min/,
    );
    expect(lines[2]).toMatch(
      /^SETUP\s+P\(WRONG ADMIT\)\s+95 % INTERVAL\s+ANALYTIC\s+MEAN EXPOSURE\s+P95 EXPOSURE\s+TRIALS$/,
    );
    expect(lines[3]).toMatch(/^Cilium 1\.12, WireGuard\s+\d+\.\d %\s+\d+\.\d % – \d+\.\d %\s+\d+\.\d %/);
    expect(lines[4]).toMatch(/^Cilium 1\.15, WireGuard\s+0\.0 %\s+0\.0 % – \d\.\d %\s+0\.0 %\s+–\s+–\s+200$/);
  });

  it('sim risk: --csv gives a header and a row per point and setup, the same numbers as --json', async () => {
    const args = [
      '--sweep',
      'cidr',
      '--values',
      '24,26',
      '--trials',
      '150',
      '--setups',
      'cilium-1.12-wireguard,istio-sidecar',
    ];
    const csv = await runRiskCommand([...args, '--csv']);
    const json = await runRiskCommand([...args, '--json']);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'axis,value,setup,trials,wrong_admits,probability,lower_95,upper_95,analytic,attacker_probability,mean_exposure_s,median_exposure_s,p95_exposure_s,expected_exposure_s',
    );
    expect(rows).toHaveLength(5);
    const parsed = JSON.parse(json.stdout) as {
      points: { value: number; setup: string; wrongAdmits: number }[];
    };
    expect(parsed.points.map((point) => `${point.value}/${point.setup}/${point.wrongAdmits}`)).toEqual(
      rows.slice(1).map((row) => {
        const cells = row.split(',');
        return `${cells[1]}/${cells[2]}/${cells[4]}`;
      }),
    );
  });

  it('sim risk: --trial names its verdict and a lab link when the lab can replay it', async () => {
    const inLab = await runRiskCommand([
      '--trial',
      '5',
      '--nodes',
      '3',
      '--pods-per-node',
      '10',
      '--cut-off',
      '120',
    ]);
    expect(inLab.stdout).toMatch(/open it in the lab: \/guides\/mistaken-identity\/#v1\.[A-Za-z0-9_-]+/);
    const beyond = await runRiskCommand(['--trial', '5', '--pod-cidr', '26']);
    expect(beyond.stdout).toMatch(/the lab cannot replay it: kind in the simulator gives every node a \/24/);
  });
});

describe('sim risk: bad input', () => {
  const cases: readonly { name: string; args: string[]; message: RegExp }[] = [
    {
      name: 'a node count out of range',
      args: ['--nodes', '1'],
      message: /nodes must be between 2 and 1000/,
    },
    {
      name: 'a word for a number',
      args: ['--churn', 'lots'],
      message: /--churn must be a number, got "lots"/,
    },
    { name: 'an unknown axis', args: ['--sweep', 'moon'], message: /--sweep must be churn, cidr or window/ },
    { name: 'an unknown setup', args: ['--setups', 'calico'], message: /unknown setup "calico"/ },
    { name: 'an unknown flag', args: ['--frobnicate'], message: /Unknown option '--frobnicate'/ },
    { name: 'both windows', args: ['--cut-off', '60', '--lag-median', '5'], message: /give one/ },
  ];
  it.each(cases)('sim risk: refuses $name with exit status 2', async ({ args, message }) => {
    const result = await runRiskCommand(args);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/usage: npm run sim -- risk/);
  });
});
