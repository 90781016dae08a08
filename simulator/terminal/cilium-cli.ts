/**
 * The agent-side cilium CLI (`cilium`, `cilium-dbg` from 1.15) for endpoints, identities and
 * policy: `endpoint list|get` (with `-o json|jsonpath=…`), `identity list|get`, `policy get` and
 * `bpf policy get`; `endpoint config` and `monitor` have their own modules. Everything is
 * read from the agent's own state (its endpoints, its view of identities and policies, the policy
 * map it computed), so a cut-off agent shows its stale picture. Layouts follow the CLI's sources
 * (cilium/cmd and cilium-dbg/cmd: tabwriter with min width 5 and padding 3, JSON indented by two
 * spaces), with the columns of the configured version (cilium/cilium
 * cilium-dbg/cmd/bpf_policy_get.go, cilium/cmd before 1.15).
 */
import type { Cluster } from '../world';
import type { AgentState, ClusterView, LocalEndpoint } from '../cilium/state';
import { agentView } from '../cilium/agent-ipcache';
import { endpointPolicyFor, hostEndpointPolicyFor } from '../cilium/endpoint-policy-cache';
import { labelSetToStrings } from '../cilium/labels';
import { ReservedIdentity, reservedIdentityNames } from '../cilium/reserved-identities';
import { policyMapRows, type EndpointPolicy } from '../policy/index';
import { fail, ok, type CommandResult } from './context';
import { toRfc3339Milli } from '../engine/virtual-time';
import { peekNodeDatapath } from '../cilium/datapath-state';
import { agentEndpointIds, hostEndpointDisplayLabels } from '../cilium/agent-endpoints';
import { healthEndpointNow, hostEndpointNow } from '../cilium/infra-endpoints';
import { endpointOptionValues, type EndpointOptionSettings } from '../cilium/endpoint-options';
import { hasLiveConnectionTo } from '../cilium/conntrack';
import { policyCountersOf } from '../cilium/policy-stats';
import { renderJsonPath } from './jsonpath';
import { realizedL4 } from './cilium-realized-l4';
import { ciliumTabs, tabwrite } from './tabwriter';
import { endpointLog } from './cilium-endpoint-log';
import { policySelectors } from './cilium-policy-selectors';

/** An endpoint as the CLI lists it: a pod's, or the agent's own host and health endpoints. */
interface CliEndpoint {
  id: number;
  identity: number;
  labels: string[];
  ipv4: string;
  state: string;
  /** The pod's endpoint, absent for the host and health endpoints. */
  local?: LocalEndpoint;
  containerId?: string;
  /** Options set with `endpoint config`. */
  options?: EndpointOptionSettings | undefined;
}

/**
 * The host and health endpoints the agent manages besides the pods' (cilium/agent-endpoints.ts for
 * their ids, cilium/infra-endpoints.ts for their states), once the agent has them; the host
 * endpoint carries the node's identity-relevant labels.
 */
function agentEndpoints(cluster: Cluster, agent: AgentState, nowMs: number): CliEndpoint[] {
  const ids = agentEndpointIds(agent);
  const endpoints: CliEndpoint[] = [];
  const host = hostEndpointNow(agent, nowMs);
  if (host !== undefined)
    endpoints.push({
      id: ids.host,
      identity: ReservedIdentity.host,
      labels: hostEndpointDisplayLabels(cluster, agent),
      ipv4: '',
      state: host.state,
      options: agent.hostEndpointOptions,
    });
  const health = healthEndpointNow(agent, nowMs);
  if (health !== undefined)
    endpoints.push({
      id: ids.health,
      identity: ReservedIdentity.health,
      labels: ['reserved:health'],
      ipv4: agent.healthIP,
      state: health.state,
      options: agent.healthEndpointOptions,
    });
  return endpoints;
}

