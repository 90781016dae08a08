/**
 * kubectl's view of the reader's kubeconfig: `--context NAME` on any command, `kubectl config
 * current-context|get-contexts|use-context|get-clusters|view`, and the two commands that tell the
 * reader where they are, `kubectl cluster-info` and `kubectl version`. Wording from
 * kubernetes/kubectl pkg/cmd/config, pkg/cmd/clusterinfo and pkg/cmd/version.
 */
import { clusterNamed, clusterOfContext } from '../k8s/clusters';
import { getObject } from '../k8s/api-store';
import { imageKubernetesVersion } from '../k8s/kind-releases';
import { installedKind } from '../k8s/cluster-create';
import { buildInfo, kubernetesMinor, kustomizeVersion } from '../k8s/kubernetes-versions';
import type { Cluster, World } from '../world';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { contextInCluster } from './cluster-context';
import { tabwrite } from './tabwriter';

/** Either the answer to a command handled here, or the context and arguments to run it with. */
export type KubectlRoute = { result: CommandResult } | { context: TerminalContext; args: string[] };

/** kubectl's message when it has no server to talk to (no current context). */
const noServer =
  'The connection to the server localhost:8080 was refused - did you specify the right host or port?';

/** kubectl flags that take a separate value, so that their value is not taken for the subcommand. */
const valueFlags = new Set(['-n', '--namespace', '-l', '--selector', '-o', '--output', '-c', '--container']);
const globalValueFlags = new Set([...valueFlags, '-f', '--filename', '--request-timeout', '--kubeconfig']);

/** Takes `--context NAME` / `--context=NAME` out of the arguments (before any `--`). */
function takeContextFlag(args: readonly string[]): { context?: string; rest: string[] } | { error: string } {
  const rest: string[] = [];
  let context: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '--context') {
      if (i + 1 >= args.length) return { error: 'error: flag needs an argument: --context' };
      context = args[++i];
    } else if (arg.startsWith('--context=')) context = arg.slice('--context='.length);
    else rest.push(arg);
  }
  return context === undefined ? { rest } : { context, rest };
}

/** The subcommand and the arguments after it. */
function subcommandOf(args: readonly string[]): { name?: string; after: string[] } {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (globalValueFlags.has(arg)) {
      i += 1;
      continue;
    }
    if (!arg.startsWith('-')) return { name: arg, after: [...args.slice(0, i), ...args.slice(i + 1)] };
  }
  return { after: [...args] };
}

/**
 * Routes a kubectl command line: answers `config`, `cluster-info` and `version` here, and points
 * everything else at the cluster of `--context` (or of the node kubectl runs in).
 */
export function routeKubectl(context: TerminalContext, args: readonly string[]): KubectlRoute {
  const taken = takeContextFlag(args);
  if ('error' in taken) return { result: fail(taken.error) };
  const { name, after } = subcommandOf(taken.rest);
  if (name === 'config') return { result: config(context, after) };
  let target = context;
  if (taken.context !== undefined) {
    const contexts = context.simulation.state.kubeconfig?.contexts ?? [];
    const cluster = clusterOfContext(taken.context);
    if (!contexts.includes(taken.context) || cluster === undefined)
      return { result: fail(`error: context was not found for specified context: ${taken.context}`) };
    target = contextInCluster(context, cluster);
  }
  if (name === 'cluster-info') return { result: clusterInfo(target, after) };
  if (name === 'version') return { result: version(target, after) };
  return { context: target, args: taken.rest };
}

/** Where kind publishes a cluster's API server on the reader's machine. */
const serverOf = (cluster: Cluster): string => `https://127.0.0.1:${cluster.apiServer.hostPort}`;

/** `kubectl cluster-info`. */
function clusterInfo(context: TerminalContext, args: string[]): CommandResult {
  const hint = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
  if (args[0] === 'dump') return fail('error: the simulator does not model `kubectl cluster-info dump`');
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return { stdout: hint, stderr: `${noServer}\n`, exitCode: 1 };
  context.spend(120);
  const server = serverOf(cluster);
  const lines = [`Kubernetes control plane is running at ${server}`];
  if (getObject(cluster.api, 'Service', 'kube-system/kube-dns') !== undefined)
    lines.push(`CoreDNS is running at ${server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy`);
  return ok(`${lines.join('\n')}\n${hint}`);
}

/** The reader's kubectl: the release beside their kind's default node image. */
export function clientVersion(world: Readonly<World>): string {
  return imageKubernetesVersion(installedKind(world).defaultImage) ?? 'v1.24.0';
}

/** kubectl ≤ 1.27's full form: `version.Info{Major:"1", …}`. */
function versionInfo(version: string): string {
  const build = buildInfo(version);
  const minor = String(kubernetesMinor(version) ?? '');
  if (build === undefined) return version;
  return `version.Info{Major:"1", Minor:"${minor}", GitVersion:"${version}", GitCommit:"${build.gitCommit}", GitTreeState:"clean", BuildDate:"${build.buildDate}", GoVersion:"${build.goVersion}", Compiler:"gc", Platform:"linux/amd64"}`;
}

