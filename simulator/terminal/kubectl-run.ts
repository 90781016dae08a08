/**
 * `kubectl run NAME --image=IMAGE [flags] [-- ARGS…]`: one bare Pod labelled `run=NAME` (or
 * `--labels`), built as kubectl's run-pod/v1 generator builds it, sent like any other create;
 * `--expose --port` adds a ClusterIP Service that selects it. With `-i` (or `--attach`) kubectl
 * waits for the pod to run, attaches to its process and, with `--rm`, deletes what it created when
 * the process ends. After kubectl pkg/cmd/run/run.go and pkg/generate/versioned/run.go at v0.33.0
 * (the kubectl of Kubernetes 1.33); the attach is in kubectl-run-attach.ts.
 */
import { mergePatch, jsonPatch, strategicMerge } from '../k8s/patch';
import type { ApiObject } from '../k8s/objects';
import type { FlagSpec } from './kube-args';
import { fail, type CommandResult, type TerminalContext } from './context';
import { submit } from './kubectl-create';
import { namespaceOf } from './kubectl-request';
import { attachToRun, type RunRequest } from './kubectl-run-attach';

/** The flags `kubectl run` takes (addRunFlags, the print and dry-run flags, --overrides). */
export const runFlags: FlagSpec[] = [
  { names: ['--image'], takesValue: true },
  { names: ['--image-pull-policy'], takesValue: true },
  { names: ['--restart'], takesValue: true },
  { names: ['--labels', '-l'], takesValue: true },
  { names: ['--env'], takesValue: true },
  { names: ['--annotations'], takesValue: true },
  { names: ['--port'], takesValue: true },
  { names: ['--command'], takesValue: false },
  { names: ['--expose'], takesValue: false },
  { names: ['--rm'], takesValue: false },
  { names: ['--stdin', '-i'], takesValue: false },
  { names: ['--tty', '-t'], takesValue: false },
  { names: ['--attach'], takesValue: false },
  { names: ['--leave-stdin-open'], takesValue: false },
  { names: ['--quiet', '-q'], takesValue: false },
  { names: ['--privileged'], takesValue: false },
  { names: ['--overrides'], takesValue: true },
  { names: ['--override-type'], takesValue: true },
  { names: ['--pod-running-timeout'], takesValue: true },
  { names: ['--dry-run'], takesValue: true },
  { names: ['--output', '-o'], takesValue: true },
];

type Parsed = { flags: Map<string, string>; repeated: Map<string, string[]>; rest: string[] };

const on = (flags: ReadonlyMap<string, string>, name: string): boolean =>
  flags.has(name) && flags.get(name) !== 'false';

/** cmdutil.UsageErrorf: the message and a pointer to the help. */
const usage = (message: string): CommandResult =>
  fail(`error: ${message}\nSee 'kubectl run -h' for help and examples`);

/** An image reference as distribution's ReferenceRegexp reads it (lowercase path, tag, digest). */
const imageReference =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/** A Go duration of the forms the reader types (`30s`, `1m`, `2m30s`), in milliseconds. */
function durationMs(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((sum, part) => sum + Number(part[1]) * (unit[part[2] ?? 's'] ?? 0), 0);
}

