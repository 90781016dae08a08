/**
 * Whether a container's process ends by itself, when, with which exit code and what it printed
 * along the way: what decides that a Job's pod completes, that a Deployment whose command exits
 * goes into CrashLoopBackOff, and what `kubectl logs` shows of a running or a finished container.
 *
 * A `sh -c` script is parsed and run by a small shell of the model's own (shell-interpreter.ts) on
 * the virtual clock; an exec-form command runs the one program. Servers and programs the model does
 * not know run until they are stopped, and so does a script still going after the step budget or
 * the time horizon below (`while true; do …; sleep 5; done`), whose lines still appear in its logs
 * as virtual time passes.
 */
import type { Container, Pod } from './objects';
import { runProcess, type OutputChunk, type ProcessOutcome, type RunLimits } from './shell-interpreter';

/** How a process ends by itself. */
export interface ProcessExit {
  afterMs: number;
  exitCode: number;
  /** What it wrote to standard output and standard error (what `kubectl logs` shows). */
  output: string;
}

/**
 * How long after a process exits the kubelet acts on it: its pod lifecycle event generator relists
 * containers every second (pkg/kubelet/kubelet.go, genericPlegRelistPeriod).
 */
const exitNoticedMs = 1000;

/** Past a year of virtual time or this many commands, a process counts as running until stopped. */
const exitLimits: RunLimits = { horizonMs: 365 * 86_400_000, maxSteps: 10_000 };
/**
 * How many steps of a running process `kubectl logs` replays to show what it printed by now: a
 * loop that prints every 5 s shows about three days of lines (the kubelet would have rotated the
 * log file by then, at 10 MiB, containerLogMaxSize).
 */
const logSteps = 200_000;

/** The environment a container's process starts with: the image's usual PATH and HOME, HOSTNAME, and the literal `env` values. */
function environmentOf(pod: Pod, container: Container): Map<string, string> {
  const environment = new Map<string, string>([
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['HOSTNAME', hostnameOf(pod)],
    ['HOME', '/root'],
  ]);
  for (const variable of container.env ?? [])
    if (variable.value !== undefined)
      environment.set(variable.name, expandReferences(variable.value, environment));
  return environment;
}

/** A pod's hostname: its name (spec.hostname is not modelled). */
const hostnameOf = (pod: Pod): string => pod.metadata.name;

/**
 * The kubelet's expansion of `$(VAR)` in command, args and env values before the process starts
 * (kubernetes third_party/forked/golang/expansion/expand.go): a defined variable's value, `$$` for
 * a literal `$`, anything else left as written — so `sh -c 'echo $(date)'` still reaches the shell.
 */
function expandReferences(text: string, environment: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) =>
    whole === '$$' ? '$' : (environment.get(name ?? '') ?? whole),
  );
}

/** A container's argv after the kubelet's expansion; empty when it runs the image's own entrypoint. */
function argvOf(container: Container, environment: ReadonlyMap<string, string>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((word) =>
    expandReferences(word, environment),
  );
}

function evaluate(
  pod: Pod,
  container: Container,
  startMs: number,
  limits: RunLimits,
): ProcessOutcome | undefined {
  const environment = environmentOf(pod, container);
  const argv = argvOf(container, environment);
  if (argv.length === 0) return undefined;
  return runProcess({ argv, hostname: hostnameOf(pod), startMs, environment }, limits);
}

/**
 * Outcomes already worked out, by what the process is. Every pod of a Deployment or a Job runs the
 * same command, so the key leaves out the pod's hostname unless the command could read it (the
 * words `hostname`, `HOSTNAME` or `env` appear in it); an outcome that read the clock is not kept.
 */
const memo = new Map<string, ProcessOutcome | null>();
const memoSize = 500;

function memoKey(pod: Pod, container: Container): { key: string; readsHost: boolean } {
  const words = [...(container.command ?? []), ...(container.args ?? [])];
  const readsHost = /hostname|HOSTNAME|env/.test(words.join(' '));
  return { key: JSON.stringify([words, container.env ?? [], readsHost ? hostnameOf(pod) : '']), readsHost };
}

