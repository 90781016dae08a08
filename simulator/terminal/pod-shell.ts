/**
 * A shell inside a container: what `kubectl exec POD -- sh -c '…'`, `kubectl exec -it POD -- bash`
 * and the Cilium docs' `sh -c "PS1=\"empire-hq $\" /bin/bash"` start. It is a second just-bash
 * interpreter with the container's own file system (the files the model knows in it:
 * k8s/container-files.ts, and the image's scripts: k8s/image-contents.ts) and the container's
 * simulated programs as commands, which run through `runProgram` exactly as `kubectl exec` runs
 * them. Files a script writes are written back into the container with the `pod.file.write` input
 * when the script ends, so the next exec (and `kubectl cp`) sees them.
 *
 * An interactive shell (a shell started with a terminal, `-it`, and no script) does not run here:
 * the shell reports that one was asked for, and the terminal session keeps it open and sends it the
 * reader's next lines until `exit` (session.ts).
 */
import { Bash, defineCommand } from 'just-bash';
import { getObject } from '../k8s/api-store';
import { containerFile, containerHostname, containerImage } from '../k8s/container-files';
import { imageContents, type ShellName } from '../k8s/image-contents';
import type { Pod } from '../k8s/objects';
import { systemCaBundlePath } from '../tls/public-roots';
import {
  fail,
  type CommandResult,
  type ContainerShell,
  type ShellRun,
  type TerminalContext,
} from './context';
import { decodeStdin } from './stdin';
import { gnuXargs } from './xargs';
import { date } from './date';
import { dynamicVariableCommand, dynamicVariablesPlugin, worldVariableSource } from './dynamic-variables';
import { virtualEpochMs } from '../engine/virtual-time';
import { shellQuote } from './shell-quote';
import { machineFileSystem } from './machine-files';
import { mktempCommand } from './mktemp';

export { shellQuote } from './shell-quote';

/** Runs one program of the container (`curl`, `cilium-dbg`, `python3`, …) as `kubectl exec` would. */
export type ProgramRunner = (
  pod: Pod,
  argv: string[],
  stdin: string,
) => CommandResult | Promise<CommandResult>;

/** The programs a container's shell hands to the simulator rather than to just-bash's own tools. */
export const simulatedPodPrograms = [
  'curl',
  'ping',
  'nc',
  'nslookup',
  'cilium',
  'cilium-dbg',
  'hubble',
  'python',
  'python3',
  'grpcurl',
  'openssl',
  'kafka-console-producer.sh',
  'kafka-console-consumer.sh',
  'update-ca-certificates',
] as const;

/** Directories every container has, so `cd /tmp` or `> /tmp/x` work as in an image. */
const baseDirectories = ['/tmp', '/etc', '/root', '/home', '/var', '/usr/local/share', '/etc/ssl/certs'];

/** Paths just-bash creates for itself, which are no container files to write back. */
const interpreterPaths = /^\/(bin|usr\/bin|dev|proc)(\/|$)/;

/** The container files the model knows at its usual paths, with any file a reader wrote there. */
function knownFiles(context: TerminalContext, pod: Pod, container: string): Record<string, string> {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return {};
  const files: Record<string, string> = {};
  for (const path of ['/etc/hostname', '/etc/resolv.conf', systemCaBundlePath]) {
    const text = containerFile(cluster, pod, container, path);
    if (text !== undefined) files[path] = text;
  }
  const node = pod.spec.nodeName === undefined ? undefined : cluster.nodes[pod.spec.nodeName];
  const written = node?.kubelet.sandboxes[pod.metadata.uid]?.files?.[container] ?? {};
  return { ...files, ...written };
}

export type { ShellRun } from './context';

/** A shell in one container of a pod. */
export class PodShell implements ContainerShell {
  private readonly bash: Bash;
  private readonly podKey: string;
  /** The container's host name: the pod's, or the node's where the pod shares its UTS namespace. */
  private readonly hostname: string;
  /** Where the image starts its processes (its WORKDIR). */
  private readonly workdir: string;
  private environment: Record<string, string> | undefined;
  private seeded: Record<string, string> = {};
  private interactiveRequest: Record<string, string> | undefined;

  constructor(
    private readonly context: TerminalContext,
    pod: Pod,
    readonly container: string,
    readonly shell: ShellName,
    private readonly tty: boolean,
    private readonly runProgram: ProgramRunner,
  ) {
    this.podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    this.hostname = containerHostname(pod);
    const contents = imageContents(containerImage(pod, container));
    this.workdir = contents.workdir;
    const files: Record<string, string | { content: string; mode: number }> = {};
    for (const [path, text] of Object.entries(contents.scripts)) files[path] = { content: text, mode: 0o755 };
    // One source of the world's randomness and clock for $RANDOM and its kin and for mktemp.
    const variables = worldVariableSource(context);
    this.bash = new Bash({
      // File times from the world's clock, as on the reader's machine (machine-files.ts).
      fs: machineFileSystem(files, () => virtualEpochMs + context.simulation.nowMs),
      cwd: contents.workdir,
      env: { HOME: '/root', USER: 'root', HOSTNAME: this.hostname, SHELL: `/bin/${shell}` },
      // Time inside the container is the model's too.
      sleep: async (ms: number) => {
        context.spend(ms);
        await Promise.resolve();
      },
      customCommands: [
        gnuXargs,
        dynamicVariableCommand(variables),
        // Images' shells (busybox, coreutils) have mktemp; its letters come from the world too.
        mktempCommand(() => variables.drawRandom()),
        defineCommand('date', (args) => {
          const nowMs = this.context.simulation.nowMs;
          return Promise.resolve(date(args, nowMs, virtualEpochMs + nowMs));
        }),
        defineCommand('sh', (args, ctx) => this.nestedShell(args, ctx)),
        defineCommand('bash', (args, ctx) => this.nestedShell(args, ctx)),
        ...simulatedPodPrograms.map((name) =>
          defineCommand(name, (args, ctx) => this.program(name, args, decodeStdin(ctx.stdin))),
        ),
      ],
    });
    this.bash.registerTransformPlugin(dynamicVariablesPlugin);
  }

