/**
 * Whether a container's process ends by itself, when, with which exit code and what it printed:
 * what decides that a Job's pod completes, or that a Deployment whose command exits goes into
 * CrashLoopBackOff. Servers and `sleep infinity`-style clients run until they are stopped; shell
 * scripts and one-shot programs (echo, date, true, false, exit N, sleep N, the Kubernetes docs'
 * `perl … bpi(…)` Job) end on their own.
 */
import type { Container, Pod } from './objects';

/** How a process ends by itself. */
export interface ProcessExit {
  afterMs: number;
  exitCode: number;
  /** What it wrote to standard output (what `kubectl logs` shows). */
  output: string;
}

/** How long a one-shot program takes, start to exit, in virtual milliseconds. */
const oneShotMs = 1000;

/** Programs that do one thing and exit. */
const oneShotPrograms = new Set([
  'echo',
  'date',
  'true',
  'false',
  'printenv',
  'env',
  'hostname',
  'uname',
  'ls',
  'cat',
  'id',
  'whoami',
  'pwd',
]);

/** Seconds of a sleep argument (`30`, `1.5`, `2m`, `1h`), or Infinity (`infinity`, days, unparseable). */
function sleepSeconds(argument: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(argument ?? '');
  if (match === null) return Infinity;
  const unit = match[2] === 'm' ? 60 : match[2] === 'h' ? 3600 : 1;
  return Number(match[1]) * unit;
}

/** The shell commands of a script, split on `;`, `&&`, `||` and newlines (quotes are not parsed). */
function scriptCommands(script: string): string[][] {
  return script
    .split(/;|&&|\|\||\n/)
    .map((part) =>
      part
        .trim()
        .split(/\s+/)
        .filter((word) => word !== ''),
    )
    .filter((words) => words.length > 0);
}

/** The base name of a program path: `/bin/sleep` → `sleep`. */
const programName = (word: string): string => word.split('/').pop() ?? word;

/** What one command of a script does: how long it takes, its exit code and output; undefined runs forever. */
function runCommand(words: string[]): ProcessExit | undefined {
  const program = programName(words[0] ?? '');
  if (program === 'sleep') {
    const seconds = sleepSeconds(words[1]);
    return Number.isFinite(seconds) ? { afterMs: seconds * 1000, exitCode: 0, output: '' } : undefined;
  }
  if (program === 'exit')
    return { afterMs: 0, exitCode: Number.parseInt(words[1] ?? '0', 10) || 0, output: '' };
  if (program === 'echo')
    return {
      afterMs: 0,
      exitCode: 0,
      output: `${words
        .slice(1)
        .join(' ')
        .replace(/^["']|["']$/g, '')}\n`,
    };
  if (program === 'false') return { afterMs: 0, exitCode: 1, output: '' };
  if (oneShotPrograms.has(program)) return { afterMs: 0, exitCode: 0, output: '' };
  // The Kubernetes docs' Job computes 2,000 digits of pi, which takes a few seconds.
  if (program === 'perl') return { afterMs: 8000, exitCode: 0, output: '' };
  return undefined;
}

/** The words a container runs: command and args, and a shell script as its commands. */
function commandsOf(container: Container): string[][] | undefined {
  const words = [...(container.command ?? []), ...(container.args ?? [])];
  if (words.length === 0) return undefined;
  const shell = programName(words[0] ?? '');
  if ((shell === 'sh' || shell === 'bash' || shell === 'ash') && words[1] === '-c')
    return scriptCommands(words.slice(2).join(' '));
  return [words];
}

const memo = new WeakMap<Container, ProcessExit | null>();

/** How a container's process ends by itself, or undefined when it runs until it is stopped. */
function containerProcessExit(container: Container): ProcessExit | undefined {
  const cached = memo.get(container);
  if (cached !== undefined) return cached ?? undefined;
  const commands = commandsOf(container);
  let result: ProcessExit | undefined;
  if (commands !== undefined) {
    let afterMs = oneShotMs;
    let output = '';
    let exitCode = 0;
    let finite = true;
    for (const words of commands) {
      const step = runCommand(words);
      if (step === undefined) {
        finite = false;
        break;
      }
      afterMs += step.afterMs;
      output += step.output;
      exitCode = step.exitCode;
      if (programName(words[0] ?? '') === 'exit') break;
    }
    if (finite) result = { afterMs, exitCode, output };
  }
  memo.set(container, result ?? null);
  return result;
}

/**
 * How a pod's containers end by themselves: the last of them to finish, with the first non-zero
 * exit code; undefined when any of them runs until stopped (an Istio sidecar never exits).
 */
export function podProcessExit(pod: Pod): ProcessExit | undefined {
  let combined: ProcessExit | undefined;
  for (const container of pod.spec.containers) {
    const exit = containerProcessExit(container);
    if (exit === undefined) return undefined;
    combined =
      combined === undefined
        ? exit
        : {
            afterMs: Math.max(combined.afterMs, exit.afterMs),
            exitCode: combined.exitCode !== 0 ? combined.exitCode : exit.exitCode,
            output: combined.output + exit.output,
          };
  }
  return combined;
}