/** RunOptions.Run's checks, in its order; the request or kubectl's error. */
function runRequest(positionals: readonly string[], parsed: Parsed): RunRequest | CommandResult {
  const { flags } = parsed;
  // cobra checks the flag marked required (MarkFlagRequired("image")) before Run.
  if (!flags.has('--image')) return fail('error: required flag(s) "image" not set');
  // Let kubectl run follow rules for `--` (ArgsLenAtDash == 0: nothing before the dash).
  const [name, ...extra] = positionals;
  if (name === undefined) return usage('NAME is required for run');
  const timeoutText = flags.get('--pod-running-timeout') ?? '1m0s';
  const timeoutMs = durationMs(timeoutText);
  if (timeoutMs === undefined || timeoutMs <= 0)
    return usage(`--pod-running-timeout must be higher than zero`);
  const image = flags.get('--image') ?? '';
  if (image === '') return fail('error: --image is required');
  if (!imageReference.test(image))
    return fail(`error: Invalid image name "${image}": invalid reference format`);
  const interactive = on(flags, '--stdin');
  const tty = on(flags, '--tty');
  if (tty && !interactive) return usage('-i/--stdin is required for containers with -t/--tty=true');
  const expose = on(flags, '--expose');
  const port = flags.get('--port');
  if (expose && (port ?? '') === '') return usage('--port must be set when exposing a service');
  // The flag defaults to "Always", so only an explicit empty value lets -i choose OnFailure.
  const restart = flags.get('--restart') ?? 'Always';
  const restartPolicy = restart === '' ? (interactive ? 'OnFailure' : 'Always') : restart;
  if (restartPolicy !== 'Always' && restartPolicy !== 'OnFailure' && restartPolicy !== 'Never')
    return usage(`invalid restart policy: ${restart}`);
  // -i attaches unless --attach was given (RunOptions.Complete).
  const attach = flags.has('--attach') ? on(flags, '--attach') : interactive;
  const remove = on(flags, '--rm');
  if (!attach && remove) return usage('--rm should only be used for attached containers');
  const dryRun = flags.get('--dry-run') ?? 'none';
  if (attach && dryRun !== 'none' && dryRun !== 'false')
    return usage(
      "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
    );
  const pullPolicy = flags.get('--image-pull-policy') ?? '';
  if (!['', 'Always', 'IfNotPresent', 'Never'].includes(pullPolicy))
    return usage(`invalid image pull policy: ${pullPolicy}`);
  return {
    name,
    namespace: namespaceOf(flags),
    image,
    restartPolicy,
    args: [...extra, ...parsed.rest],
    attach,
    remove,
    interactive,
    tty,
    quiet: on(flags, '--quiet'),
    leaveStdinOpen: on(flags, '--leave-stdin-open'),
    expose,
    ...(port !== undefined && port !== '' ? { port } : {}),
    timeoutMs,
  };
}

/** `a=b,c=d` as generate.ParseLabels reads it, or its error. */
function parseLabels(text: string): Record<string, string> | string {
  const labels: Record<string, string> = {};
  for (const spec of text.split(',')) {
    const parts = spec.split('=');
    if (parts.length !== 2) return `unexpected label spec: ${spec}`;
    if (parts[0] === '') return 'unexpected empty label key';
    labels[parts[0] ?? ''] = parts[1] ?? '';
  }
  return labels;
}

/** `--env NAME=VALUE` entries (parseEnvs), or the first that is not one. */
function parseEnvs(entries: readonly string[]): { name: string; value: string }[] | string {
  const envs: { name: string; value: string }[] = [];
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const name = at < 0 ? '' : entry.slice(0, at);
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) return `invalid env: ${entry}`;
    envs.push({ name, value: entry.slice(at + 1) });
  }
  return envs;
}

/** `--annotations k=v` pairs (cmdutil.ParsePairs). */
function parseAnnotations(entries: readonly string[]): Record<string, string> | string {
  const annotations: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0) return `invalid annotations: ${entry}`;
    annotations[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return annotations;
}

/** The pod's labels: `--labels`, or `run=NAME` (getLabels). */
function runLabels(request: RunRequest, flags: ReadonlyMap<string, string>): Record<string, string> | string {
  const text = flags.get('--labels') ?? '';
  return text === '' ? { run: request.name } : parseLabels(text);
}

/** The container of BasicPod.Generate: fields kubectl leaves out when empty or false stay out. */
function runContainer(request: RunRequest, parsed: Parsed): Record<string, unknown> | string {
  const { flags, repeated } = parsed;
  const envs = parseEnvs(repeated.get('--env') ?? []);
  if (typeof envs === 'string') return envs;
  const container: Record<string, unknown> = { name: request.name, image: request.image, resources: {} };
  if (request.args.length > 0) container[on(flags, '--command') ? 'command' : 'args'] = [...request.args];
  if (envs.length > 0) container.env = envs;
  const pullPolicy = flags.get('--image-pull-policy') ?? '';
  if (pullPolicy !== '') container.imagePullPolicy = pullPolicy;
  if (request.port !== undefined) {
    const port = Number(request.port);
    if (!/^\d+$/.test(request.port) || port < 1 || port > 65535) return `invalid port: ${request.port}`;
    container.ports = [{ containerPort: port }];
  }
  if (request.interactive) container.stdin = true;
  if (request.interactive && !request.leaveStdinOpen) container.stdinOnce = true;
  if (request.tty) container.tty = true;
  if (on(flags, '--privileged')) container.securityContext = { privileged: true };
  return container;
}

