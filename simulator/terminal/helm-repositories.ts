/**
 * The reader's Helm chart repositories: `helm repo add|list|update|remove`, kept where Helm keeps
 * them, in `~/.config/helm/repositories.yaml` of the reader's shell (helm's helmpath: the XDG config
 * home), so that they live and replay with the rest of the reader's files. A chart reference
 * `REPO/CHART` resolves only through a repository the reader added, as Helm's ChartDownloader does
 * (pkg/downloader/chart_downloader.go: `repo NAME not found`). Messages after cmd/helm/repo_add.go,
 * repo_list.go, repo_update.go and repo_remove.go at helm/helm v3.17.0.
 *
 * The machine is offline: it reaches the chart repositories the site's pages use (cilium's and
 * istio's), whose indexes the simulator has, and no other.
 */
import { parse as parseYaml } from 'yaml';
import { kubectlYaml } from './kubectl-output';
import { toRfc3339Milli } from '../engine/virtual-time';
import { fail, ok, type CommandResult } from './context';
import { uitable } from './helm-table';

/** Where Helm keeps the repositories, in the reader's home directory. */
export const repositoriesPath = '/home/user/.config/helm/repositories.yaml';

/** The chart repositories the offline machine reaches, by URL (without a trailing slash), and their charts. */
const reachableRepositories: Readonly<Record<string, readonly string[]>> = {
  'https://helm.cilium.io': ['cilium'],
  'https://istio-release.storage.googleapis.com/charts': ['base', 'istiod', 'cni', 'ztunnel', 'gateway'],
};

/** One repo.Entry of the file. */
interface RepositoryEntry {
  name: string;
  url: string;
}

/** The file as the shell has it (undefined when there is none yet), and how to write it back. */
export interface HelmRepositoryFile {
  text: string | undefined;
  write(text: string): void;
}

/** The repositories of the file; an unreadable file counts as none. */
function readRepositories(text: string | undefined): RepositoryEntry[] {
  if (text === undefined) return [];
  try {
    const document = parseYaml(text) as { repositories?: { name?: unknown; url?: unknown }[] } | null;
    return (document?.repositories ?? []).flatMap((entry) =>
      typeof entry.name === 'string' && typeof entry.url === 'string'
        ? [{ name: entry.name, url: entry.url }]
        : [],
    );
  } catch {
    return [];
  }
}

/** The file as Helm writes it (repo.File through sigs.k8s.io/yaml: keys sorted, empty fields kept). */
export function repositoriesYaml(entries: readonly RepositoryEntry[], nowMs: number): string {
  return kubectlYaml({
    apiVersion: '',
    generated: toRfc3339Milli(nowMs).replace(/\.\d+Z$/, 'Z'),
    repositories: entries.map((entry) => ({
      caFile: '',
      certFile: '',
      insecure_skip_tls_verify: false,
      keyFile: '',
      name: entry.name,
      pass_credentials_all: false,
      password: '',
      url: entry.url,
      username: '',
    })),
  });
}

const withoutSlash = (url: string): string => url.replace(/\/+$/, '');

/** Whether the machine reaches the repository's index. */
const reachable = (url: string): boolean => reachableRepositories[withoutSlash(url)] !== undefined;

/** Why the index of a repository the machine cannot reach was not fetched (repo_add.go). */
function unreachableError(url: string): string {
  const host = /^[a-z]+:\/\/([^/:]+)/i.exec(url)?.[1] ?? url;
  return `Error: looks like "${url}" is not a valid chart repository or cannot be reached: Get "${withoutSlash(url)}/index.yaml": dial tcp: lookup ${host}: no such host (this offline machine reaches ${Object.keys(reachableRepositories).join(' and ')})`;
}

/** `helm repo add NAME URL`. */
function add(args: readonly string[], file: HelmRepositoryFile, nowMs: number): CommandResult {
  const [name, url] = args;
  if (name === undefined || url === undefined)
    return fail(`Error: "helm repo add" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]`);
  if (name.includes('/'))
    return fail(`Error: repository name (${name}) contains '/', please specify a different name without '/'`);
  const entries = readRepositories(file.text);
  const existing = entries.find((entry) => entry.name === name);
  if (existing !== undefined) {
    if (existing.url !== url)
      return fail(`Error: repository name (${name}) already exists, please specify a different name`);
    return ok(`"${name}" already exists with the same configuration, skipping\n`);
  }
  if (!reachable(url)) return fail(unreachableError(url));
  file.write(repositoriesYaml([...entries, { name, url }], nowMs));
  return ok(`"${name}" has been added to your repositories\n`);
}