function cliEndpoints(cluster: Cluster, agent: AgentState, nowMs: number): CliEndpoint[] {
  const pods = Object.values(agent.endpoints)
    .filter((endpoint) => endpoint.state !== 'disconnected')
    .map((endpoint) => ({
      id: endpoint.id,
      identity: endpoint.identity,
      labels: [...endpoint.labels].sort(),
      ipv4: endpoint.ip,
      state: endpoint.state,
      local: endpoint,
      containerId: endpoint.containerId,
      options: endpoint.options,
    }));
  return [...pods, ...agentEndpoints(cluster, agent, nowMs)].sort((a, b) => a.id - b.id);
}

/**
 * The policy the agent enforces for a CLI endpoint. With the host firewall on, the host endpoint
 * has the host policies that select its node; otherwise it (and the health endpoint) gets the
 * unselected policy, since the agent enforces nothing on the host without the host firewall.
 */
function policyOf(cluster: Cluster, agent: AgentState, endpoint: CliEndpoint): EndpointPolicy | undefined {
  if (
    endpoint.local === undefined &&
    endpoint.identity === ReservedIdentity.host &&
    cluster.cilium?.config.hostFirewall === true
  )
    return hostEndpointPolicyFor(cluster, agent);
  const local: LocalEndpoint = endpoint.local ?? {
    id: endpoint.id,
    podKey: '',
    namespace: '',
    podName: '',
    podUid: '',
    ip: endpoint.ipv4,
    state: 'ready',
    identity: endpoint.identity,
    labels: endpoint.labels,
    containerId: '',
    ...(endpoint.options !== undefined ? { options: { ...endpoint.options } } : {}),
  };
  return endpointPolicyFor(cluster, agent, local);
}

/** The enforcement columns; the policy carries the endpoint's own audit mode (agent-wide or its own). */
function enforcementWords(policy: EndpointPolicy | undefined): [string, string] {
  if (policy === undefined) return ['Unknown', 'Unknown'];
  const word = (enforced: boolean): string =>
    !enforced ? 'Disabled' : policy.auditMode ? 'Disabled (Audit)' : 'Enabled';
  return [word(policy.ingress.enforced), word(policy.egress.enforced)];
}

function policyEnabledValue(policy: EndpointPolicy | undefined): string {
  const ingress = policy?.ingress.enforced === true;
  const egress = policy?.egress.enforced === true;
  const base = ingress && egress ? 'both' : ingress ? 'ingress' : egress ? 'egress' : 'none';
  return policy?.auditMode === true && base !== 'none' ? `audit-${base}` : base;
}

/** `cilium endpoint list [--no-headers] [-o json|jsonpath=…]`. */
function endpointList(cluster: Cluster, agent: AgentState, args: string[], nowMs: number): CommandResult {
  const noHeaders = args.includes('--no-headers');
  const endpoints = cliEndpoints(cluster, agent, nowMs);
  const format = outputFormat(args);
  if (format !== undefined)
    return printModels(
      endpoints.map((endpoint) => endpointModel(cluster, agent, endpoint)),
      format,
    );
  const lines: string[] = [];
  if (!noHeaders) {
    lines.push(
      'ENDPOINT\tPOLICY (ingress)\tPOLICY (egress)\tIDENTITY\tLABELS (source:key[=value])\tIPv6\tIPv4\tSTATUS\t',
      '\tENFORCEMENT\tENFORCEMENT\t\t\t\t\t',
    );
  }
  for (const endpoint of endpoints) {
    const [ingress, egress] = enforcementWords(policyOf(cluster, agent, endpoint));
    const labels = endpoint.labels.length > 0 ? endpoint.labels : ['no labels'];
    labels.forEach((label, index) =>
      lines.push(
        index === 0
          ? `${endpoint.id}\t${ingress}\t${egress}\t${endpoint.identity}\t${label}\t\t${endpoint.ipv4}\t${endpoint.state}\t`
          : `\t\t\t\t${label}\t\t\t\t`,
      ),
    );
  }
  return ok(tabwrite(`${lines.join('\n')}\n`, ciliumTabs));
}

