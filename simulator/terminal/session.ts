/**
 * A terminal session on the simulated machine: a real shell interpreter (just-bash) with the
 * simulated tools registered as commands, the scenario's files in the home directory, variables
 * that persist from one command line to the next, and a budget of virtual time per command line,
 * so a runaway loop stops with a message instead of freezing anything.
 */
import { MachinePorts } from './machine-ports';
import { hubbleCli } from './hubble-cli';
import { Bash, defineCommand, type IFileSystem } from 'just-bash';
import type { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import { fail, type CommandResult, type ContainerShell, type HeldJob, type TerminalContext } from './context';
import { istioctl, step } from './mesh-tools';
import { opensslOnMachine } from './openssl-ca';
import { kubectl } from './kubectl';
import { crictl, docker } from './tools';
import { helm } from './helm-cli';
import { repositoriesPath, repositoriesYaml } from './helm-repositories';
import { ciliumHost } from './cilium-host';
import { kind } from './kind-cli';
import { contextForAddressIn, contextInNode } from './cluster-context';
import { runCurl } from './curl';
import { pingFromMachine } from './ping';
import { readersMachine } from '../cilium/datapath-types';
import { BackgroundJobs, backgroundCommand } from './background-jobs';
import { decodeStdin } from './stdin';
import { gnuXargs } from './xargs';
import { date } from './date';
import { dynamicVariableCommand, dynamicVariablesPlugin, worldVariableSource } from './dynamic-variables';
import { virtualEpochMs } from '../engine/virtual-time';
import { machineFileSystem } from './machine-files';
import { mktempCommand } from './mktemp';
import { explainShellLimits, shellLimits } from './shell-limits';
import { complete, type Completion, type CompletionEntry } from './completion';
import { simulatedMachineTools } from './completion-words';

/** Virtual time one command line may consume before it is stopped. */
const commandLineBudgetMs = 60 * 60 * 1000;

class BudgetExceeded extends Error {}

/** What a command prints when the model failed under it: a bug to report, never a tool's answer. */
function internalError(error: unknown): string {
  return `internal error in the simulator: ${error instanceof Error ? error.message : String(error)}`;
}

/** Simulated commands run between two hand-backs of the thread to the page. */
const commandsPerYield = 32;

/**
 * Hands the thread back to the host's event loop for a moment, so a browser tab repaints and its
 * buttons (such as the terminal's interrupt) respond while a long command line runs. This is real
 * time spent waiting on the host, never simulated time, so the model stays deterministic; where
 * the host has no timer it is a no-op.
 */
function yieldToHost(): Promise<void> {
  const host = globalThis as { setTimeout?: (callback: () => void, ms: number) => unknown };
  const timer = host.setTimeout;
  return new Promise((resolve) => {
    if (timer === undefined) resolve();
    else timer(resolve, 0);
  });
}

/** The result of a command the reader interrupted: what a shell reports for SIGINT. */
const interruptedResult: CommandResult = { stdout: '', stderr: '', exitCode: 130 };

/** A simulated tool's run: its arguments, standard input and environment. */
type SimulatedCommand = (
  args: string[],
  stdin: string,
  env: Map<string, string>,
) => CommandResult | Promise<CommandResult>;

/**
 * The reader's home directory when the shell starts: the lab's files, and Helm's repositories file
 * when the page assumes `helm repo add` was run.
 */
function homeFiles(
  files: Readonly<Record<string, string>>,
  helmRepositories: Readonly<Record<string, string>>,
  nowMs: number,
): Record<string, string> {
  const initialFiles: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) initialFiles[`/home/user/${path}`] = content;
  const repositories = Object.entries(helmRepositories);
  if (repositories.length > 0 && initialFiles[repositoriesPath] === undefined)
    initialFiles[repositoriesPath] = repositoriesYaml(
      repositories.map(([name, url]) => ({ name, url })),
      nowMs,
    );
  return initialFiles;
}

/** Flags whose value names a file: `-f`, and `kubectl create secret`'s sources. */
const fileFlag = /^--(?:filename|cert|key|from-file|from-env-file|config)=(.*)$/s;

/**
 * The paths an argument may name: the argument itself, a file flag's value, and the parts of
 * `--from-file` sources (comma-separated lists of `[key=]path`).
 */