/** `helm repo list`. */
function list(file: HelmRepositoryFile): CommandResult {
  const entries = readRepositories(file.text);
  if (entries.length === 0) return fail('Error: no repositories to show');
  return ok(uitable([['NAME', 'URL'], ...entries.map((entry) => [entry.name, entry.url])]));
}

/** `helm repo update [REPO…]`. */
function update(names: readonly string[], file: HelmRepositoryFile): CommandResult {
  const entries = readRepositories(file.text);
  if (entries.length === 0) return fail('Error: no repositories found. You must add one before updating');
  const missing = names.find((name) => !entries.some((entry) => entry.name === name));
  if (missing !== undefined)
    return fail(`Error: no repositories found matching '${missing}'.  Nothing will be updated`);
  const chosen = names.length === 0 ? entries : entries.filter((entry) => names.includes(entry.name));
  const lines = chosen.map((entry) =>
    reachable(entry.url)
      ? `...Successfully got an update from the "${entry.name}" chart repository\n`
      : `...Unable to get an update from the "${entry.name}" chart repository (${entry.url}):\n\tGet "${withoutSlash(entry.url)}/index.yaml": dial tcp: no such host\n`,
  );
  const failed = chosen.filter((entry) => !reachable(entry.url)).map((entry) => entry.url);
  const head = 'Hang tight while we grab the latest from your chart repositories...\n';
  if (failed.length > 0)
    return {
      stdout: head + lines.join(''),
      stderr: `Error: Failed to update the following repositories: [${failed.join(' ')}]\n`,
      exitCode: 1,
    };
  return ok(`${head}${lines.join('')}Update Complete. ⎈Happy Helming!⎈\n`);
}

/** `helm repo remove NAME…`. */
function remove(names: readonly string[], file: HelmRepositoryFile, nowMs: number): CommandResult {
  if (names.length === 0)
    return fail(
      'Error: "helm repo remove" requires at least 1 argument\n\nUsage:  helm repo remove [REPO1 [REPO2 ...]] [flags]',
    );
  let entries = readRepositories(file.text);
  let stdout = '';
  for (const name of names) {
    if (!entries.some((entry) => entry.name === name))
      return { stdout, stderr: `Error: no repo named "${name}" found\n`, exitCode: 1 };
    entries = entries.filter((entry) => entry.name !== name);
    file.write(repositoriesYaml(entries, nowMs));
    stdout += `"${name}" has been removed from your repositories\n`;
  }
  return ok(stdout);
}

/** `helm repo SUBCOMMAND …`. */
export function helmRepo(args: readonly string[], file: HelmRepositoryFile, nowMs: number): CommandResult {
  const [subcommand, ...rest] = args;
  const positionals = rest.filter((arg) => !arg.startsWith('-'));
  switch (subcommand) {
    case 'add':
      return add(positionals, file, nowMs);
    case 'list':
    case 'ls':
      return list(file);
    case 'update':
    case 'up':
      return update(positionals, file);
    case 'remove':
    case 'rm':
      return remove(positionals, file, nowMs);
    default:
      return fail(
        `Error: unknown command "${subcommand ?? ''}" for "helm repo"\nSupported in this simulator: helm repo add, list, update, remove`,
      );
  }
}

/**
 * Why a chart reference cannot be located, or undefined when it can: `REPO/CHART` needs the
 * repository REPO among the reader's (ChartDownloader.ResolveChartVersion, `repo %s not found`), and
 * the chart in that repository's index.
 */
export function chartRepositoryError(
  chart: string,
  version: string | undefined,
  file: HelmRepositoryFile,
): string | undefined {
  const slash = chart.indexOf('/');
  if (slash < 0) return undefined;
  const repoName = chart.slice(0, slash);
  const entry = readRepositories(file.text).find((candidate) => candidate.name === repoName);
  if (entry === undefined) return `repo ${repoName} not found`;
  const charts = reachableRepositories[withoutSlash(entry.url)] ?? [];
  const chartName = chart.slice(slash + 1);
  if (!charts.includes(chartName))
    return `chart "${chartName}" matching ${version ?? ''} not found in ${repoName} index. (try 'helm repo update'): no chart name found`;
  return undefined;
}
