/**
 * `helm`: repo add|list|update|remove (helm-repositories.ts), install, upgrade [--install], list, status, get values, history and
 * uninstall, with Helm 3's output and errors (cmd/helm in helm/helm v3: upgrade.go, list.go,
 * history.go, get_values.go, status.go, uninstall.go). The cilium chart goes through the model's
 * Helm (helm/operations.ts); Istio's charts are installed by the mesh model.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { toAnsiC, virtualDate } from '../engine/virtual-time';
import { helmInstallOutput } from '../mesh/install';
import type { IstioHelmChart } from '../mesh/events';
import type { HelmRequest } from '../helm/operations';
import { latestReleases, releaseHistory, type HelmRelease } from '../helm/releases';
import { asValuesTree, mergeValues, parseSetArgument, type HelmValues } from '../helm/values';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { uitable } from './helm-table';
import { chartRepositoryError, helmRepo, type HelmRepositoryFile } from './helm-repositories';

/** Parsed command line: positionals, flags (last wins), and every value of repeatable flags in order. */
interface HelmArgs {
  positionals: string[];
  flags: Map<string, string>;
  /** --set, --set-string and -f in the order given, as Helm merges them. */
  valueSources: { flag: '--set' | '--set-string' | '--values'; value: string }[];
}

/** Flags that take a value, by every name; the rest are switches. */
const valueFlags: Record<string, string> = {
  '--version': '--version',
  '--namespace': '--namespace',
  '-n': '--namespace',
  '--set': '--set',
  '--set-string': '--set-string',
  '--values': '--values',
  '-f': '--values',
  '--timeout': '--timeout',
  '--description': '--description',
  '--output': '--output',
  '-o': '--output',
  '--revision': '--revision',
  '--max': '--max',
  '--kube-context': '--kube-context',
};
const switches = new Set([
  '--install',
  '-i',
  '--reuse-values',
  '--reset-values',
  '--reset-then-reuse-values',
  '--create-namespace',
  '--wait',
  '--atomic',
  '--all',
  '-a',
  '--all-namespaces',
  '-A',
  '--keep-history',
  '--debug',
  '--short',
  '-q',
  '--force',
]);

function parseHelmArgs(args: readonly string[]): HelmArgs | string {
  const parsed: HelmArgs = { positionals: [], flags: new Map(), valueSources: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals >= 0 ? arg.slice(0, equals) : arg;
    const canonical = valueFlags[name];
    if (canonical === undefined) {
      if (!switches.has(name)) return `unknown flag: ${name}`;
      parsed.flags.set(
        name === '-i' ? '--install' : name === '-A' ? '--all-namespaces' : name === '-a' ? '--all' : name,
        'true',
      );
      continue;
    }
    const value = equals >= 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined) return `flag needs an argument: ${name}`;
    if (canonical === '--set' || canonical === '--set-string' || canonical === '--values')
      parsed.valueSources.push({ flag: canonical, value });
    parsed.flags.set(canonical, value);
  }
  return parsed;
}

