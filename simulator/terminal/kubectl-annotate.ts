/**
 * `kubectl annotate`: set (`k=v`) and remove (`k-`) annotations, or list them, as kubectl's
 * annotate command does (kubernetes/kubectl pkg/cmd/annotate/annotate.go): the pairs are parsed as
 * cmdutil.ParsePairs does (a value may hold `=`), an annotation that already exists is refused
 * without `--overwrite` even when the value is the same, and each object gets a merge patch of its
 * annotations, which the API server authorizes, validates (an annotation key is a qualified name:
 * k8s/object-meta-validation.ts) and stores. kubectl
 * prints `TYPE/NAME annotated` for every object it patched, changed or not.
 */
import type { ApiObject } from '../k8s/objects';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { submitPatch } from './kubectl-patch';
import { resourceType } from './kubectl-resources';
import { objectsToChange } from './kubectl-select';

/** The annotation kubectl's --record writes; annotate may always overwrite it. */
const changeCauseAnnotation = 'kubernetes.io/change-cause';

interface AnnotationChanges {
  set: Map<string, string>;
  remove: string[];
}

/** Whether an argument is an annotation change rather than a resource (cmdutil.GetResourcesAndPairs). */
function isPair(arg: string): boolean {
  return (arg.includes('=') && !arg.startsWith('=')) || (arg.endsWith('-') && arg !== '-');
}

/**
 * cmdutil.ParsePairs for annotations, over arguments isPair accepted: a later value of a key wins,
 * and a value may hold `=`.
 */
function parsePairs(args: readonly string[]): AnnotationChanges | CommandResult {
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals > 0) set.set(arg.slice(0, equals), arg.slice(equals + 1));
    else remove.push(arg.slice(0, -1));
  }
  const both = remove.filter((key) => set.has(key));
  if (both.length > 0)
    return fail(
      `error: can not both modify and remove the following annotation(s) in the same command: ${both.join(', ')}`,
    );
  return { set, remove };
}

function apiGroupOf(object: ApiObject): string {
  const slash = object.apiVersion.indexOf('/');
  return slash < 0 ? '' : object.apiVersion.slice(0, slash);
}

/** The annotations listed as `--list` prints them (in key order; kubectl's follow a Go map's). */
function listed(object: ApiObject, many: boolean): string {
  const annotations = object.metadata.annotations ?? {};
  const header = many
    ? `Listing annotations for ${object.kind}.${apiGroupOf(object)}/${object.metadata.name}:\n`
    : '';
  const indent = many ? ' ' : '';
  return (
    header +
    Object.keys(annotations)
      .sort()
      .map((key) => `${indent}${key}=${annotations[key] ?? ''}\n`)
      .join('')
  );
}

/** `kubectl annotate TYPE NAME|TYPE/NAME|-l SELECTOR|--all k=v… k-… [--overwrite] [--list]`. */
export function annotate(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
): CommandResult {
  const firstPair = positionals.findIndex(isPair);
  const resourceArgs = firstPair < 0 ? positionals : positionals.slice(0, firstPair);
  const pairArgs = firstPair < 0 ? [] : positionals.slice(firstPair);
  const misplaced = pairArgs.find((arg) => !isPair(arg));
  if (misplaced !== undefined)
    return fail(`error: all resources must be specified before annotation changes: ${misplaced}`);
  const changes = parsePairs(pairArgs);
  if ('exitCode' in changes) return changes;
  const all = flags.has('--all') && flags.get('--all') !== 'false';
  if (all && flags.has('--selector')) return fail('error: cannot set --all and --selector at the same time');
  if (resourceArgs.length === 0)
    return fail('error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const list = flags.has('--list') && flags.get('--list') !== 'false';
  if (changes.set.size === 0 && changes.remove.length === 0 && !list)
    return fail('error: at least one annotation update is required');
  const selected = objectsToChange(context, resourceArgs, flags);
  if ('exitCode' in selected) return selected;
  const { objects, references } = selected;
  const overwrite = flags.has('--overwrite') && flags.get('--overwrite') !== 'false';
  const out: string[] = [];
  const failed = (result: CommandResult): CommandResult => ({
    ...result,
    stdout: out.join('') + result.stdout,
  });
  for (const object of objects) {
    const type = resourceType(context.simulation.state, object.kind.toLowerCase()) ?? references[0]?.type;
    if (type === undefined) continue;
    if (list) {
      out.push(listed(object, objects.length > 1));
      continue;
    }
    const current = object.metadata.annotations ?? {};
    if (!overwrite) {
      const declared = [...changes.set.keys()]
        .filter((key) => key !== changeCauseAnnotation && Object.hasOwn(current, key))
        .sort()
        .map((key) => `'${key}' already has a value (${current[key] ?? ''})`);
      if (declared.length > 0)
        return failed(
          fail(
            `error: --overwrite is false but found the following declared annotation(s): ${declared.join('; ')}`,
          ),
        );
    }
    const annotations: Record<string, string | null> = Object.fromEntries(changes.set);
    for (const key of changes.remove) if (Object.hasOwn(current, key)) annotations[key] = null;
    const submitted = submitPatch(context, flags, type, object, 'merge', { metadata: { annotations } });
    if ('exitCode' in submitted) return failed(submitted);
    out.push(`${type.prefix}/${object.metadata.name} annotated\n`);
  }
  return ok(out.join(''));
}
