/**
 * `kubectl delete`, following kubectl pkg/cmd/delete/delete.go (v0.33.0): objects named by
 * arguments (`TYPE NAME…`, `TYPE/NAME…`, `TYPE1,TYPE2 NAME`), selected with `-l` or `--all` in one
 * namespace or all of them (`-A`), or read from any number of `-f` files. Each is deleted in turn
 * and reported as `pod "x" deleted` (`-o name`: `pod/x`); a name that does not exist is a NotFound
 * error printed at the end (ignored with --ignore-not-found, which --all and -l imply), and nothing
 * found prints `No resources found` on stdout. Pods are deleted gracefully (their own grace period,
 * `--grace-period=N`, `--now` for 1 s, `--force --grace-period=0` at once) and, as with `--wait`
 * (the default), kubectl returns only once every deleted object is gone.
 */
import { getObject } from '../k8s/api-store';
import { kubernetesMinor } from '../k8s/kubernetes-versions';
import { objectKey } from '../k8s/objects';
import { customKinds } from '../k8s/extension-points';
import { fail, type CommandResult, type TerminalContext } from './context';
import { objectsOf, readSources, withErrors } from './kubectl-apply';
import { clientVersion } from './kubectl-contexts';
import { apiCallMs, forbidden, forbiddenText, namespaceOf, resourceRequest } from './kubectl-request';
import { resourceType, type ResourceType } from './kubectl-resources';
import { objectsInScope, parseReferences, scopeOf } from './kubectl-select';
import { parseGoDuration } from './kubectl-wait';

/** One object to delete, with the file it came from when it was read from `-f`. */
interface Target {
  type: ResourceType;
  name: string;
  namespace: string;
  file?: string;
  /** The uid of the object deleted, so that a recreated namesake does not count as the same. */
  uid?: string | undefined;
}

/** The options delete.go's Complete and Validate derive from the flags. */
interface DeleteOptions {
  gracePeriodSeconds?: number;
  force: boolean;
  ignoreNotFound: boolean;
  wait: boolean;
  timeoutMs: number;
  outputName: boolean;
  orphan: boolean;
}

const boolFlag = (flags: ReadonlyMap<string, string>, name: string): boolean =>
  flags.has(name) && flags.get(name) !== 'false';