function fileCandidates(arg: string): string[] {
  const flag = fileFlag.exec(arg);
  const value = flag !== null ? (flag[1] ?? '') : arg;
  // Flags, URLs and long strings never name a file the reader wrote; skip the lookups.
  if (
    value === '' ||
    value === '-' ||
    (flag === null && value.startsWith('-')) ||
    value.includes('://') ||
    value.length > 4096
  )
    return [];
  // `curl -d @FILE` names a file after the @.
  const candidates = new Set(value.startsWith('@') && value.length > 1 ? [value, value.slice(1)] : [value]);
  for (const part of value.split(',')) {
    candidates.add(part);
    const equals = part.indexOf('=');
    if (equals >= 0) candidates.add(part.slice(equals + 1));
  }
  return [...candidates].filter((candidate) => candidate !== '' && candidate !== '-');
}

/** What a line printed; `waitingForInput` when a command of it asked a question (see `run`). */
export type LineResult = CommandResult & {
  interruptedAt?: number;
  waitingForInput?: { echo: boolean };
  /**
   * How many characters at the start of stderr came before stdout on the screen: bash's `[1] PID`
   * for a job the line started, which a job's first output line follows.
   */
  stderrLead?: number;
};

/** One reader's terminal. */
export class TerminalSession {
  private readonly bash: Bash;
  private environment: Record<string, string> | undefined;
  private spentMs = 0;
  private budgetExceeded = false;
  private controller: AbortController | undefined;
  private interrupted = false;
  private commandRunning = false;
  private commandsSinceYield = 0;
  /** Points where a command line can be interrupted (each simulated command, each pause), counted. */
  private checkpoint = 0;
  /** Interrupt when this checkpoint is reached: a replay of a line the reader interrupted. */
  private stopAt: number | undefined;
  /** The checkpoint at which this command line was interrupted. */
  private stoppedAt: number | undefined;
  /** Jobs started with `&` that go on between command lines (background-jobs.ts). */
  private readonly jobs = new BackgroundJobs();
  /** The local ports this machine forwards into the cluster (machine-ports.ts). */
  readonly machinePorts: MachinePorts;
  /** The command of the running line when it ends with `&`, until a command takes it as a job. */
  private backgroundLine: string | undefined;
  /** What the running line's job printed when it started (bash's `[1] PID`). */
  private jobAnnouncement = '';
  /** The files the running command may read: the scenario's, and those its arguments name. */
  private currentFiles: Readonly<Record<string, string>>;
  /** Files the running command wrote in the reader's shell, written when it returns. */
  private pendingWrites: { path: string; content: string }[] = [];
  /** A question a running command asked the reader (`Enter PEM pass phrase:`), until answered. */
  private prompting:
    { prompt: string; echo: boolean; answer: (line: string | undefined) => void } | undefined;
  /** The line that is running while it waits for an answer. */
  private lineInFlight: Promise<Omit<LineResult, 'waitingForInput'>> | undefined;
  /** Wakes `lineOrPrompt` when the running command asks a question. */
  private onPrompt: (() => void) | undefined;
  /** The command this terminal keeps running in the foreground (a consumer waiting for messages). */
  private held: { command: string; job: HeldJob } | undefined;
  /** A command the running line asked to hold, which becomes `held` once the line returns. */
  private holding: HeldJob | undefined;
  /** What a held command printed when Ctrl-C stopped it, for the next poll. */
  private stoppedOutput = { stdout: '', stderr: '' };
  /** The interactive shell in a container the reader is in (`kubectl exec -it POD -- bash`), if any. */
  private podShell: ContainerShell | undefined;
  /** A shell the running line opened, which takes the next lines once the line returns. */
  private openedShell: ContainerShell | undefined;
  /** The kind node the reader has a shell on (`docker exec -it NODE bash`), with that shell's variables. */
  private nodeShell: { node: string; environment: Record<string, string> | undefined } | undefined;
  /** A node shell the running line opened. */
  private openedNodeShell: string | undefined;

