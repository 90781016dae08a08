/**
 * The `kind` command line as a reader uses it: create, delete, get and load, with cobra's flag
 * handling and kind's own wording. Sources: kubernetes-sigs/kind v0.30.0, pkg/cmd/kind/** (the
 * commands and their flags), pkg/cluster/internal/create/create.go (the order of checks, the
 * status lines, the usage hint), pkg/cluster/internal/delete/delete.go, and cmd/kind/app/main.go,
 * which prints any error as `ERROR: …` and exits 1. Status lines go to standard error, as kind's
 * logger writes them; listings (`get clusters`, `get nodes`, `get kubeconfig`) to standard output.
 */
import { goSecondsString } from '../engine/virtual-time';
import { allClusters, clusterNamed, contextOfCluster } from '../k8s/clusters';
import { dayOf, installedKind } from '../k8s/cluster-create';
import {
  defaultKindConfig,
  kindNodeNames,
  parseKindConfig,
  validateKindConfig,
  type KindClusterConfig,
} from '../k8s/kind-config';
import { friendlyImageName, releaseOfImage } from '../k8s/kind-releases';
import { hashString64 } from '../engine/state-hash';
import { fromHex, toBase64, toPem, utf8 } from '../pki/encoding';
import type { Cluster } from '../world';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { parseGoDuration } from './kubectl-wait';
import { cobraParse, cobraUnknownCommand, type CobraFlag } from './cobra-args';

/** What the kind command needs from its environment besides the simulation. */
export interface KindEnvironment {
  stdin: string;
  /** `KIND_CLUSTER_NAME`, which replaces the default name `kind` (kind's cli.OverrideDefaultName). */
  clusterNameVariable?: string | undefined;
}

/** kind's root command: its subcommands and the persistent flags every command accepts. */
const rootFlags: CobraFlag[] = [
  { long: 'verbosity', short: 'v', takesValue: true },
  { long: 'quiet', short: 'q', takesValue: false },
  { long: 'help', short: 'h', takesValue: false },
];
const nameFlag: CobraFlag = { long: 'name', short: 'n', takesValue: true };
const kubeconfigFlag: CobraFlag = { long: 'kubeconfig', takesValue: true };

const rootHelp = `kind creates and manages local Kubernetes clusters using Docker container 'nodes'

Usage:
  kind [command]

Available Commands:
  build       Build one of [node-image]
  completion  Output shell completion code for the specified shell (bash, zsh or fish)
  create      Creates one of [cluster]
  delete      Deletes one of [cluster]
  export      Exports one of [kubeconfig, logs]
  get         Gets one of [clusters, nodes, kubeconfig]
  help        Help about any command
  load        Loads images into nodes
  version     Prints the kind CLI version

Flags:
  -h, --help              help for kind
  -q, --quiet             silence all stderr output
  -v, --verbosity int32   info log verbosity, higher value produces more output
      --version           version for kind

Use "kind [command] --help" for more information about a command.
`;

/** The groups of subcommands (`kind create cluster`) with each one's short description. */
const groups: Readonly<Record<string, { short: string; commands: Readonly<Record<string, string>> }>> = {
  create: { short: 'Creates one of [cluster]', commands: { cluster: 'Creates a local Kubernetes cluster' } },
  delete: {
    short: 'Deletes one of [cluster]',
    commands: { cluster: 'Deletes a cluster', clusters: 'Deletes one or more clusters' },
  },
  get: {
    short: 'Gets one of [clusters, nodes, kubeconfig]',
    commands: {
      clusters: 'Lists existing kind clusters by their name',
      kubeconfig: 'Prints cluster kubeconfig',
      nodes: 'Lists existing kind nodes by their name',
    },
  },
  export: {
    short: 'Exports one of [kubeconfig, logs]',
    commands: {
      kubeconfig: 'Exports cluster kubeconfig',
      logs: 'Exports logs to a tempdir or [output-dir] if specified',
    },
  },
  load: {
    short: 'Loads images into nodes',
    commands: {
      'docker-image': 'Loads docker images from host into nodes',
      'image-archive': 'Loads docker image from archive into nodes',
    },
  },
  build: { short: 'Build one of [node-image]', commands: { 'node-image': 'Build the node image' } },
};

