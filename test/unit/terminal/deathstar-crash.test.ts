import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { exhaustPortPanic } from '../../../simulator/k8s/demo-apps/deathstar';
import { defaultSetup } from '../reference/walkthrough';

// Goal: the Star Wars demo's deathstar really explodes. `PUT /v1/exhaust-port` answers 503 with the
// demo's fake backtrace, and two seconds later the server's goroutine panics for real (cilium/
// starwars-docker restapi/configure_deathstar.go): the container exits with Go's status 2, the
// kubelet restarts it at once (restartPolicy Always), and RESTARTS, the previous run's log and its
// last state say so. The other replica is untouched.

const app = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/minikube/http-sw-app.yaml';
const exhaustPort = 'curl -s -XPUT deathstar.default.svc.cluster.local/v1/exhaust-port';

async function starWars(): Promise<{ simulation: Simulation; shell: TerminalSession }> {
  const simulation = new Simulation(11);
  const shell = new TerminalSession(simulation);
  for (const line of defaultSetup) expect((await shell.run(line)).exitCode, line).toBe(0);
  simulation.advance(90_000);
  expect((await shell.run(`kubectl create -f ${app}`)).exitCode).toBe(0);
  simulation.advance(30_000);
  return { simulation, shell };
}

/** The deathstar rows of `kubectl get pods`: name and the RESTARTS column. */
async function deathstarRestarts(shell: TerminalSession): Promise<Map<string, string>> {
  const rows = (await shell.run('kubectl get pods -l class=deathstar')).stdout.split('\n').slice(1);
  const restarts = new Map<string, string>();
  for (const row of rows) {
    const match = /^(\S+) +\S+ +\S+ +(\d+(?: \([^)]*\))?) +\S+$/.exec(row);
    if (match !== null) restarts.set(match[1] ?? '', match[2] ?? '');
  }
  return restarts;
}

describe('the deathstar exhaust port', () => {
  it('answers with the backtrace, then crashes the replica that served it, which restarts', async () => {
    const { simulation, shell } = await starWars();
    const hit = await shell.run(`kubectl exec tiefighter -- ${exhaustPort}`);
    expect(hit).toMatchObject({ stdout: exhaustPortPanic, exitCode: 0 });
    expect([...(await deathstarRestarts(shell)).values()]).toEqual(['0', '0']);

    simulation.advance(5000);
    const after = await deathstarRestarts(shell);
    const restarted = [...after].filter(([, count]) => count !== '0');
    expect(restarted).toHaveLength(1);
    expect(restarted[0]?.[1]).toMatch(/^1 \(\d+s ago\)$/);
    const [name] = restarted[0] ?? [];

    const previous = await shell.run(`kubectl logs --previous ${name}`);
    expect(previous.stdout).toContain('panic: deathstar exploded\n');
    const lastState = await shell.run(
      `kubectl get pod ${name} -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].restartCount}'`,
    );
    expect(lastState.stdout).toBe('2 1');
    // The restarted server lands ships again.
    const landing = await shell.run(
      'kubectl exec tiefighter -- curl -s -XPOST deathstar.default.svc.cluster.local/v1/request-landing',
    );
    expect(landing.stdout).toBe('Ship landed\n');
  }, 60_000);

  it('does not crash when Cilium refuses the request at L7', async () => {
    const { simulation, shell } = await starWars();
    await shell.run(
      'kubectl apply -f https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/minikube/sw_l3_l4_l7_policy.yaml',
    );
    simulation.advance(5000);
    expect((await shell.run(`kubectl exec tiefighter -- ${exhaustPort}`)).stdout).toBe('Access denied\r\n');
    simulation.advance(5000);
    expect([...(await deathstarRestarts(shell)).values()]).toEqual(['0', '0']);
  }, 60_000);
});