  constructor(
    readonly simulation: Simulation,
    readonly files: Readonly<Record<string, string>> = {},
    /**
     * `holdForeground`: this terminal is one of several (the lab's tabs), so a command that runs
     * until Ctrl-C keeps running here while the reader types in another (see `poll`).
     * `interactive`: a person types here, so a command that asks a question waits for the next
     * line (see `run`); elsewhere it reads its standard input, as without a terminal.
     */
    readonly options: {
      holdForeground?: boolean;
      interactive?: boolean;
      /**
       * The Helm chart repositories the reader has already added (name → URL), written to Helm's
       * repositories file before the first line: a page whose commands assume `helm repo add`.
       */
      helmRepositories?: Readonly<Record<string, string>>;
      /**
       * The reader's machine's file system when another terminal (a tab) already has it: tabs are
       * windows on one machine, so a file one writes (`helm repo add`, `cat > policy.yaml`) is there
       * in the others. Absent for the first terminal, which makes it from `files`.
       */
      fileSystem?: IFileSystem;
      /** The reader's machine's forwarded ports, when another terminal (a tab) already has them. */
      machinePorts?: MachinePorts;
    } = {},
  ) {
    this.machinePorts = options.machinePorts ?? new MachinePorts();
    this.currentFiles = files;
    const initialFiles = homeFiles(files, options.helmRepositories ?? {}, simulation.nowMs);
    const context = this.context();
    // kubectl inside a kind node (`docker exec NODE bash -c 'kubectl …'`) uses that node's cluster.
    const kubectlIn = (node: string | undefined, args: string[], stdin: string) =>
      node === undefined
        ? kubectl(context, args, stdin)
        : kubectl(contextInNode(context, node), args, stdin, node);
    const wrap = (name: string, run: SimulatedCommand) => this.simulatedCommand(name, run);
    // Tools of the reader's machine that kind's node image lacks (`docker exec NODE bash -c …`).
    const machineOnly = (
      name: string,
      run: (args: string[], stdin: string) => ReturnType<SimulatedCommand>,
    ) =>
      wrap(name, (args, stdin, env) =>
        env.get('SIMULATED_NODE') === undefined
          ? run(args, stdin)
          : fail(`bash: ${name}: command not found`, 127),
      );
    // One source of the world's randomness and clock for $RANDOM and its kin and for mktemp.
    const variables = worldVariableSource(context);
    this.bash = new Bash({
      fs: options.fileSystem ?? machineFileSystem(initialFiles, () => virtualEpochMs + simulation.nowMs),
      cwd: '/home/user',
      env: { USER: 'reader', HOME: '/home/user' },
      // `sleep` lets virtual time pass instead of real time.
      sleep: async (ms: number) => {
        try {
          context.spend(ms);
        } catch (error) {
          // The shell prints `sleep: MESSAGE`; a fault of the model says what it is, as in the tools.
          if (error instanceof BudgetExceeded) throw error;
          throw new Error(internalError(error), { cause: error });
        }
        await Promise.resolve();
      },
      executionLimits: shellLimits,
      customCommands: [
        gnuXargs,
        // $RANDOM, $SECONDS and their kin from the world, not the host (dynamic-variables.ts).
        dynamicVariableCommand(variables),
        mktempCommand(() => variables.drawRandom()),
        wrap('kubectl', (args, stdin, env) => kubectlIn(env.get('SIMULATED_NODE'), args, stdin)),
        // `k` is the alias for kubectl most readers' shells have (`alias k=kubectl`); guides such as
        // seed 003 use it without defining it, so the simulated shell has it as a command.
        wrap('k', (args, stdin, env) => kubectlIn(env.get('SIMULATED_NODE'), args, stdin)),
        wrap('kind', (args, stdin, env) =>
          kind(context, args, { stdin, clusterNameVariable: env.get('KIND_CLUSTER_NAME') }),
        ),
        // The library's date reads the host clock; this one reads the world's, so replays agree.
        wrap('date', (args) =>
          date(args, context.simulation.nowMs, virtualEpochMs + context.simulation.nowMs),
        ),
        ...this.jobCommands(wrap),
        // Helm reads and writes the reader's repositories in their home directory.
        wrap('helm', async (args) => {
          const text = await this.bash.fs.readFile(repositoriesPath).catch(() => undefined);
          return helm(context, args, {
            text,
            write: (content) => context.writeFile?.(repositoriesPath, content),
          });
        }),
        // cilium-cli, and the hubble CLI that reaches Hubble Relay through a port-forward.
        machineOnly('cilium', (args) => ciliumHost(context, args)),
        machineOnly('hubble', (args) => hubbleCli(context, args)),
        wrap('istioctl', (args) => istioctl(context, args)),
        wrap('openssl', (args, stdin) => opensslOnMachine(context, args, stdin)),
        wrap('step', (args, stdin) => step(context, args, stdin)),
        this.dockerCommand(context),
        // Inside a kind node (docker exec NODE bash -c '…') curl is the node's; on the reader's own
        // machine it reaches the nodes over the Docker network, from outside the cluster.
        wrap('curl', (args, stdin, env) => {
          const node = env.get('SIMULATED_NODE');
          const inCluster =
            node === undefined ? contextForAddressIn(context, args) : contextInNode(context, node);
          const origin = { fromPodKey: '', fromNode: node ?? readersMachine };
          const writeFile = (path: string, content: string): void => context.writeFile?.(path, content);
          return runCurl(inCluster, { origin, stdin, files: context.files, writeFile }, args);
        }),
        // The reader's machine has iputils' ping.
        machineOnly('ping', (args) => pingFromMachine(contextForAddressIn(context, args), args)),
        wrap('crictl', (args, _stdin, env) => {
          const node = env.get('SIMULATED_NODE');
          return node === undefined
            ? fail('crictl: runs inside a kind node; use docker exec NODE crictl …', 127)
            : crictl(contextInNode(context, node), node, args);
        }),
      ],
    });
    this.bash.registerTransformPlugin(dynamicVariablesPlugin);
  }

