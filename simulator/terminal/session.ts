/**
 * A terminal session on the simulated machine: a real shell interpreter (just-bash) with the
 * simulated tools registered as commands, the scenario's files in the home directory, variables
 * that persist from one command line to the next, and a budget of virtual time per command line,
 * so a runaway loop stops with a message instead of freezing anything.
 */
import { Bash, defineCommand } from 'just-bash';
import type { Simulation } from '../simulation';
import type { InputEvent } from '../events';
import { fail, type CommandResult, type TerminalContext } from './context';
import { istioctl, openssl, step } from './mesh-tools';
import { kubectl } from './kubectl';
import { crictl, docker } from './tools';
import { helm } from './helm-cli';
import { kind } from './kind-cli';
import { contextForAddressIn, contextInNode } from './cluster-context';
import { runCurl } from './curl';
import { pingFromMachine } from './ping';
import { readersMachine } from '../cilium/datapath';
import { BackgroundJobs, backgroundCommand } from './background-jobs';

/** Virtual time one command line may consume before it is stopped. */
export const commandLineBudgetMs = 60 * 60 * 1000;

/** The commands the simulator adds to the shell, for help and for "command not found" hints. */
export const simulatedCommands = [
  'kubectl',
  'kind',
  'helm',
  'docker',
  'istioctl',
  'openssl',
  'step',
] as const;

/** Short names for simulated commands that readers' shells usually define (`alias k=kubectl`). */
export const commandAliases: Readonly<Record<string, (typeof simulatedCommands)[number]>> = { k: 'kubectl' };

class BudgetExceeded extends Error {}

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

/**
 * just-bash hands commands their stdin as a latin1 "byte string" (one character per byte); its
 * decoder is not part of the browser build, so the UTF-8 decoding is done here.
 */
