/**
 * `kubectl apply -f` and `kubectl create -f`: every `-f` is read first (a missing file stops
 * everything), then each object goes through kubectl's resource builder and the API server in turn.
 * As kubectl's builder runs with ContinueOnError, an object kubectl cannot map, that the API server
 * refuses or that RBAC forbids is reported at the end and the others still go through; the command
 * then exits 1. Messages name the file an object came from (`-f a.yaml`), or STDIN for `-f -`
 * (kubectl pkg/cmd/apply/apply.go and pkg/cmd/create/create.go; cli-runtime pkg/resource).
 */
import { getObject } from '../k8s/api-store';
import { formatApplyOutcome, qualifiedResource, resourceName } from '../k8s/apply';
import { kindServed } from '../k8s/discovery';
import { customKinds } from '../k8s/extension-points';
import { mappingError, parseManifests } from '../k8s/manifests';
import { isNamespacedKind, objectKey, type ApiObject } from '../k8s/objects';
import { refusalForKubectl } from '../k8s/api-errors';
import { ciliumExampleAt, unreadableUrlMessage } from '../cilium/example-manifests';
import { gatewayApiBundle } from '../k8s/gateway-api-crds';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { apiCallMs, forbiddenText, namespaceOf, resourceRequest } from './kubectl-request';
import { resourceType } from './kubectl-resources';
import { parseLimits } from '../policy/index';

/** The text behind one `-f`, or kubectl's error for it. */
type Source = { file: string; text: string } | { file: string; url: true };

/** What kubectl says for a URL the offline machine cannot fetch, with the ones it can. */
export function unreachableUrl(url: string): CommandResult {
  return fail(unreadableUrlMessage(url));
}