/** The uid of a policy object in an agent's view, for the labels the agent gives its rules. */
function policyUid(
  view: ClusterView | undefined,
  kind: string,
  namespace: string | undefined,
  name: string,
): string {
  for (const object of Object.values(view?.policies ?? {})) {
    if (!isObject(object) || object.kind !== kind || !isObject(object.metadata)) continue;
    const metadata = object.metadata;
    if (
      metadata.name === name &&
      (namespace === undefined || (metadata.namespace ?? 'default') === namespace)
    )
      return typeof metadata.uid === 'string' ? metadata.uid : '';
  }
  return '';
}

/** The endpoint model of the agent's REST API, reduced to the fields the simulator has. */
function endpointModel(cluster: Cluster, agent: AgentState, endpoint: CliEndpoint): unknown {
  const policy = policyOf(cluster, agent, endpoint);
  const view = agentView(cluster, agent);
  const allowed = (direction: 'ingress' | 'egress'): number[] =>
    policy === undefined ? [] : [...policy[direction].entries.keys()].sort((a, b) => a - b);
  const realized = {
    'allowed-egress-identities': allowed('egress'),
    'allowed-ingress-identities': allowed('ingress'),
    build: (view?.policyRevision ?? 0) + 1,
    id: endpoint.identity,
    l4: realizedL4(policy, (kind, namespace, name) => policyUid(view, kind, namespace, name)),
    'policy-enabled': policyEnabledValue(policy),
    'policy-revision': (view?.policyRevision ?? 0) + 1,
  };
  const local = endpoint.local;
  const healthy = endpoint.state === 'ready' ? 'OK' : 'Pending';
  const config = cluster.cilium?.config;
  return {
    id: endpoint.id,
    spec: {
      'label-configuration': {},
      options: config === undefined ? {} : endpointOptionValues(config, endpoint.options),
    },
    status: {
      ...(local !== undefined
        ? {
            'external-identifiers': {
              'container-id': local.containerId,
              'k8s-namespace': local.namespace,
              'k8s-pod-name': local.podName,
              'pod-name': `${local.namespace}/${local.podName}`,
            },
          }
        : {}),
      health: { bpf: healthy, connected: true, overallHealth: healthy, policy: healthy },
      identity: { id: endpoint.identity, labels: endpoint.labels },
      labels: { 'security-relevant': endpoint.labels },
      networking: {
        addressing: endpoint.ipv4 === '' ? [] : [{ ipv4: endpoint.ipv4 }],
        'host-addressing': { ipv4: { address: cluster.nodes[agent.node]?.internalIP ?? '' } },
      },
      policy: { realized, spec: realized },
      state: endpoint.state,
    },
  };
}

/** The agent API's endpoint models as `-o json` or `-o jsonpath=…` prints them (pkg/command). */
function printModels(models: unknown[], format: string): CommandResult {
  if (format.startsWith('jsonpath=')) {
    const rendered = renderJsonPath(format.slice('jsonpath='.length), models);
    return rendered.ok ? ok(`${rendered.text}\n`) : fail(rendered.error);
  }
  if (format !== 'json')
    return fail(`Error: Unable to handle output format "${format}": use json or jsonpath=…`);
  return ok(`${JSON.stringify(models, null, 2)}\n`);
}

function outputFormat(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '-o' || arg === '--output') return args[index + 1];
    if (arg.startsWith('-o')) return arg.slice(2).replace(/^=/, '');
    if (arg.startsWith('--output=')) return arg.slice('--output='.length);
  }
  return undefined;
}

