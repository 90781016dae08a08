/**
 * How cilium-cli prints a `cilium status` (cilium/cilium cilium-cli/status/status.go at v1.18.5:
 * Format, statusSummary, PodStateCount.Format, formatPhaseCount, and the JSON of `-o json`). The
 * box, the counts and the summaries carry ANSI colours whether or not standard output is a
 * terminal: Format writes them unconditionally, so `cilium status | cat` shows them too (the site's
 * terminal draws them as colours, terminal/sgr-spans.ts). Go's tabwriter pads cells by their
 * length in characters, escape codes included, which the emulation reproduces.
 */
import { tabwrite } from './tabwriter';
import {
  ciliumComponents,
  type CiliumStatus,
  type ErrorCount,
  type PodStateCount,
} from './cilium-host-status';

const red = '\x1b[31m';
const yellow = '\x1b[33m';
const blue = '\x1b[34m';
const green = '\x1b[32m';
const magenta = '\x1b[35m';
const cyan = '\x1b[36m';
const reset = '\x1b[0m';

/** Keys in Go's order for a map printed with slices.Sorted(maps.Keys(…)). */
const sortedKeys = <V>(map: ReadonlyMap<string, V>): string[] => [...map.keys()].sort();

/** `OK`, or the component's error and warning counts, or `disabled` (statusSummary). */
function summary(status: CiliumStatus, name: string): string {
  const pods = status.errors.get(name);
  let errors = 0;
  let warnings = 0;
  let disabled = false;
  for (const count of pods?.values() ?? []) {
    errors += count.errors.length;
    warnings += count.warnings.length;
    disabled ||= count.disabled;
  }
  const parts: string[] = [];
  if (errors > 0) parts.push(`${red}${errors} errors${reset}`);
  if (warnings > 0) parts.push(`${yellow}${warnings} warnings${reset}`);
  if (disabled) parts.push(`${cyan}disabled${reset}`);
  return parts.length > 0 ? parts.join(', ') : `${green}OK${reset}`;
}

function formatPodState(count: PodStateCount): string {
  const items: string[] = [];
  const shade = count.ready < count.desired ? yellow : green;
  if (count.desired > 0) items.push(`Desired: ${count.desired}`);
  if (count.ready > 0) items.push(`Ready: ${shade}${count.ready}/${count.desired}${reset}`);
  if (count.available > 0) items.push(`Available: ${shade}${count.available}/${count.desired}${reset}`);
  if (count.unavailable > 0) items.push(`Unavailable: ${red}${count.unavailable}/${count.desired}${reset}`);
  return items.join(', ');
}

/**
 * Phases with their counts. Go ranges over the map in random order; the phases a pod of one
 * component is in at once are few, and they are printed here in the order first seen.
 */
function formatPhases(phases: ReadonlyMap<string, number>): string {
  const colourOf = (phase: string): string =>
    phase === 'Failed' || phase === 'Unknown'
      ? red
      : phase === 'Running' || phase === 'Pending' || phase === 'Succeeded'
        ? green
        : '';
  return [...phases].map(([phase, count]) => `${phase}: ${colourOf(phase)}${count}${reset}`).join(', ');
}

/** The status box and tables, as `cilium status` prints them (Format). */
export function formatCiliumStatus(status: CiliumStatus): string {
  const { agent, operator, envoy, relay, clusterMesh } = ciliumComponents;
  const envoySummary = summary(status, envoy).replace('disabled', 'disabled (using embedded mode)');
  const lines = [
    `${yellow}    /¯¯\\`,
    `${cyan} /¯¯${yellow}\\__/${green}¯¯\\${reset}\tCilium:\t${summary(status, agent)}`,
    `${cyan} \\__${red}/¯¯\\${green}__/${reset}\tOperator:\t${summary(status, operator)}`,
    `${green} /¯¯${red}\\__/${magenta}¯¯\\${reset}\tEnvoy DaemonSet:\t${envoySummary}`,
    `${green} \\__${blue}/¯¯\\${magenta}__/${reset}\tHubble Relay:\t${summary(status, relay)}`,
    `${blue}${blue}${blue}    \\__/${reset}\tClusterMesh:\t${summary(status, clusterMesh)}`,
    '',
  ];
  for (const name of sortedKeys(status.podState)) {
    const count = status.podState.get(name) as PodStateCount;
    lines.push(`${count.type}\t${name}\t${formatPodState(count)}`);
  }
  let header = 'Containers:';
  for (const name of sortedKeys(status.phaseCount)) {
    lines.push(`${header}\t${name}\t${formatPhases(status.phaseCount.get(name) ?? new Map())}`);
    header = '';
  }
  lines.push(`Cluster Pods:\t${status.podsCount.byCilium}/${status.podsCount.all} managed by Cilium`);
  lines.push(`Helm chart version:\t${status.helmChartVersion}`);
  header = 'Image versions';
  for (const name of sortedKeys(status.imageCount)) {
    const images = status.imageCount.get(name) ?? new Map<string, number>();
    for (const image of sortedKeys(images)) {
      lines.push(`${header}\t${name}\t${image}: ${images.get(image) ?? 0}`);
      header = '';
    }
  }
  for (const [title, pick] of [
    ['Errors:', 'errors'],
    ['Warnings:', 'warnings'],
  ] as const) {
    header = title;
    for (const component of sortedKeys(status.errors)) {
      const pods = status.errors.get(component) ?? new Map<string, ErrorCount>();
      for (const pod of sortedKeys(pods))
        for (const message of pods.get(pod)?.[pick] ?? []) {
          lines.push(`${header}\t${component}\t${pod}\t${message}`);
          header = '';
        }
    }
  }
  return tabwrite(`${lines.join('\n')}\n`, { minWidth: 0, padding: 4 });
}

/** A Go map of maps as encoding/json writes it: keys sorted. */
const sortedObject = <V, W>(map: ReadonlyMap<string, V>, convert: (value: V) => W): Record<string, W> =>
  Object.fromEntries(sortedKeys(map).map((key) => [key, convert(map.get(key) as V)]));

/**
 * `cilium status -o json`: json.MarshalIndent(status, "", " "). The agents' own status responses
 * and endpoint lists (cilium_status, cilium_endpoints) are left out here; the collection errors are
 * Go errors, which encoding/json writes as empty objects.
 */
export function ciliumStatusJson(status: CiliumStatus): string {
  const document: Record<string, unknown> = {
    image_count: sortedObject(status.imageCount, (images) => sortedObject(images, (count) => count)),
    phase_count: sortedObject(status.phaseCount, (phases) => sortedObject(phases, (count) => count)),
    pod_state: sortedObject(status.podState, (count) => ({
      Type: count.type,
      Desired: count.desired,
      Ready: count.ready,
      Available: count.available,
      Unavailable: count.unavailable,
    })),
    pods_count: { all: status.podsCount.all, by_cilium: status.podsCount.byCilium },
    errors: sortedObject(status.errors, (pods) =>
      sortedObject(pods, (count) => ({
        Errors: count.errors,
        Warnings: count.warnings,
        Disabled: count.disabled,
      })),
    ),
  };
  if (status.collectionErrors.length > 0)
    document.collection_errors = status.collectionErrors.map(() => ({}));
  if (status.helmChartVersion !== '') document.helm_chart_version = status.helmChartVersion;
  return `${JSON.stringify(document, null, ' ')}\n`;
}