const noResourcesSpecified = `error: You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

/** Validates the flags as delete.go does; returns the options, or kubectl's error. */
function deleteOptions(flags: ReadonlyMap<string, string>): DeleteOptions | CommandResult {
  const output = flags.get('--output');
  if (output !== undefined && output !== 'name')
    return fail(`error: unexpected -o output mode: ${output}. We only support '-o name'`);
  const all = boolFlag(flags, '--all');
  if (all && flags.has('--selector')) return fail('error: cannot set --all and --selector at the same time');
  const force = boolFlag(flags, '--force');
  let grace: number | undefined;
  if (flags.has('--grace-period')) {
    const text = flags.get('--grace-period') ?? '';
    grace = Number(text);
    if (!/^-?\d+$/.test(text))
      return fail(
        `error: invalid argument "${text}" for "--grace-period" flag: strconv.ParseInt: parsing "${text}": invalid syntax`,
      );
  }
  if (boolFlag(flags, '--now')) {
    if (grace !== undefined && grace !== -1)
      return fail('error: --now and --grace-period cannot be specified together');
    grace = 1;
  }
  // --grace-period=0 means 1 unless --force: immediate deletion must be asked for explicitly.
  if (grace === 0 && !force) grace = 1;
  if (force && (grace === undefined || grace < 0)) grace = 0;
  if (force && grace !== undefined && grace > 0)
    return fail('error: --force and --grace-period greater than 0 cannot be specified together');
  const timeoutText = flags.get('--timeout') ?? '0s';
  const timeout = parseGoDuration(timeoutText);
  if (timeout === undefined)
    return fail(
      `error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"`,
    );
  const cascade = flags.get('--cascade') ?? 'background';
  if (!['background', 'foreground', 'orphan', 'true', 'false'].includes(cascade))
    return fail(`error: invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  return {
    ...(grace !== undefined && grace >= 0 ? { gracePeriodSeconds: grace } : {}),
    force,
    ignoreNotFound: flags.has('--ignore-not-found')
      ? boolFlag(flags, '--ignore-not-found')
      : all || flags.has('--selector'),
    wait: !flags.has('--wait') || boolFlag(flags, '--wait'),
    timeoutMs: timeout === 0 ? 7 * 24 * 3_600_000 : timeout,
    outputName: output === 'name',
    orphan: cascade === 'orphan' || cascade === 'false',
  };
}

/** The objects `-f` files name, in file order. */
function targetsFromFiles(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  files: readonly string[],
  stdin: string,
): { targets: Target[]; errors: string[] } | CommandResult {
  const sources = readSources(context, files, stdin, false);
  if (!Array.isArray(sources)) return sources;
  const targets: Target[] = [];
  const errors: string[] = [];
  for (const source of sources) {
    if ('url' in source) continue;
    const { objects, errors: mapping } = objectsOf(context, flags, source);
    errors.push(...mapping);
    for (const object of objects) {
      const type = resourceType(context.simulation.state, object.kind);
      if (type === undefined) continue;
      const file = source.file === '-' ? 'STDIN' : source.file;
      targets.push({ type, name: object.metadata.name, namespace: object.metadata.namespace ?? '', file });
    }
  }
  return { targets, errors };
}

/** The objects arguments name or select. */
function targetsFromArguments(
  context: TerminalContext,
  positionals: readonly string[],
  flags: ReadonlyMap<string, string>,
): Target[] | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (positionals.length === 0) return fail(noResourcesSpecified);
  const references = parseReferences(positionals, context.simulation.state);
  if ('exitCode' in references) return references;
  const scope = scopeOf(flags);
  if ('exitCode' in scope) return scope;
  const named = references.some((reference) => reference.name !== undefined);
  if (named && scope.selector !== undefined)
    return fail('error: name cannot be provided when a selector is specified');
  if (named && scope.allNamespaces)
    return fail('error: a resource cannot be retrieved by name across all namespaces');
  const namespace = namespaceOf(flags);
  if (!named && scope.selector === undefined && !boolFlag(flags, '--all'))
    return fail('error: resource(s) were provided, but no name was specified');
  const targets: Target[] = [];
  for (const reference of references) {
    if (reference.name !== undefined) {
      targets.push({ type: reference.type, name: reference.name, namespace });
      continue;
    }
    const denied = forbidden(
      context,
      flags,
      resourceRequest(reference.type, 'list', scope.allNamespaces ? {} : { namespace }),
    );
    if (denied !== undefined) return denied;
    for (const object of objectsInScope(cluster, reference.type, scope))
      targets.push({
        type: reference.type,
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? '',
      });
  }
  return targets;
}

/** Deletes one target; returns the line to print, or the error to report. */
function deleteTarget(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  target: Target,
  options: DeleteOptions,
): { line?: string; error?: string } {
  const { type, name, namespace, file } = target;
  const where = file === undefined ? '' : `error when deleting "${file}": `;
  const denied = forbiddenText(context, flags, resourceRequest(type, 'delete', { namespace, name }));
  if (denied !== undefined) return { error: `Error from server (Forbidden): ${where}${denied}` };
  const cluster = context.simulation.state.cluster;
  target.uid =
    cluster === undefined
      ? undefined
      : getObject(
          cluster.api,
          type.kind,
          objectKey(type.kind, name, namespace, customKinds(context.simulation.state)),
        )?.metadata.uid;
  const result = context.input({
    type: 'api.delete',
    kind: type.kind,
    key: objectKey(type.kind, name, namespace, customKinds(context.simulation.state)),
    ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    ...(options.orphan ? { orphan: true } : {}),
  });
  context.spend(apiCallMs);
  if (!result.ok) {
    if (result.error.endsWith('not found'))
      return options.ignoreNotFound
        ? {}
        : { error: `Error from server (NotFound): ${where}${type.plural} "${name}" not found` };
    return { error: `Error from server (Forbidden): ${where}${result.error}` };
  }
  if (options.outputName) return { line: `${type.prefix}/${name}` };
  const operation = options.gracePeriodSeconds === 0 ? 'force deleted' : 'deleted';
  const suffix = type.namespaced ? namespaceSuffix(context, namespace) : '';
  return { line: `${type.prefix} "${name}" ${operation}${suffix}` };
}

/**
 * From kubectl 1.34 a namespaced object's line names its namespace (`pod "x" deleted from default
 * namespace`: DeleteOptions.PrintObj in kubernetes/kubectl pkg/cmd/delete/delete.go at v0.34.0).
 */
function namespaceSuffix(context: TerminalContext, namespace: string): string {
  if (namespace === '' || (kubernetesMinor(clientVersion(context.simulation.state)) ?? 0) < 34) return '';
  return ` from ${namespace} namespace`;
}

/** Waits (on virtual time) until every deleted object is gone, as kubectl delete's --wait does. */
async function waitForDeletion(
  context: TerminalContext,
  deleted: readonly Target[],
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = context.simulation.nowMs + timeoutMs;
  for (let slice = 1; ; slice++) {
    const cluster = context.simulation.state.cluster;
    // kubectl waits for the uids it deleted: a namesake a controller recreated is another object.
    const remaining = deleted.filter(
      (target) =>
        cluster !== undefined &&
        getObject(
          cluster.api,
          target.type.kind,
          objectKey(target.type.kind, target.name, target.namespace, customKinds(context.simulation.state)),
        )?.metadata.uid === target.uid,
    );
    if (remaining.length === 0) return undefined;
    if (context.simulation.nowMs >= deadline) {
      const first = remaining[0];
      return `error: timed out waiting for the condition on ${first?.type.plural ?? ''}/${first?.name ?? ''}`;
    }
    context.spend(250);
    if (slice % 20 === 0 && context.pause !== undefined && !(await context.pause())) return undefined;
  }
}

/** `kubectl delete`. */
export async function remove(
  context: TerminalContext,
  positionals: string[],
  flags: ReadonlyMap<string, string>,
  files: readonly string[],
  stdin: string,
): Promise<CommandResult> {
  const options = deleteOptions(flags);
  if ('exitCode' in options) return options;
  let targets: Target[];
  const errors: string[] = [];
  if (files.length > 0) {
    if (positionals.length > 0)
      return fail(
        'error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well',
      );
    const fromFiles = targetsFromFiles(context, flags, files, stdin);
    if ('exitCode' in fromFiles) return fromFiles;
    targets = fromFiles.targets;
    errors.push(...fromFiles.errors);
  } else {
    const fromArguments = targetsFromArguments(context, positionals, flags);
    if ('exitCode' in fromArguments) return fromArguments;
    targets = fromArguments;
  }
  let stderr =
    options.force && options.gracePeriodSeconds === 0
      ? 'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n'
      : '';
  const warnClusterScope = flags.has('--namespace') && !flags.has('--all-namespaces');
  let warned = false;
  const lines: string[] = [];
  const deleted: Target[] = [];
  for (const target of targets) {
    if (warnClusterScope && !warned && !target.type.namespaced) {
      stderr += 'Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n';
      warned = true;
    }
    const outcome = deleteTarget(context, flags, target, options);
    if (outcome.error !== undefined) errors.push(outcome.error);
    if (outcome.line !== undefined) {
      lines.push(`${outcome.line}\n`);
      deleted.push(target);
    }
  }
  const stdout = lines.join('');
  // delete.go counts every object it visited, even one whose NotFound --ignore-not-found swallowed.
  if (targets.length === 0 && errors.length === 0)
    return { stdout: 'No resources found\n', stderr, exitCode: 0 };
  if (options.wait && deleted.length > 0) {
    const timedOut = await waitForDeletion(context, deleted, options.timeoutMs);
    if (timedOut !== undefined) errors.push(timedOut);
  }
  const result = withErrors(stdout, errors);
  return stderr === '' ? result : { ...result, stderr: stderr + result.stderr };
}