/** `cilium endpoint get ID | -l LABEL [-o json|jsonpath=…]`. */
function endpointGet(cluster: Cluster, agent: AgentState, args: string[], nowMs: number): CommandResult {
  const endpoints = cliEndpoints(cluster, agent, nowMs);
  const labelIndex = args.findIndex((arg) => arg === '-l' || arg === '--labels');
  let selected: CliEndpoint[];
  if (labelIndex >= 0) {
    const wanted = (args[labelIndex + 1] ?? '').split(',').filter((item) => item !== '');
    selected = endpoints.filter((endpoint) =>
      wanted.every((label) => endpoint.labels.includes(label) || endpoint.labels.includes(`k8s:${label}`)),
    );
    if (selected.length === 0)
      return fail(`Error: Cannot get endpoint with labels ${JSON.stringify(wanted)}: endpoint not found`);
  } else {
    const id = args.find(
      (arg, index) => !arg.startsWith('-') && !['-o', '--output'].includes(args[index - 1] ?? ''),
    );
    if (id === undefined)
      return fail('Error: missing endpoint id argument\nUsage:\n  cilium endpoint get <endpoint id> [flags]');
    const found = endpoints.find((endpoint) => String(endpoint.id) === id.replace(/^cilium-local:/, ''));
    if (found === undefined)
      return fail(`Error: Cannot get endpoint ${id}: [GET /endpoint/{id}][404] getEndpointIdNotFound `);
    selected = [found];
  }
  const models = selected.map((endpoint) => endpointModel(cluster, agent, endpoint));
  return printModels(models, outputFormat(args) ?? 'json');
}

/** The identities an agent knows: the reserved ones and its view's CiliumIdentities. */
function knownIdentities(view: ClusterView | undefined): { id: number; labels: string[] }[] {
  const identities: { id: number; labels: string[] }[] = Object.entries(reservedIdentityNames).map(
    ([id, name]) => ({
      id: Number(id),
      labels:
        Number(id) === ReservedIdentity.kubeApiserver ? ['reserved:kube-apiserver'] : [`reserved:${name}`],
    }),
  );
  for (const id of Object.keys(view?.identities ?? {}))
    identities.push({ id: Number(id), labels: labelSetToStrings(view?.identities[id] ?? {}) });
  return identities.sort((a, b) => a.id - b.id);
}

function identityTable(identities: { id: number; labels: string[] }[]): string {
  const lines = ['ID\tLABELS'];
  for (const identity of identities)
    identity.labels.forEach((label, index) => lines.push(`${index === 0 ? identity.id : ''}\t${label}`));
  return tabwrite(`${lines.join('\n')}\n`, { minWidth: 5, padding: 3 });
}

