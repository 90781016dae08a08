import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { renderJsonPath } from '../../../simulator/terminal/jsonpath';

// Bad input in the terminal gets the real tools' kind of message, never a crash or a hang.
describe('terminal: mistakes and limits', () => {
  const fresh = (): TerminalSession => new TerminalSession(new Simulation(1));

  it('answers an unknown command as bash does, with a hint of what is simulated', async () => {
    const result = await fresh().run('kubecttl get pods');
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('command not found');
    expect(result.stderr).toContain('hint: this terminal simulates kubectl');
  });

  it('refuses kubectl before a cluster exists, as kubectl does without a kubeconfig', async () => {
    const result = await fresh().run('kubectl get pods');
    expect(result.stderr).toContain('The connection to the server localhost:8080 was refused');
  });

  it('keeps shell variables from one command line to the next', async () => {
    const session = fresh();
    await session.run('GREETING=hello');
    expect((await session.run('echo $GREETING')).stdout).toBe('hello\n');
  });

  it('stops a runaway loop of simulated commands at its budget of virtual time', async () => {
    const session = new TerminalSession(new Simulation(1));
    await session.run(
      "kind create cluster --config=- <<<'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4'",
    );
    const result = await session.run('while true; do kubectl get pods > /dev/null; done');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('stopped: this command line used more than 60 minutes of simulated time');
  }, 60_000);

  it('stops a loop that never calls a simulated command at the shell limits', async () => {
    const result = await fresh().run('i=0; while true; do i=$((i+1)); done');
    expect(result.exitCode).not.toBe(0);
    // Said in the reader's terms (terminal/shell-limits.ts), not as advice to raise a limit.
    expect(result.stderr).toMatch(
      /^stopped: (this command line ran more than 200,000 commands|a loop in this command line ran more than 100,000 times)$/m,
    );
    expect(result.stderr).not.toContain('executionLimits');
  }, 60_000);

  it('marks a fault of the model under sleep as an internal error, as under every tool', async () => {
    // The robustness properties (test/unit/robustness/) look for this mark, so no path may hide it.
    const simulation = new Simulation(1);
    const session = new TerminalSession(simulation);
    simulation.advance = () => {
      throw new TypeError('a model fault');
    };
    const result = await session.run('sleep 1');
    expect(result.stderr).toBe('sleep: internal error in the simulator: a model fault\n');
  });

  it('refuses an unknown kubectl flag in kubectl’s words', async () => {
    const session = fresh();
    await session.run(
      "kind create cluster --config=- <<<'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4'",
    );
    const result = await session.run('kubectl get pods --colour');
    expect(result.stderr).toContain('error: unknown flag: --colour');
  });

  it('reports a malformed kind config without losing the session', async () => {
    const session = fresh();
    const result = await session.run("kind create cluster --config=- <<<'kind: [unclosed'");
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('ERROR: failed to create cluster');
    expect((await session.run('echo still here')).stdout).toBe('still here\n');
  });
});

describe('terminal: kubectl JSONPath', () => {
  const list = {
    items: [
      { metadata: { name: 'a' }, status: { podIP: '10.0.0.1' } },
      { metadata: { name: 'b' }, status: { podIP: '10.0.0.2' } },
    ],
  };

  it.each([
    ['{.items[0].metadata.name}', 'a'],
    ['{.items[*].status.podIP}', '10.0.0.1 10.0.0.2'],
    ['{range .items[*]}{.metadata.name}{"\\n"}{end}', 'a\nb\n'],
    ['name={.items[1].metadata.name}', 'name=b'],
    ['{.items[5].metadata.name}', ''],
  ])('%s', (template, expected) => {
    expect(renderJsonPath(template, list)).toEqual({ ok: true, text: expected });
  });

  it('reports a malformed template', () => {
    expect(renderJsonPath('{.items[}', list).ok).toBe(false);
  });
});
