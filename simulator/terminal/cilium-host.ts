/**
 * `cilium` on the reader's machine: cilium-cli v0.18.9 (cilium/cilium-cli at v0.18.9, which
 * vendors the CLI from cilium/cilium's cilium-cli/ directory), the tool Cilium's getting-started
 * guide installs beside kubectl. It talks to the cluster of the current kube context: `version`,
 * `status [--wait] [-o json]`, `install [--version V] [--set K=V]` (a Helm install of the cilium
 * chart, through the model's Helm, with the values cilium-cli adds on kind), `uninstall`, and
 * `hubble enable|disable|port-forward` (cilium-hubble.ts).
 * The agent's own CLI inside its pod (`kubectl exec ds/cilium -- cilium …`) is cilium-cli.ts.
 */
import { listObjects } from '../k8s/api-store';
import { releaseHistory } from '../helm/releases';
import { mergeValues, parseSetArgument, type HelmValues } from '../helm/values';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { collectCiliumStatus, statusIsReady, type CiliumStatus } from './cilium-host-status';
import { ciliumStatusJson, formatCiliumStatus } from './cilium-host-status-format';
import { ciliumHubble } from './cilium-hubble';

/** The release cilium-cli v0.18.9 is, its Go toolchain (Makefile GO_IMAGE_VERSION) and platform. */
const cliVersion = 'v0.18.9';
const goVersion = 'go1.25.5';
/** The newest chart vendored in v0.18.9 (github.com/cilium/charts at 2025-11-03): its default. */
const defaultCiliumVersion = '1.18.3';
/** `--wait`: retry every 2 s (defaults.WaitRetryInterval) for at most 5 min (StatusWaitDuration). */
const waitRetryMs = 2_000;
const statusWaitMs = 5 * 60_000;

const noKubeconfig =
  'unable to create Kubernetes client: invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable';

/** Parsed flags: the last value of each, every `--set`, and the positionals. */
interface CiliumArgs {
  positionals: string[];
  flags: Map<string, string>;
  sets: string[];
}

/** Flags that take a value, by every spelling (cobra; `--set` is normalised to `--helm-set`). */
const valueFlags: Record<string, string> = {
  '--version': '--version',
  '--output': '--output',
  '-o': '--output',
  '--namespace': '--namespace',
  '-n': '--namespace',
  '--context': '--context',
  '--wait-duration': '--wait-duration',
  '--helm-release-name': '--helm-release-name',
  '--port-forward': '--port-forward',
};
const switchFlags = new Set([
  '--wait',
  '--ignore-warnings',
  '--client',
  '--verbose',
  '--interactive',
  '--ui',
  '--relay',
]);

function parseCiliumArgs(args: readonly string[]): CiliumArgs | string {
  const parsed: CiliumArgs = { positionals: [], flags: new Map(), sets: [] };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    const inline = arg.startsWith('--') && equals > 0 ? arg.slice(equals + 1) : undefined;
    if (name === '--set' || name === '--helm-set') {
      const value = inline ?? args[++index];
      if (value === undefined) return `flag needs an argument: ${name}`;
      parsed.sets.push(value);
    } else if (valueFlags[name] !== undefined) {
      const value = inline ?? args[++index];
      if (value === undefined) return `flag needs an argument: ${name}`;
      parsed.flags.set(valueFlags[name], value);
    } else if (switchFlags.has(name)) parsed.flags.set(name, inline ?? 'true');
    else if (arg.startsWith('-')) return `unknown flag: ${name}`;
    else parsed.positionals.push(arg);
  }
  return parsed;
}

/** `cilium version [--client]` (cli/version.go): the stable release needs the internet, which this machine lacks. */
function version(context: TerminalContext, args: CiliumArgs): CommandResult {
  let text =
    `cilium-cli: ${cliVersion} compiled with ${goVersion} on linux/amd64\n` +
    `cilium image (default): v${defaultCiliumVersion}\n` +
    'cilium image (stable): unknown\n';
  if (args.flags.has('--client')) return ok(text);
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail(`Error: ${noKubeconfig}`);
  const release = releaseHistory(context.simulation.state, 'cilium', namespaceOf(args)).at(-1);
  text +=
    release === undefined
      ? 'cilium image (running): unknown. Unable to obtain cilium version. Reason: release: not found\n'
      : `cilium image (running): ${release.chart.version}\n`;
  return ok(text);
}

const namespaceOf = (args: CiliumArgs): string => args.flags.get('--namespace') ?? 'kube-system';

