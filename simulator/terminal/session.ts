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
import { kubectl } from './kubectl';
import { crictl, docker, helm, kind } from './tools';

/** Virtual time one command line may consume before it is stopped. */
export const commandLineBudgetMs = 60 * 60 * 1000;

/** The commands the simulator adds to the shell, for help and for "command not found" hints. */
export const simulatedCommands = ['kubectl', 'kind', 'helm', 'docker'] as const;

class BudgetExceeded extends Error {}

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

/** One reader's terminal. */
export class TerminalSession {
  private readonly bash: Bash;
  private environment: Record<string, string> | undefined;
  private spentMs = 0;
  private budgetExceeded = false;
  private controller: AbortController | undefined;

  constructor(
    readonly simulation: Simulation,
    readonly files: Readonly<Record<string, string>> = {},
  ) {
    const initialFiles: Record<string, string> = {};
    for (const [path, content] of Object.entries(files)) initialFiles[`/home/user/${path}`] = content;
    const context = this.context();
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
          return await run(args, decodeStdin(ctx.stdin), ctx.env);
        } catch (error) {
          if (error instanceof BudgetExceeded) return fail(error.message, 124);
          return fail(
            `${name}: internal error in the simulator: ${error instanceof Error ? error.message : String(error)}`,
            1,
          );
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
        maxExecutionTimeMs: 15_000,
        maxOutputSize: 8 * 1024 * 1024,
      },
      customCommands: [
        wrap('kubectl', (args, stdin) => kubectl(context, args, stdin)),
        wrap('kind', (args, stdin) => kind(context, args, stdin)),
        wrap('helm', (args) => helm(context, args)),
        defineCommand('docker', async (args, ctx) => {
          try {
            const result = docker(context, args);
            if (!('nodeScript' in result)) return result;
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
        wrap('crictl', (args, _stdin, env) => {
          const node = env.get('SIMULATED_NODE');
          return node === undefined
            ? fail('crictl: runs inside a kind node; use docker exec NODE crictl …', 127)
            : crictl(context, node, args);
        }),
      ],
    });
  }

  private context(): TerminalContext {
    return {
      simulation: this.simulation,
      files: this.files,
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
    };
  }

  /** Runs one command line (or a whole script) and returns what it printed. */
  async run(script: string): Promise<CommandResult> {
    this.spentMs = 0;
    this.budgetExceeded = false;
    const controller = new AbortController();
    this.controller = controller;
    const result = await this.bash.exec(script, {
      rawScript: true,
      signal: controller.signal,
      ...(this.environment !== undefined ? { env: this.environment, replaceEnv: true } : {}),
    });
    this.environment = result.env;
    let stderr = result.stderr;
    if (/command not found/.test(stderr)) {
      stderr += `hint: this terminal simulates ${simulatedCommands.join(', ')} (and, inside pods, curl and cilium), plus the shell's own tools such as grep, jq, sed and awk.\n`;
    }
    if (this.budgetExceeded && !stderr.includes('stopped:'))
      stderr += `stopped: this command line used more than ${commandLineBudgetMs / 60_000} minutes of simulated time\n`;
    return { stdout: result.stdout, stderr, exitCode: result.exitCode };
  }
}
