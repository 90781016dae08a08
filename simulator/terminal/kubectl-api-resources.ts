/**
 * `kubectl api-resources` and `kubectl api-versions`, from what the cluster's API server serves
 * (k8s/discovery.ts servedResources): the built-in kinds, and each installed CRD's kind with its
 * short names and categories. Columns, filters and order follow kubernetes v1.33.0
 * staging/src/k8s.io/kubectl/pkg/cmd/apiresources/apiresources.go and print_flags.go: NAME,
 * SHORTNAMES, APIVERSION, NAMESPACED, KIND (`-o wide` adds VERBS and CATEGORIES, comma-joined),
 * sorted by group then name unless `--sort-by` says name or kind; `--namespaced`, `--api-group`,
 * `--verbs` and `--categories` filter only when given. api-versions prints every served
 * group/version, sorted as Go's sort.Strings does (apiversions.go).
 */
import { servedResources, type ServedResource } from '../k8s/discovery';
import { customKinds } from '../k8s/extension-points';
import type { FlagSpec } from './kube-args';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { globalFlags } from './kubectl-request';
import { tabwrite } from './tabwriter';

/** The flags of `kubectl api-resources`. */
export const apiResourcesFlags: FlagSpec[] = [
  { names: ['--output', '-o'], takesValue: true },
  { names: ['--no-headers'], takesValue: false },
  { names: ['--api-group'], takesValue: true },
  { names: ['--namespaced'], takesValue: false },
  { names: ['--verbs'], takesValue: true },
  { names: ['--categories'], takesValue: true },
  { names: ['--sort-by'], takesValue: true },
  { names: ['--cached'], takesValue: false },
  { names: ['--request-timeout'], takesValue: true },
  ...globalFlags,
];

/** kubectl's usage error for arguments a command does not take (cmdutil.UsageErrorf). */
function unexpectedArguments(command: string, args: readonly string[]): CommandResult {
  return fail(
    `error: unexpected arguments: [${args.join(' ')}]\nSee 'kubectl ${command} -h' for help and examples`,
  );
}

/** A boolean flag's value as pflag reads it (strconv.ParseBool), or its error. */
function parseBool(flag: string, text: string): boolean | CommandResult {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(text)) return false;
  return fail(
    `error: invalid argument "${text}" for "${flag}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`,
  );
}

/** A string-slice flag's values (`--verbs=get,list`). */
const sliceOf = (text: string | undefined): string[] =>
  text === undefined ? [] : text.split(',').filter((item) => item !== '');

/** Whether a resource passes the filters given on the command line. */
function filterOf(
  flags: ReadonlyMap<string, string>,
): ((resource: ServedResource) => boolean) | CommandResult {
  const namespacedText = flags.get('--namespaced');
  const namespaced = namespacedText === undefined ? undefined : parseBool('--namespaced', namespacedText);
  if (typeof namespaced === 'object') return namespaced;
  const group = flags.get('--api-group');
  const verbs = sliceOf(flags.get('--verbs'));
  const categories = sliceOf(flags.get('--categories'));
  return (resource) =>
    (group === undefined || resource.group === group) &&
    (namespaced === undefined || resource.namespaced === namespaced) &&
    verbs.every((verb) => resource.verbs.includes(verb)) &&
    categories.every((category) => resource.categories.includes(category));
}

/** Go's strings.Compare. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order of sortableResource: by group (or name, or kind), then by name; the sort is stable. */
function sorted(resources: ServedResource[], sortBy: string): ServedResource[] {
  const key = (resource: ServedResource): string =>
    sortBy === 'name' ? resource.name : sortBy === 'kind' ? resource.kind : resource.group;
  return resources.sort((a, b) => compare(key(a), key(b)) || compare(a.name, b.name));
}

const groupVersion = (resource: ServedResource): string =>
  resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;

function row(resource: ServedResource, wide: boolean): string {
  const cells = [
    resource.name,
    resource.shortNames.join(','),
    groupVersion(resource),
    String(resource.namespaced),
    resource.kind,
  ];
  if (wide) cells.push(resource.verbs.join(','), resource.categories.join(','));
  return cells.join('\t');
}

/** `kubectl api-resources`. */
export function apiResources(
  context: TerminalContext,
  positionals: readonly string[],
  flags: ReadonlyMap<string, string>,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (positionals.length > 0) return unexpectedArguments('api-resources', positionals);
  const output = flags.get('--output') ?? '';
  if (!['', 'wide', 'name'].includes(output)) return fail(`error: --output ${output} is not available`);
  const sortBy = flags.get('--sort-by') ?? '';
  if (!['', 'name', 'kind'].includes(sortBy)) return fail('error: --sort-by accepts only name or kind');
  const passes = filterOf(flags);
  if (typeof passes !== 'function') return passes;
  const resources = sorted(servedResources(context.simulation.state, cluster).filter(passes), sortBy);
  if (output === 'name')
    return ok(
      resources
        .map((resource) => `${resource.name}${resource.group === '' ? '' : `.${resource.group}`}\n`)
        .join(''),
    );
  const wide = output === 'wide';
  const header = [
    'NAME',
    'SHORTNAMES',
    'APIVERSION',
    'NAMESPACED',
    'KIND',
    ...(wide ? ['VERBS', 'CATEGORIES'] : []),
  ];
  const lines = [
    ...(flags.has('--no-headers') ? [] : [header.join('\t')]),
    ...resources.map((each) => row(each, wide)),
  ];
  // kubectl's printers.GetNewTabWriter: minimum width 6, padding 3.
  return ok(tabwrite(`${lines.join('\n')}\n`, { minWidth: 6, padding: 3 }));
}

/** `kubectl api-versions`: every group/version served, the CRDs' in every version they serve. */
export function apiVersions(context: TerminalContext, positionals: readonly string[]): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (positionals.length > 0) return unexpectedArguments('api-versions', positionals);
  const versions = new Set<string>();
  for (const resource of servedResources(context.simulation.state, cluster))
    versions.add(groupVersion(resource));
  for (const definition of customKinds(context.simulation.state).values())
    if (definition.served(cluster))
      for (const version of definition.versions(cluster)) versions.add(`${definition.group}/${version}`);
  return ok(
    [...versions]
      .sort(compare)
      .map((version) => `${version}\n`)
      .join(''),
  );
}
