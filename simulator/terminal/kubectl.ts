/**
 * `kubectl` against the simulated API server: get, apply, scale, rollout restart/status, exec and
 * delete, with the flags the guides use and kubectl's own wording for mistakes.
 */
import { withPolicyStatus } from './policy-status';
import { gatewayApiBundle } from '../k8s/gateway-api-crds';
import { getCrds } from './kubectl-crds';
import { listObjects, getObject } from '../k8s/api-store';
import { selectorMatches } from '../k8s/metadata';
import type { ApiKind, ApiObject, LabelSelector, Pod } from '../k8s/objects';
import { goValue, jsonPathValues, printValue, renderJsonPath } from './jsonpath';
import { parseArgs, type FlagSpec } from './kube-args';
import {
  formatTable,
  podStatus,
  builtInResourceType,
  resolveResourceType,
  resourceType,
  servedResourceType,
  crdColumnsOf,
  type ResourceType,
} from './kubectl-resources';
import { apiServerUnreachable, kubeletUnreachable } from './kubectl-connection';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { runInPod } from './pod-commands';
import { noResourcesMessage, objectsInScope, parseLabelSelector, scopeOf } from './kubectl-select';
import { describe } from './kubectl-describe-command';
import { label } from './kubectl-label';
import { annotate } from './kubectl-annotate';
import { wait, watch } from './kubectl-wait';
import { rollout } from './kubectl-rollout';
import { kubectlJson, kubectlYaml } from './kubectl-output';
import { alignColumns } from '../cilium/cli-format';
import { podsLogs, type LogsRequest } from './kubectl-logs';
import { serverMinor } from '../k8s/kubernetes-versions';
import { routeKubectl } from './kubectl-contexts';
import { apply, unreachableUrl } from './kubectl-apply';
import { create } from './kubectl-create';
import { remove } from './kubectl-delete';
import { patch } from './kubectl-patch';
import { copy } from './kubectl-cp';
import { auth } from './kubectl-auth';
import { expose } from './kubectl-expose';
import { run, runFlags } from './kubectl-run';
import { top } from './kubectl-top';
import { portForward } from './kubectl-port-forward';
import { apiResources, apiResourcesFlags, apiVersions } from './kubectl-api-resources';
import { sortByField } from './kubectl-sort';
import { firstPodForLogs, mostActivePod } from './kubectl-pod-order';
import { requestedTypes, unknownTypeError, type TypeRequest } from './kubectl-get-types';
import { apiCallMs, forbidden, globalFlags, namespaceOf, resourceRequest } from './kubectl-request';

const commonFlags: FlagSpec[] = [
  { names: ['--namespace', '-n'], takesValue: true },
  { names: ['--all-namespaces', '-A'], takesValue: false },
  { names: ['--selector', '-l'], takesValue: true },
  { names: ['--output', '-o'], takesValue: true },
  { names: ['--field-selector'], takesValue: true },
  { names: ['--no-headers'], takesValue: false },
  { names: ['--filename', '-f'], takesValue: true },
  { names: ['--replicas'], takesValue: true },
  { names: ['--container', '-c'], takesValue: true },
  { names: ['--stdin', '-i'], takesValue: false },
  { names: ['--tty', '-t'], takesValue: false },
  { names: ['--all'], takesValue: false },
  { names: ['--timeout'], takesValue: true },
  { names: ['--watch', '-w'], takesValue: false },
  { names: ['--request-timeout'], takesValue: true },
  { names: ['--show-labels'], takesValue: false },
  ...globalFlags,
];