const globalFlagsHelp = `Global Flags:
  -q, --quiet             silence all stderr output
  -v, --verbosity int32   info log verbosity, higher value produces more output
`;

/** cobra's help for a group (`kind create`), which kind prints before "Subcommand is required". */
function groupHelp(group: string): string {
  const entry = groups[group];
  const commands = Object.entries(entry?.commands ?? {})
    .map(([name, short]) => `  ${name.padEnd(12)}${short}`)
    .join('\n');
  return `${entry?.short ?? ''}\n\nUsage:\n  kind ${group} [flags]\n  kind ${group} [command]\n\nAvailable Commands:\n${commands}\n\nFlags:\n  -h, --help   help for ${group}\n\n${globalFlagsHelp}\nUse "kind ${group} [command] --help" for more information about a command.\n`;
}

/** The words that name the command (`create`, `cluster`) and the arguments left for it. */
function commandWords(args: readonly string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (
      words.length < 2 &&
      !arg.startsWith('-') &&
      (words.length === 0 || groups[words[0] ?? ''] !== undefined)
    ) {
      words.push(arg);
      continue;
    }
    rest.push(arg);
    // The root's -v takes a value that is not a command word.
    if ((arg === '-v' || arg === '--verbosity') && i + 1 < args.length) rest.push(args[++i] ?? '');
  }
  return { words, rest };
}

/** `kind ARGS`. With -q/--quiet kind discards everything it would write to standard error. */
export function kind(context: TerminalContext, args: string[], environment: KindEnvironment): CommandResult {
  const result = runKind(context, args, environment);
  const quiet = args.some((arg) => arg === '-q' || arg === '--quiet' || /^-[a-zA-Z]*q[a-zA-Z]*$/.test(arg));
  return quiet ? { ...result, stderr: '' } : result;
}

function runKind(context: TerminalContext, args: string[], environment: KindEnvironment): CommandResult {
  const { words, rest } = commandWords(args);
  const [group, command] = words;
  if (group === undefined) {
    if (rest.includes('--version'))
      return ok(`kind version ${installedKind(context.simulation.state).version.slice(1)}\n`);
    const parsed = cobraParse(rest, [...rootFlags, { long: 'version', takesValue: false }]);
    return 'error' in parsed ? fail(`ERROR: ${parsed.error}`) : ok(rootHelp);
  }
  if (group === 'version') return ok(kindVersion(context));
  if (group === 'help') return ok(rootHelp);
  const entry = groups[group];
  if (entry === undefined)
    return fail(
      `ERROR: ${cobraUnknownCommand(group, 'kind', [...Object.keys(groups), 'completion', 'help', 'version'])}`,
    );
  if (command === undefined || entry.commands[command] === undefined) {
    if (rest.includes('--help') || rest.includes('-h')) return ok(groupHelp(group));
    return { stdout: groupHelp(group), stderr: 'ERROR: Subcommand is required\n', exitCode: 1 };
  }
  if (rest.includes('--help') || rest.includes('-h'))
    return ok(
      `${entry.commands[command] ?? ''}\n\nUsage:\n  kind ${group} ${command} [flags]\n\n${globalFlagsHelp}`,
    );
  const run = commands[`${group} ${command}`];
  if (run === undefined) return fail(`ERROR: the simulator does not model \`kind ${group} ${command}\``);
  return run(context, rest, environment);
}

type KindCommand = (context: TerminalContext, args: string[], environment: KindEnvironment) => CommandResult;

const commands: Readonly<Record<string, KindCommand>> = {
  'create cluster': createCluster,
  'delete cluster': deleteCluster,
  'delete clusters': deleteClusters,
  'get clusters': getClusters,
  'get nodes': getNodes,
  'get kubeconfig': getKubeconfig,
  'export kubeconfig': exportKubeconfig,
  'load docker-image': loadDockerImage,
};