/** Reads every `-f` before anything is applied, as kubectl's builder does. */
export function readSources(
  context: TerminalContext,
  files: readonly string[],
  stdin: string,
  allowBundles: boolean,
): Source[] | CommandResult {
  const sources: Source[] = [];
  for (const file of files) {
    if (/^https?:\/\//.test(file)) {
      const example = ciliumExampleAt(file);
      if (example !== undefined) sources.push({ file, text: example });
      else if (allowBundles && gatewayApiBundle(file) !== undefined) sources.push({ file, url: true });
      else return unreachableUrl(file);
      continue;
    }
    const text = file === '-' ? stdin : context.files[file.replace(/^\.\//, '')];
    if (text === undefined) return fail(`error: the path "${file}" does not exist`);
    // The simulator's own limit (its YAML reader's, policy/parse-documents.ts); real kubectl has none.
    if (text.length > parseLimits.maxTextLength)
      return fail(
        `error: the simulator reads manifests of up to ${parseLimits.maxTextLength / 1024 / 1024} MiB, and "${sourceName(file)}" is ${(text.length / 1024 / 1024).toFixed(1)} MiB`,
      );
    sources.push({ file, text });
  }
  return sources;
}

/** kubectl's name for a source in messages: the file as given, STDIN for `-`. */
const sourceName = (file: string): string => (file === '-' ? 'STDIN' : file);

/**
 * The objects of one source with the namespace kubectl gives them, and the errors kubectl reports
 * for it before any request (parse, mapping, namespace mismatch).
 */
export function objectsOf(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  source: { file: string; text: string },
): { objects: ApiObject[]; errors: string[]; notes: string[] } {
  const cluster = context.simulation.state.cluster;
  const parsed = parseManifests(source.text, {
    ciliumVersion: cluster?.cilium?.config.version,
    source: sourceName(source.file),
    kinds: customKinds(context.simulation.state),
  });
  const errors = [...parsed.errors];
  const objects: ApiObject[] = [];
  const explicit = flags.get('--namespace');
  for (const object of parsed.objects) {
    if (cluster !== undefined && !kindServed(context.simulation.state, cluster, object.kind)) {
      errors.push(
        mappingError(
          { ...object.metadata, kind: object.kind, apiVersion: object.apiVersion },
          sourceName(source.file),
        ),
      );
      continue;
    }
    if (!isNamespacedKind(object.kind, customKinds(context.simulation.state))) {
      objects.push(object);
      continue;
    }
    const own = object.metadata.namespace;
    if (own !== undefined && explicit !== undefined && own !== explicit) {
      errors.push(
        `error: the namespace from the provided object "${own}" does not match the namespace "${explicit}". You must pass '--namespace=${own}' to perform this operation.`,
      );
      continue;
    }
    objects.push(
      own !== undefined
        ? object
        : { ...object, metadata: { ...object.metadata, namespace: namespaceOf(flags) } },
    );
  }
  return { objects, errors, notes: parsed.notes };
}

/** The resource and kind strings kubectl prints for an object in long errors. */
function resourceDescription(object: ApiObject): string {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const resource = qualifiedResource(object.kind).split('.')[0] ?? '';
  const namespace = object.metadata.namespace ?? '';
  return `Resource: "${group ?? ''}/${version ?? ''}, Resource=${resource}", GroupVersionKind: "${group ?? ''}/${version ?? ''}, Kind=${object.kind}"\nName: "${object.metadata.name}", Namespace: "${namespace}"`;
}

/** The RBAC check of applying one object: get it, then create or patch it. */
function applyForbidden(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  object: ApiObject,
  file: string,
): string | undefined {
  const type = resourceType(context.simulation.state, object.kind);
  if (type === undefined) return undefined;
  const scope = { namespace: object.metadata.namespace ?? '', name: object.metadata.name };
  const denied = forbiddenText(context, flags, resourceRequest(type, 'get', scope));
  if (denied !== undefined)
    return `Error from server (Forbidden): error when retrieving current configuration of:\n${resourceDescription(object)}\nfrom server for: "${file}": ${denied}`;
  const cluster = context.simulation.state.cluster;
  const exists =
    cluster !== undefined &&
    getObject(
      cluster.api,
      object.kind,
      objectKey(
        object.kind,
        object.metadata.name,
        object.metadata.namespace,
        customKinds(context.simulation.state),
      ),
    ) !== undefined;
  const verb = exists ? 'patch' : 'create';
  const refused = forbiddenText(
    context,
    flags,
    resourceRequest(type, verb, { namespace: scope.namespace, ...(exists ? { name: scope.name } : {}) }),
  );
  if (refused === undefined) return undefined;
  return exists
    ? `Error from server (Forbidden): error when applying patch:\n${JSON.stringify({ metadata: { name: object.metadata.name } })}\nto:\n${resourceDescription(object)}\nfor: "${file}": ${refused}`
    : `Error from server (Forbidden): error when creating "${file}": ${refused}`;
}

/** Sends one source's objects to the API server; returns what kubectl prints for them. */
function applyObjects(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  objects: readonly ApiObject[],
  file: string,
): { stdout: string; errors: string[] } {
  const errors: string[] = [];
  const allowed: ApiObject[] = [];
  for (const object of objects) {
    const denied = applyForbidden(context, flags, object, file);
    if (denied === undefined) allowed.push(object);
    else errors.push(denied);
  }
  if (allowed.length === 0) return { stdout: '', errors };
  const result = context.input({ type: 'api.apply', objects: allowed });
  context.spend(apiCallMs);
  if (!result.ok) return { stdout: '', errors: [...errors, `error: ${result.error}`] };
  let stdout = '';
  for (const outcome of result.applied ?? []) {
    if (outcome.refusal === undefined)
      stdout += `${formatApplyOutcome(outcome, customKinds(context.simulation.state))}\n`;
    else errors.push(refusalForKubectl(outcome.refusal, { verb: 'creating', file }));
  }
  return { stdout, errors };
}

/** What a command that ran through several objects prints: its lines, then every error. */
export function withErrors(stdout: string, errors: readonly string[]): CommandResult {
  if (errors.length === 0) return ok(stdout);
  return {
    stdout,
    stderr: errors.map((error) => (error.endsWith('\n') ? error : `${error}\n`)).join(''),
    exitCode: 1,
  };
}

/** `kubectl apply -f FILE|-|URL [-f …]`. */
export function apply(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  files: readonly string[],
  stdin: string,
  applyBundle: (url: string) => CommandResult,
): CommandResult {
  if (files.length === 0) return fail('error: must specify one of -f and -k');
  const sources = readSources(context, files, stdin, true);
  if (!Array.isArray(sources)) return sources;
  let stdout = '';
  const errors: string[] = [];
  const notes: string[] = [];
  let objectCount = 0;
  for (const source of sources) {
    if ('url' in source) {
      const bundle = applyBundle(source.file);
      if (bundle.exitCode !== 0) return { ...bundle, stdout: stdout + bundle.stdout };
      stdout += bundle.stdout;
      objectCount += 1;
      continue;
    }
    const { objects, errors: mapping, notes: unsimulated } = objectsOf(context, flags, source);
    objectCount += objects.length + mapping.length;
    const applied = applyObjects(context, flags, objects, sourceName(source.file));
    stdout += applied.stdout;
    errors.push(...mapping, ...applied.errors);
    notes.push(...unsimulated);
  }
  if (objectCount === 0) return { stdout, stderr: 'error: no objects passed to apply\n', exitCode: 1 };
  // The simulator's own notes (what it stores but does not enforce) come before kubectl's errors.
  const result = withErrors(stdout, errors);
  return notes.length === 0 ? result : { ...result, stderr: `${notes.join('\n')}\n${result.stderr}` };
}

/** `kubectl create -f`: like apply, but an object that exists already is AlreadyExists. */
export function createFromFiles(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  files: readonly string[],
  stdin: string,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const sources = readSources(context, files, stdin, false);
  if (!Array.isArray(sources)) return sources;
  let stdout = '';
  const errors: string[] = [];
  let objectCount = 0;
  for (const source of sources) {
    if ('url' in source) continue;
    const file = sourceName(source.file);
    const { objects, errors: mapping } = objectsOf(context, flags, source);
    errors.push(...mapping);
    objectCount += objects.length + mapping.length;
    for (const object of objects) {
      const type = resourceType(context.simulation.state, object.kind);
      const denied =
        type === undefined
          ? undefined
          : forbiddenText(
              context,
              flags,
              resourceRequest(type, 'create', { namespace: object.metadata.namespace ?? '' }),
            );
      if (denied !== undefined) {
        errors.push(`Error from server (Forbidden): error when creating "${file}": ${denied}`);
        continue;
      }
      const key = objectKey(
        object.kind,
        object.metadata.name,
        object.metadata.namespace,
        customKinds(context.simulation.state),
      );
      if (getObject(cluster.api, object.kind, key) !== undefined) {
        errors.push(
          `Error from server (AlreadyExists): error when creating "${file}": ${qualifiedResource(object.kind, customKinds(context.simulation.state))} "${object.metadata.name}" already exists`,
        );
        continue;
      }
      const result = context.input({ type: 'api.apply', objects: [object] });
      context.spend(apiCallMs);
      if (!result.ok) {
        errors.push(`error: ${result.error}`);
        continue;
      }
      for (const outcome of result.applied ?? []) {
        if (outcome.refusal !== undefined)
          errors.push(refusalForKubectl(outcome.refusal, { verb: 'creating', file }));
        else
          stdout += `${resourceName(outcome.kind, customKinds(context.simulation.state))}/${outcome.name} created\n`;
      }
    }
  }
  if (objectCount === 0) return { stdout, stderr: 'error: no objects passed to create\n', exitCode: 1 };
  return withErrors(stdout, errors);
}