/** The flags each new subcommand accepts; anything else is an unknown flag, as in kubectl. */
const namespaceFlags: FlagSpec[] = [
  { names: ['--namespace', '-n'], takesValue: true },
  { names: ['--all-namespaces', '-A'], takesValue: false },
  { names: ['--selector', '-l'], takesValue: true },
  { names: ['--request-timeout'], takesValue: true },
  ...globalFlags,
];
const dryRunAndOutput: FlagSpec[] = [
  { names: ['--output', '-o'], takesValue: true },
  { names: ['--dry-run'], takesValue: true },
];
const subcommandFlags: Record<string, FlagSpec[]> = {
  // `-q, --quiet`: only the remote session's output (the Cilium docs' AWS guide passes it).
  exec: [...commonFlags, { names: ['--quiet', '-q'], takesValue: false }],
  // 127.0.0.1 and ::1 are where the reader's machine listens; other addresses are refused below.
  'port-forward': [
    ...commonFlags,
    { names: ['--address'], takesValue: true },
    { names: ['--pod-running-timeout'], takesValue: true },
  ],
  describe: [...namespaceFlags, { names: ['--show-events'], takesValue: false }],
  label: [
    ...namespaceFlags,
    { names: ['--overwrite'], takesValue: false },
    { names: ['--all'], takesValue: false },
    { names: ['--list'], takesValue: false },
  ],
  annotate: [
    ...namespaceFlags,
    { names: ['--overwrite'], takesValue: false },
    { names: ['--all'], takesValue: false },
    { names: ['--list'], takesValue: false },
  ],
  create: [
    ...namespaceFlags,
    ...dryRunAndOutput,
    { names: ['--filename', '-f'], takesValue: true },
    // create secret tls|generic (kubectl-create-secret.ts), create configmap
    { names: ['--cert'], takesValue: true },
    { names: ['--key'], takesValue: true },
    { names: ['--from-file'], takesValue: true },
    { names: ['--from-literal'], takesValue: true },
    { names: ['--type'], takesValue: true },
    // create deployment and job (kubectl-create.ts)
    { names: ['--image'], takesValue: true },
    { names: ['--from'], takesValue: true },
    { names: ['--replicas', '-r'], takesValue: true },
    { names: ['--port'], takesValue: true },
    // create service clusterip|nodeport|loadbalancer
    { names: ['--tcp'], takesValue: true },
    { names: ['--node-port'], takesValue: true },
    { names: ['--clusterip'], takesValue: true },
    // create role|clusterrole, rolebinding|clusterrolebinding
    { names: ['--verb'], takesValue: true },
    { names: ['--resource'], takesValue: true },
    { names: ['--resource-name'], takesValue: true },
    { names: ['--non-resource-url'], takesValue: true },
    { names: ['--role'], takesValue: true },
    { names: ['--clusterrole'], takesValue: true },
    { names: ['--user'], takesValue: true },
    { names: ['--group'], takesValue: true },
    { names: ['--serviceaccount'], takesValue: true },
  ],
  run: [...namespaceFlags, ...runFlags],
  expose: [
    ...namespaceFlags,
    { names: ['--port'], takesValue: true },
    { names: ['--target-port'], takesValue: true },
    { names: ['--type'], takesValue: true },
    { names: ['--name'], takesValue: true },
    { names: ['--protocol'], takesValue: true },
  ],
  delete: [
    ...namespaceFlags,
    { names: ['--output', '-o'], takesValue: true },
    { names: ['--filename', '-f'], takesValue: true },
    { names: ['--all'], takesValue: false },
    { names: ['--ignore-not-found'], takesValue: false },
    { names: ['--now'], takesValue: false },
    { names: ['--force'], takesValue: false },
    { names: ['--grace-period'], takesValue: true },
    { names: ['--wait'], takesValue: false },
    { names: ['--timeout'], takesValue: true },
    { names: ['--cascade'], takesValue: true },
    { names: ['--field-selector'], takesValue: true },
  ],
  patch: [
    ...namespaceFlags,
    ...dryRunAndOutput,
    { names: ['--filename', '-f'], takesValue: true },
    { names: ['--patch', '-p'], takesValue: true },
    { names: ['--patch-file'], takesValue: true },
    { names: ['--type'], takesValue: true },
    { names: ['--local'], takesValue: false },
    { names: ['--subresource'], takesValue: true },
  ],
  cp: [
    ...namespaceFlags,
    { names: ['--container', '-c'], takesValue: true },
    { names: ['--no-preserve'], takesValue: false },
    { names: ['--retries'], takesValue: true },
  ],
  auth: [
    ...namespaceFlags,
    { names: ['--list'], takesValue: false },
    { names: ['--quiet', '-q'], takesValue: false },
    { names: ['--subresource'], takesValue: true },
    { names: ['--no-headers'], takesValue: false },
  ],
  rollout: [
    ...namespaceFlags,
    { names: ['--watch', '-w'], takesValue: false },
    { names: ['--timeout'], takesValue: true },
    { names: ['--revision'], takesValue: true },
    { names: ['--to-revision'], takesValue: true },
  ],
  logs: [
    ...namespaceFlags,
    { names: ['--container', '-c'], takesValue: true },
    { names: ['--previous', '-p'], takesValue: false },
    { names: ['--follow', '-f'], takesValue: false },
    { names: ['--tail'], takesValue: true },
    { names: ['--timestamps'], takesValue: false },
    { names: ['--all-containers'], takesValue: false },
    { names: ['--prefix'], takesValue: false },
    { names: ['--max-log-requests'], takesValue: true },
  ],
  get: [...commonFlags, { names: ['--sort-by'], takesValue: true }],
  'api-resources': apiResourcesFlags,
  'api-versions': [{ names: ['--request-timeout'], takesValue: true }, ...globalFlags],
  top: [
    ...namespaceFlags,
    { names: ['--sort-by'], takesValue: true },
    { names: ['--no-headers'], takesValue: false },
    { names: ['--containers'], takesValue: false },
    { names: ['--use-protocol-buffers'], takesValue: false },
  ],
  wait: [
    ...namespaceFlags,
    { names: ['--for'], takesValue: true },
    { names: ['--timeout'], takesValue: true },
    { names: ['--all'], takesValue: false },
  ],
};