/** `kind version`: the release and the Go that built it (pkg/cmd/kind/version). */
function kindVersion(context: TerminalContext): string {
  const release = installedKind(context.simulation.state);
  return `kind ${release.version} ${release.goVersion} linux/amd64\n`;
}

/** The cluster name a command acts on: --name, else KIND_CLUSTER_NAME, else `kind`. */
function clusterName(flags: Map<string, string>, environment: KindEnvironment): string {
  return flags.get('name') ?? environment.clusterNameVariable ?? 'kind';
}

/** Parses a command's flags; on a mistake, the result to return (cobra's wording). */
function parse(
  args: string[],
  flags: CobraFlag[],
  path: string,
  positionals: 'none' | 'any' = 'none',
): { flags: Map<string, string>; positionals: string[] } | CommandResult {
  const parsed = cobraParse(args, [...rootFlags, ...flags]);
  if ('error' in parsed) return fail(`ERROR: ${parsed.error}`);
  if (positionals === 'none' && parsed.positionals.length > 0)
    return fail(`ERROR: unknown command "${parsed.positionals[0] ?? ''}" for "${path}"`);
  return parsed;
}

const createFlags: CobraFlag[] = [
  nameFlag,
  { long: 'config', takesValue: true },
  { long: 'image', takesValue: true },
  { long: 'retain', takesValue: false },
  { long: 'wait', takesValue: true },
  kubeconfigFlag,
];

