import { describe, expect, it } from 'vitest';
import { decodeLabPermalink, encodeLabPermalink } from '../../../simulator/permalink';
import { LabSession } from '../../../simulator/scenarios/lab-session';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { virtualEpochMs } from '../../../simulator/engine/virtual-time';
import { ciliumShell, kindShell } from './kubectl-support';

// Bash's dynamic variables ($RANDOM, $SECONDS and their bash 5 kin) read the world's seeded
// generator and virtual clock, never the host's: the same line in two sessions with the same seed
// prints the same thing and leaves the same world, and a permalink replays it exactly.
const scenario = scenarios['mistaken-identity']!;
const loadTerminal = () => import('../../../simulator/terminal/session');

interface ReadCase {
  name: string;
  line: string;
  /** What one run prints, as a pattern (the numbers depend on the seed). */
  stdout: RegExp;
}

const reads: ReadCase[] = [
  { name: 'a plain read', line: 'echo $RANDOM', stdout: /^\d{1,5}\n$/ },
  { name: 'a braced read in double quotes', line: 'echo "${RANDOM}"', stdout: /^\d{1,5}\n$/ },
  {
    name: 'arithmetic with and without $',
    line: 'echo $((RANDOM % 6)) $(( $RANDOM % 6 ))',
    stdout: /^[0-5] [0-5]\n$/,
  },
  { name: 'an operation on the value', line: 'echo ${#SRANDOM} ${RANDOM:0:1}', stdout: /^\d{1,2} \d\n$/ },
  {
    name: 'a loop draws anew each time',
    line: 'for i in 1 2 3; do echo $RANDOM; done',
    stdout: /^(\d{1,5}\n){3}$/,
  },
  {
    name: 'a C-style loop condition',
    line: 'for ((i = 0; i < 2; i++)); do echo $((RANDOM)); done',
    stdout: /^(\d{1,5}\n){2}$/,
  },
  {
    name: 'arithmetic beside another $variable',
    line: 'x=2; echo $(( $x + ${RANDOM} % 6 + RANDOM * 0 ))',
    stdout: /^[2-7]\n$/,
  },
  { name: 'an arithmetic command', line: 'sleep 4; (( n = SECONDS * 2 )); echo $n', stdout: /^8\n$/ },
  { name: "eval of a variable's text", line: 'line=\'echo $RANDOM\'; eval "$line"', stdout: /^\d{1,5}\n$/ },
  { name: "eval's text", line: "eval 'echo $RANDOM'", stdout: /^\d{1,5}\n$/ },
  { name: 'a nested shell', line: "bash -c 'echo $RANDOM'", stdout: /^\d{1,5}\n$/ },
  {
    name: 'a command substitution in arithmetic',
    line: 'echo $(( $(echo $RANDOM) + 0 ))',
    stdout: /^\d{1,5}\n$/,
  },
  { name: 'a here-document', line: 'cat <<EOF\n$RANDOM\nEOF', stdout: /^\d{1,5}\n$/ },
  { name: 'SECONDS after a sleep', line: 'sleep 3; echo $SECONDS', stdout: /^3\n$/ },
  { name: 'the bash 5 clock', line: 'echo $EPOCHSECONDS $EPOCHREALTIME', stdout: /^\d{10} \d{10}\.\d{6}\n$/ },
];

describe('terminal: dynamic variables from the world', () => {
  describe('the same line with the same seed prints the same and leaves the same world', () => {
    it.each(reads)('$name', async ({ line, stdout }) => {
      const first = kindShell();
      const second = kindShell();
      const one = await first.run(line);
      const two = await second.run(line);
      expect(one.stderr).toBe('');
      expect(one.stdout).toMatch(stdout);
      expect(two).toEqual(one);
      expect(second.simulation.hash()).toBe(first.simulation.hash());
    });
  });

  it('draws differ along a line and between seeds', async () => {
    const line = 'for i in $(seq 8); do echo $RANDOM; done';
    const five = (await kindShell({}, 5).run(line)).stdout.trim().split('\n');
    const six = (await kindShell({}, 6).run(line)).stdout.trim().split('\n');
    expect(new Set(five).size).toBeGreaterThan(1);
    expect(six).not.toEqual(five);
    for (const value of five) expect(Number(value)).toBeLessThan(32768);
  });

  it('a draw advances the world, so the next line draws the next number', async () => {
    const shell = kindShell();
    const before = shell.simulation.hash();
    const first = await shell.run('echo $RANDOM');
    expect(shell.simulation.hash()).not.toBe(before);
    const second = await shell.run('echo $RANDOM');
    expect(second.stdout).not.toBe(first.stdout);
  });

  it('SECONDS counts virtual time from the start of the shell, EPOCHSECONDS agrees with date', async () => {
    const shell = kindShell();
    const startMs = shell.simulation.nowMs;
    const result = await shell.run('sleep 125; echo $SECONDS $EPOCHSECONDS $(date +%s)');
    const [seconds, epoch, date] = result.stdout.trim().split(' ').map(Number);
    expect(seconds).toBe(125);
    expect(epoch).toBe(Math.floor((virtualEpochMs + startMs + 125_000) / 1000));
    expect(date).toBe(epoch);
  });

  describe('time reports the virtual time a pipeline took, keeping its status', () => {
    it.each([
      {
        name: 'the default format',
        line: 'time sleep 90',
        stderr: '\nreal\t1m30.000s\nuser\t0m0.000s\nsys\t0m0.000s\n',
        exitCode: 0,
      },
      {
        name: "POSIX's -p",
        line: 'time -p sleep 2.5',
        stderr: 'real 2.50\nuser 0.00\nsys 0.00\n',
        exitCode: 0,
      },
      {
        name: 'a failing pipeline',
        line: 'time false',
        stderr: '\nreal\t0m0.000s\nuser\t0m0.000s\nsys\t0m0.000s\n',
        exitCode: 1,
      },
      {
        name: 'a negated pipeline',
        line: 'time ! false',
        stderr: '\nreal\t0m0.000s\nuser\t0m0.000s\nsys\t0m0.000s\n',
        exitCode: 0,
      },
    ])('$name', async ({ line, stderr, exitCode }) => {
      const result = await kindShell().run(line);
      expect(result.stderr).toBe(stderr);
      expect(result.exitCode).toBe(exitCode);
    });

    it('prints what the pipeline prints', async () => {
      const result = await kindShell().run('time echo hello | tr a-z A-Z');
      expect(result.stdout).toBe('HELLO\n');
    });
  });

  it('inside a container too', async () => {
    const line = "kubectl -n kube-system exec ds/cilium -- sh -c 'echo $RANDOM $SECONDS'";
    const first = ciliumShell();
    const second = ciliumShell();
    const one = await first.run(line);
    expect(one.stdout).toMatch(/^\d{1,5} 0\n$/);
    expect(await second.run(line)).toEqual(one);
    expect(second.simulation.hash()).toBe(first.simulation.hash());
  });

  it('a permalink replays a line with $RANDOM and $SECONDS to the same output and world', async () => {
    const original = new LabSession(scenario, 13, loadTerminal);
    original.next();
    await original.run('sleep 2; echo $RANDOM $SRANDOM $SECONDS');
    const decoded = await decodeLabPermalink(await encodeLabPermalink(original.record()));
    if (!decoded.ok) throw new Error(decoded.error);
    const { session: restored } = await LabSession.restore(scenario, decoded.record, loadTerminal);
    expect(restored.terminalLog).toEqual(original.terminalLog);
    expect(restored.simulation.hash()).toBe(original.simulation.hash());
  });
});
