import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { withSiteRepositories } from './kubectl-support';

// Every command block of the seed 001 article, typed verbatim into the simulated terminal (in
// order, including its run-test.sh), must end as the article does: a sleep-v2 pod on a recycled
// sleep-v1 address reaches helloworld-v1, and the cut-off node's ipcache still maps that address
// to sleep-v1's identity.
const scenario = scenarios['mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');
const script = readFileSync(new URL('./seed-001.sh', import.meta.url), 'utf8');

describe('terminal: the seed 001 experiment, verbatim', () => {
  it('reproduces the article from kind create cluster to the bypass', async () => {
    const player = new ScenarioPlayer(scenario, scenario.defaultSeed);
    const session = new TerminalSession(player.simulation, scenario.files, withSiteRepositories);
    const result = await session.run(script);
    const out = result.stdout;
    // The connectivity matrix: only matching versions connect.
    const matrix = out.slice(out.indexOf('Trying to connect'), out.indexOf('Key '));
    expect(matrix.match(/Connection success\./g)).toHaveLength(2);
    expect(matrix.match(/Connection Failed\./g)).toHaveLength(2);
    expect(matrix).toMatch(/sleep-v1 to helloworld-v1\nHello version: v1, instance: helloworld-v1-/);
    // The identity and its CiliumIdentity object.
    const id = /Security identity for sleep-v1 is (\d+)\./.exec(out)?.[1];
    expect(Number(id)).toBeGreaterThanOrEqual(256);
    expect(out).toContain(`name: "${id ?? ''}"`);
    expect(out).toContain('k8s:io.cilium.k8s.policy.serviceaccount: sleep-v1');
    // The bypass and the stale entry.
    const found = /Found sleep-v2 pod (\S+) ip (\S+)/.exec(out);
    expect(found).not.toBeNull();
    const bypass = out.slice(out.indexOf('Trying to curl from sleep-v2 to helloworld-v1'));
    expect(bypass).toMatch(/Hello version: v1, instance: helloworld-v1-\S+\nConnection success\./);
    const staleLine = bypass.split('\n').find((line) => line.startsWith(`${found?.[2] ?? '?'}/32`));
    expect(staleLine).toMatch(new RegExp(`identity=${id ?? '?'} `));
    expect(result.exitCode).toBe(0);
  }, 60_000);
});

describe('terminal: hubble on the cut-off node', () => {
  it('names the old sleep-v1 pod for the connection the recycled address made', async () => {
    const player = new ScenarioPlayer(scenario, scenario.defaultSeed);
    const session = new TerminalSession(player.simulation, scenario.files, withSiteRepositories);
    await session.run(script);
    const result = await session.run(
      "docker exec $NODEV1 /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) hubble observe --type policy-verdict --to-pod default/helloworld-v1 --last 1'",
    );
    expect(result.stdout).toMatch(
      /default\/sleep-v1-\S+:\d+ \(ID:\d+\) -> default\/helloworld-v1-\S+:5000 \(ID:\d+\) policy-verdict:L3-L4 INGRESS ALLOWED \(TCP Flags: SYN\)/,
    );
  }, 60_000);
});
