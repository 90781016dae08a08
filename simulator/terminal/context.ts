/** What every simulated command can reach: the simulation, and how to charge it virtual time. */
import type { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import type { InputResult } from '../dispatch';
import type { PodShell } from './pod-shell';

/** A command's result, as a shell sees it. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export const ok = (stdout = ''): CommandResult => ({ stdout, stderr: '', exitCode: 0 });
export const fail = (stderr: string, exitCode = 1): CommandResult => ({
  stdout: '',
  stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`,
  exitCode,
});

/**
 * A command that goes on after its line returns, started with `&` (`cilium-dbg monitor … &`): the
 * session asks it for what it printed since the last time after every later command line.
 */
export interface BackgroundJob {
  /** What it printed since the last poll; `done` when it has ended on its own (a consumer that failed). */
  poll(): { stdout: string; stderr: string; done?: boolean };
}

/**
 * A command that runs until Ctrl-C, kept running in the foreground of its terminal while the
 * reader acts in another one: polled like a background job, and stopped by Ctrl-C, when it prints
 * its last words (`Processed a total of 2 messages`).
 */
export interface HeldJob extends BackgroundJob {
  stop(): { stdout: string; stderr: string };
}

/** The simulated machine behind a terminal. */
export interface TerminalContext {
  readonly simulation: Simulation;
  /** Lets virtual time pass (a command's own duration); refuses when the session's budget is spent. */
  spend(durationMs: number): void;
  /** Sends an input to the model. */
  input(event: InputEvent): InputResult;
  /** Files of the scenario, by path relative to the home directory. */
  readonly files: Readonly<Record<string, string>>;
  /**
   * Writes a file in the reader's shell (`kubectl cp POD:PATH LOCAL`), relative to the shell's
   * directory; the session writes it when the command returns.
   */
  writeFile?(path: string, content: string): void;
  /** Virtual time this command line may still use before its budget stops it. */
  remainingMs?(): number;
  /**
   * Hands the thread back to the host for a moment (the page repaints, a Ctrl-C button works);
   * resolves to false when the reader interrupted the command line, which should then stop.
   */
  pause?(): Promise<boolean>;
  /**
   * On a line that ends with `&`, a command that streams (a monitor) hands itself over as a job
   * instead of running its window; returns the job's number, or undefined when the line runs in
   * the foreground.
   */
  startJob?(job: BackgroundJob): number | undefined;
  /**
   * Keeps an interactive shell in a container open (`kubectl exec -it POD -- bash`): the session
   * sends it the reader's next lines until `exit`. Absent where no terminal keeps one (a script).
   */
  enterShell?(shell: PodShell): void;
  /**
   * For a command that runs until Ctrl-C (a monitor, `hubble observe -f`, a Kafka consumer): in a
   * terminal that keeps such a command running while the reader types in another (the lab's
   * tabs), the session holds it as the running command and the line returns at once; true when it
   * did. Where it cannot, the command runs its bounded window of virtual time instead.
   */
  holdForeground?(job: HeldJob): boolean;
  /**
   * Asks the reader a question on the terminal (`Enter PEM pass phrase:`) and resolves to the line
   * typed; `echo: false` hides it as it is typed. Resolves to undefined where no one can answer (a
   * script, or Ctrl-C at the question): the command then reads its standard input or gives up.
   */
  readLine?(prompt: string, options: { echo: boolean }): Promise<string | undefined>;
}
