/**
 * Tab completion, as bash with the tools' completion scripts offers it: the word under the cursor
 * is completed from the commands this terminal has, a tool's subcommands and flags, the objects the
 * simulated API server holds (`kubectl -n kube-system get pods cil<Tab>`), and the files in the
 * reader's shell. kubectl's candidates follow what `kubectl __complete` returns (cobra's dynamic
 * completion, staging/src/k8s.io/kubectl/pkg/util/completion/completion.go at v1.33): resource
 * types by their plural names, then the names of objects of that type in the command's namespace.
 *
 * Read-only: completion looks at the world as it is and never changes it.
 */
import type { World } from '../world';
import {
  ciliumDbgTree,
  ciliumHostTree,
  dockerTree,
  helmTree,
  hubbleTree,
  istioctlTree,
  kindTree,
  kubectlFlagValues,
  kubectlSecondWords,
  machineCommands,
  podCommands,
  type CommandTree,
} from './completion-words';
import { kubectlFlagsOf, subcommands as kubectlSubcommands } from './kubectl';
import { resolveResourceType, type ResourceType } from './kubectl-resources';
import { servedResources } from '../k8s/discovery';
import { objectsInScope } from './kubectl-select';
import { listObjects } from '../k8s/api-store';

/** A directory entry, as completion needs it. */
export interface CompletionEntry {
  name: string;
  directory: boolean;
}

/** What completion may look at: the world, and the reader's file system. */
export interface CompletionSources {
  world: Readonly<World>;
  /** The entries of a directory of the reader's shell (relative to its working directory); [] if none. */
  readDirectory: (path: string) => Promise<readonly CompletionEntry[]>;
}

/**
 * The candidates for the word that ends the line: each replaces the text from `start` on. A
 * candidate ending in `/` or `=` expects more (a directory, a flag's value): no space follows it.
 */
export interface Completion {
  start: number;
  candidates: string[];
}

/** A word of the line: its text without quotes, and where it starts. */
interface Word {
  text: string;
  start: number;
}

/** Characters that end a command: what follows them is a new command. */
const commandSeparators = new Set([';', '|', '&', '(', '`', '\n']);

/**
 * The words of the last command of a line, and the word being typed (empty after a space). Quotes
 * are taken off; a `$(` or a separator starts the command again.
 */
export function lastCommandWords(line: string): { words: string[]; current: Word } {
  let words: string[] = [];
  let word: Word | undefined;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (word !== undefined) word.text += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= { text: '', start: index };
    } else if (char === '\\' && index + 1 < line.length) {
      word ??= { text: '', start: index };
      index += 1;
      word.text += line[index] ?? '';
    } else if (char === ' ' || char === '\t' || commandSeparators.has(char)) {
      if (word !== undefined) words.push(word.text);
      word = undefined;
      if (commandSeparators.has(char)) words = [];
    } else {
      word ??= { text: '', start: index };
      word.text += char;
    }
  }
  return { words, current: word ?? { text: '', start: line.length } };
}

/** The candidates that start with what was typed, sorted and without repeats. */
function matching(candidates: Iterable<string>, typed: string): string[] {
  return [...new Set(candidates)].filter((candidate) => candidate.startsWith(typed)).sort();
}

/** Completes a path in the reader's shell; directories end with `/`. */
async function completePath(typed: string, sources: CompletionSources): Promise<string[]> {
  const slash = typed.lastIndexOf('/');
  const directory = slash < 0 ? '' : typed.slice(0, slash + 1);
  const prefix = typed.slice(slash + 1);
  const entries = await sources.readDirectory(directory === '' ? '.' : directory);
  const names = entries
    .filter((entry) => !entry.name.startsWith('.') || prefix.startsWith('.'))
    .map((entry) => `${directory}${entry.name}${entry.directory ? '/' : ''}`);
  return matching(names, typed);
}

/** Skips what runs a command without being it: variable assignments, `sudo`, `time`, `watch`. */
function withoutPrefixes(words: string[]): string[] {
  let index = 0;
  while (
    index < words.length &&
    (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index] ?? '') ||
      ['sudo', 'time', 'watch'].includes(words[index] ?? ''))
  )
    index += 1;
  return words.slice(index);
}