  /** `jobs`, `kill` and `fg` over this terminal's background jobs. */
  private jobCommands(wrap: (name: string, run: SimulatedCommand) => ReturnType<typeof defineCommand>) {
    return [
      wrap('jobs', () => this.jobs.list()),
      wrap('kill', (args) => this.jobs.kill(args)),
      wrap('fg', () =>
        fail(
          'fg: a simulated job cannot come back to the foreground; its output appears after each command line, and kill %N stops it',
        ),
      ),
    ];
  }

  /**
   * `docker`: kind's nodes are containers, so `docker exec` opens a node shell or runs a script
   * inside a node, whose commands then see that node's crictl.
   */
  private dockerCommand(context: TerminalContext) {
    return defineCommand('docker', async (args, ctx) => {
      try {
        if (!(await this.breathe())) return interruptedResult;
        const result = docker(context, args);
        if ('nodeShell' in result) {
          this.openedNodeShell = result.nodeShell;
          return { stdout: '', stderr: '', exitCode: 0 };
        }
        // Awaited here, so a command that runs on (crictl exec … cilium-dbg monitor) is caught below.
        if (!('nodeScript' in result)) return await result;
        // A script run inside a node container: its commands see that node's crictl.
        const exec = ctx.exec;
        if (exec === undefined) return fail('docker: cannot run scripts here');
        return await exec(result.nodeScript.script, {
          cwd: ctx.cwd,
          env: { SIMULATED_NODE: result.nodeScript.node },
        });
      } catch (error) {
        if (error instanceof BudgetExceeded) return fail(error.message, 124);
        return fail(`docker: ${internalError(error)}`, 1);
      }
    });
  }

  /**
   * A simulated tool as a shell command: it waits its turn with the host, shares the reader's files
   * with the tool, writes what the tool wrote back into the shell's file system, and turns a fault
   * of the model into an error message instead of an exception.
   */
  private simulatedCommand(name: string, run: SimulatedCommand) {
    return defineCommand(name, async (args, ctx) => {
      try {
        if (!(await this.breathe())) return interruptedResult;
        this.commandRunning = true;
        await this.shareShellFiles(args, ctx);
        this.pendingWrites = [];
        const result = await run(args, decodeStdin(ctx.stdin), ctx.env);
        for (const write of this.pendingWrites)
          await ctx.fs.writeFile(ctx.fs.resolvePath(ctx.cwd, write.path), write.content);
        this.pendingWrites = [];
        return result;
      } catch (error) {
        if (error instanceof BudgetExceeded) return fail(error.message, 124);
        return fail(`${name}: ${internalError(error)}`, 1);
      } finally {
        this.commandRunning = false;
      }
    });
  }

