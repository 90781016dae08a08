/** What every simulated command can reach: the simulation, and how to charge it virtual time. */
import type { MachinePorts } from './machine-ports';
import type { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import type { InputResult } from '../dispatch';
import type { Pod } from '../k8s/objects';

/** A command's result, as a shell sees it. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What a run of a script in the shell gave, and whether it asked for an interactive shell. */
export interface ShellRun {
  result: CommandResult;
  /** Set when the script started a shell on the terminal: the environment it was started with. */
  interactive?: Record<string, string>;
}

/**
 * A shell in a container that takes a terminal's lines (pod-shell.ts's PodShell), as the session
 * drives it: named here so that the context, which the shell uses, does not import the shell.
 */
export interface ContainerShell {
  readonly prompt: string;
  /** The pod the shell runs in, or undefined once it is gone. */
  currentPod(): Pod | undefined;
  run(script: string, options?: { signal?: AbortSignal }): Promise<ShellRun>;
  /** Takes the environment of a shell started inside this one (`bash` again). */
  adoptEnvironment(environment: Record<string, string>): void;
  /**
   * What the command that opened the shell does when the reader exits it, and what it prints
   * (`kubectl run -it --rm` ends the pod's process and deletes the pod).
   */
  ended?(exitCode: number): CommandResult;
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
  poll(): { stdout: string; stderr: string; done?: boolean; exitCode?: number };
  /** Its process is ended from outside (`kill`, its terminal closed): it lets go of what it holds. */
  end?(): void;
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
  enterShell?(shell: ContainerShell): void;
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
  /** The local ports the reader's machine forwards into the cluster, shared by its terminals. */
  readonly machinePorts?: MachinePorts;
}