/** `cilium identity list [LABEL…]` and `cilium identity get ID`. */
function identity(cluster: Cluster, agent: AgentState, args: string[]): CommandResult {
  const [verb, ...rest] = args;
  const identities = knownIdentities(agentView(cluster, agent));
  const json = outputFormat(rest) === 'json';
  const print = (list: { id: number; labels: string[] }[]): CommandResult =>
    json ? ok(`${JSON.stringify(list, null, 2)}\n`) : ok(identityTable(list));
  if (verb === 'list' || verb === 'ls') {
    const wanted = rest.filter(
      (arg, index) => !arg.startsWith('-') && !['-o', '--output'].includes(rest[index - 1] ?? ''),
    );
    return print(
      identities.filter((item) =>
        wanted.every((label) => item.labels.some((own) => own === label || own.endsWith(`:${label}`))),
      ),
    );
  }
  if (verb === 'get') {
    const id = rest.find((arg) => !arg.startsWith('-'));
    if (id === undefined) return fail('Error: Invalid identity ID');
    const found = identities.find((item) => String(item.id) === id);
    if (found === undefined)
      return fail(
        `Error: Cannot get identity for given ID ${id}: [GET /identity/{id}][404] getIdentityIdNotFound `,
      );
    return print([found]);
  }
  return fail(`Error: unknown command "${verb ?? ''}" for "cilium identity"`);
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function sortKeys(record: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

/**
 * A selector as the agent stores it: keys without a source get `any:`, and a namespaced policy's
 * peers are confined to its namespace unless they name one (pkg/k8s/apis/cilium.io/utils).
 */
function agentSelector(selector: unknown, namespace: string | undefined): JsonObject {
  const raw = isObject(selector) ? selector : {};
  const prefix = (key: string): string =>
    /^[a-z0-9-]+:/.test(key) && !key.includes('/') ? key : key.includes(':') ? key : `any:${key}`;
  const matchLabels: JsonObject = {};
  for (const [key, value] of Object.entries(isObject(raw.matchLabels) ? raw.matchLabels : {}))
    matchLabels[prefix(key)] = value;
  const expressions = Array.isArray(raw.matchExpressions)
    ? (raw.matchExpressions as unknown[]).filter(isObject).map((expression) => ({
        ...expression,
        key: prefix(String(expression.key)),
      }))
    : [];
  const namesNamespace =
    Object.keys(matchLabels).some((key) => key.endsWith('io.kubernetes.pod.namespace')) ||
    expressions.some((expression) => expression.key.endsWith('io.kubernetes.pod.namespace'));
  if (namespace !== undefined && !namesNamespace) matchLabels['k8s:io.kubernetes.pod.namespace'] = namespace;
  const result: JsonObject = {};
  if (Object.keys(matchLabels).length > 0) result.matchLabels = sortKeys(matchLabels);
  if (expressions.length > 0) result.matchExpressions = expressions;
  return result;
}

function agentSection(section: unknown, namespace: string | undefined): unknown {
  if (!isObject(section)) return section;
  const result: JsonObject = { ...section };
  for (const key of ['fromEndpoints', 'toEndpoints'])
    if (Array.isArray(section[key]))
      result[key] = (section[key] as unknown[]).map((selector) => agentSelector(selector, namespace));
  return result;
}

/** The rules of one policy object as the agent's repository holds them (api.Rule JSON). */
function agentRules(key: string, object: unknown): JsonObject[] {
  if (!isObject(object)) return [];
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  const kind = text(object.kind, '');
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  const namespace = clusterwide ? undefined : text(metadata.namespace, 'default');
  const labels = [
    { key: 'io.cilium.k8s.policy.derived-from', value: kind, source: 'k8s' },
    { key: 'io.cilium.k8s.policy.name', value: text(metadata.name, key), source: 'k8s' },
    ...(namespace !== undefined
      ? [{ key: 'io.cilium.k8s.policy.namespace', value: namespace, source: 'k8s' }]
      : []),
    { key: 'io.cilium.k8s.policy.uid', value: text(metadata.uid, ''), source: 'k8s' },
  ];
  if (kind === 'NetworkPolicy') {
    const spec = isObject(object.spec) ? object.spec : {};
    return [{ endpointSelector: agentSelector(spec.podSelector, namespace), labels }];
  }
  const specs = [
    ...(isObject(object.spec) ? [object.spec] : []),
    ...(Array.isArray(object.specs) ? (object.specs as unknown[]).filter(isObject) : []),
  ];
  return specs.map((spec) => {
    const rule: JsonObject = {};
    if (spec.endpointSelector !== undefined)
      rule.endpointSelector = agentSelector(spec.endpointSelector, namespace);
    if (spec.nodeSelector !== undefined) rule.nodeSelector = agentSelector(spec.nodeSelector, undefined);
    for (const direction of ['ingress', 'ingressDeny', 'egress', 'egressDeny'])
      if (Array.isArray(spec[direction]))
        rule[direction] = (spec[direction] as unknown[]).map((section) => agentSection(section, namespace));
    rule.labels = labels;
    if (spec.enableDefaultDeny !== undefined) rule.enableDefaultDeny = spec.enableDefaultDeny;
    if (spec.description !== undefined) rule.description = spec.description;
    return rule;
  });
}

/** `cilium policy get [LABEL…]`: the repository as JSON, then its revision. */
function policyGet(cluster: Cluster, agent: AgentState, args: string[]): CommandResult {
  const view = agentView(cluster, agent);
  const rules = Object.keys(view?.policies ?? {})
    .sort()
    .flatMap((key) => agentRules(key, view?.policies[key]));
  const wanted = args.filter((arg) => !arg.startsWith('-'));
  const matching = rules.filter((rule) =>
    wanted.every((text) => {
      const label = text.replace(/^k8s:/, '');
      const [key, value] = label.split('=');
      return (rule.labels as { key: string; value: string }[]).some(
        (item) => item.key === key && (value === undefined || item.value === value),
      );
    }),
  );
  const revision = (view?.policyRevision ?? 0) + 1;
  if (wanted.length > 0 && matching.length === 0)
    return fail('Error: Cannot get policy: [GET /policy][404] getPolicyNotFound  Policy not found');
  if (outputFormat(args) === 'json')
    return ok(`${JSON.stringify({ policy: JSON.stringify(matching, null, 2), revision }, null, 2)}\n`);
  const text = matching.length === 0 ? 'null' : JSON.stringify(matching, null, 2);
  return ok(`${text}\nRevision: ${revision}\n`);
}

/** The map's pinned path, as `bpf policy get --all` prints it. */
function policyMapPath(id: number): string {
  return `/sys/fs/bpf/tc/globals/cilium_policy_${String(id).padStart(5, '0')}`;
}

/** The policy map of one endpoint as `bpf policy get` prints it, with the version's columns. */
function policyMapTable(
  cluster: Cluster,
  agent: AgentState,
  endpoint: CliEndpoint,
  numeric: boolean,
): string {
  const policy = policyOf(cluster, agent, endpoint);
  if (policy === undefined) return 'Policy stats empty. Perhaps the policy enforcement is disabled?\n';
  const view = agentView(cluster, agent);
  const minor = cluster.cilium?.config.versionMinor ?? 12;
  const withAuth = minor >= 14;
  const withPrefix = minor >= 16;
  const header = [
    'POLICY',
    'DIRECTION',
    numeric ? 'IDENTITY' : 'LABELS (source:key[=value])',
    'PORT/PROTO',
    'PROXY PORT',
    ...(withAuth ? ['AUTH TYPE'] : []),
    'BYTES',
    'PACKETS',
    ...(withPrefix ? ['PREFIX'] : []),
  ];
  // Up to 1.15 every line ends with a tab; the LPM-era CLI ends its lines with the last column.
  const end = withPrefix ? '' : '\t';
  const lines = [header.join('\t') + end];
  const rows = policyMapRows(policy);
  for (const row of rows) {
    const labelsOf = (): string[] => {
      if (row.identity === 0) return [withPrefix ? 'ANY' : 'reserved:unknown'];
      const reserved = reservedIdentityNames[row.identity];
      if (reserved !== undefined) return [`reserved:${reserved}`];
      const known = view?.identities[String(row.identity)];
      return known === undefined ? [String(row.identity)] : labelSetToStrings(known);
    };
    const labels = numeric ? [String(row.identity)] : labelsOf();
    const counters = policyCountersOf(cluster, {
      node: agent.node,
      endpointId: endpoint.id,
      direction: row.direction === 'Ingress' ? 'ingress' : 'egress',
      identity: row.identity,
      port: row.port,
    });
    const cells = (label: string): string[] => [
      row.policy,
      row.direction,
      label,
      row.port,
      row.proxyPort === 0 ? 'NONE' : String(row.proxyPort),
      ...(withAuth ? [row.authType ?? 'disabled'] : []),
      String(counters.bytes),
      String(counters.packets),
      ...(withPrefix ? [String(row.prefixLength ?? 0)] : []),
    ];
    labels.forEach((label, index) =>
      lines.push(
        index === 0 ? cells(label).join('\t') + end : `\t\t${label}${'\t'.repeat(header.length - 2)}`,
      ),
    );
  }
  const table = tabwrite(`${lines.join('\n')}\n`, ciliumTabs);
  return rows.length === 0
    ? `${table}Policy stats empty. Perhaps the policy enforcement is disabled?\n`
    : table;
}

/** `cilium bpf policy get ID|--all [-n]`. */
function bpfPolicyGet(cluster: Cluster, agent: AgentState, args: string[], nowMs: number): CommandResult {
  const numeric = args.includes('-n') || args.includes('--numeric');
  const endpoints = cliEndpoints(cluster, agent, nowMs);
  if (args.includes('--all')) {
    const minor = cluster.cilium?.config.versionMinor ?? 12;
    return ok(
      endpoints
        .map((endpoint) => {
          const path = policyMapPath(endpoint.id);
          const table = policyMapTable(cluster, agent, endpoint, numeric);
          return minor >= 16
            ? `Endpoint ID: ${endpoint.id}\nPath: ${path}\n\n${table}\n\n`
            : `${path}:\n\n${table}\n\n`;
        })
        .join(''),
    );
  }
  const id = args.find((arg) => !arg.startsWith('-'));
  if (id === undefined) return fail('Error: Missing endpoint id argument');
  if (!/^\d+$/.test(id)) return fail(`Error: Failed to parse endpointID "${id}"`);
  const endpoint = endpoints.find((candidate) => candidate.id === Number(id));
  if (endpoint === undefined)
    return fail(
      `Error: Failed to open map: unable to open map ${policyMapPath(Number(id))}: no such file or directory`,
    );
  return ok(policyMapTable(cluster, agent, endpoint, numeric));
}

/** Runs the endpoint, identity and policy subcommands; undefined when the command is not one of them. */
export function ciliumPolicyCommands(
  cluster: Cluster,
  agent: AgentState,
  args: string[],
  nowMs: number,
): CommandResult | undefined {
  const [group, verb, ...rest] = args;
  if (group === 'endpoint' || group === 'ep') {
    if (verb === 'list' || verb === 'ls') return endpointList(cluster, agent, rest, nowMs);
    if (verb === 'get') return endpointGet(cluster, agent, rest, nowMs);
    if (verb === 'log') return endpointLog(agent, rest, nowMs);
    return fail(`Error: unknown command "${verb ?? ''}" for "cilium endpoint"`);
  }
  if (group === 'identity') return identity(cluster, agent, [verb ?? '', ...rest]);
  if (group === 'fqdn' && verb === 'cache' && (rest[0] === 'list' || rest[0] === 'ls'))
    return fqdnCacheList(cluster, agent, nowMs);
  if (group === 'policy' && verb === 'get') return policyGet(cluster, agent, rest);
  if (group === 'policy' && verb === 'selectors') return policySelectors(cluster, agent, rest);
  if (group === 'bpf' && verb === 'policy') {
    const [action, ...options] = rest;
    if (action === 'get') return bpfPolicyGet(cluster, agent, options, nowMs);
    return fail(`Error: unknown command "${action ?? ''}" for "cilium bpf policy"`);
  }
  return undefined;
}

/**
 * `cilium fqdn cache list`: what the node's DNS proxy learnt, one row per endpoint, name and answer,
 * read without collecting garbage (an address past its TTL stays listed while a connection uses it).
 */
function fqdnCacheList(cluster: Cluster, agent: AgentState, nowMs: number): CommandResult {
  const cache = peekNodeDatapath(cluster, agent.node)?.fqdn ?? {};
  const rows: string[][] = [];
  for (const endpointId of Object.keys(cache).sort((a, b) => Number(a) - Number(b))) {
    const byName = cache[endpointId] ?? {};
    for (const name of Object.keys(byName).sort()) {
      const answers = new Map<string, { ttl: number; expires: number; ips: string[] }>();
      for (const [ip, entry] of Object.entries(byName[name] ?? {})) {
        const live =
          entry.expiresAtMs > nowMs ||
          hasLiveConnectionTo(cluster, agent.node, Number(endpointId), ip, nowMs);
        if (!live) continue;
        const key = `${entry.expiresAtMs}/${entry.answerTtlSeconds}`;
        const answer = answers.get(key) ?? {
          ttl: entry.answerTtlSeconds,
          expires: entry.expiresAtMs,
          ips: [],
        };
        answer.ips.push(ip);
        answers.set(key, answer);
      }
      for (const answer of answers.values())
        rows.push([
          endpointId,
          'lookup',
          name,
          String(answer.ttl),
          toRfc3339Milli(answer.expires),
          answer.ips.sort().join(','),
        ]);
    }
  }
  const lines = [['Endpoint', 'Source', 'FQDN', 'TTL', 'ExpirationTime', 'IPs'], ...rows].map((row) =>
    row.join('\t'),
  );
  return ok(tabwrite(`${lines.join('\n')}\n`, ciliumTabs));
}
