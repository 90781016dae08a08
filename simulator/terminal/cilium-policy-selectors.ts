/**
 * `cilium-dbg policy selectors [-v] [-o json|yaml|jsonpath=…]`: the agent's selector cache
 * (cilium/endpoint-policy-cache.ts). Layout and flags follow cilium-dbg/cmd/policy_selectors.go at
 * v1.18: SELECTOR, LABELS (the `namespace/name` of the policies using it, or with `-v` their full
 * labels), USERS and IDENTITIES, one identity a line, in a tabwriter of min width 5 and padding 3.
 */
import type { Cluster } from '../world';
import type { AgentState } from '../cilium/state';
import { agentSelectorCache } from '../cilium/endpoint-policy-cache';
import { agentView } from '../cilium/agent-ipcache';
import type { RuleOrigin, SelectorCacheEntry } from '../policy/index';
import { cobraParse } from './cobra-args';
import { ciliumDbgGlobalFlags } from './cilium-dbg-usage';
import { ciliumDbgYaml } from './cilium-dbg-output';
import { fail, ok, type CommandResult } from './context';
import { renderJsonPath } from './jsonpath';
import { ciliumTabs, tabwrite } from './tabwriter';

const usage = `Usage:
  cilium-dbg policy selectors [flags]

Flags:
  -h, --help            help for selectors
  -o, --output string   json| yaml| jsonpath='{}'
  -v, --verbose         Show the full labels

${ciliumDbgGlobalFlags}`;

/** A label of the API's LabelArray model. */
interface ModelLabel {
  key: string;
  source: string;
  value: string;
}

/** The labels Cilium gives a policy's rules (k8s:io.cilium.k8s.policy.*, pkg/k8s/apis/cilium.io). */
function policyLabels(origin: RuleOrigin, uid: string | undefined): ModelLabel[] {
  const label = (key: string, value: string): ModelLabel => ({
    key: `io.cilium.k8s.policy.${key}`,
    source: 'k8s',
    value,
  });
  return [
    label('derived-from', origin.kind),
    label('name', origin.name),
    ...(origin.namespace === undefined ? [] : [label('namespace', origin.namespace)]),
    ...(uid === undefined ? [] : [label('uid', uid)]),
  ];
}

/** The policy object's uid in the agent's view, which the rule labels carry. */
function uidOf(cluster: Cluster, agent: AgentState, origin: RuleOrigin): string | undefined {
  for (const stored of Object.values(agentView(cluster, agent)?.policies ?? {})) {
    const object = stored as {
      kind?: string;
      metadata?: { name?: string; namespace?: string; uid?: string };
    };
    if (
      object.kind === origin.kind &&
      object.metadata?.name === origin.name &&
      object.metadata.namespace === origin.namespace
    )
      return object.metadata.uid;
  }
  return undefined;
}

/** The LABELS column: `namespace/name` of namespaced policies, or every label with -v (LabelArrayList.String()). */
function labelsColumn(labels: ModelLabel[][], verbose: boolean): string {
  if (verbose) {
    if (labels.length === 0) return '';
    const arrays = labels.map(
      (array) =>
        `[${[...array]
          .sort((a, b) => (a.key < b.key ? -1 : 1))
          .map((item) => `${item.source}:${item.key}=${item.value}`)
          .join(' ')}]`,
    );
    return `[${arrays.join(', ')}]`;
  }
  const value = (array: ModelLabel[], key: string): string =>
    array.find((item) => item.key === `io.cilium.k8s.policy.${key}`)?.value ?? '';
  return labels
    .filter((array) => value(array, 'namespace') !== '')
    .map((array) => `${value(array, 'namespace')}/${value(array, 'name')}`)
    .join(',');
}

function table(models: SelectorModel[], verbose: boolean): string {
  const rows = ['SELECTOR\tLABELS\tUSERS\tIDENTITIES'];
  for (const model of models) {
    const head = `${model.selector}\t${labelsColumn(model.labels, verbose)}\t${model.users}`;
    if (model.identities.length === 0) rows.push(`${head}\t`);
    model.identities.forEach((id, index) => rows.push(index === 0 ? `${head}\t${id}\t` : `\t\t\t${id}\t`));
  }
  return tabwrite(`${rows.join('\n')}\n`, ciliumTabs);
}

/** The API's SelectorIdentityMapping model, its fields in the generated model's (alphabetical) order. */
interface SelectorModel {
  identities: number[];
  labels: ModelLabel[][];
  selector: string;
  users: number;
}

function model(cluster: Cluster, agent: AgentState, entry: SelectorCacheEntry): SelectorModel {
  return {
    identities: [...entry.identities],
    labels: entry.origins.map((origin) => policyLabels(origin, uidOf(cluster, agent, origin))),
    selector: entry.selector,
    users: entry.users,
  };
}

/** Runs `policy selectors` on the agent's own cache. */
export function policySelectors(cluster: Cluster, agent: AgentState, args: readonly string[]): CommandResult {
  const parsed = cobraParse(args, [
    { long: 'output', short: 'o', takesValue: true },
    { long: 'verbose', short: 'v', takesValue: false },
    { long: 'help', short: 'h', takesValue: false },
  ]);
  if ('error' in parsed) return { stdout: usage, stderr: `Error: ${parsed.error}\n`, exitCode: 1 };
  if (parsed.flags.has('help')) return ok(`Display cached information about selectors\n\n${usage}`);
  if (parsed.positionals.length > 0)
    return {
      stdout: usage,
      stderr: `Error: unknown command "${parsed.positionals[0] ?? ''}" for "cilium-dbg policy selectors"\n`,
      exitCode: 1,
    };
  const models = agentSelectorCache(cluster, agent).map((entry) => model(cluster, agent, entry));
  const format = parsed.flags.get('output');
  if (format === undefined) return ok(table(models, parsed.flags.has('verbose')));
  if (format === 'json') return ok(`${JSON.stringify(models, null, 2)}\n`);
  if (format === 'yaml') return ok(ciliumDbgYaml(models));
  if (format.startsWith('jsonpath=')) {
    const rendered = renderJsonPath(format.slice('jsonpath='.length), models);
    return rendered.ok ? ok(`${rendered.text}\n`) : fail(rendered.error);
  }
  return fail(`Error: Unable to handle output format "${format}": use json, yaml or jsonpath=…`);
}
