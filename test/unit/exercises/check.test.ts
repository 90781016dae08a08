import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { checkReport, runExerciseCheck } from '../../../simulator/exercises/index';
import { splitCommandLines } from '../../../simulator/terminal/command-lines';
import { TerminalSession } from '../../../simulator/terminal/session';

// `npm run sim -- check ID [FILE]` runs a script as the command lines a reader would type, prints
// every goal met or unmet, and exits 0 only when all are met (1 when one is not, 2 on a usage
// error), so a script that solves an exercise can gate a CI job.

const loadTerminal = () => Promise.resolve({ TerminalSession });

describe('sim check: a script as command lines', () => {
  const rows: { name: string; script: string; lines: string[] }[] = [
    {
      name: 'one line per command',
      script: 'kubectl get pods\nkubectl get nodes\n',
      lines: ['kubectl get pods', 'kubectl get nodes'],
    },
    {
      name: 'a heredoc stays with its command, comments go',
      script:
        '# deploy\nkubectl apply -f - <<EOF\nkind: Namespace\n# a YAML comment\nEOF\n\n# then\nsleep 5\n',
      lines: ['kubectl apply -f - <<EOF\nkind: Namespace\n# a YAML comment\nEOF', 'sleep 5'],
    },
    {
      name: 'a loop over several lines, and a continued line, stay whole',
      script: 'for p in a b; do\n  echo $p\ndone\necho one \\\n  two\n',
      lines: ['for p in a b; do\n  echo $p\ndone', 'echo one \\\n  two'],
    },
    {
      name: 'commands on one line stay one line',
      script: 'echo a; echo b && echo c',
      lines: ['echo a; echo b && echo c'],
    },
    { name: 'nothing but comments', script: '# nothing\n\n', lines: [] },
    { name: 'a script the shell cannot parse comes back whole', script: 'echo "open', lines: ['echo "open'] },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(splitCommandLines(row.script)).toEqual(row.lines);
  });
});

describe('sim check: the report and its exit status', () => {
  const exercise = exercises['see-a-drop'];
  if (exercise === undefined) throw new Error('the see-a-drop exercise is missing');

  it('exits 0 with every goal ticked after the solution', async () => {
    const run = await runExerciseCheck(exercise, exercise.solution, loadTerminal);
    const report = checkReport(exercise, run.results);
    expect(report.exitCode).toBe(0);
    expect(report.text.match(/^✓ /gm)).toHaveLength(exercise.goals.length);
    expect(run.entries).toHaveLength(exercise.solution.length);
  }, 60_000);

  it('exits 1 and marks the unmet goal after half a solution', async () => {
    const run = await runExerciseCheck(exercise, exercise.solution.slice(1), loadTerminal);
    const report = checkReport(exercise, run.results);
    expect(report.exitCode).toBe(1);
    expect(report.text.match(/^✗ /gm)).toHaveLength(1);
  }, 60_000);
});

describe('sim check: the command line', () => {
  const sim = (args: string[], input = '') =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sim.ts', ...args], {
      cwd: new URL('../../../', import.meta.url),
      input,
      encoding: 'utf8',
    });

  it('exits 0, 1 and 2 for a solving script, an empty one and an unknown exercise', () => {
    const directory = mkdtempSync(join(tmpdir(), 'sim-check-'));
    const file = join(directory, 'solve.sh');
    writeFileSync(file, (exercises['see-a-drop']?.solution ?? []).join('\n'));
    const solved = sim(['check', 'see-a-drop', file]);
    expect(solved.status).toBe(0);
    expect(solved.stdout).toContain('Solved: every goal is met.');
    const empty = sim(['check', 'see-a-drop'], '');
    expect(empty.status).toBe(1);
    expect(empty.stdout).toContain('2 of 2 goals not met yet.');
    const unknown = sim(['check', 'no-such-exercise']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown exercise "no-such-exercise"');
  }, 120_000);
});