/**
 * The same, by the container object: a controller's pods share their template's containers, and
 * most pods (servers) run their image's own entrypoint, which runs until stopped.
 */
const byContainer = new WeakMap<Container, ProcessOutcome | null>();

/** What a container's process does until it exits (or within the exit limits), started at `startMs`. */
function containerOutcome(pod: Pod, container: Container, startMs: number): ProcessOutcome | undefined {
  if ((container.command ?? []).length === 0 && (container.args ?? []).length === 0) return undefined;
  const shared = byContainer.get(container);
  if (shared !== undefined) return shared ?? undefined;
  const { key, readsHost } = memoKey(pod, container);
  const remembered = memo.get(key);
  if (remembered !== undefined) {
    if (!readsHost) byContainer.set(container, remembered);
    return remembered ?? undefined;
  }
  const outcome = evaluate(pod, container, startMs, exitLimits);
  if (outcome?.readsClock !== true) {
    if (memo.size >= memoSize) memo.clear();
    memo.set(key, outcome ?? null);
    // An outcome that depends on nothing but the container object is kept with it.
    if (!readsHost) byContainer.set(container, outcome ?? null);
  }
  return outcome;
}

const textOf = (chunks: readonly OutputChunk[]): string => chunks.map((chunk) => chunk.text).join('');

/** How a container's process ends by itself, or undefined when it runs until it is stopped. */
function containerProcessExit(pod: Pod, container: Container, startMs: number): ProcessExit | undefined {
  const outcome = containerOutcome(pod, container, startMs);
  if (outcome?.end === undefined) return undefined;
  return {
    afterMs: outcome.end.atMs + exitNoticedMs,
    exitCode: outcome.end.exitCode,
    output: textOf(outcome.chunks),
  };
}

/**
 * How a pod's containers end by themselves, started at virtual time `startMs`: the last of them to
 * finish, with the first non-zero exit code; undefined when any of them runs until stopped (an
 * Istio sidecar never exits).
 */
export function podProcessExit(pod: Pod, startMs = 0): ProcessExit | undefined {
  let combined: ProcessExit | undefined;
  for (const container of pod.spec.containers) {
    const exit = containerProcessExit(pod, container, startMs);
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

/**
 * Whether a pod that runs until stopped prints something while it runs (a logging loop), so that
 * its start is worth remembering for `kubectl logs`.
 */
export function podPrintsWhileRunning(pod: Pod): boolean {
  return pod.spec.containers.some(
    (container) => (containerOutcome(pod, container, 0)?.chunks.length ?? 0) > 0,
  );
}

/** A line of a container's log with the virtual time it was written. */
export interface LogLine {
  atMs: number;
  text: string;
}

/** Splits output written over time into lines, each stamped with the time its first character was written. */
function linesOf(chunks: readonly OutputChunk[], startedAtMs: number): LogLine[] {
  const lines: LogLine[] = [];
  let open: LogLine | undefined;
  for (const chunk of chunks)
    for (const piece of chunk.text.split(/(?<=\n)/)) {
      open ??= { atMs: startedAtMs + chunk.atMs, text: '' };
      open.text += piece;
      if (piece.endsWith('\n')) {
        lines.push(open);
        open = undefined;
      }
    }
  if (open !== undefined) lines.push(open);
  return lines;
}

/**
 * What a container has written by virtual time `nowMs` in the run that started at `startedAtMs`,
 * line by line with their times; undefined when the model does not run its process (an image's
 * own entrypoint, a server).
 */
export function containerLogLines(
  pod: Pod,
  containerName: string,
  startedAtMs: number,
  nowMs: number,
): LogLine[] | undefined {
  const container = pod.spec.containers.find((candidate) => candidate.name === containerName);
  if (container === undefined) return undefined;
  const elapsedMs = Math.max(0, nowMs - startedAtMs);
  const outcome = evaluate(pod, container, startedAtMs, {
    horizonMs: elapsedMs,
    maxSteps: logSteps,
  });
  if (outcome === undefined) return undefined;
  return linesOf(
    outcome.chunks.filter((chunk) => chunk.atMs <= elapsedMs),
    startedAtMs,
  );
}
