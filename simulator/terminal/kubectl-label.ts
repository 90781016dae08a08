/**
 * `kubectl label`: set (`k=v`) and remove (`k-`) labels on objects, refusing to change an existing
 * value without `--overwrite`, in kubectl's words (pkg/cmd/label). Every change goes to the model as
 * an `object.label` input, so the cluster reacts as it would: a pod's new labels reach the Cilium
 * agent on its node, which resolves a new security identity for the endpoint and publishes it in
 * the CiliumEndpoint; a Deployment's own labels change nothing in its pods.
 */
import { keyOf } from '../k8s/api-store';
import { refusalForKubectl } from '../k8s/api-errors';
import { labelValueProblems } from '../k8s/object-meta-validation';
import type { ApiObject } from '../k8s/objects';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { objectsToChange } from './kubectl-select';
import { resourceType } from './kubectl-resources';

/**
 * kubectl's parseLabels: a value is checked here (validation.IsValidLabelValue), a key only by the
 * API server, whose Invalid answer names it (k8s/object-meta-validation.ts).
 */
function parseLabelArgs(
  specs: readonly string[],
): { set: Record<string, string>; remove: string[] } | CommandResult {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const spec of specs) {
    if (spec.includes('=')) {
      const parts = spec.split('=');
      if (parts.length !== 2) return fail(`error: invalid label spec: ${spec}`);
      const [key = '', value = ''] = parts;
      const problems = labelValueProblems(value);
      if (problems.length > 0)
        return fail(`error: invalid label value: ${JSON.stringify(spec)}: ${problems.join(';')}`);
      set[key] = value;
    } else if (spec.endsWith('-')) remove.push(spec.slice(0, -1));
    else return fail(`error: unknown label spec: ${spec}`);
  }
  if (remove.some((key) => Object.hasOwn(set, key)))
    return fail('error: can not both modify and remove a label in the same command');
  return { set, remove };
}

/** `kubectl label TYPE NAME|TYPE/NAME|-l SELECTOR|--all k=v… k-… [--overwrite] [--list]`. */
export function label(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
): CommandResult {
  // Resources come first; label changes (k=v, k-) after them, as kubectl requires.
  const firstPair = positionals.findIndex((arg) => arg.includes('=') || arg.endsWith('-'));
  const resourceArgs = firstPair < 0 ? positionals : positionals.slice(0, firstPair);
  const labelArgs = firstPair < 0 ? [] : positionals.slice(firstPair);
  const misplaced = labelArgs.find((arg) => !arg.includes('=') && !arg.endsWith('-'));
  if (misplaced !== undefined)
    return fail(`error: all resources must be specified before label changes: ${misplaced}`);
  const list = flags.has('--list') && flags.get('--list') !== 'false';
  if (labelArgs.length === 0 && !list) return fail('error: at least one label update is required');
  if (resourceArgs.length === 0)
    return fail('error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const all = flags.has('--all') && flags.get('--all') !== 'false';
  if (all && flags.has('--selector')) return fail('error: cannot set --all and --selector at the same time');
  const parsed = parseLabelArgs(labelArgs);
  if ('exitCode' in parsed) return parsed;
  const selected = objectsToChange(context, resourceArgs, flags);
  if ('exitCode' in selected) return selected;
  const { objects, references } = selected;
  const overwrite = flags.has('--overwrite') && flags.get('--overwrite') !== 'false';
  const out: string[] = [];
  for (const object of objects) {
    const type = resourceType(context.simulation.state, object.kind.toLowerCase()) ?? references[0]?.type;
    const prefix = type?.prefix ?? object.kind.toLowerCase();
    const current = object.metadata.labels ?? {};
    if (list) {
      if (objects.length > 1)
        out.push(`Listing labels for ${object.kind}.${groupOf(object)}/${object.metadata.name}:\n`);
      const indent = objects.length > 1 ? ' ' : '';
      for (const key of Object.keys(current).sort()) out.push(`${indent}${key}=${current[key] ?? ''}\n`);
      continue;
    }
    if (!overwrite) {
      const conflicts = Object.keys(parsed.set)
        .sort()
        .filter((key) => Object.hasOwn(current, key) && current[key] !== parsed.set[key])
        .map((key) => `'${key}' already has a value (${current[key] ?? ''}), and --overwrite is false`);
      if (conflicts.length > 0)
        return {
          stdout: out.join(''),
          stderr: `error: ${conflicts.length === 1 ? (conflicts[0] ?? '') : `[${conflicts.join(', ')}]`}\n`,
          exitCode: 1,
        };
    }
    for (const key of parsed.remove)
      if (!Object.hasOwn(current, key)) out.push(`label "${key}" not found.\n`);
    const changes: Record<string, string | null> = {};
    let added = 0;
    let removed = 0;
    for (const [key, value] of Object.entries(parsed.set))
      if (current[key] !== value) {
        changes[key] = value;
        added += 1;
      }
    for (const key of parsed.remove)
      if (Object.hasOwn(current, key)) {
        changes[key] = null;
        removed += 1;
      }
    if (added + removed > 0) {
      const result = context.input({
        type: 'object.label',
        kind: object.kind,
        key: keyOf(object),
        labels: changes,
      });
      if (!result.ok)
        return {
          stdout: out.join(''),
          stderr: `${result.refusal === undefined ? `Error from server (NotFound): ${result.error}` : refusalForKubectl(result.refusal)}\n`,
          exitCode: 1,
        };
    }
    const message =
      added > 0 && removed > 0
        ? 'modified'
        : added > 0
          ? 'labeled'
          : removed > 0
            ? 'unlabeled'
            : 'not labeled';
    out.push(`${prefix}/${object.metadata.name} ${message}\n`);
  }
  return ok(out.join(''));
}

function groupOf(object: ApiObject): string {
  const slash = object.apiVersion.indexOf('/');
  return slash < 0 ? '' : object.apiVersion.slice(0, slash);
}
