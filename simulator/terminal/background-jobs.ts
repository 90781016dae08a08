/**
 * Background jobs of a terminal session: a line ending with `&` whose command streams (the
 * monitor) keeps running while the reader types other commands, and what it prints shows up
 * after each later line, as a job's output interleaves with the prompt in a real terminal.
 * `jobs` lists them and `kill %N` (or the job's process id) stops them. The shell underneath runs
 * `&` lines in order, so only commands that register as jobs really go on in the background.
 */
import { fail, ok, type BackgroundJob, type CommandResult } from './context';

interface RunningJob extends BackgroundJob {
  number: number;
  pid: number;
  command: string;
}

/** Splits a trailing `&` off a one-line command (not `&&`), or returns undefined. */
export function backgroundCommand(script: string): string | undefined {
  const trimmed = script.trimEnd();
  if (trimmed.includes('\n') || !trimmed.endsWith('&') || trimmed.endsWith('&&')) return undefined;
  const command = trimmed.slice(0, -1).trimEnd();
  return command === '' ? undefined : command;
}

export class BackgroundJobs {
  private readonly running = new Map<number, RunningJob>();
  /** Process ids look like a shell's and never change between runs. */
  private nextPid = 4711;

  /** Registers a job started by `command`; returns its number and the line bash prints for it. */
  start(command: string, job: BackgroundJob): { number: number; announcement: string } {
    // bash numbers a new job after the highest one still running.
    const number = this.running.size === 0 ? 1 : Math.max(...this.running.keys()) + 1;
    const pid = this.nextPid++;
    this.running.set(number, {
      poll: () => job.poll(),
      end: () => job.end?.(),
      number,
      pid,
      command,
    });
    return { number, announcement: `[${number}] ${pid}\n` };
  }

  /** What every running job printed since it was last asked. */
  drain(): { stdout: string; stderr: string } {
    let stdout = '';
    let stderr = '';
    for (const job of [...this.running.values()].sort((a, b) => a.number - b.number)) {
      const output = job.poll();
      stdout += output.stdout;
      stderr += output.stderr;
      if (output.done === true) {
        // bash reports a job that ended by itself at the next prompt, with its status when it failed.
        const status =
          output.exitCode === undefined || output.exitCode === 0 ? 'Done' : `Exit ${output.exitCode}`;
        stderr += `[${job.number}]${this.markOf(job.number)}  ${status.padEnd(24)}${job.command}\n`;
        this.running.delete(job.number);
      }
    }
    return { stdout, stderr };
  }

  /** bash's mark for a job: `+` for the current (newest) job, `-` for the one before it. */
  private markOf(number: number): string {
    const numbers = [...this.running.keys()].sort((a, b) => a - b);
    const index = numbers.indexOf(number);
    return index === numbers.length - 1 ? '+' : index === numbers.length - 2 ? '-' : ' ';
  }

  /** `jobs`: the running jobs with their marks, as bash lists them. */
  list(): CommandResult {
    const numbers = [...this.running.keys()].sort((a, b) => a - b);
    const lines = numbers.map(
      (number) =>
        `[${number}]${this.markOf(number)}  ${'Running'.padEnd(24)}${this.running.get(number)?.command ?? ''} &\n`,
    );
    return ok(lines.join(''));
  }

  /** `kill %N` or `kill PID` (a signal flag such as `-9` or `-INT` is accepted and changes nothing). */
  kill(args: readonly string[]): CommandResult {
    const targets = args.filter((arg) => !/^-(\d+|[A-Z]+|s)$/.test(arg));
    if (targets.length === 0)
      return fail('kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ...', 2);
    let stdout = '';
    let stderr = '';
    let exitCode = 0;
    for (const target of targets) {
      const job = target.startsWith('%')
        ? this.running.get(Number(target.slice(1)))
        : [...this.running.values()].find((candidate) => String(candidate.pid) === target);
      if (job === undefined) {
        stderr += target.startsWith('%')
          ? `bash: kill: ${target}: no such job\n`
          : `bash: kill: (${target}) - No such process\n`;
        exitCode = 1;
        continue;
      }
      // What it printed until the signal still reaches the terminal; the notice carries the mark
      // the job had while it ran.
      const last = job.poll();
      const mark = this.markOf(job.number);
      this.running.delete(job.number);
      job.end?.();
      stdout += last.stdout;
      stderr += `${last.stderr}[${job.number}]${mark}  ${'Terminated'.padEnd(24)}${job.command}\n`;
    }
    return { stdout, stderr, exitCode };
  }

  /** The terminal closes: its jobs get SIGHUP and end without a word (bash prints nothing then). */
  hangUp(): void {
    for (const job of this.running.values()) job.end?.();
    this.running.clear();
  }
}
