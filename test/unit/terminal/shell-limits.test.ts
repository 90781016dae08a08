// Goal: when one of the simulated shell's limits stops a command line, the reader is told what
// stopped it in the same `stopped: …` form as the virtual-time budget, without just-bash's advice
// to the programmer who embeds it; any other output passes unchanged.
import { describe, expect, it } from 'vitest';
import { explainShellLimits } from '../../../simulator/terminal/shell-limits';

const cases: readonly { name: string; stderr: string; explained: string }[] = [
  {
    name: 'the command count',
    stderr: 'bash: too many commands executed (>200000), increase executionLimits.maxCommandCount\n',
    explained:
      'bash: too many commands executed (>200000)\nstopped: this command line ran more than 200,000 commands\n',
  },
  {
    name: 'a loop’s iterations',
    stderr: 'bash: while loop: too many iterations (100000), increase executionLimits.maxLoopIterations\n',
    explained:
      'bash: while loop: too many iterations (100000)\nstopped: a loop in this command line ran more than 100,000 times\n',
  },
  {
    name: 'the output size, however the shell words it',
    stderr: 'bash: cat: output size limit exceeded (8388608 bytes)\n',
    explained:
      'bash: cat: output size limit exceeded (8388608 bytes)\nstopped: this command line wrote more than 8 MiB of output\n',
  },
  {
    name: 'recursion',
    stderr: 'bash: f: maximum recursion depth (100) exceeded, increase executionLimits.maxCallDepth\n',
    explained:
      'bash: f: maximum recursion depth (100) exceeded\nstopped: functions in this command line called each other more than 100 deep\n',
  },
  {
    name: 'the wall-clock deadline, the last resort',
    stderr: 'bash: execution exceeded execution deadline (120000ms)\n',
    explained:
      'bash: execution exceeded execution deadline (120000ms)\nstopped: this command line ran for more than 2 minutes of real time\n',
  },
  {
    name: 'output that names no limit',
    stderr: 'error: the server doesn\'t have a resource type "widgets"\n',
    explained: 'error: the server doesn\'t have a resource type "widgets"\n',
  },
];

describe('terminal: shell limits', () => {
  it.each(cases)('terminal: shell limits: explains $name', ({ stderr, explained }) => {
    expect(explainShellLimits(stderr)).toBe(explained);
  });
});
