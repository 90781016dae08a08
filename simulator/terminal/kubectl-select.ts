/**
 * How kubectl turns its arguments into objects: `TYPE`, `TYPE NAME…`, `TYPE/NAME…`, a label
 * selector (`-l`), a namespace (`-n`, `-A`), with kubectl's wording when something is wrong.
 */
import { listObjects } from '../k8s/api-store';
import { selectorMatches } from '../k8s/metadata';
import type { ApiObject, LabelSelector } from '../k8s/objects';
import type { Cluster, World } from '../world';
import { fail, type CommandResult, type TerminalContext } from './context';
import { servedResourceType, type ResourceType } from './kubectl-resources';
import { unknownTypeError } from './kubectl-get-types';

/** Parses `a=b,c!=d,e,!f,g in (x,y)` into a label selector, or returns kubectl's error. */
export function parseLabelSelector(text: string): LabelSelector | string {
  const selector: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  for (const part of parts.map((item) => item.trim()).filter((item) => item !== '')) {
    let match: RegExpExecArray | null;
    if ((match = /^([\w./-]+)\s*!=\s*([\w.-]*)$/.exec(part)) !== null)
      selector.matchExpressions?.push({ key: match[1] ?? '', operator: 'NotIn', values: [match[2] ?? ''] });
    else if ((match = /^([\w./-]+)\s*==?\s*([\w.-]*)$/.exec(part)) !== null)
      (selector.matchLabels ?? {})[match[1] ?? ''] = match[2] ?? '';
    else if ((match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part)) !== null)
      selector.matchExpressions?.push({
        key: match[1] ?? '',
        operator: match[2] === 'in' ? 'In' : 'NotIn',
        values: (match[3] ?? '')
          .split(',')
          .map((value) => value.trim())
          .filter((value) => value !== ''),
      });
    else if ((match = /^!([\w./-]+)$/.exec(part)) !== null)
      selector.matchExpressions?.push({ key: match[1] ?? '', operator: 'DoesNotExist' });
    else if ((match = /^([\w./-]+)$/.exec(part)) !== null)
      selector.matchExpressions?.push({ key: match[1] ?? '', operator: 'Exists' });
    else return `error: unable to parse requirement: found '${part}', expected: identifier`;
  }
  return selector;
}

/** One resource argument: a type, and a name unless every object of the type is meant. */
export interface ResourceReference {
  type: ResourceType;
  name?: string;
}

/**
 * Parses `TYPE [NAME…]`, `TYPE1,TYPE2` or `TYPE/NAME…` into references to the resource types the
 * cluster's API server serves: Kubernetes' own, and a custom kind only once its CRD is installed
 * (Cilium's and Istio's after their install), as every kubectl verb maps names through discovery
 * (k8s.io/cli-runtime/pkg/resource/builder.go at v0.33.0, mappingFor).
 */
export function parseReferences(
  args: readonly string[],
  world: Readonly<World>,
): ResourceReference[] | CommandResult {
  const lookup = (name: string): ResourceType | undefined => servedResourceType(world, name);
  const [first, ...rest] = args;
  if (first === undefined) return [];
  if (first.includes('/')) {
    const references: ResourceReference[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      if (slash < 0)
        return fail(
          `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`,
        );
      const typeName = arg.slice(0, slash);
      const type = lookup(typeName);
      if (type === undefined) return fail(unknownTypeError(typeName));
      const name = arg.slice(slash + 1);
      if (name === '')
        return fail(`error: arguments in resource/name form must have a single resource and name`);
      references.push({ type, name });
    }
    return references;
  }
  const types: ResourceType[] = [];
  for (const typeName of first.split(',')) {
    const type = lookup(typeName);
    if (type === undefined) return fail(unknownTypeError(typeName));
    types.push(type);
  }
  for (const name of rest)
    if (name.includes('/'))
      return fail(
        `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`,
      );
  if (rest.length === 0) return types.map((type) => ({ type }));
  return types.flatMap((type) => rest.map((name) => ({ type, name })));
}