/** `kubectl version [--client] [--short]`. */
function version(context: TerminalContext, args: string[]): CommandResult {
  const client = clientVersion(context.simulation.state);
  const clientMinor = kubernetesMinor(client) ?? 0;
  const unknown = args.find((arg) => !['--client', '--short', '--client=true', '--short=true'].includes(arg));
  if (unknown !== undefined)
    return fail(
      unknown.startsWith('-')
        ? `error: unknown flag: ${unknown.split('=')[0] ?? unknown}`
        : `error: unknown command "${unknown}" for "kubectl version"`,
    );
  // --short became the only form in 1.28, which dropped the flag.
  if (args.some((arg) => arg.startsWith('--short')) && clientMinor >= 28)
    return fail('error: unknown flag: --short');
  const short = clientMinor >= 28 || args.some((arg) => arg.startsWith('--short'));
  const form = (release: string): string => (short ? release : versionInfo(release));
  const warning =
    short || clientMinor < 24
      ? ''
      : 'WARNING: This version information is deprecated and will be replaced with the output from kubectl version --short.  Use --output=yaml|json to get the full version.\n';
  const lines = [`Client Version: ${form(client)}`, `Kustomize Version: ${kustomizeVersion(client)}`];
  if (args.some((arg) => arg.startsWith('--client')))
    return { stdout: `${lines.join('\n')}\n`, stderr: warning, exitCode: 0 };
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined)
    return { stdout: `${lines.join('\n')}\n`, stderr: `${warning}${noServer}\n`, exitCode: 1 };
  context.spend(120);
  const server = cluster.kubernetesVersion;
  lines.push(`Server Version: ${form(server)}`);
  const skew = Math.abs(clientMinor - (kubernetesMinor(server) ?? clientMinor));
  const skewWarning =
    skew > 1
      ? `WARNING: version difference between client (1.${clientMinor}) and server (1.${kubernetesMinor(server) ?? ''}) exceeds the supported minor version skew of +/-1\n`
      : '';
  return { stdout: `${lines.join('\n')}\n`, stderr: `${warning}${skewWarning}`, exitCode: 0 };
}

/** `kubectl config SUBCOMMAND`. */
function config(context: TerminalContext, args: string[]): CommandResult {
  const [subcommand, ...rest] = args.filter((arg) => arg !== '--');
  const world = context.simulation.state;
  const kubeconfig = world.kubeconfig ?? { contexts: [], currentContext: '' };
  switch (subcommand) {
    case 'current-context':
      return kubeconfig.currentContext === ''
        ? fail('error: current-context is not set')
        : ok(`${kubeconfig.currentContext}\n`);
    case 'use-context':
    case 'use': {
      const name = rest.find((arg) => !arg.startsWith('-'));
      if (name === undefined)
        return fail("error: Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples");
      const result = context.input({ type: 'kubeconfig.context.use', context: name });
      return result.ok ? ok(`Switched to context "${name}".\n`) : fail(`error: ${result.error}`);
    }
    case 'get-contexts':
      return getContexts(world, rest);
    case 'get-clusters':
      return ok(
        `NAME\n${[...kubeconfig.contexts]
          .sort()
          .map((name) => `${name}\n`)
          .join('')}`,
      );
    case 'view':
      return ok(viewKubeconfig(world, rest.includes('--minify')));
    case undefined:
      return fail(
        'error: the simulator models kubectl config current-context, get-contexts, get-clusters, use-context and view',
      );
    default:
      return fail(`error: unknown command "${subcommand}" for "kubectl config"`);
  }
}

/** `kubectl config get-contexts [NAME] [-o name] [--no-headers]`. */
function getContexts(world: Readonly<World>, args: string[]): CommandResult {
  const kubeconfig = world.kubeconfig ?? { contexts: [], currentContext: '' };
  const output =
    args.find((_, i) => args[i - 1] === '-o' || args[i - 1] === '--output') ??
    args.find((arg) => arg.startsWith('-o=') || arg.startsWith('--output='))?.split('=')[1];
  const names = args.filter((arg, i) => !arg.startsWith('-') && !valueFlags.has(args[i - 1] ?? ''));
  const missing = names.find((name) => !kubeconfig.contexts.includes(name));
  if (missing !== undefined) return fail(`error: context ${missing} not found`);
  const shown = (names.length > 0 ? names : [...kubeconfig.contexts]).sort();
  if (output === 'name') return ok(shown.map((name) => `${name}\n`).join(''));
  if (output !== undefined) return fail(`error: output must be one of '' or 'name': ${output}`);
  const rows = shown.map(
    (name) => `${name === kubeconfig.currentContext ? '*' : ''}\t${name}\t${name}\t${name}\t`,
  );
  const header = args.includes('--no-headers') ? [] : ['CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE'];
  // kubectl's printers.GetNewTabWriter: minimum width 10, padding 3.
  return ok(`${tabwrite([...header, ...rows].join('\n'), { minWidth: 10, padding: 3 })}\n`);
}

/** `kubectl config view [--minify]`: the kubeconfig with its key material left out, as kubectl shows it. */
function viewKubeconfig(world: Readonly<World>, minify: boolean): string {
  const kubeconfig = world.kubeconfig ?? { contexts: [], currentContext: '' };
  const names = (
    minify ? [kubeconfig.currentContext].filter((name) => name !== '') : [...kubeconfig.contexts]
  ).sort();
  const server = (name: string): string => {
    const cluster = clusterNamed(world, clusterOfContext(name) ?? '');
    return cluster === undefined ? '' : serverOf(cluster);
  };
  const list = (items: string[]): string => (items.length === 0 ? ' null' : `\n${items.join('\n')}`);
  return [
    'apiVersion: v1',
    `clusters:${list(names.map((name) => `- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: ${server(name)}\n  name: ${name}`))}`,
    `contexts:${list(names.map((name) => `- context:\n    cluster: ${name}\n    user: ${name}\n  name: ${name}`))}`,
    `current-context: ${kubeconfig.currentContext === '' ? '""' : kubeconfig.currentContext}`,
    'kind: Config',
    'preferences: {}',
    `users:${list(names.map((name) => `- name: ${name}\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED`))}`,
    '',
  ].join('\n');
}