  /**
   * Called before every simulated command: every few dozen commands the thread goes back to the
   * host, so even a tight loop of cheap commands leaves the page responsive. False once the reader
   * interrupted the command line.
   */
  private async breathe(): Promise<boolean> {
    if (!this.reachCheckpoint()) {
      // An interrupt that arrived while a command ran stops the shell here, after that command's
      // output was taken in.
      this.controller?.abort();
      return false;
    }
    this.commandsSinceYield += 1;
    if (this.commandsSinceYield >= commandsPerYield) {
      this.commandsSinceYield = 0;
      await yieldToHost();
    }
    if (this.interrupted) {
      this.stoppedAt ??= this.checkpoint;
      return false;
    }
    return true;
  }

  /**
   * The simulated tools read files by name (`kubectl apply -f FILE`, `openssl x509 -in FILE`); the
   * reader may have written them in the shell (`cat > policy.yaml <<EOF`), so any argument naming a
   * file in the shell's file system is handed to the tools, under the name as typed.
   */
  private async shareShellFiles(
    args: string[],
    ctx: {
      fs: {
        exists(path: string): Promise<boolean>;
        readFile(path: string): Promise<string>;
        resolvePath(base: string, path: string): string;
      };
      cwd: string;
    },
  ): Promise<void> {
    const shared: Record<string, string> = {};
    for (const arg of args) {
      for (const candidate of fileCandidates(arg)) {
        const path = ctx.fs.resolvePath(ctx.cwd, candidate);
        try {
          if (await ctx.fs.exists(path)) shared[candidate.replace(/^\.\//, '')] = await ctx.fs.readFile(path);
        } catch {
          // A directory or an unreadable path is not a file to share.
        }
      }
    }
    this.currentFiles = Object.keys(shared).length === 0 ? this.files : { ...this.files, ...shared };
  }

  /**
   * Counts a checkpoint and says whether the line may go on. Interrupts land only on checkpoints, so
   * recording the checkpoint number makes an interrupted line replay to exactly the same world.
   */
  private reachCheckpoint(): boolean {
    this.checkpoint += 1;
    if (this.stopAt !== undefined && this.checkpoint >= this.stopAt) this.interrupted = true;
    if (!this.interrupted) return true;
    this.stoppedAt ??= this.checkpoint;
    return false;
  }

  /**
   * Interrupts the running command line, as Ctrl-C does: the running command stops at its next
   * pause, nothing after it runs, and the result reports `^C` with exit status 130. Does nothing
   * when no command line is running.
   */
  cancel(): void {
    if (this.prompting !== undefined) {
      // Ctrl-C at a question: the command gets no answer and stops.
      const { answer } = this.prompting;
      this.prompting = undefined;
      this.interrupted = true;
      answer(undefined);
      return;
    }
    if (this.controller === undefined && this.held !== undefined) {
      // Ctrl-C on the held command: it stops and prints its last words, which the next poll shows.
      const last = this.held.job.stop();
      this.held = undefined;
      this.stoppedOutput = {
        stdout: this.stoppedOutput.stdout + last.stdout,
        stderr: `${this.stoppedOutput.stderr}${last.stderr}^C\n`,
      };
      return;
    }
    if (this.controller === undefined) {
      // The line has started but its shell is still getting ready (the first line of a terminal):
      // it stops at its first checkpoint, as a Ctrl-C typed while bash starts would stop it.
      if (this.lineInFlight !== undefined && this.held === undefined) this.interrupted = true;
      return;
    }
    this.interrupted = true;
    // A running simulated command stops at its next pause and keeps what it printed; the shell
    // stops before the next one.
    if (!this.commandRunning) this.controller.abort();
  }

  /**
   * The terminal closes (its tab): the held command stops and the background jobs get SIGHUP, so a
   * port-forward started here lets go of its port.
   */
  hangUp(): void {
    this.cancel();
    this.jobs.hangUp();
  }

  private context(): TerminalContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below reads the live session
    const session = this;
    return {
      simulation: this.simulation,
      // A getter: each command sees the files its own arguments named (see shareShellFiles).
      get files() {
        return session.currentFiles;
      },
      spend: (durationMs: number) => {
        if (durationMs <= 0) return;
        if (this.spentMs + durationMs > commandLineBudgetMs) {
          this.budgetExceeded = true;
          this.controller?.abort();
          throw new BudgetExceeded(
            `stopped: this command line used more than ${commandLineBudgetMs / 60_000} minutes of simulated time`,
          );
        }
        this.spentMs += durationMs;
        this.simulation.advance(durationMs);
      },
      input: (event: InputEvent) => this.simulation.input(event),
      machinePorts: this.machinePorts,
      writeFile: (path: string, content: string) => {
        this.pendingWrites.push({ path, content });
      },
      remainingMs: () => commandLineBudgetMs - this.spentMs,
      pause: async () => {
        this.commandsSinceYield = 0;
        await yieldToHost();
        return this.reachCheckpoint();
      },
      enterShell: (shell: ContainerShell) => {
        this.openedShell = shell;
      },
      readLine: (prompt: string, options: { echo: boolean }) => {
        if (this.options.interactive !== true) return Promise.resolve(undefined);
        return new Promise<string | undefined>((resolve) => {
          this.prompting = { prompt, echo: options.echo, answer: resolve };
          this.onPrompt?.();
        });
      },
      holdForeground: (job: HeldJob) => {
        if (this.options.holdForeground !== true || this.backgroundLine !== undefined) return false;
        this.holding = job;
        return true;
      },
      startJob: (job) => {
        if (this.backgroundLine === undefined) return undefined;
        const started = this.jobs.start(this.backgroundLine, job);
        // bash backgrounds one pipeline per `&`: the line's other commands run in the foreground.
        this.backgroundLine = undefined;
        this.jobAnnouncement += started.announcement;
        return started.number;
      },
    };
  }

  /** The command line this terminal keeps running in the foreground, if any (Ctrl-C stops it). */
  /** The reader's machine's files, for another tab's terminal to share (see `options.fileSystem`). */
  get fileSystem(): IFileSystem {
    return this.bash.fs;
  }

  get running(): string | undefined {
    return this.held?.command;
  }

  /**
   * What this terminal's held command and background jobs printed since they were last asked, and
   * a held command's last words after Ctrl-C: a page with several terminals asks every terminal
   * after a line ran in any of them.
   */
  poll(): CommandResult {
    const held = this.held?.job.poll() ?? { stdout: '', stderr: '' };
    // A held command that ended by itself gives the terminal back.
    if (held.done === true) this.held = undefined;
    const jobs = this.jobs.drain();
    const stopped = this.stoppedOutput;
    this.stoppedOutput = { stdout: '', stderr: '' };
    return {
      stdout: stopped.stdout + held.stdout + jobs.stdout,
      stderr: stopped.stderr + held.stderr + jobs.stderr,
      exitCode: 0,
    };
  }

  /** The prompt of the shell the next line goes to: a container's, or undefined for the reader's own. */
  get prompt(): string | undefined {
    if (this.podShell !== undefined) return this.podShell.prompt;
    return this.nodeShell === undefined ? undefined : `root@${this.nodeShell.node}:/# `;
  }

  /**
   * A line in a shell on a kind node: the reader's interpreter with the node's environment, so
   * crictl, curl and iptables are the node's (the `SIMULATED_NODE` route of `docker exec NODE bash
   * -c`); `exit` leaves it.
   */
  private async runInNodeShell(
    shell: { node: string; environment: Record<string, string> | undefined },
    script: string,
    signal: AbortSignal,
  ): Promise<CommandResult> {
    const leave = /^\s*(?:exit|logout)(?:\s+(\d+))?\s*;?\s*$/.exec(script);
    if (leave !== null) {
      this.nodeShell = undefined;
      return { stdout: '', stderr: 'exit\n', exitCode: Number(leave[1] ?? 0) % 256 };
    }
    shell.environment ??= (
      await this.bash.exec('shopt -s expand_aliases', {
        rawScript: true,
        env: { HOME: '/root', PWD: '/', SIMULATED_NODE: shell.node },
        replaceEnv: true,
      })
    ).env;
    const result = await this.bash.exec(script, {
      rawScript: true,
      signal,
      env: shell.environment,
      replaceEnv: true,
      // `docker exec -it NODE bash` starts in the node's `/`, and `cd` lasts until `exit`.
      cwd: shell.environment.PWD ?? '/',
    });
    shell.environment = result.env;
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  }

  /**
   * Tab completion of the line typed so far (completion.ts): the commands and files of this shell,
   * the tools' words and the cluster's objects. Reads the world and the shell's files; runs nothing.
   */
  async complete(line: string): Promise<Completion> {
    const fs = this.bash.fs;
    const cwd = this.environment?.PWD ?? this.bash.getCwd();
    const readDirectory = async (path: string): Promise<CompletionEntry[]> => {
      const directory = fs.resolvePath(cwd, path);
      try {
        const names = await fs.readdir(directory);
        return await Promise.all(
          names.map(async (name) => ({
            name,
            directory: (await fs.stat(fs.resolvePath(directory, name))).isDirectory,
          })),
        );
      } catch {
        return [];
      }
    };
    const where = this.podShell === undefined ? 'machine' : 'container';
    return complete(line, { world: this.simulation.state, readDirectory }, where);
  }

  /** A line in the reader's own shell. */
  private async runInOwnShell(script: string, signal: AbortSignal): Promise<CommandResult> {
    const result = await this.bash.exec(script, {
      rawScript: true,
      signal,
      // The shell lives on between lines: its variables and its working directory (`cd yamls`).
      ...(this.environment !== undefined ? { env: this.environment, replaceEnv: true } : {}),
      ...(this.environment?.PWD !== undefined ? { cwd: this.environment.PWD } : {}),
    });
    this.environment = result.env;
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  }

  /**
   * A line in the interactive shell of a container: `exit` (or `logout`) leaves it, as does the
   * pod going away; anything else runs in the container.
   */
  private async runInPodShell(
    shell: ContainerShell,
    script: string,
    signal: AbortSignal,
  ): Promise<CommandResult> {
    const leave = /^\s*(?:exit|logout)(?:\s+(\d+))?\s*;?\s*$/.exec(script);
    if (leave !== null) {
      this.podShell = undefined;
      const status = Number(leave[1] ?? 0) % 256;
      const ended = shell.ended?.(status);
      return {
        stdout: ended?.stdout ?? '',
        stderr: `exit\n${status === 0 || ended !== undefined ? '' : `command terminated with exit code ${status}\n`}`,
        exitCode: status,
      };
    }
    if (shell.currentPod() === undefined) {
      this.podShell = undefined;
      return { stdout: '', stderr: 'command terminated with exit code 137\n', exitCode: 137 };
    }
    const run = await shell.run(script, { signal });
    // A shell started inside this one (`bash` again) keeps taking the lines, with its environment.
    if (run.interactive !== undefined) shell.adoptEnvironment(run.interactive);
    return run.result;
  }

  /**
   * Runs one command line (or a whole script) and returns what it printed. `stopAt` replays an
   * interrupted line: it is interrupted at the same checkpoint (`interruptedAt` of the original).
   *
   * In an interactive terminal a command may ask for input (openssl's pass phrase and certificate
   * fields): the line then returns early with `waitingForInput`, and the next call's text is the
   * answer, after which the line goes on until it ends or asks again.
   */
  async run(script: string, options: { stopAt?: number } = {}): Promise<LineResult> {
    const asked = this.prompting;
    if (asked !== undefined) {
      this.prompting = undefined;
      asked.answer(script);
    } else {
      this.lineInFlight = this.runLine(script, options);
    }
    return this.lineOrPrompt();
  }

  /** The running line's result, or its next question, whichever comes first. */
  private async lineOrPrompt(): Promise<LineResult> {
    const line = this.lineInFlight;
    if (line === undefined) return { stdout: '', stderr: '', exitCode: 0 };
    const asked = new Promise<'asked'>((resolve) => {
      this.onPrompt = () => resolve('asked');
      if (this.prompting !== undefined) resolve('asked');
    });
    const first = await Promise.race([line, asked]);
    this.onPrompt = undefined;
    const prompt = this.prompting;
    if (first === 'asked' && prompt !== undefined)
      return { stdout: '', stderr: prompt.prompt, exitCode: 0, waitingForInput: { echo: prompt.echo } };
    this.lineInFlight = undefined;
    return first === 'asked' ? line : first;
  }

  /** Runs one command line from its start. */
  private async runLine(
    script: string,
    options: { stopAt?: number },
  ): Promise<Omit<LineResult, 'waitingForInput'>> {
    this.spentMs = 0;
    this.budgetExceeded = false;
    this.interrupted = false;
    this.commandsSinceYield = 0;
    this.checkpoint = 0;
    this.stopAt = options.stopAt;
    this.stoppedAt = undefined;
    // A reader's terminal is an interactive shell, where aliases expand (`alias kexec="kubectl
    // exec …"`, as the Cilium docs define); a script shell would need `shopt -s expand_aliases`.
    if (this.environment === undefined)
      this.environment = (await this.bash.exec('shopt -s expand_aliases', { rawScript: true })).env;
    // While a command is held, what the reader types goes to it, and these commands ignore input.
    if (this.held !== undefined) return this.poll();
    const controller = new AbortController();
    this.controller = controller;
    this.backgroundLine = backgroundCommand(script);
    this.jobAnnouncement = '';
    let result: CommandResult;
    this.openedShell = undefined;
    this.openedNodeShell = undefined;
    try {
      // The shell runs an `&` line in order; a command that streams takes it as a job instead.
      const line = this.backgroundLine ?? script;
      result =
        this.podShell !== undefined
          ? await this.runInPodShell(this.podShell, line, controller.signal)
          : this.nodeShell !== undefined
            ? await this.runInNodeShell(this.nodeShell, line, controller.signal)
            : await this.runInOwnShell(line, controller.signal);
    } finally {
      this.controller = undefined;
      this.backgroundLine = undefined;
    }
    if (this.openedShell !== undefined) this.podShell = this.openedShell;
    this.openedShell = undefined;
    if (this.openedNodeShell !== undefined)
      this.nodeShell = { node: this.openedNodeShell, environment: undefined };
    this.openedNodeShell = undefined;
    if (this.holding !== undefined) this.held = { command: script, job: this.holding };
    this.holding = undefined;
    // Jobs running in the background print what happened during this line after its own output.
    const jobs = this.jobs.drain();
    result = {
      ...result,
      stdout: result.stdout + jobs.stdout,
      stderr: this.jobAnnouncement + result.stderr + jobs.stderr,
    };
    const lead = this.jobAnnouncement === '' ? {} : { stderrLead: this.jobAnnouncement.length };
    if (this.interrupted) {
      // As in a terminal: the ^C echo, whatever was printed before it, and status 130 (128 + SIGINT).
      // An interrupt between simulated commands changed nothing in the world after the last
      // checkpoint, so replaying up to the next one rebuilds the same world. Bash prints nothing of
      // its own on SIGINT; the abort message is the shell library's.
      return {
        stdout: result.stdout,
        stderr: `${result.stderr.replace(/^bash: execution aborted\n/m, '')}^C\n`,
        exitCode: 130,
        interruptedAt: this.stoppedAt ?? this.checkpoint + 1,
        ...lead,
      };
    }
    let stderr = explainShellLimits(result.stderr);
    // The budget's own message says why the line stopped; the abort it caused adds nothing.
    if (this.budgetExceeded) stderr = stderr.replace(/^bash: execution aborted\n/m, '');
    if (/command not found/.test(stderr)) {
      stderr += `hint: this terminal simulates ${simulatedMachineTools.join(', ')}, curl and ping into the kind network, jobs and kill (and, inside pods, curl, ping, nc, nslookup, cilium and hubble; inside kind nodes, curl, crictl and iptables), plus the shell's own tools such as grep, jq, sed and awk.\n`;
    }
    if (this.budgetExceeded && !stderr.includes('stopped:'))
      stderr += `stopped: this command line used more than ${commandLineBudgetMs / 60_000} minutes of simulated time\n`;
    return { stdout: result.stdout, stderr, exitCode: result.exitCode, ...lead };
  }
}