/** Completes a command line's word: the command, else by the command's own grammar. */
export async function complete(
  line: string,
  sources: CompletionSources,
  /** Inside a container's shell (`kubectl exec -it POD -- sh`) the commands are the container's. */
  where: 'machine' | 'container' = 'machine',
): Promise<Completion> {
  const { words, current } = lastCommandWords(line);
  const commands = where === 'machine' ? machineCommands : podCommands;
  const candidates = await completeCommand(withoutPrefixes(words), current.text, sources, commands);
  return { start: current.start, candidates };
}

async function completeCommand(
  words: readonly string[],
  typed: string,
  sources: CompletionSources,
  commands: readonly string[],
): Promise<string[]> {
  const [command, ...args] = words;
  if (command === undefined)
    return typed.includes('/') ? completePath(typed, sources) : matching(commands, typed);
  const world = sources.world;
  switch (command) {
    case 'kubectl':
    case 'k':
      return completeKubectl(args, typed, sources);
    case 'cilium':
      // On the reader's machine `cilium` is cilium-cli; inside an agent pod it is the agent's CLI.
      return completeTree(
        commands === machineCommands ? ciliumHostTree : ciliumDbgTree,
        args,
        typed,
        sources,
      );
    case 'cilium-dbg':
      return completeTree(ciliumDbgTree, args, typed, sources);
    case 'hubble':
      return completeTree(hubbleTree, args, typed, sources);
    case 'kind':
      return completeTree(kindTree, args, typed, sources);
    case 'helm':
      return completeTree(helmTree, args, typed, sources);
    case 'istioctl':
      return completeTree(istioctlTree, args, typed, sources);
    case 'docker':
      if (args[0] === 'exec' && args.slice(1).filter((arg) => !arg.startsWith('-')).length === 0)
        return typed.startsWith('-')
          ? matching(dockerTree.subcommands?.exec?.flags ?? [], typed)
          : matching(Object.keys(world.cluster?.nodes ?? {}), typed);
      return completeTree(dockerTree, args, typed, sources);
    default:
      return completePath(typed, sources);
  }
}

/** Walks a subcommand tree along the words typed, then offers the next level, a flag or its value. */
async function completeTree(
  tree: CommandTree,
  args: readonly string[],
  typed: string,
  sources: CompletionSources,
): Promise<string[]> {
  let node = tree;
  for (const arg of args) {
    const next = arg.startsWith('-') ? undefined : node.subcommands?.[arg];
    if (next !== undefined) node = next;
  }
  const values = node.values?.[args.at(-1) ?? ''];
  if (values !== undefined) return matching(values, typed);
  if (typed.startsWith('-')) return matching(node.flags ?? [], typed);
  if (node.subcommands !== undefined && Object.keys(node.subcommands).length > 0)
    return matching(Object.keys(node.subcommands), typed);
  return completePath(typed, sources);
}

/** A kubectl command line read as cobra reads it: flags (with their values) and positionals. */
interface KubectlLine {
  positionals: string[];
  flags: Map<string, string>;
  /** The last word is a flag waiting for its value (the word being typed). */
  awaitingValue: string | undefined;
  /** The words after `--`, when there is a `--` (the command to run in a container). */
  rest: string[] | undefined;
}

/** Flags whose value is the next word, for every subcommand (cobra knows them from its flag set). */
function takesValue(flag: string, subcommand: string | undefined): boolean {
  const specs = kubectlFlagsOf(subcommand ?? '');
  return (
    specs.some((spec) => spec.takesValue && spec.names.includes(flag)) ||
    ['--context', '--kubeconfig'].includes(flag)
  );
}

function readKubectlLine(args: readonly string[]): KubectlLine {
  const line: KubectlLine = { positionals: [], flags: new Map(), awaitingValue: undefined, rest: undefined };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      line.rest = args.slice(index + 1);
      return line;
    }
    if (!arg.startsWith('-')) {
      line.positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    if (equals > 0) line.flags.set(arg.slice(0, equals), arg.slice(equals + 1));
    else if (takesValue(arg, line.positionals[0])) {
      if (index + 1 >= args.length) line.awaitingValue = arg;
      else line.flags.set(arg, args[++index] ?? '');
    } else line.flags.set(arg, '');
  }
  return line;
}