/** Reads `--config` (a file, or `-` for standard input) as kind does. */
function readConfig(
  context: TerminalContext,
  path: string | undefined,
  name: string | undefined,
  stdin: string,
): { config: KindClusterConfig } | { error: string } {
  if (path === undefined || path === '')
    return { config: { ...defaultKindConfig, name: name ?? defaultKindConfig.name } };
  const text = path === '-' ? stdin : context.files[path.replace(/^\.\//, '')];
  if (text === undefined) return { error: `error reading file: open ${path}: no such file or directory` };
  return parseKindConfig(text, name);
}

/** `--wait`'s value, or the error pflag reports for it. */
function waitDuration(text: string | undefined): number | { error: string } {
  if (text === undefined) return 0;
  const ms = parseGoDuration(text);
  if (ms !== undefined && ms >= 0) return ms;
  const reason = /^\d+(\.\d+)?$/.test(text)
    ? `time: missing unit in duration "${text}"`
    : `time: invalid duration "${text}"`;
  return { error: `invalid argument "${text}" for "--wait" flag: ${reason}` };
}

/** `kind create cluster`. */
function createCluster(
  context: TerminalContext,
  args: string[],
  environment: KindEnvironment,
): CommandResult {
  const parsed = parse(args, createFlags, 'kind create cluster');
  if ('exitCode' in parsed) return parsed;
  const { flags } = parsed;
  const wait = waitDuration(flags.get('wait'));
  if (typeof wait !== 'number') return fail(`ERROR: ${wait.error}`);
  const override = flags.get('name') ?? environment.clusterNameVariable;
  const read = readConfig(context, flags.get('config'), override, environment.stdin);
  if ('error' in read) return fail(`ERROR: failed to create cluster: ${read.error}`);
  const image = flags.get('image');
  const config: KindClusterConfig =
    image === undefined || image === ''
      ? read.config
      : { ...read.config, nodes: read.config.nodes.map((node) => ({ ...node, image })) };
  const world = context.simulation.state;
  if (clusterNamed(world, config.name) !== undefined)
    return fail(
      `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${config.name}"`,
    );
  const invalid = validateKindConfig(config);
  if (invalid !== undefined) return fail(`ERROR: failed to create cluster: ${invalid}`);
  const log: string[] = [`Creating cluster "${config.name}" ...`];
  const images = [...new Set(config.nodes.map((node) => node.image ?? installedKind(world).defaultImage))];
  for (const nodeImage of images) {
    const pulled = pullNodeImage(context, nodeImage);
    if (pulled !== undefined)
      return { stdout: '', stderr: `${[...log, ...pulled.log].join('\n')}\n`, exitCode: 1 };
    log.push(` ✓ Ensuring node image (${friendlyImageName(nodeImage)}) 🖼`);
  }
  const result = context.input({ type: 'kind.cluster.create', config });
  if (!result.ok) return fail(`ERROR: failed to create cluster: ${result.error}`);
  context.spend(45_000);
  log.push(...creationSteps(config), ...waitForReady(context, config.name, wait), ...usageHint(config.name));
  return { stdout: '', stderr: `${log.join('\n')}\n`, exitCode: 0 };
}

/**
 * `docker pull` of a node image that is not on the machine yet: a tag no kind release had published
 * by the world's day fails after kind's four retries (1 + 2 + 3 + 4 s).
 */
function pullNodeImage(context: TerminalContext, image: string): { log: string[] } | undefined {
  if (releaseOfImage(image, dayOf(context.simulation.state)) !== undefined) return undefined;
  context.spend(10_000);
  const name = friendlyImageName(image);
  const [repository = name] = name.split(/:(?=[^/]+$)/);
  const reason = /^(docker\.io\/)?kindest\/node$/.test(repository)
    ? `manifest for ${name.includes(':') ? name : `${name}:latest`} not found: manifest unknown: manifest unknown`
    : `pull access denied for ${repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`;
  return {
    log: [
      ` ✗ Ensuring node image (${name}) 🖼`,
      `ERROR: failed to create cluster: failed to pull image "${image}": command "docker pull ${image}" failed with error: exit status 1`,
      `Command Output: Error response from daemon: ${reason}`,
    ],
  };
}

/** The status lines of the actions kind runs after the images are there (create.go's actionsToRun). */
function creationSteps(config: KindClusterConfig): string[] {
  const nodes = kindNodeNames(config);
  return [
    ` ✓ Preparing nodes ${nodes.map(() => '📦').join(' ')}`,
    ' ✓ Writing configuration 📜',
    ' ✓ Starting control-plane 🕹️',
    ...(config.disableDefaultCNI ? [] : [' ✓ Installing CNI 🔌']),
    ' ✓ Installing StorageClass 💾',
    ...(nodes.length > 1 ? [' ✓ Joining worker nodes 🚜'] : []),
  ];
}

/** `--wait`: kind polls the control-plane node's Ready condition until the deadline (waitforready.go). */
function waitForReady(context: TerminalContext, name: string, waitMs: number): string[] {
  if (waitMs <= 0) return [];
  const status = `Waiting ≤ ${goSecondsString(waitMs)} for control-plane = Ready ⏳`;
  const started = context.simulation.nowMs;
  const ready = context.simulation.advanceUntil(
    (world) => {
      const cluster = clusterNamed(world, name);
      const node =
        cluster === undefined
          ? undefined
          : Object.values(cluster.nodes).find((n) => n.role === 'control-plane');
      return node?.kubelet.health === 'ready';
    },
    waitMs,
    1000,
  );
  if (!ready) return [` ✗ ${status}`, ' • WARNING: Timed out waiting for Ready ⚠️'];
  return [` ✓ ${status}`, ` • Ready after ${goSecondsString(context.simulation.nowMs - started)} 💚`];
}

/** create.go's logUsage and salutation. */
function usageHint(name: string): string[] {
  const kubeContext = contextOfCluster(name);
  return [
    `Set kubectl context to "${kubeContext}"`,
    'You can now use your cluster with:',
    '',
    `kubectl cluster-info --context ${kubeContext}`,
    '',
    'Have a nice day! 👋',
  ];
}

/** The node names of a cluster, as `kind get nodes` lists them. */
function nodeNames(cluster: Cluster | undefined): string[] {
  return Object.keys(cluster?.nodes ?? {}).sort();
}

/** Go's %q of a list of strings: `["a" "b"]`. */
const quotedList = (items: readonly string[]): string =>
  `[${items.map((item) => JSON.stringify(item)).join(' ')}]`;

/** Deletes one cluster as delete.Cluster does; returns its log lines. */
function deleteOne(context: TerminalContext, name: string): string[] {
  const nodes = nodeNames(clusterNamed(context.simulation.state, name));
  context.input({ type: 'kind.cluster.delete', name });
  if (nodes.length === 0) return [];
  context.spend(1_500 + 500 * nodes.length);
  return [`Deleted nodes: ${quotedList(nodes)}`];
}

/** `kind delete cluster`: idempotent, like `rm -f`. */
function deleteCluster(
  context: TerminalContext,
  args: string[],
  environment: KindEnvironment,
): CommandResult {
  const parsed = parse(args, [nameFlag, kubeconfigFlag], 'kind delete cluster');
  if ('exitCode' in parsed) return parsed;
  const name = clusterName(parsed.flags, environment);
  const lines = [`Deleting cluster "${name}" ...`, ...deleteOne(context, name)];
  return { stdout: '', stderr: `${lines.join('\n')}\n`, exitCode: 0 };
}

/** `kind delete clusters NAME… | --all`. */
function deleteClusters(context: TerminalContext, args: string[]): CommandResult {
  const parsed = parse(
    args,
    [kubeconfigFlag, { long: 'all', short: 'A', takesValue: false }],
    'kind delete clusters',
    'any',
  );
  if ('exitCode' in parsed) return parsed;
  const all = parsed.flags.has('all');
  if (!all && parsed.positionals.length === 0) return fail('ERROR: no cluster names provided');
  const names = all
    ? allClusters(context.simulation.state).map((cluster) => cluster.name)
    : parsed.positionals;
  const lines = names.flatMap((name) => deleteOne(context, name));
  lines.push(`Deleted clusters: ${quotedList(names)}`);
  return { stdout: '', stderr: `${lines.join('\n')}\n`, exitCode: 0 };
}

/** `kind get clusters`. */
function getClusters(context: TerminalContext, args: string[]): CommandResult {
  const parsed = parse(args, [], 'kind get clusters');
  if ('exitCode' in parsed) return parsed;
  const names = allClusters(context.simulation.state).map((cluster) => cluster.name);
  if (names.length === 0) return { stdout: '', stderr: 'No kind clusters found.\n', exitCode: 0 };
  return ok(names.map((name) => `${name}\n`).join(''));
}

/** `kind get nodes [--name N | --all-clusters]`. */
function getNodes(context: TerminalContext, args: string[], environment: KindEnvironment): CommandResult {
  const parsed = parse(
    args,
    [nameFlag, { long: 'all-clusters', short: 'A', takesValue: false }],
    'kind get nodes',
  );
  if ('exitCode' in parsed) return parsed;
  const world = context.simulation.state;
  if (parsed.flags.has('all-clusters')) {
    const nodes = allClusters(world).flatMap((cluster) => nodeNames(cluster));
    if (nodes.length === 0) return { stdout: '', stderr: 'No kind nodes for any cluster.\n', exitCode: 0 };
    return ok(nodes.map((node) => `${node}\n`).join(''));
  }
  const name = clusterName(parsed.flags, environment);
  const nodes = nodeNames(clusterNamed(world, name));
  if (nodes.length === 0)
    return { stdout: '', stderr: `No kind nodes found for cluster "${name}".\n`, exitCode: 0 };
  return ok(nodes.map((node) => `${node}\n`).join(''));
}

/** kubeconfig.get's error when the cluster has no control-plane container. */
const noControlPlane = (name: string): CommandResult =>
  fail(
    `ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`,
  );

/**
 * A base64 PEM standing for a key or certificate kind's kubeadm would have minted; the model keeps
 * no such key material for the API server, so the bytes are only derived from the seed.
 */
function pemData(seed: string, label: string): string {
  let hex = '';
  for (let i = 0; hex.length < 1800; i++) hex += hashString64(`${seed}/${label}/${i}`);
  return toBase64(utf8(toPem(label, fromHex(hex))));
}

/** `kind get kubeconfig [--name N] [--internal]`: the cluster's admin kubeconfig. */
function getKubeconfig(
  context: TerminalContext,
  args: string[],
  environment: KindEnvironment,
): CommandResult {
  const parsed = parse(args, [nameFlag, { long: 'internal', takesValue: false }], 'kind get kubeconfig');
  if ('exitCode' in parsed) return parsed;
  const name = clusterName(parsed.flags, environment);
  const cluster = clusterNamed(context.simulation.state, name);
  if (cluster === undefined) return noControlPlane(name);
  const key = contextOfCluster(name);
  const server = parsed.flags.has('internal')
    ? `https://${name}-control-plane:6443`
    : `https://127.0.0.1:${cluster.apiServer.hostPort}`;
  const seed = `${context.simulation.seed}/${name}`;
  return ok(
    [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${pemData(seed, 'CERTIFICATE')}`,
      `    server: ${server}`,
      `  name: ${key}`,
      'contexts:',
      '- context:',
      `    cluster: ${key}`,
      `    user: ${key}`,
      `  name: ${key}`,
      `current-context: ${key}`,
      'kind: Config',
      'preferences: {}',
      'users:',
      `- name: ${key}`,
      '  user:',
      `    client-certificate-data: ${pemData(`${seed}/admin`, 'CERTIFICATE')}`,
      `    client-key-data: ${pemData(seed, 'RSA PRIVATE KEY')}`,
      '',
      '',
    ].join('\n'),
  );
}

/** `kind export kubeconfig [--name N]`: writes the cluster's context back and makes it current. */
function exportKubeconfig(
  context: TerminalContext,
  args: string[],
  environment: KindEnvironment,
): CommandResult {
  const parsed = parse(
    args,
    [nameFlag, kubeconfigFlag, { long: 'internal', takesValue: false }],
    'kind export kubeconfig',
  );
  if ('exitCode' in parsed) return parsed;
  const name = clusterName(parsed.flags, environment);
  if (clusterNamed(context.simulation.state, name) === undefined) return noControlPlane(name);
  context.input({ type: 'kind.kubeconfig.export', name });
  return { stdout: '', stderr: `Set kubectl context to "${contextOfCluster(name)}"\n`, exitCode: 0 };
}

/** A digest standing for an image's ID. */
const imageId = (image: string): string =>
  `sha256:${hashString64(image)}${hashString64(`${image}#2`)}${hashString64(`${image}#3`)}${hashString64(`${image}#4`)}`;

/** `kind load docker-image IMAGE… [--name N] [--nodes a,b]`. */
function loadDockerImage(
  context: TerminalContext,
  args: string[],
  environment: KindEnvironment,
): CommandResult {
  const parsed = parse(
    args,
    [nameFlag, { long: 'nodes', takesValue: true }],
    'kind load docker-image',
    'any',
  );
  if ('exitCode' in parsed) return parsed;
  if (parsed.positionals.length === 0) return fail('ERROR: a list of image names is required');
  const name = clusterName(parsed.flags, environment);
  const all = nodeNames(clusterNamed(context.simulation.state, name));
  if (all.length === 0) return fail(`ERROR: no nodes found for cluster "${name}"`);
  const wanted = parsed.flags
    .get('nodes')
    ?.split(',')
    .filter((node) => node !== '');
  const unknown = wanted?.find((node) => !all.includes(node));
  if (unknown !== undefined) return fail(`ERROR: unknown node: "${unknown}"`);
  const nodes = wanted ?? all;
  context.spend(8_000);
  const lines = parsed.positionals.flatMap((image) =>
    nodes.map(
      (node) => `Image: "${image}" with ID "${imageId(image)}" not yet present on node "${node}", loading...`,
    ),
  );
  return { stdout: '', stderr: `${lines.join('\n')}\n`, exitCode: 0 };
}