function decodeStdin(stdin: object | string): string {
  const latin1 = typeof stdin === 'string' ? stdin : (stdin as unknown as string);
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i) & 0xff;
  return new TextDecoder('utf-8').decode(bytes);
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
  /** The command of the running line when it ends with `&`, until a command takes it as a job. */
  private backgroundLine: string | undefined;
  /** What the running line's job printed when it started (bash's `[1] PID`). */
  private jobAnnouncement = '';
  /** The files the running command may read: the scenario's, and those its arguments name. */
  private currentFiles: Readonly<Record<string, string>>;
  /** Files the running command wrote in the reader's shell, written when it returns. */
  private pendingWrites: { path: string; content: string }[] = [];

  constructor(
    readonly simulation: Simulation,
    readonly files: Readonly<Record<string, string>> = {},
  ) {
    this.currentFiles = files;
    const initialFiles: Record<string, string> = {};
    for (const [path, content] of Object.entries(files)) initialFiles[`/home/user/${path}`] = content;
    const context = this.context();
    // kubectl inside a kind node (`docker exec NODE bash -c 'kubectl …'`) uses that node's cluster.
    const kubectlIn = (node: string | undefined, args: string[], stdin: string) =>
      node === undefined
        ? kubectl(context, args, stdin)
        : kubectl(contextInNode(context, node), args, stdin, node);
    const wrap = (
      name: string,
      run: (
        args: string[],
        stdin: string,
        env: Map<string, string>,
      ) => CommandResult | Promise<CommandResult>,
    ) =>
      defineCommand(name, async (args, ctx) => {
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
          return fail(
            `${name}: internal error in the simulator: ${error instanceof Error ? error.message : String(error)}`,
            1,
          );
        } finally {
          this.commandRunning = false;
        }
      });
    this.bash = new Bash({
      files: initialFiles,
      cwd: '/home/user',
      env: { USER: 'reader', HOME: '/home/user' },
      // `sleep` lets virtual time pass instead of real time.
      sleep: async (ms: number) => {
        context.spend(ms);
        await Promise.resolve();
      },
      executionLimits: {
        maxCommandCount: 200_000,
        // The virtual-time budget and the command count stop runaway loops; this wall-clock limit is
        // only a last resort, generous enough that a slow machine still reaches the others first.
        maxExecutionTimeMs: 120_000,
        maxOutputSize: 8 * 1024 * 1024,
      },
      customCommands: [
        wrap('kubectl', (args, stdin, env) => kubectlIn(env.get('SIMULATED_NODE'), args, stdin)),
        // `k` is the alias for kubectl most readers' shells have (`alias k=kubectl`); guides such as
        // seed 003 use it without defining it, so the simulated shell has it as a command.
        wrap('k', (args, stdin, env) => kubectlIn(env.get('SIMULATED_NODE'), args, stdin)),
        wrap('kind', (args, stdin, env) =>
          kind(context, args, { stdin, clusterNameVariable: env.get('KIND_CLUSTER_NAME') }),
        ),
        wrap('jobs', () => this.jobs.list()),
        wrap('kill', (args) => this.jobs.kill(args)),
        wrap('fg', () =>
          fail(
            'fg: a simulated job cannot come back to the foreground; its output appears after each command line, and kill %N stops it',
          ),
        ),
        wrap('helm', (args) => helm(context, args)),
        wrap('istioctl', (args) => istioctl(context, args)),
        wrap('openssl', (args, stdin) => openssl(context, args, stdin)),
        wrap('step', (args, stdin) => step(context, args, stdin)),
        defineCommand('docker', async (args, ctx) => {
          try {
            if (!(await this.breathe())) return interruptedResult;
            const result = docker(context, args);
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
            throw error;
          }
        }),
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
        // kind's node image has no ping; the reader's machine has iputils' ping.
        wrap('ping', (args, _stdin, env) =>
          env.get('SIMULATED_NODE') === undefined
            ? pingFromMachine(contextForAddressIn(context, args), args)
            : fail('bash: ping: command not found', 127),
        ),
        wrap('crictl', (args, _stdin, env) => {
          const node = env.get('SIMULATED_NODE');
          return node === undefined
            ? fail('crictl: runs inside a kind node; use docker exec NODE crictl …', 127)
            : crictl(contextInNode(context, node), node, args);
        }),
      ],
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
    if (this.controller === undefined) return;
    this.interrupted = true;
    // A running simulated command stops at its next pause and keeps what it printed; the shell
    // stops before the next one.
    if (!this.commandRunning) this.controller.abort();
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
      writeFile: (path: string, content: string) => {
        this.pendingWrites.push({ path, content });
      },
      remainingMs: () => commandLineBudgetMs - this.spentMs,
      pause: async () => {
        this.commandsSinceYield = 0;
        await yieldToHost();
        return this.reachCheckpoint();
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

  /**
   * Runs one command line (or a whole script) and returns what it printed. `stopAt` replays an
   * interrupted line: it is interrupted at the same checkpoint (`interruptedAt` of the original).
   */
  async run(
    script: string,
    options: { stopAt?: number } = {},
  ): Promise<CommandResult & { interruptedAt?: number }> {
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
    const controller = new AbortController();
    this.controller = controller;
    this.backgroundLine = backgroundCommand(script);
    this.jobAnnouncement = '';
    let result: Awaited<ReturnType<Bash['exec']>>;
    try {
      // The shell runs an `&` line in order; a command that streams takes it as a job instead.
      result = await this.bash.exec(this.backgroundLine ?? script, {
        rawScript: true,
        signal: controller.signal,
        ...(this.environment !== undefined ? { env: this.environment, replaceEnv: true } : {}),
      });
    } finally {
      this.controller = undefined;
      this.backgroundLine = undefined;
    }
    this.environment = result.env;
    // Jobs running in the background print what happened during this line after its own output.
    const jobs = this.jobs.drain();
    result = {
      ...result,
      stdout: result.stdout + jobs.stdout,
      stderr: this.jobAnnouncement + result.stderr + jobs.stderr,
    };
    if (this.interrupted) {
      // As in a terminal: the ^C echo, whatever was printed before it, and status 130 (128 + SIGINT).
      // An interrupt between simulated commands changed nothing in the world after the last
      // checkpoint, so replaying up to the next one rebuilds the same world.
      return {
        stdout: result.stdout,
        stderr: `${result.stderr}^C\n`,
        exitCode: 130,
        interruptedAt: this.stoppedAt ?? this.checkpoint + 1,
      };
    }
    let stderr = result.stderr;
    if (/command not found/.test(stderr)) {
      stderr += `hint: this terminal simulates ${simulatedCommands.join(', ')}, curl and ping into the kind network, jobs and kill (and, inside pods, curl, ping, nc, nslookup, cilium and hubble; inside kind nodes, curl, crictl and iptables), plus the shell's own tools such as grep, jq, sed and awk.\n`;
    }
    if (this.budgetExceeded && !stderr.includes('stopped:'))
      stderr += `stopped: this command line used more than ${commandLineBudgetMs / 60_000} minutes of simulated time\n`;
    return { stdout: result.stdout, stderr, exitCode: result.exitCode };
  }
}