/** The namespace scope a kubectl line names: `-n`, `--namespace`, `-A`. */
function scopeOf(line: KubectlLine): { namespace: string; allNamespaces: boolean } {
  return {
    namespace: line.flags.get('--namespace') ?? line.flags.get('-n') ?? 'default',
    allNamespaces: line.flags.has('--all-namespaces') || line.flags.has('-A'),
  };
}

/** Subcommands that take a resource type, then names of that type. */
const typeThenNames = new Set(['get', 'describe', 'delete', 'label', 'annotate', 'wait', 'patch', 'scale']);
/** Subcommands that take a pod (or TYPE/NAME) first. */
const podFirst = new Set(['exec', 'logs', 'cp']);
/** Subcommands kubectl-contexts.ts answers before the others. */
const routedSubcommands = ['config', 'version', 'cluster-info'];

async function completeKubectl(
  args: readonly string[],
  typed: string,
  sources: CompletionSources,
): Promise<string[]> {
  const line = readKubectlLine(args);
  if (line.rest !== undefined) return completeCommand(line.rest, typed, sources, podCommands);
  if (line.awaitingValue !== undefined) return completeFlagValue(line.awaitingValue, typed, sources);
  const [subcommand, ...positionals] = line.positionals;
  if (typed.startsWith('-'))
    return matching(
      kubectlFlagsOf(subcommand ?? '').flatMap((spec) => spec.names),
      typed,
    );
  if (subcommand === undefined) return matching([...kubectlSubcommands, ...routedSubcommands], typed);
  const world = sources.world;
  const scope = scopeOf(line);
  if (typed.includes('/')) return typedNames(world, typed, scope);
  const second = kubectlSecondWords[subcommand];
  if (second !== undefined && positionals.length === 0) return matching(second, typed);
  if (subcommand === 'create' && positionals[0] === 'secret' && positionals.length === 1)
    return matching(['generic', 'tls', 'docker-registry'], typed);
  if (podFirst.has(subcommand) && positionals.length === 0)
    return matching(namesOf(world, 'pods', scope), typed);
  if (subcommand === 'rollout' && positionals.length === 1)
    return matching(['deployment/', 'daemonset/'], typed);
  if (typeThenNames.has(subcommand)) {
    const [type] = positionals;
    if (type === undefined) return matching(typeNames(world), typed);
    return matching(namesOf(world, type, scope), typed);
  }
  return [];
}

async function completeFlagValue(flag: string, typed: string, sources: CompletionSources): Promise<string[]> {
  const world = sources.world;
  if (flag === '-n' || flag === '--namespace')
    return matching(namesOf(world, 'namespaces', { namespace: '', allNamespaces: true }), typed);
  if (flag === '-f' || flag === '--filename') return completePath(typed, sources);
  if (flag === '--context')
    return matching(world.cluster === undefined ? [] : [`kind-${world.cluster.name}`], typed);
  return matching(kubectlFlagValues[flag] ?? [], typed);
}

/**
 * The resource types the API server serves, as kubectl completes them: the lines of `kubectl
 * api-resources -o name --verbs=get` (apiresources.go CompGetResourceList), the plural qualified
 * with its group outside the core group (`pods`, `deployments.apps`, `ciliumnetworkpolicies.cilium.io`).
 */
function typeNames(world: World): string[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  return servedResources(world, cluster)
    .filter((resource) => resource.verbs.includes('get'))
    .map((resource) => (resource.group === '' ? resource.name : `${resource.name}.${resource.group}`));
}

/** Names of the objects of a type in scope; none for a type the server does not serve. */
function namesOf(
  world: Readonly<World>,
  typeName: string,
  scope: { namespace: string; allNamespaces: boolean },
): string[] {
  const cluster = world.cluster;
  if (cluster === undefined) return [];
  const type: ResourceType | undefined = resolveResourceType(world, cluster, typeName);
  if (type === undefined) return [];
  if (type.kind === 'Namespace')
    return listObjects(cluster.api, 'Namespace').map((object) => object.metadata.name);
  return objectsInScope(cluster, type, scope).map((object) => object.metadata.name);
}

/** `TYPE/NAME` words: the names of that type, with the type as typed. */
function typedNames(
  world: Readonly<World>,
  typed: string,
  scope: { namespace: string; allNamespaces: boolean },
): string[] {
  const slash = typed.indexOf('/');
  const type = typed.slice(0, slash);
  return matching(
    namesOf(world, type, scope).map((name) => `${type}/${name}`),
    typed,
  );
}
