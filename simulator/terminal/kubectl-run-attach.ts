/**
 * `kubectl run -i|--attach [--rm]`: kubectl waits (the virtual clock running, as `kubectl wait`
 * lets it) until the pod runs and is ready, attaches to its process and streams what it prints;
 * with restartPolicy Never or OnFailure it then waits for the pod to finish and exits with its
 * container's exit code; with `--rm` it deletes what it created. After kubectl pkg/cmd/run/run.go
 * (Run, handleAttachPod, waitForPod, removeCreatedObjects) and pkg/cmd/attach/attach.go at v0.33.0.
 *
 * The attached process is the container's: a program the model ends by itself (`echo`, `sleep 5`,
 * k8s/container-runs.ts) prints what the kubelet keeps as its log; a program the terminal runs in
 * pods (curl, nslookup, nc, a shell) runs here, in the new pod, and its end reaches the kubelet as
 * the container's exit (the `pod.process.exit` input). With `-t`, a shell stays open for the
 * reader's lines, as `kubectl exec -it` keeps one, and `--rm` acts when it exits.
 */
import { virtualEpochMs } from '../engine/virtual-time';
import { getObject } from '../k8s/api-store';
import { podProcessExit } from '../k8s/container-runs';
import type { Pod } from '../k8s/objects';
import type { CommandResult, ContainerShell, TerminalContext } from './context';
import { podLogs } from './kubectl-logs';
import { apiCallMs } from './kubectl-request';
import { passSlice, sliceMs } from './kubectl-wait';
import { runInPod } from './pod-commands';

/** What the reader asked of `kubectl run`, validated as RunOptions.Run does. */
export interface RunRequest {
  name: string;
  namespace: string;
  image: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  args: string[];
  attach: boolean;
  remove: boolean;
  interactive: boolean;
  tty: boolean;
  quiet: boolean;
  leaveStdinOpen: boolean;
  expose: boolean;
  port?: string;
  /** The --pod-running-timeout, in milliseconds (1m by default: defaultPodAttachTimeout). */
  timeoutMs: number;
}

type Output = { stdout: string; stderr: string };

/** What a wait for the pod came to. */
type Waited = Pod | 'timeout' | 'interrupted' | 'gone';

/** Watches the pod (the same uid) until `until` holds, the deadline passes, or it is gone. */
async function waitForPod(
  context: TerminalContext,
  key: string,
  uid: string,
  until: (pod: Pod) => boolean,
  timeoutMs: number,
): Promise<Waited> {
  const deadline = context.simulation.nowMs + timeoutMs;
  for (let slices = 1; ; slices++) {
    const pod = getObject(context.simulation.state.cluster!.api, 'Pod', key);
    if (pod === undefined || pod.metadata.uid !== uid) return 'gone';
    if (until(pod)) return pod;
    if (context.simulation.nowMs >= deadline) return 'timeout';
    if (!(await passSlice(context, Math.min(sliceMs, deadline - context.simulation.nowMs), slices)))
      return 'interrupted';
  }
}

const finished = (pod: Pod): boolean => pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';

/** podRunningAndReady, or a pod that already ran to completion (ErrPodCompleted). */
const runningAndReady = (pod: Pod): boolean =>
  finished(pod) ||
  (pod.status.phase === 'Running' &&
    (pod.status.conditions ?? []).some(
      (condition) => condition.type === 'Ready' && condition.status === 'True',
    ));

/** The container's process has ended at least once (it may have been restarted since). */
const processEnded = (pod: Pod): boolean => {
  const status = pod.status.containerStatuses?.[0];
  return (
    finished(pod) ||
    status?.state.terminated !== undefined ||
    status?.lastState?.terminated !== undefined ||
    (status?.restartCount ?? 0) > 0
  );
};

/** Images whose default command is a shell (busybox, alpine, the distributions' base images). */
const shellImage = /^(?:docker\.io\/)?(?:library\/)?(?:busybox|alpine|ubuntu|debian|fedora|centos)(?::|@|$)/;

/** What the container runs: its command and args, or the image's own default where we know it. */
function processArgv(pod: Pod): string[] {
  const container = pod.spec.containers[0];
  const argv = [...(container?.command ?? []), ...(container?.args ?? [])];
  if (argv.length > 0) return argv;
  return shellImage.test(container?.image ?? '') ? ['sh'] : [];
}

/** removeCreatedObjects: deletes the pod (and the exposed Service), without waiting, not found ignored. */
function removeCreated(context: TerminalContext, request: RunRequest, withService: boolean): string {
  const key = `${request.namespace}/${request.name}`;
  let printed = '';
  const created: { kind: 'Pod' | 'Service'; resource: string }[] = [{ kind: 'Pod', resource: 'pod' }];
  if (withService) created.push({ kind: 'Service', resource: 'service' });
  for (const { kind, resource } of created) {
    if (getObject(context.simulation.state.cluster!.api, kind, key) === undefined) continue;
    context.spend(apiCallMs);
    const result = context.input({ type: 'api.delete', kind, key });
    if (result.ok) printed += `${resource} "${request.name}" deleted\n`;
  }
  return printed;
}

/** attach.go's reattachMessage: only for a terminal session on a pod that restarts always. */
function reattachMessage(request: RunRequest): string {
  if (request.quiet || !request.tty || request.restartPolicy !== 'Always') return '';
  return `Session ended, resume using 'kubectl attach ${request.name} -c ${request.name} -i -t' command when the pod is running\n`;
}

/**
 * After the attach: with restartPolicy Never (or OnFailure) kubectl waits for the pod to complete
 * (or succeed) and exits with its container's code; with Always it is done at once.
 */