/** Go's time.ParseDuration for the `--wait-duration` values readers type (`5m`, `90s`, `1m30s`). */
function durationMs(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (match === null) return undefined;
    total += Number(match[1]) * (units[match[2] ?? ''] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return total;
}

/**
 * `cilium status [--wait] [--ignore-warnings] [-o json]` (cli/status.go, status/k8s.go Status):
 * with `--wait`, collects again every 2 s of virtual time until no error (nor warning) is left or
 * the wait ends; on a terminal the interim boxes are redrawn in place, so what stays is the last.
 */
function status(context: TerminalContext, args: CiliumArgs): CommandResult {
  // Any output but json prints the summary (cli/status.go).
  const output = args.flags.get('--output') ?? 'summary';
  const wait = args.flags.has('--wait');
  const waitText = args.flags.get('--wait-duration');
  const limitMs = waitText === undefined ? statusWaitMs : durationMs(waitText);
  if (limitMs === undefined)
    return fail(
      `Error: invalid argument "${waitText ?? ''}" for "--wait-duration" flag: time: invalid duration "${waitText ?? ''}"`,
    );
  const startMs = context.simulation.nowMs;
  let current = collectOnce(context, args);
  while (wait && !statusIsReady(current, args.flags.has('--ignore-warnings'))) {
    if (context.simulation.nowMs - startMs + waitRetryMs > limitMs) {
      context.spend(Math.max(0, limitMs - (context.simulation.nowMs - startMs)));
      return fail(
        `${formatCiliumStatus(current)}\nError: Unable to determine status:  timeout while waiting for status to become successful: context deadline exceeded`,
      );
    }
    context.spend(waitRetryMs);
    current = collectOnce(context, args);
  }
  const printed = output === 'json' ? ciliumStatusJson(current) : formatCiliumStatus(current);
  if (current.collectionErrors.length === 0) return ok(printed);
  return {
    stdout: printed,
    stderr: `status check failed: [${current.collectionErrors.join(', ')}]\n`,
    exitCode: 1,
  };
}

function collectOnce(context: TerminalContext, args: CiliumArgs): CiliumStatus {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) throw new Error('no cluster');
  return collectCiliumStatus(context.simulation.state, cluster, namespaceOf(args));
}

/**
 * The values cilium-cli adds to a Helm install on kind, before the reader's own (install/helm.go
 * getHelmValues for charts ≥ 1.15, install/autodetect.go): one operator replica, Kubernetes IPAM,
 * VXLAN tunnelling, and the cluster's name from the kube context.
 */
function kindValues(clusterName: string): HelmValues {
  const values: HelmValues = {};
  for (const pair of [
    'operator.replicas=1',
    'ipam.mode=kubernetes',
    'routingMode=tunnel',
    'tunnelProtocol=vxlan',
    `cluster.name=${clusterName}`,
  ])
    parseSetArgument(pair, values);
  return values;
}

/** `cilium install [--version V] [--set K=V]…` (cli/install.go, install/install.go InstallWithHelm). */
function install(context: TerminalContext, args: CiliumArgs): CommandResult {
  const world = context.simulation.state;
  const contextName = world.kubeconfig?.currentContext ?? '';
  const onKind = contextName.startsWith('kind-');
  const chartVersion = (args.flags.get('--version') ?? defaultCiliumVersion).replace(/^v/, '');
  const log: string[] = [];
  if (onKind) log.push('🔮 Auto-detected Kubernetes kind: kind');
  log.push(`ℹ️  Using Cilium version ${chartVersion}`);
  let values = onKind ? kindValues(contextName) : {};
  const userValues: HelmValues = {};
  for (const set of args.sets) {
    const error = parseSetArgument(set, userValues);
    if (error !== undefined) return fail(`error parsing helm options "${args.sets.join(',')}": ${error}`);
  }
  const userCluster = (userValues.cluster as HelmValues | undefined)?.name;
  if (typeof userCluster === 'string') log.push(`ℹ️  Using cluster name "${userCluster}"`);
  else if (onKind) log.push(`🔮 Auto-detected cluster name: ${contextName}`);
  const cluster = world.cluster;
  const kubeProxy =
    cluster !== undefined &&
    listObjects(cluster.api, 'DaemonSet').some(
      (daemonSet) =>
        daemonSet.metadata.namespace === 'kube-system' && daemonSet.metadata.name.includes('kube-proxy'),
    );
  if (kubeProxy) log.push('🔮 Auto-detected kube-proxy has been installed');
  else {
    // Without kube-proxy the agents must reach the API server by its real address, which on
    // kind is the control plane's (the `kubernetes` Service's endpoint), port 6443.
    const apiServer = Object.values(cluster?.nodes ?? {}).find((node) => node.name.endsWith('control-plane'));
    if (onKind) log.push('ℹ️  Detecting real Kubernetes API server addr and port on Kind');
    log.push(
      '🔮 Auto-detected kube-proxy has not been installed',
      'ℹ️  Cilium will fully replace all functionalities of kube-proxy',
    );
    for (const [key, value] of [
      ['kubeProxyReplacement', 'true'],
      ['k8sServiceHost', apiServer?.internalIP ?? ''],
      ['k8sServicePort', '6443'],
    ] as const)
      if (userValues[key] === undefined) parseSetArgument(`${key}=${value}`, values);
  }
  values = mergeValues(values, userValues);
  const result = context.input({
    type: 'helm.install',
    request: {
      release: args.flags.get('--helm-release-name') ?? 'cilium',
      namespace: namespaceOf(args),
      chart: 'cilium/cilium',
      version: chartVersion,
      values,
      valuesGiven: true,
    },
  });
  const printed = log.map((line) => `${line}\n`).join('');
  if (!result.ok)
    return {
      stdout: printed,
      stderr: `\nError: Unable to install Cilium: ${result.error.replace(/^INSTALLATION FAILED: /, '')}\n`,
      exitCode: 1,
    };
  context.spend(3_000);
  return ok(printed);
}