/** The values of --set, --set-string and -f, merged in order (values.Options.MergeValues). */
function mergedValues(context: TerminalContext, sources: HelmArgs['valueSources']): HelmValues | string {
  let values: HelmValues = {};
  for (const source of sources) {
    if (source.flag === '--values') {
      const text = context.files[source.value.replace(/^\.\//, '')];
      if (text === undefined) return `open ${source.value}: no such file or directory`;
      let document: unknown;
      try {
        document = parseYaml(text, { maxAliasCount: 10 });
      } catch (error) {
        return `failed to parse ${source.value}: error converting YAML to JSON: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'invalid YAML'}`;
      }
      const tree = asValuesTree(document);
      if (tree === undefined)
        return `failed to parse ${source.value}: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}`;
      values = mergeValues(values, tree);
      continue;
    }
    const parsed: HelmValues = {};
    const error = parseSetArgument(source.value, parsed, source.flag === '--set');
    if (error !== undefined) return `failed parsing ${source.flag} data: ${error}`;
    values = mergeValues(values, parsed);
  }
  return values;
}

/** The status block Helm prints after install and upgrade, and for `helm status` (statusPrinter). */
function statusText(release: HelmRelease): string {
  const lines = [
    `NAME: ${release.name}`,
    `LAST DEPLOYED: ${toAnsiC(release.info.lastDeployedMs)}`,
    `NAMESPACE: ${release.namespace}`,
    `STATUS: ${release.info.status}`,
    `REVISION: ${release.version}`,
    'TEST SUITE: None',
  ];
  if (release.info.notes !== '') lines.push('NOTES:', release.info.notes);
  return `${lines.join('\n')}\n`;
}

/** Go's time.Time String(): `2022-07-29 09:00:48.123 +0000 UTC` (no trailing zeros in the fraction). */
function goTime(timeMs: number): string {
  const date = virtualDate(timeMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  const fraction =
    date.milliseconds === 0 ? '' : `.${String(date.milliseconds).padStart(3, '0').replace(/0+$/, '')}`;
  return `${date.year}-${pad(date.month)}-${pad(date.day)} ${pad(date.hours)}:${pad(date.minutes)}:${pad(date.seconds)}${fraction} +0000 UTC`;
}

const namespaceOf = (args: HelmArgs): string => args.flags.get('--namespace') ?? 'default';

/** The request of an install or upgrade, or Helm's error. */
function requestOf(
  context: TerminalContext,
  args: HelmArgs,
  release: string,
  chart: string,
): HelmRequest | string {
  const values = mergedValues(context, args.valueSources);
  if (typeof values === 'string') return values;
  const request: HelmRequest = {
    release,
    namespace: namespaceOf(args),
    chart,
    values,
    valuesGiven: args.valueSources.length > 0,
    reuseValues: args.flags.has('--reuse-values'),
    resetValues: args.flags.has('--reset-values'),
    resetThenReuseValues: args.flags.has('--reset-then-reuse-values'),
    install: args.flags.has('--install'),
  };
  const version = args.flags.get('--version');
  if (version !== undefined) request.version = version;
  const description = args.flags.get('--description');
  if (description !== undefined) request.description = description;
  return request;
}

/** The simulator's notes on values it does not model, on stderr. */
const warningLines = (warnings: readonly string[] | undefined): string =>
  (warnings ?? []).map((warning) => `WARNING: ${warning}\n`).join('');

/** `helm install RELEASE CHART`. */
function install(context: TerminalContext, args: HelmArgs, repositories: HelmRepositoryFile): CommandResult {
  const [release, chart] = args.positionals;
  if (release === undefined || chart === undefined)
    return fail('Error: INSTALLATION FAILED: must either provide a name or specify --generate-name');
  // install.go wraps what LocateChart says (a repository the reader never added) in its prefix.
  const unlocated = chartRepositoryError(chart, args.flags.get('--version'), repositories);
  if (unlocated !== undefined) return fail(`Error: INSTALLATION FAILED: ${unlocated}`);
  const istioChart = /^istio\/(base|istiod|cni|ztunnel)$/.exec(chart)?.[1] as IstioHelmChart | undefined;
  if (istioChart !== undefined) return installIstio(context, args, release, istioChart);
  if (chart !== 'cilium/cilium')
    return fail(
      `Error: INSTALLATION FAILED: repo ${chart.split('/')[0] ?? chart} not found (the simulator installs cilium/cilium and istio/base, istio/istiod, istio/cni, istio/ztunnel)`,
    );
  if (namespaceOf(args) !== 'kube-system')
    return fail(
      'Error: INSTALLATION FAILED: the simulator installs Cilium into kube-system; add --namespace kube-system',
    );
  const request = requestOf(context, args, release, chart);
  if (typeof request === 'string') return fail(`Error: ${request}`);
  const result = context.input({ type: 'helm.install', request });
  if (!result.ok) return fail(`Error: ${result.error}`);
  context.spend(3_000);
  return {
    stdout: result.helm === undefined ? '' : statusText(result.helm.release),
    stderr: warningLines(result.warnings),
    exitCode: 0,
  };
}

function installIstio(
  context: TerminalContext,
  args: HelmArgs,
  release: string,
  chart: IstioHelmChart,
): CommandResult {
  // Istio's charts go into istio-system (created with --create-namespace, as the Istio docs do).
  if (namespaceOf(args) !== 'istio-system')
    return fail(
      'Error: INSTALLATION FAILED: the simulator installs Istio into istio-system; add -n istio-system --create-namespace',
    );
  const existing = releaseHistory(context.simulation.state, release, 'istio-system');
  if (existing.some((item) => item.info.status !== 'uninstalled'))
    return fail('Error: INSTALLATION FAILED: cannot re-use a name that is still in use');
  const values: Record<string, string> = {};
  for (const source of args.valueSources) {
    for (const pair of source.value.split(',')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) return fail(`Error: failed parsing ${source.flag} data: key "${pair}" has no value`);
      values[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
  }
  const installed = context.input({
    type: 'istio.install',
    request: { tool: 'helm', chart, values, release },
  });
  if (!installed.ok) return fail(`Error: INSTALLATION FAILED: ${installed.error}`);
  if (installed.istio === undefined || !installed.istio.ok)
    return fail(
      `Error: INSTALLATION FAILED: ${installed.istio?.ok === false ? installed.istio.error : 'unknown error'}`,
    );
  context.spend(3_000);
  // helm prints when the release was deployed right after its name.
  return ok(
    helmInstallOutput(chart, release, installed.istio).replace(
      /^NAME: .*\n/,
      (line) => `${line}LAST DEPLOYED: ${toAnsiC(context.simulation.nowMs)}\n`,
    ),
  );
}

/** `helm upgrade [--install] RELEASE CHART`. */
function upgrade(context: TerminalContext, args: HelmArgs, repositories: HelmRepositoryFile): CommandResult {
  if (args.positionals.length !== 2)
    return fail(
      `Error: "helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]`,
    );
  const [release = '', chart = ''] = args.positionals;
  // upgrade.go returns LocateChart's error as it is, with or without --install.
  const unlocated = chartRepositoryError(chart, args.flags.get('--version'), repositories);
  if (unlocated !== undefined) return fail(`Error: ${unlocated}`);
  const request = requestOf(context, args, release, chart);
  if (typeof request === 'string') return fail(`Error: ${request}`);
  const result = context.input({ type: 'helm.upgrade', request });
  if (!result.ok) return fail(`Error: ${result.error}`);
  context.spend(3_000);
  const outcome = result.helm;
  if (outcome === undefined) return ok();
  const header = outcome.installed
    ? `Release "${release}" does not exist. Installing it now.\n`
    : `Release "${release}" has been upgraded. Happy Helming!\n`;
  return { stdout: header + statusText(outcome.release), stderr: warningLines(result.warnings), exitCode: 0 };
}

/** `helm list [-A] [-n NS] [-a] [-q]`: the latest revision of each release, deployed or failed unless -a. */
function list(context: TerminalContext, args: HelmArgs): CommandResult {
  const all = args.flags.has('--all');
  const namespace = args.flags.has('--all-namespaces') ? undefined : namespaceOf(args);
  const releases = latestReleases(context.simulation.state, namespace).filter(
    (release) => all || release.info.status === 'deployed' || release.info.status === 'failed',
  );
  if (args.flags.has('--short')) return ok(releases.map((release) => `${release.name}\n`).join(''));
  const rows = releases.map((release) => [
    release.name,
    release.namespace,
    String(release.version),
    goTime(release.info.lastDeployedMs),
    release.info.status,
    `${release.chart.name}-${release.chart.version}`,
    release.chart.appVersion,
  ]);
  return ok(
    uitable([['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'], ...rows]),
  );
}

/** The revisions of a release, or Helm's `release: not found`. */
function historyOf(
  context: TerminalContext,
  args: HelmArgs,
  name: string | undefined,
): HelmRelease[] | CommandResult {
  if (name === undefined)
    return fail('Error: "helm history" requires 1 argument\n\nUsage:  helm history RELEASE_NAME [flags]');
  const history = releaseHistory(context.simulation.state, name, namespaceOf(args));
  return history.length === 0 ? fail('Error: release: not found') : history;
}

/** `helm history RELEASE [--max N]`. */
function history(context: TerminalContext, args: HelmArgs): CommandResult {
  const found = historyOf(context, args, args.positionals[0]);
  if (!Array.isArray(found)) return found;
  const max = Number(args.flags.get('--max') ?? '256');
  const rows = found
    .slice(-Math.max(1, max))
    .map((release) => [
      String(release.version),
      toAnsiC(release.info.lastDeployedMs),
      release.info.status,
      `${release.chart.name}-${release.chart.version}`,
      release.chart.appVersion,
      release.info.description,
    ]);
  return ok(uitable([['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'], ...rows]));
}

/** `helm status RELEASE`. */
function status(context: TerminalContext, args: HelmArgs): CommandResult {
  const found = historyOf(context, args, args.positionals[0]);
  if (!Array.isArray(found)) return found;
  const last = found[found.length - 1];
  return last === undefined ? fail('Error: release: not found') : ok(statusText(last));
}

/** `helm get values RELEASE [--all] [--revision N] [-o yaml|json]`. */
function getValues(context: TerminalContext, args: HelmArgs): CommandResult {
  const [what, name] = args.positionals;
  if (what !== 'values')
    return fail(
      `Error: unknown command "${what ?? ''}" for "helm get"\nSupported in this simulator: helm get values`,
    );
  if (name === undefined)
    return fail(
      'Error: "helm get values" requires 1 argument\n\nUsage:  helm get values RELEASE_NAME [flags]',
    );
  const found = historyOf(context, args, name);
  if (!Array.isArray(found)) return found;
  const revision = args.flags.get('--revision');
  const release =
    revision === undefined
      ? found[found.length - 1]
      : found.find((item) => String(item.version) === revision);
  if (release === undefined) return fail('Error: release: not found');
  const all = args.flags.has('--all');
  const values = all ? mergeValues(chartDefaults(release.chart.version), release.config) : release.config;
  const format = args.flags.get('--output') ?? 'table';
  if (format === 'json')
    return ok(`${JSON.stringify(Object.keys(values).length === 0 && !all ? null : values)}\n`);
  const body =
    Object.keys(values).length === 0 ? 'null\n' : stringifyYaml(sortedTree(values), { lineWidth: 0 });
  if (format === 'yaml') return ok(body);
  if (format !== 'table')
    return fail(`Error: invalid argument "${format}" for "-o, --output" flag: invalid format type`);
  return ok(`${all ? 'COMPUTED VALUES:' : 'USER-SUPPLIED VALUES:'}\n${body}`);
}

/** A tree with its keys sorted at every level, as Helm's YAML encoder prints maps. */
function sortedTree(tree: HelmValues): HelmValues {
  const sorted: HelmValues = {};
  for (const key of Object.keys(tree).sort()) {
    const value = tree[key];
    sorted[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? sortedTree(value as HelmValues)
        : (value ?? null);
  }
  return sorted;
}

/**
 * The chart defaults of the values the model reads (values.yaml of the chart), for
 * `get values --all`. The real chart has several hundred more.
 */
function chartDefaults(version: string): HelmValues {
  const minor = Number(/^1\.(\d+)/.exec(version)?.[1] ?? '18');
  const defaults: HelmValues = {
    cluster: { name: 'default', id: 0 },
    debug: { enabled: false },
    encryption: {
      enabled: false,
      type: 'ipsec',
      ...(minor === 14 ? { wireguard: { encapsulate: false } } : {}),
    },
    hostFirewall: { enabled: false },
    hubble: { enabled: true, relay: { enabled: false }, ui: { enabled: false } },
    ipam: { mode: 'cluster-pool' },
    l7Proxy: true,
    operator: { replicas: 2, rollOutPods: false },
    policyAuditMode: false,
    policyEnforcementMode: 'default',
    rollOutCiliumPods: false,
  };
  if (minor <= 13) defaults.tunnel = 'vxlan';
  else {
    defaults.routingMode = '';
    defaults.tunnelProtocol = '';
    defaults.authentication = {
      enabled: true,
      gcInterval: '5m0s',
      mutual: { port: 4250, spire: { enabled: false } },
    };
  }
  return defaults;
}

/** `helm uninstall RELEASE [--keep-history]`. */
function uninstall(context: TerminalContext, args: HelmArgs): CommandResult {
  const [name] = args.positionals;
  if (name === undefined)
    return fail(
      'Error: "helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]',
    );
  const result = context.input({
    type: 'helm.uninstall',
    release: name,
    namespace: namespaceOf(args),
    keepHistory: args.flags.has('--keep-history'),
  });
  if (!result.ok) return fail(`Error: ${result.error}`);
  context.spend(1_000);
  return ok(`release "${name}" uninstalled\n`);
}

const supported =
  'helm repo add|list|update|remove, helm install, helm upgrade, helm list, helm status, helm history, helm get values, helm uninstall';

/** Runs `helm ARGS`. */
export function helm(
  context: TerminalContext,
  args: string[],
  /** The reader's repositories file (helm-repositories.ts). */
  repositories: HelmRepositoryFile,
): CommandResult {
  const [verb, ...rest] = args;
  if (verb === 'repo') return helmRepo(rest, repositories, context.simulation.nowMs);
  const parsed = parseHelmArgs(rest);
  if (typeof parsed === 'string') return fail(`Error: ${parsed}`);
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined && verb !== undefined && verb !== 'repo')
    return fail(
      'Error: Kubernetes cluster unreachable: Get "http://localhost:8080/version": dial tcp 127.0.0.1:8080: connect: connection refused',
    );
  switch (verb) {
    case 'install':
      return install(context, parsed, repositories);
    case 'upgrade':
      return upgrade(context, parsed, repositories);
    case 'list':
    case 'ls':
      return list(context, parsed);
    case 'status':
      return status(context, parsed);
    case 'history':
    case 'hist':
      return history(context, parsed);
    case 'get':
      return getValues(context, parsed);
    case 'uninstall':
    case 'un':
    case 'delete':
    case 'del':
      return uninstall(context, parsed);
    default:
      return fail(
        `Error: unknown command "${verb ?? ''}" for "helm"\nSupported in this simulator: ${supported}`,
      );
  }
}