async function exitStatus(
  context: TerminalContext,
  request: RunRequest,
  uid: string,
): Promise<CommandResult> {
  const none = { stdout: '', stderr: '', exitCode: 0 };
  if (request.leaveStdinOpen || request.restartPolicy === 'Always') return none;
  const key = `${request.namespace}/${request.name}`;
  const until =
    request.restartPolicy === 'Never' ? finished : (pod: Pod): boolean => pod.status.phase === 'Succeeded';
  const pod = await waitForPod(context, key, uid, until, request.timeoutMs);
  if (pod === 'interrupted') return { ...none, exitCode: 130 };
  if (pod === 'timeout')
    return { ...none, stderr: 'error: timed out waiting for the condition\n', exitCode: 1 };
  if (pod === 'gone')
    return {
      ...none,
      stderr: `Error from server (NotFound): pods "${request.name}" not found\n`,
      exitCode: 1,
    };
  if (pod.status.phase === 'Succeeded') return none;
  const terminated = pod.status.containerStatuses?.[0]?.state.terminated;
  if (terminated === undefined || terminated.exitCode === 0)
    return { ...none, stderr: `error: pod ${key} failed with unknown exit code\n`, exitCode: 1 };
  // A uexec.CodeExitError: printed as it is, its code the command's.
  return { ...none, stderr: `pod ${key} terminated (${terminated.reason})\n`, exitCode: terminated.exitCode };
}

/**
 * A shell the reader keeps using after this line: when it exits, its process ends (the pod
 * finishes or restarts) and `--rm` deletes the pod, as kubectl does when the attach returns.
 */
function shellThatEnds(
  shell: ContainerShell,
  context: TerminalContext,
  request: RunRequest,
  withService: boolean,
): ContainerShell {
  const key = `${request.namespace}/${request.name}`;
  return {
    get prompt() {
      return shell.prompt;
    },
    currentPod: () => shell.currentPod(),
    run: (script, options) => shell.run(script, options),
    adoptEnvironment: (environment) => shell.adoptEnvironment(environment),
    ended: (exitCode) => {
      context.input({ type: 'pod.process.exit', podKey: key, exitCode, output: '' });
      const removed = request.remove ? removeCreated(context, request, withService) : '';
      return { stdout: reattachMessage(request) + removed, stderr: '', exitCode };
    },
  };
}

/** The attach itself: what the container's process prints, run by the model or in this terminal. */
async function attachProcess(
  context: TerminalContext,
  request: RunRequest,
  pod: Pod,
  stdin: string,
  withService: boolean,
): Promise<(Output & { exitCode: number }) | 'shell'> {
  const key = `${request.namespace}/${request.name}`;
  // What the model's run printed depends on when it started (`date`): the container's start.
  const startedAt = pod.status.containerStatuses?.[0]?.state.running?.startedAt;
  const modelled = podProcessExit(
    pod,
    startedAt === undefined ? context.simulation.nowMs : Date.parse(startedAt) - virtualEpochMs,
  );
  if (modelled !== undefined) {
    const ended = await waitForPod(context, key, pod.metadata.uid, processEnded, request.timeoutMs);
    return {
      stdout: typeof ended === 'string' ? '' : modelled.output,
      stderr: '',
      exitCode: modelled.exitCode,
    };
  }
  const argv = processArgv(pod);
  if (argv.length === 0) return { stdout: '', stderr: '', exitCode: 0 };
  let entered = false;
  const attached: TerminalContext = Object.assign(Object.create(context) as TerminalContext, {
    enterShell: (shell: ContainerShell) => {
      entered = true;
      context.enterShell?.(shellThatEnds(shell, context, request, withService));
    },
  });
  const tty = request.tty && context.enterShell !== undefined;
  const result = await runInPod(attached, pod, argv, undefined, request.interactive ? stdin : '', { tty });
  if (entered) return 'shell';
  context.input({ type: 'pod.process.exit', podKey: key, exitCode: result.exitCode, output: result.stdout });
  return result;
}

/** Attaches to the pod `kubectl run` just created; `withService` when `--expose` created one. */
export async function attachToRun(
  context: TerminalContext,
  request: RunRequest,
  withService: boolean,
  stdin: string,
): Promise<CommandResult> {
  const key = `${request.namespace}/${request.name}`;
  const cluster = context.simulation.state.cluster!;
  const uid = getObject(cluster.api, 'Pod', key)?.metadata.uid ?? '';
  const out: Output = { stdout: '', stderr: '' };
  const done = (status: CommandResult): CommandResult => ({
    stdout: out.stdout + status.stdout + (request.remove ? removeCreated(context, request, withService) : ''),
    stderr: out.stderr + status.stderr,
    exitCode: status.exitCode,
  });
  const pod = await waitForPod(context, key, uid, runningAndReady, request.timeoutMs);
  if (pod === 'interrupted') return done({ stdout: '', stderr: '', exitCode: 130 });
  if (pod === 'timeout')
    return done({ stdout: '', stderr: 'error: timed out waiting for the condition\n', exitCode: 1 });
  if (pod === 'gone')
    return done({
      stdout: '',
      stderr: `Error from server (NotFound): pods "${request.name}" not found\n`,
      exitCode: 1,
    });
  if (finished(pod)) {
    // Already done: kubectl shows its logs instead of attaching (logOpts).
    out.stdout += podLogs(cluster, pod, false).stdout;
  } else {
    if (!request.quiet) out.stderr += "If you don't see a command prompt, try pressing enter.\n";
    const attached = await attachProcess(context, request, pod, stdin, withService);
    if (attached === 'shell') return { ...out, exitCode: 0 };
    out.stdout += attached.stdout;
    out.stderr += attached.stderr;
  }
  return done(await exitStatus(context, request, uid));
}