/** `cilium uninstall` (cli/install.go newCmdUninstallWithHelm, install/uninstall.go). */
function uninstall(context: TerminalContext, args: CiliumArgs): CommandResult {
  const testNamespace = [
    '🔥 Deleting pods in cilium-test namespace...',
    '🔥 Deleting cilium-test namespace...',
  ];
  const lines = [...testNamespace, '⌛ Uninstalling Cilium', ...testNamespace];
  const result = context.input({
    type: 'helm.uninstall',
    release: args.flags.get('--helm-release-name') ?? 'cilium',
    namespace: namespaceOf(args),
    keepHistory: false,
  });
  const printed = lines
    .slice(0, result.ok ? lines.length : 3)
    .map((line) => `${line}\n`)
    .join('');
  if (!result.ok)
    return {
      stdout: printed,
      stderr: `\nError: Unable to uninstall Cilium:  ${result.error}\n`,
      exitCode: 1,
    };
  context.spend(1_000);
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return ok(printed);
  const annotated = listObjects(cluster.api, 'Node').filter((node) =>
    Object.keys(node.metadata.annotations ?? {}).some(
      (key) => key.startsWith('io.cilium.') || key.startsWith('cilium.io/'),
    ),
  );
  return ok(
    `${printed}🔥 Cleaning up Cilium node annotations...\n${annotated.map((node) => `  Removing annotations from node ${node.metadata.name}\n`).join('')}`,
  );
}

/** The subcommands modelled here (completion offers them, with their flags). */
export const ciliumHostCommands = {
  version: ['--client'],
  status: ['--wait', '--wait-duration', '--ignore-warnings', '--output', '-o'],
  install: ['--version', '--set', '--helm-set'],
  uninstall: ['--wait'],
  hubble: ['--ui', '--relay', '--port-forward'],
} as const;

/** Runs `cilium ARGS` on the reader's machine. */
export function ciliumHost(context: TerminalContext, args: string[]): CommandResult | Promise<CommandResult> {
  const [verb, ...rest] = args;
  const parsed = parseCiliumArgs(rest);
  if (typeof parsed === 'string') return fail(`Error: ${parsed}`);
  if (verb === 'version' && parsed.flags.has('--client')) return version(context, parsed);
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h')
    return ok(
      `CLI to install, manage, & troubleshooting Cilium clusters running Kubernetes.\n\nSimulated here: cilium ${Object.keys(ciliumHostCommands).join(', ')}\n`,
    );
  if (!(verb in ciliumHostCommands))
    return fail(
      `Error: unknown command "${verb}" for "cilium"\nSimulated here: cilium ${Object.keys(ciliumHostCommands).join(', ')}`,
    );
  if (context.simulation.state.cluster === undefined) return fail(noKubeconfig);
  switch (verb) {
    case 'version':
      return version(context, parsed);
    case 'status':
      return status(context, parsed);
    case 'install':
      return install(context, parsed);
    case 'hubble':
      return ciliumHubble(context, parsed.positionals[0], {
        namespace: namespaceOf(parsed),
        release: parsed.flags.get('--helm-release-name') ?? 'cilium',
        flags: parsed.flags,
      });
    default:
      return uninstall(context, parsed);
  }
}