/** Where to look: the namespace flags and an optional label selector. */
export interface Scope {
  namespace: string;
  allNamespaces: boolean;
  selector?: LabelSelector;
}

/** Objects of a type in scope, in the API server's list order (namespace, then name). */
export function objectsInScope(cluster: Cluster, type: ResourceType, scope: Scope): ApiObject[] {
  return listObjects(cluster.api, type.kind).filter(
    (object) =>
      (!type.namespaced ||
        scope.allNamespaces ||
        (object.metadata.namespace ?? 'default') === scope.namespace) &&
      (scope.selector === undefined || selectorMatches(scope.selector, object.metadata.labels)),
  );
}

/** kubectl's NotFound error for a name. */
export function notFound(type: ResourceType, name: string): CommandResult {
  return fail(`Error from server (NotFound): ${type.plural} "${name}" not found`);
}

/** The objects the references name (all of a type when no name is given); NotFound otherwise. */
export function resolveReferences(
  cluster: Cluster,
  references: readonly ResourceReference[],
  scope: Scope,
): ApiObject[] | CommandResult {
  const named = references.some((reference) => reference.name !== undefined);
  if (named && scope.selector !== undefined)
    return fail('error: name cannot be provided when a selector is specified');
  if (named && scope.allNamespaces)
    return fail('error: a resource cannot be retrieved by name across all namespaces');
  const found: ApiObject[] = [];
  for (const reference of references) {
    const candidates = objectsInScope(cluster, reference.type, scope);
    if (reference.name === undefined) {
      found.push(...candidates);
      continue;
    }
    const object = candidates.find((candidate) => candidate.metadata.name === reference.name);
    if (object === undefined) return notFound(reference.type, reference.name);
    found.push(object);
  }
  return found;
}

/** The `-n`/`-A`/`-l` flags as a scope, or kubectl's selector parse error. */
export function scopeOf(flags: ReadonlyMap<string, string>): Scope | CommandResult {
  const scope: Scope = {
    namespace: flags.get('--namespace') ?? 'default',
    allNamespaces: flags.has('--all-namespaces'),
  };
  const selectorText = flags.get('--selector');
  if (selectorText !== undefined) {
    const selector = parseLabelSelector(selectorText);
    if (typeof selector === 'string') return fail(selector);
    scope.selector = selector;
  }
  return scope;
}

/** The `No resources found…` message kubectl prints on stderr. */
export function noResourcesMessage(scope: Scope, namespaced: boolean): string {
  return namespaced && !scope.allNamespaces
    ? `No resources found in ${scope.namespace} namespace.\n`
    : 'No resources found\n';
}

/**
 * The objects a command that changes objects in place (label, annotate) is given: `TYPE NAME…` or
 * `TYPE/NAME…`, or every object of a type with `-l SELECTOR` or `--all`, in the namespace flags'
 * scope; or kubectl's error, or its "No resources found" when a selector picks nothing.
 */
export function objectsToChange(
  context: TerminalContext,
  resourceArgs: readonly string[],
  flags: ReadonlyMap<string, string>,
): { objects: ApiObject[]; references: ResourceReference[] } | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const references = parseReferences(resourceArgs, context.simulation.state);
  if ('exitCode' in references) return references;
  const all = flags.has('--all') && flags.get('--all') !== 'false';
  if (!all && !flags.has('--selector') && references.some((reference) => reference.name === undefined))
    return fail('error: resource(s) were provided, but no name was specified');
  const scope = scopeOf(flags);
  if ('exitCode' in scope) return scope;
  const objects = resolveReferences(cluster, references, scope);
  if ('exitCode' in objects) return objects;
  if (objects.length === 0)
    return {
      stdout: '',
      stderr: noResourcesMessage(scope, references[0]?.type.namespaced ?? true),
      exitCode: 0,
    };
  return { objects, references };
}