  /** The prompt an interactive shell shows: its PS1, or the image shell's default. */
  get prompt(): string {
    const ps1 = this.environment?.PS1;
    if (ps1 !== undefined) return ps1.endsWith(' ') ? ps1 : `${ps1} `;
    const cwd = this.environment?.PWD ?? this.workdir;
    return this.shell === 'bash' ? `root@${this.hostname}:${cwd}# ` : `${cwd} # `;
  }

  /** The pod as the API server has it now (it may have gone). */
  currentPod(): Pod | undefined {
    const cluster = this.context.simulation.state.cluster;
    return cluster === undefined ? undefined : getObject(cluster.api, 'Pod', this.podKey);
  }

  /** Runs a script (or one line of an interactive shell) and writes back the files it changed. */
  async run(
    script: string,
    options: { stdin?: string; args?: string[]; env?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<ShellRun> {
    const pod = this.currentPod();
    if (pod === undefined) return { result: fail('command terminated with exit code 137', 137) };
    await this.seed(pod);
    this.interactiveRequest = undefined;
    const environment = { ...(this.environment ?? {}), ...(options.env ?? {}) };
    const result = await this.bash.exec(script, {
      rawScript: true,
      ...(Object.keys(environment).length > 0 ? { env: environment } : {}),
      ...(this.environment?.PWD !== undefined ? { cwd: this.environment.PWD } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.args !== undefined ? { args: options.args } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    this.environment = result.env;
    await this.writeBack();
    const run: ShellRun = {
      result: { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode },
    };
    if (this.interactiveRequest !== undefined) run.interactive = this.interactiveRequest;
    return run;
  }

  /** Keeps the shell's environment (PS1 and the rest) from the script that started it. */
  adoptEnvironment(environment: Record<string, string>): void {
    this.environment = { ...(this.environment ?? {}), ...environment };
  }

  /** Puts the container's current files into the shell's file system. */
  private async seed(pod: Pod): Promise<void> {
    const fs = this.bash.fs;
    for (const directory of baseDirectories) await fs.mkdir(directory, { recursive: true });
    const files = knownFiles(this.context, pod, this.container);
    for (const [path, text] of Object.entries(files)) {
      const slash = path.lastIndexOf('/');
      if (slash > 0) await fs.mkdir(path.slice(0, slash), { recursive: true });
      await fs.writeFile(path, text);
    }
    this.seeded = files;
  }

  /** Sends every file the script created or changed to the container. */
  private async writeBack(): Promise<void> {
    const fs = this.bash.fs;
    const pod = this.currentPod();
    if (pod === undefined) return;
    const scripts = imageContents(containerImage(pod, this.container)).scripts;
    for (const path of fs.getAllPaths()) {
      if (interpreterPaths.test(path)) continue;
      const stat = await fs.stat(path).catch(() => undefined);
      if (stat?.isFile !== true) continue;
      const text = await fs.readFile(path);
      if (text === this.seeded[path] || text === scripts[path]) continue;
      this.context.input({
        type: 'pod.file.write',
        podKey: this.podKey,
        container: this.container,
        path,
        content: text,
      });
      this.seeded[path] = text;
    }
  }

  /** `sh`/`bash` inside the shell: `-c SCRIPT`, a script file, or (on a terminal) an interactive shell. */
  private async nestedShell(
    args: string[],
    ctx: {
      stdin: object | string;
      env: Map<string, string>;
      exec?: (
        script: string,
        options: { cwd: string; env?: Record<string, string> },
      ) => Promise<CommandResult>;
      cwd: string;
    },
  ): Promise<CommandResult> {
    const [first, ...rest] = args;
    if (first === '-c') {
      if (rest[0] === undefined) return fail(`${this.shell}: -c: option requires an argument`, 2);
      if (ctx.exec === undefined) return fail(`${this.shell}: cannot run scripts here`);
      return ctx.exec(rest[0], { cwd: ctx.cwd });
    }
    if (first === undefined || first === '-i' || first === '-l' || first === '--login') {
      if (this.tty) {
        this.interactiveRequest = Object.fromEntries(ctx.env);
        return { stdout: '', stderr: '', exitCode: 0 };
      }
      // Without a terminal the shell reads its script from standard input.
      const script = decodeStdin(ctx.stdin);
      if (script === '' || ctx.exec === undefined) return { stdout: '', stderr: '', exitCode: 0 };
      return ctx.exec(script, { cwd: ctx.cwd });
    }
    if (ctx.exec === undefined) return fail(`${this.shell}: cannot run scripts here`);
    return ctx.exec(`. ${shellQuote(first)} ${rest.map(shellQuote).join(' ')}`, { cwd: ctx.cwd });
  }

  /** One simulated program, run as `kubectl exec` runs it, after a checkpoint for Ctrl-C. */
  private async program(name: string, args: string[], stdin: string): Promise<CommandResult> {
    if (this.context.pause !== undefined && !(await this.context.pause()))
      return { stdout: '', stderr: '', exitCode: 130 };
    const pod = this.currentPod();
    if (pod === undefined) return fail(`${name}: the pod is gone`, 137);
    try {
      return await this.runProgram(pod, [name, ...args], stdin);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return message.startsWith('stopped:')
        ? fail(message, 124)
        : fail(`${name}: internal error in the simulator: ${message}`);
    }
  }
}