/** The overrides (`--overrides JSON`, merged as --override-type says: merge by default). */
function withOverrides(pod: ApiObject, flags: ReadonlyMap<string, string>): ApiObject | string {
  const text = flags.get('--overrides');
  if (text === undefined || text === '') return pod;
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (error) {
    return `error parsing ${text}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const type = flags.get('--override-type') ?? 'merge';
  if (type === 'merge') return mergePatch(pod, patch) as ApiObject;
  if (type === 'strategic') return strategicMerge(pod, patch) as ApiObject;
  if (type === 'json') {
    const result = jsonPatch(pod, patch);
    return 'result' in result ? (result.result as ApiObject) : result.message;
  }
  return `invalid override type: ${type}`;
}

/** The Pod kubectl run builds, or the generator's error. */
function runPod(request: RunRequest, parsed: Parsed): ApiObject | string {
  const labels = runLabels(request, parsed.flags);
  if (typeof labels === 'string') return labels;
  const annotations = parseAnnotations(parsed.repeated.get('--annotations') ?? []);
  if (typeof annotations === 'string') return annotations;
  const container = runContainer(request, parsed);
  if (typeof container === 'string') return container;
  const metadata: Record<string, unknown> = { name: request.name, labels, namespace: request.namespace };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [container], dnsPolicy: 'ClusterFirst', restartPolicy: request.restartPolicy },
    status: {},
  } as unknown as ApiObject;
  return withOverrides(pod, parsed.flags);
}

/**
 * The Service of `--expose` (generateService with the ServiceV2 generator): named as the pod, it
 * selects `--labels` or `run=NAME` and serves `--port` over TCP; it carries labels only when
 * `--labels` was given.
 */
function exposedService(request: RunRequest, flags: ReadonlyMap<string, string>): ApiObject | string {
  const selector = runLabels(request, flags);
  if (typeof selector === 'string') return selector;
  const port = Number(request.port);
  const metadata: Record<string, unknown> = { name: request.name, namespace: request.namespace };
  if ((flags.get('--labels') ?? '') !== '') metadata.labels = { ...selector };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { ports: [{ port, protocol: 'TCP', targetPort: port }], selector },
    status: { loadBalancer: {} },
  } as unknown as ApiObject;
}

/** `kubectl run`. */
export async function run(
  context: TerminalContext,
  positionals: readonly string[],
  parsed: Parsed,
  stdin: string,
): Promise<CommandResult> {
  const request = runRequest(positionals, parsed);
  if ('exitCode' in request) return request;
  const pod = runPod(request, parsed);
  if (typeof pod === 'string') return fail(`error: ${pod}`);
  const created = submit(context, parsed, pod);
  if (created.exitCode !== 0) return created;
  let service: CommandResult | undefined;
  if (request.expose) {
    const object = exposedService(request, parsed.flags);
    service = typeof object === 'string' ? fail(`error: ${object}`) : submit(context, parsed, object);
    // The Service is printed as it is created; YAML documents are separated.
    if (service.exitCode === 0 && parsed.flags.get('--output') === 'yaml')
      service = { ...service, stdout: `${service.stdout}---\n` };
  }
  const before = { stdout: service?.stdout ?? '', stderr: service?.stderr ?? '' };
  const createdService = service?.exitCode === 0;
  if (request.attach) {
    const attached = await attachToRun(context, request, createdService, stdin);
    return { ...attached, stdout: before.stdout + attached.stdout, stderr: before.stderr + attached.stderr };
  }
  // The pod is printed last; a failed Service is the command's error, after it.
  return {
    stdout: before.stdout + created.stdout,
    stderr: before.stderr + created.stderr,
    exitCode: service === undefined || createdService ? 0 : 1,
  };
}