export { parseLabelSelector } from './kubectl-select';

function fieldValue(object: ApiObject, path: string): string | undefined {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined || current === null ? undefined : printValue(current);
}

/** `kubectl get`. */
function get(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
  namePrefix?: string,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined)
    return fail(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
  const [typeName] = positionals;
  let names = positionals.slice(1);
  if (typeName === undefined)
    return fail(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.',
    );
  const [crdType, crdName] = typeName.split('/');
  if (crdTypeNames.has(crdType ?? '')) return getCrds(context.simulation.state, crdName ?? names[0]);
  const requests = requestedTypes(positionals);
  if ('error' in requests) return fail(requests.error);
  if (namePrefix === undefined && requests.several) return getSeveral(context, requests.groups, flags);
  const typePart = requests.groups[0]?.typeName ?? typeName;
  names = [...(requests.groups[0]?.names ?? names)];
  const type = resolveResourceType(context.simulation.state, cluster, typePart);
  if (type === undefined) return fail(unknownTypeError(typePart));
  const selected = selectObjects(context, type, names, flags);
  if (!Array.isArray(selected)) return selected;
  const output = flags.get('--output') ?? '';
  const objects =
    names.length === 1
      ? selected
      : sortByField(selected, flags.get('--sort-by') ?? '', output === '' || output === 'wide');
  if (!Array.isArray(objects)) return fail(objects.error);
  const printed = printObjects(
    context,
    type,
    objects,
    flags,
    names.length === 1,
    flags.has('--all-namespaces'),
    namespaceOf(flags),
    namePrefix,
  );
  return { ...printed, stderr: deprecationWarning(cluster, type) + printed.stderr };
}

/**
 * The API server's warning for a deprecated kind, which kubectl prints on stderr: v1 Endpoints
 * from Kubernetes 1.33 (KEP-4974; the warning is served with every request for the resource).
 */
function deprecationWarning(cluster: Parameters<typeof serverMinor>[0], type: ResourceType): string {
  return type.kind === 'Endpoints' && serverMinor(cluster) >= 33
    ? 'Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n'
    : '';
}

