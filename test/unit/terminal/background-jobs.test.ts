import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { backgroundCommand } from '../../../simulator/terminal/background-jobs';
import { clusterWithCilium } from '../simulator/support';

// Lines ending with `&`: a monitor becomes a job that reports after later lines; anything else
// still runs in order, as the shell underneath does.
describe('background jobs', () => {
  it('recognises a trailing & but not && or a script', () => {
    expect(backgroundCommand('cilium-dbg monitor &')).toBe('cilium-dbg monitor');
    expect(backgroundCommand('true &&')).toBeUndefined();
    expect(backgroundCommand('echo a &\necho b &')).toBeUndefined();
    expect(backgroundCommand(' & ')).toBeUndefined();
  });

  it('runs other commands in order, and manages monitor jobs like bash', async () => {
    const simulation = clusterWithCilium(41, 1, '1.18.5', { 'encryption.enabled': 'false' });
    const session = new TerminalSession(simulation);
    expect(await session.run('echo hello &')).toMatchObject({ stdout: 'hello\n', stderr: '', exitCode: 0 });
    const agent = Object.values(simulation.state.cluster?.cilium?.agents ?? {})[0]?.podName ?? '';
    const first = await session.run(`kubectl -n kube-system exec ${agent} -- cilium-dbg monitor -t drop &`);
    expect(first.stderr.split('\n')[0]).toBe('[1] 4711');
    const second = await session.run(`kubectl -n kube-system exec ${agent} -- cilium-dbg monitor &`);
    expect(second.stderr.split('\n')[0]).toBe('[2] 4712');
    expect((await session.run('jobs')).stdout).toBe(
      `[1]-  Running                 kubectl -n kube-system exec ${agent} -- cilium-dbg monitor -t drop &\n` +
        `[2]+  Running                 kubectl -n kube-system exec ${agent} -- cilium-dbg monitor &\n`,
    );
    expect(await session.run('kill %3')).toMatchObject({
      stderr: 'bash: kill: %3: no such job\n',
      exitCode: 1,
    });
    expect(await session.run('kill 99')).toMatchObject({
      stderr: 'bash: kill: (99) - No such process\n',
      exitCode: 1,
    });
    // Job 2 is the current one (+), so job 1's notice carries bash's - mark.
    expect((await session.run('kill -9 4711')).stderr).toContain('[1]-  Terminated');
    expect((await session.run('kill %2')).stderr).toContain('[2]+  Terminated');
    expect((await session.run('jobs')).stdout).toBe('');
    expect((await session.run('fg')).stderr).toContain('kill %N stops it');
    // A foreground monitor still runs its window and ends.
    const before = simulation.state.timeMs;
    const foreground = await session.run(
      `kubectl -n kube-system exec ${agent} -- cilium-dbg monitor -t drop`,
    );
    expect(foreground.exitCode).toBe(0);
    expect(simulation.state.timeMs - before).toBeGreaterThanOrEqual(60_000);
  }, 60_000);
});