/** The objects `kubectl get TYPE [NAME…] [-l …] [--field-selector …]` shows, or its error. */
function selectObjects(
  context: TerminalContext,
  type: ResourceType,
  names: readonly string[],
  flags: Map<string, string>,
): ApiObject[] | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const allNamespaces = flags.has('--all-namespaces');
  const namespace = namespaceOf(flags);
  if (names.length > 0 && allNamespaces)
    return fail('error: a resource cannot be retrieved by name across all namespaces');
  // RBAC: a name is a get, anything else a list (at the cluster scope with -A).
  const requests =
    names.length > 0
      ? names.map((name) => resourceRequest(type, 'get', { namespace, name }))
      : [resourceRequest(type, 'list', allNamespaces ? {} : { namespace })];
  for (const request of requests) {
    const denied = forbidden(context, flags, request);
    if (denied !== undefined) return denied;
  }
  let objects: ApiObject[] = listObjects(cluster.api, type.kind).filter(
    (object) => !type.namespaced || allNamespaces || (object.metadata.namespace ?? 'default') === namespace,
  );
  const selectorText = flags.get('--selector');
  if (selectorText !== undefined) {
    const selector = parseLabelSelector(selectorText);
    if (typeof selector === 'string') return fail(selector);
    objects = objects.filter((object) => selectorMatches(selector, object.metadata.labels));
  }
  const fieldSelector = flags.get('--field-selector');
  if (fieldSelector !== undefined) {
    for (const term of fieldSelector.split(',')) {
      const match = /^([\w.]+)(==?|!=)(.*)$/.exec(term);
      if (match === null) return fail(`error: invalid field selector: '${term}'`);
      const [, path = '', operator, value] = match;
      if (
        !['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'status.podIP'].includes(
          path,
        )
      ) {
        return fail(
          `Error from server (BadRequest): Unable to find "/v1, Resource=${type.plural}" that match label selector "", field selector "${fieldSelector}": "${path}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        );
      }
      objects = objects.filter((object) =>
        operator === '!=' ? fieldValue(object, path) !== value : fieldValue(object, path) === value,
      );
    }
  }
  if (names.length === 0) return objects;
  const found: ApiObject[] = [];
  for (const name of names) {
    const object = objects.find((candidate) => candidate.metadata.name === name);
    if (object === undefined) return fail(`Error from server (NotFound): ${type.plural} "${name}" not found`);
    found.push(object);
  }
  return found;
}

/**
 * `kubectl get po,svc`, `get svc,ep web`, `get deploy/web svc/web` and `get all`: one table per
 * type, separated by a blank line, names prefixed with their type as kubectl does whenever several
 * types were asked for (get.go Complete: MultipleTypesRequested → EnsureWithKind). A name missing
 * from one type is reported after the tables and makes the exit status 1, the others still print
 * (the builder runs with ContinueOnError).
 */
function getSeveral(
  context: TerminalContext,
  groups: readonly TypeRequest[],
  flags: Map<string, string>,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const types: { type: ResourceType; names: readonly string[]; typeName: string }[] = [];
  for (const group of groups) {
    const type = resolveResourceType(context.simulation.state, cluster, group.typeName);
    if (type === undefined) return fail(unknownTypeError(group.typeName));
    types.push({ type, names: group.names, typeName: group.typeName });
  }
  const output = flags.get('--output') ?? '';
  if (output !== '' && output !== 'wide' && !output.startsWith('custom-columns=')) {
    // Every machine-readable format prints one List (or one line per object) across the types.
    const objects: ApiObject[] = [];
    for (const { type, names } of types) {
      const selected = selectObjects(context, type, names, flags);
      if (!Array.isArray(selected)) return selected;
      objects.push(...selected);
    }
    return printObjects(
      context,
      types[0]?.type as ResourceType,
      objects,
      flags,
      false,
      flags.has('--all-namespaces'),
      namespaceOf(flags),
    );
  }
  const tables: string[] = [];
  let errors = '';
  for (const { type, names, typeName } of types) {
    const parts = names.length === 0 ? [[typeName]] : names.map((name) => [typeName, name]);
    for (const part of names.length > 1 ? [[typeName, ...names]] : parts) {
      const single = get(context, part, flags, `${type.prefix}/`);
      errors += single.stderr.replace(/^No resources found.*\n/m, '');
      if (single.stdout !== '') tables.push(single.stdout);
    }
  }
  if (tables.length === 0 && errors === '') {
    const namespace = namespaceOf(flags);
    return {
      stdout: '',
      stderr: flags.has('--all-namespaces')
        ? 'No resources found\n'
        : `No resources found in ${namespace} namespace.\n`,
      exitCode: 0,
    };
  }
  const failed = /^(Error|error)/m.test(errors);
  return { stdout: tables.join('\n'), stderr: errors, exitCode: failed ? 1 : 0 };
}

function printObjects(
  context: TerminalContext,
  type: ResourceType,
  objects: ApiObject[],
  flags: Map<string, string>,
  single: boolean,
  allNamespaces: boolean,
  namespace: string,
  namePrefix?: string,
): CommandResult {
  const output = flags.get('--output') ?? '';
  const cluster = context.simulation.state.cluster;
  // 1.12–1.14 agents' per-node status, when enabled, is part of what the API server returns.
  if (cluster !== undefined)
    objects = objects.map((object) => withPolicyStatus(cluster, object, context.simulation.nowMs));
  const asList = (): unknown =>
    single
      ? objects[0]
      : { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
  if (output === 'json') return ok(kubectlJson(asList()));
  if (output === 'yaml') return ok(kubectlYaml(asList()));
  if (output === 'name')
    return ok(
      objects
        .map(
          (object) =>
            `${resourceType(context.simulation.state, object.kind)?.prefix ?? type.prefix}/${object.metadata.name}\n`,
        )
        .join(''),
    );
  if (output.startsWith('jsonpath=') || output.startsWith('jsonpath-as-json=')) {
    const template = output.slice(output.indexOf('=') + 1);
    const rendered = renderJsonPath(template, asList());
    return rendered.ok ? ok(rendered.text) : fail(rendered.error);
  }
  if (output.startsWith('custom-columns=')) {
    const specs = output
      .slice('custom-columns='.length)
      .split(',')
      .map((spec) => {
        const colon = spec.indexOf(':');
        return {
          header: colon < 0 ? spec : spec.slice(0, colon),
          path: colon < 0 ? '' : spec.slice(colon + 1),
        };
      });
    // kubectl prints each selected value with Go's %v and joins several with commas.
    const rows = objects.map((object) =>
      specs.map((spec) => {
        const values = jsonPathValues(spec.path, object);
        return Array.isArray(values) && values.length > 0 ? values.map(goValue).join(',') : '<none>';
      }),
    );
    const lines = flags.has('--no-headers') ? rows : [specs.map((spec) => spec.header), ...rows];
    return ok(lines.length > 0 ? `${alignColumns(lines)}\n` : '');
  }
  if (output !== '' && output !== 'wide')
    return fail(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml`,
    );
  if (objects.length === 0) {
    return {
      stdout: '',
      stderr:
        type.namespaced && !allNamespaces
          ? `No resources found in ${namespace} namespace.\n`
          : 'No resources found\n',
      exitCode: 0,
    };
  }
  const table = formatTable(objects, context.simulation.nowMs, {
    serverMinor: cluster === undefined ? 24 : serverMinor(cluster),
    wide: output === 'wide',
    ...(cluster !== undefined ? { crdColumns: crdColumnsOf(context.simulation.state, cluster) } : {}),
    allNamespaces: allNamespaces && type.namespaced,
    headers: !flags.has('--no-headers'),
    showLabels: flags.has('--show-labels') && flags.get('--show-labels') !== 'false',
    ...(namePrefix !== undefined ? { namePrefix } : {}),
  });
  return ok(`${table}\n`);
}

/** The names kubectl accepts for CustomResourceDefinitions. */
const crdTypeNames = new Set([
  'crd',
  'crds',
  'customresourcedefinition',
  'customresourcedefinitions',
  'customresourcedefinitions.apiextensions.k8s.io',
]);

/**
 * `kubectl apply -f URL`: the simulated machine reaches no web server, but the Gateway API release
 * bundles that Istio's ambient guides apply are modelled (k8s/gateway-api-crds.ts).
 */
function applyUrl(context: TerminalContext, url: string): CommandResult {
  const bundle = gatewayApiBundle(url);
  if (bundle === undefined) return unreachableUrl(url);
  if (!bundle.ok) return fail(`error: ${bundle.error}`);
  const result = context.input({ type: 'gateway-api.crds.apply', version: bundle.version });
  context.spend(apiCallMs);
  if (!result.ok) return fail(result.error);
  return ok((result.crds ?? []).map((line) => `${line}\n`).join(''));
}

/** `kubectl scale deploy|rs|rc NAME --replicas=N` (TYPE NAME or TYPE/NAME). */
function scale(context: TerminalContext, positionals: string[], flags: Map<string, string>): CommandResult {
  const replicas = Number(flags.get('--replicas'));
  if (!flags.has('--replicas') || !Number.isInteger(replicas) || replicas < 0)
    return fail('error: --replicas=COUNT is required, and COUNT must be greater than or equal to 0');
  // The scale subresource's replicas is an int32.
  if (replicas > 2 ** 31 - 1)
    return fail(
      `error: invalid argument "${flags.get('--replicas') ?? ''}" for "--replicas" flag: strconv.ParseInt: parsing "${flags.get('--replicas') ?? ''}": value out of range`,
    );
  const [first, second] = positionals;
  if (first === undefined) return fail('error: required resource not specified');
  const [typePart, name] = first.includes('/') ? first.split('/') : [first, second];
  const type = servedResourceType(context.simulation.state, typePart ?? '');
  if (type === undefined) return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
  if (name === undefined || name === '')
    return fail('error: resource(s) were provided, but no name was specified');
  const namespace = namespaceOf(flags);
  const key = `${namespace}/${name}`;
  // kubectl reads the object, then patches its scale subresource (RBAC under --as).
  for (const [verb, subresource] of [
    ['get', undefined],
    ['patch', 'scale'],
  ] as const) {
    const denied = forbidden(
      context,
      flags,
      resourceRequest(type, verb, { namespace, name, ...(subresource === undefined ? {} : { subresource }) }),
    );
    if (denied !== undefined) return denied;
  }
  // Only kinds with a scale subresource can be scaled.
  if (type.kind !== 'Deployment' && type.kind !== 'ReplicaSet' && type.kind !== 'ReplicationController')
    return fail('Error from server (NotFound): the server could not find the requested resource');
  const result =
    type.kind === 'Deployment'
      ? context.input({ type: 'deployment.scale', key, replicas })
      : context.input({ type: 'workload.scale', kind: type.kind, key, replicas });
  context.spend(apiCallMs);
  if (!result.ok) return fail(`Error from server (NotFound): ${result.error}`);
  return ok(`${type.prefix}/${name} scaled\n`);
}

/** The pods resource type, for the RBAC attributes of exec and logs. */
const podType = builtInResourceType('pods') as ResourceType;

/** Finds the pod `kubectl exec` targets: a pod name, pod/NAME or deploy/NAME (its first pod). */
function execTarget(
  context: TerminalContext,
  reference: string | undefined,
  namespace: string,
  flags: Map<string, string>,
  /** For `logs`: pick as GetFirstPod with ByLogging does, and count the candidates. */
  forLogs?: { count: number },
): Pod | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined)
    return fail(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
  if (reference === undefined)
    return fail("error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.");
  const [typePart, name] = reference.includes('/') ? reference.split('/') : ['pod', reference];
  const type = servedResourceType(context.simulation.state, typePart ?? '');
  if (type !== undefined) {
    const denied = forbidden(context, flags, resourceRequest(type, 'get', { namespace, name: name ?? '' }));
    if (denied !== undefined) return denied;
  }
  if (type?.kind === 'Pod') {
    const pod = getObject(cluster.api, 'Pod', `${namespace}/${name ?? ''}`);
    return pod ?? fail(`Error from server (NotFound): pods "${name ?? ''}" not found`);
  }
  if (type !== undefined && controllerKinds.has(type.kind)) {
    const owner = getObject(cluster.api, type.kind, `${namespace}/${name ?? ''}`);
    if (owner === undefined)
      return fail(`Error from server (NotFound): ${type.plural} "${name ?? ''}" not found`);
    const pods = listObjects(cluster.api, 'Pod').filter(
      (pod) =>
        (pod.metadata.namespace ?? 'default') === namespace &&
        pod.metadata.deletionTimestamp === undefined &&
        selectorMatches(selectorOf(owner), pod.metadata.labels),
    );
    const best = forLogs === undefined ? mostActivePod(pods) : firstPodForLogs(pods)?.pod;
    if (forLogs !== undefined) forLogs.count = pods.length;
    if (best === undefined)
      return fail(
        type.kind === 'Deployment'
          ? `error: unable to upgrade connection: no running pods found for deployment ${name ?? ''}`
          : `error: timed out waiting for the condition`,
      );
    return best;
  }
  return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
}

/**
 * kubectl's report of a command that ran in the container and failed: the remote exit status comes
 * back as an ExitError, which kubectl prints as `command terminated with exit code N` and exits
 * with (cmdutil.checkErr, utilexec.ExitError).
 */
function withRemoteExitStatus(result: CommandResult): CommandResult {
  if (result.exitCode === 0 || /command terminated with exit code \d+/.test(result.stderr)) return result;
  // An exec that never started (terminal/pod-files.ts notFoundInImage) is kubectl's own error.
  if (result.stderr.startsWith('error: Internal error occurred: ')) return result;
  const stderr = result.stderr === '' || result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`;
  return { ...result, stderr: `${stderr}command terminated with exit code ${result.exitCode}\n` };
}

/** The kinds whose pods `kubectl exec|logs TYPE/NAME` may pick from. */
const controllerKinds = new Set<ApiKind>([
  'Deployment',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
]);

/** A controller's pod selector as a label selector (a ReplicationController's is a plain map). */
function selectorOf(owner: ApiObject): LabelSelector | undefined {
  switch (owner.kind) {
    case 'ReplicationController':
      return { matchLabels: owner.spec.selector };
    case 'Deployment':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return owner.spec.selector;
    default:
      return undefined;
  }
}

/** `kubectl exec`. */
function exec(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
  rest: string[],
  stdin: string,
): CommandResult | Promise<CommandResult> {
  if (rest.length === 0) return fail('error: you must specify at least one command for the container');
  const namespace = namespaceOf(flags);
  const target = execTarget(context, positionals[0], namespace, flags);
  if ('exitCode' in target) return target;
  const cluster = context.simulation.state.cluster;
  const node = target.spec.nodeName === undefined ? undefined : cluster?.nodes[target.spec.nodeName];
  const denied = forbidden(
    context,
    flags,
    resourceRequest(podType, 'create', { namespace, name: target.metadata.name, subresource: 'exec' }),
  );
  if (denied !== undefined) return denied;
  if (podStatus(target) !== 'Running')
    return fail(
      `error: unable to upgrade connection: container not found ("${target.spec.containers[0]?.name ?? ''}")`,
    );
  // The API server reaches the kubelet on the pod's node; the cut-off rules drop that too.
  if (node !== undefined && node.kubelet.connection !== 'connected') {
    context.spend(30_000);
    return fail(`Error from server: error dialing backend: dial tcp ${node.internalIP}:10250: i/o timeout`);
  }
  const kubelet =
    target.spec.nodeName === undefined ? undefined : kubeletUnreachable(context, target.spec.nodeName);
  if (kubelet !== undefined) return kubelet;
  const container = flags.get('--container');
  if (container !== undefined && !target.spec.containers.some((candidate) => candidate.name === container)) {
    return fail(
      `error: unable to upgrade connection: container ${container} not found in pod ${target.metadata.name}`,
    );
  }
  context.spend(apiCallMs);
  // Only `-i` passes the terminal's stdin on to the command in the container.
  const tty = flags.has('--stdin') && flags.has('--tty');
  const result = runInPod(context, target, rest, container, flags.has('--stdin') ? stdin : '', { tty });
  return result instanceof Promise ? result.then(withRemoteExitStatus) : withRemoteExitStatus(result);
}

/** kubectl's usage error for `logs` (logs.go logsUsageErrStr), with cobra's hint. */
const logsUsage = (message: string): CommandResult =>
  fail(`error: ${message}\nSee 'kubectl logs -h' for help and examples.`);

/** `--tail N` as kubectl reads it: an integer ≥ -1; the default is -1, or 10 with a selector. */
function tailOf(flags: Map<string, string>): number | CommandResult {
  const text = flags.get('--tail');
  if (text === undefined) return flags.has('--selector') ? 10 : -1;
  if (!/^[+-]?\d+$/.test(text))
    return fail(
      `error: invalid argument "${text}" for "--tail" flag: strconv.ParseInt: parsing "${text}": invalid syntax`,
    );
  const tail = Number(text);
  return tail < -1 ? fail('error: --tail must be greater than or equal to -1') : tail;
}

/**
 * `kubectl logs [-p] [-c CONTAINER] (POD | TYPE/NAME | -l SELECTOR) [CONTAINER]` (kubectl-logs.ts),
 * following kubectl pkg/cmd/logs/logs.go (v0.33): Complete and Validate's refusals, a selector's
 * pods one after another with the last 10 lines of each unless `--tail` says otherwise.
 */
function logs(context: TerminalContext, positionals: string[], flags: Map<string, string>): CommandResult {
  const hasSelector = flags.has('--selector');
  const wrongArguments =
    "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";
  if (positionals.length === 0 && !hasSelector) return logsUsage(wrongArguments);
  if (positionals.length === 1 && hasSelector)
    return logsUsage('only a selector (-l) or a POD name is allowed');
  if (positionals.length > 2) return logsUsage(wrongArguments);
  if (positionals.length === 2 && flags.has('--container'))
    return fail('error: only one of -c or an inline [CONTAINER] arg is allowed');
  const container = flags.get('--container') ?? positionals[1];
  const allContainers = flags.has('--all-containers') && flags.get('--all-containers') !== 'false';
  if (allContainers && container !== undefined)
    return fail(`error: --all-containers=true should not be specified with container name ${container}`);
  const tail = tailOf(flags);
  if (typeof tail !== 'number') return tail;
  const request = {
    previous: flags.has('--previous') && flags.get('--previous') !== 'false',
    container,
    allContainers,
    tail,
    prefix: flags.has('--prefix') && flags.get('--prefix') !== 'false',
    timestamps: flags.has('--timestamps') && flags.get('--timestamps') !== 'false',
    nowMs: context.simulation.nowMs,
  };
  return hasSelector
    ? selectorLogs(context, flags, request)
    : oneObjectLogs(context, positionals[0] ?? '', flags, request);
}

/** `kubectl logs POD|TYPE/NAME`: one pod, a controller's most active one. */
function oneObjectLogs(
  context: TerminalContext,
  reference: string,
  flags: Map<string, string>,
  request: LogsRequest,
): CommandResult {
  const namespace = namespaceOf(flags);
  const found = { count: 0 };
  const target = execTarget(context, reference, namespace, flags, found);
  if ('exitCode' in target) return target;
  const denied = forbidden(
    context,
    flags,
    resourceRequest(podType, 'get', { namespace, name: target.metadata.name, subresource: 'log' }),
  );
  if (denied !== undefined) return denied;
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const result = podsLogs(cluster, [target], request);
  // logsforobject.go tells which of several pods it read, before the logs.
  const chosen = found.count > 1 ? `Found ${found.count} pods, using pod/${target.metadata.name}\n` : '';
  return { ...result, stderr: chosen + result.stderr };
}

/** `kubectl logs -l SELECTOR`: every matching pod in the namespace, in list order. */
function selectorLogs(
  context: TerminalContext,
  flags: Map<string, string>,
  request: LogsRequest,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined)
    return fail(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
  const scope = scopeOf(flags);
  if ('exitCode' in scope) return scope;
  const listDenied = forbidden(
    context,
    flags,
    resourceRequest(podType, 'list', scope.allNamespaces ? {} : { namespace: scope.namespace }),
  );
  if (listDenied !== undefined) return listDenied;
  const pods = objectsInScope(cluster, podType, scope) as Pod[];
  if (pods.length === 0) return { stdout: '', stderr: noResourcesMessage(scope, true), exitCode: 0 };
  const streams = request.allContainers
    ? pods.reduce((sum, pod) => sum + pod.spec.containers.length + (pod.spec.initContainers?.length ?? 0), 0)
    : pods.length;
  const maxRequests = Number(flags.get('--max-log-requests') ?? 5);
  if (flags.has('--follow') && streams > 1 && streams > maxRequests)
    return fail(
      `error: you are attempting to follow ${streams} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`,
    );
  for (const pod of pods) {
    const denied = forbidden(
      context,
      flags,
      resourceRequest(podType, 'get', {
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name,
        subresource: 'log',
      }),
    );
    if (denied !== undefined) return denied;
  }
  context.spend(apiCallMs);
  return podsLogs(cluster, pods, request);
}

/** Flags that take a separate value, so that a flag before the subcommand does not hide it. */
const valueFlags = new Set([
  '-n',
  '--namespace',
  '-l',
  '--selector',
  '-o',
  '--output',
  '-c',
  '--container',
  '-f',
  '--filename',
  '--request-timeout',
  '--context',
  '--kubeconfig',
  '--as',
  '--as-group',
]);

export const subcommands = [
  'get',
  'describe',
  'apply',
  'create',
  'run',
  'label',
  'annotate',
  'scale',
  'rollout',
  'wait',
  'exec',
  'logs',
  'delete',
  'patch',
  'cp',
  'auth',
  'expose',
  'top',
  'port-forward',
  'api-resources',
  'api-versions',
];

/** The flags a subcommand accepts (tab completion offers them). */
export function kubectlFlagsOf(subcommand: string): readonly FlagSpec[] {
  return subcommandFlags[subcommand] ?? commonFlags;
}

/** Runs `kubectl ARGS`. */
export function kubectl(
  context: TerminalContext,
  args: string[],
  stdin: string,
  /** Set when kubectl runs inside a kind node (`docker exec NODE bash -c 'kubectl …'`). */
  fromNode?: string,
): CommandResult | Promise<CommandResult> {
  // --context, kubectl config, cluster-info and version (kubectl-contexts.ts).
  const routed = routeKubectl(context, args);
  if ('result' in routed) return routed.result;
  context = routed.context;
  args = routed.args;
  // Flags may come before the subcommand (`kubectl -n kube-system exec …`), as cobra allows.
  const leading: string[] = [];
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-') && args[index] !== '--') {
    const flag = args[index] ?? '';
    leading.push(flag);
    if (valueFlags.has(flag) && index + 1 < args.length) leading.push(args[++index] ?? '');
    index += 1;
  }
  const subcommand = leading.length > 0 && index >= args.length ? leading[0] : args[index];
  const remaining = leading.length > 0 && index >= args.length ? [] : [...leading, ...args.slice(index + 1)];
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    return ok(
      `kubectl controls the simulated Kubernetes cluster.\n\nSupported commands: ${subcommands.join(', ')}\n`,
    );
  }
  if (!subcommands.includes(subcommand))
    return fail(
      `error: unknown command "${subcommand}" for "kubectl"\nSupported in this simulator: ${subcommands.join(', ')}`,
    );
  const parsed = parseArgs(remaining, subcommandFlags[subcommand] ?? commonFlags);
  if ('error' in parsed) return fail(`${parsed.error}\nSee 'kubectl ${subcommand} --help' for usage.`);
  if (context.simulation.state.cluster === undefined)
    return fail(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
  const unreachable = apiServerUnreachable(context, fromNode);
  if (unreachable !== undefined) return unreachable;
  context.spend(apiCallMs);
  switch (subcommand) {
    case 'get':
      if (parsed.flags.has('--watch') && parsed.flags.get('--watch') !== 'false')
        return watch(context, parsed.positionals, parsed.flags);
      return get(context, parsed.positionals, parsed.flags);
    case 'describe':
      return describe(context, parsed.positionals, parsed.flags);
    case 'label':
      return label(context, parsed.positionals, parsed.flags);
    case 'annotate':
      return annotate(context, parsed.positionals, parsed.flags);
    case 'wait':
      return wait(context, parsed.positionals, parsed.flags);
    case 'apply':
      return apply(context, parsed.flags, parsed.repeated.get('--filename') ?? [], stdin, (url) =>
        applyUrl(context, url),
      );
    case 'scale':
      return scale(context, parsed.positionals, parsed.flags);
    case 'rollout':
      return rollout(context, parsed.positionals, parsed.flags);
    case 'exec':
      return exec(context, parsed.positionals, parsed.flags, parsed.rest, stdin);
    case 'create':
      return create(context, parsed.positionals, parsed, stdin);
    case 'logs':
      return logs(context, parsed.positionals, parsed.flags);
    case 'patch':
      return patch(context, parsed.positionals, parsed, stdin);
    case 'cp':
      return copy(context, parsed.positionals, parsed.flags);
    case 'auth':
      return auth(context, parsed.positionals, parsed.flags);
    case 'expose':
      return expose(context, parsed.positionals, parsed.flags);
    case 'run':
      return run(context, parsed.positionals, parsed, stdin);
    case 'top':
      return top(parsed.positionals, parsed.flags);
    case 'port-forward':
      return portForward(context, parsed.positionals, parsed.flags, (name) =>
        execTarget(context, name, namespaceOf(parsed.flags), parsed.flags),
      );
    case 'api-resources':
      return apiResources(context, parsed.positionals, parsed.flags);
    case 'api-versions':
      return apiVersions(context, parsed.positionals);
    default:
      return remove(
        context,
        parsed.positionals,
        parsed.flags,
        parsed.repeated.get('--filename') ?? [],
        stdin,
      );
  }
}
