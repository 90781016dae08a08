/**
 * `kubectl` against the simulated API server: get, apply, scale, rollout restart/status, exec and
 * delete, with the flags the guides use and kubectl's own wording for mistakes.
 */
import { withPolicyStatus } from './policy-status';
import { gatewayApiBundle, getGatewayApiCrds } from '../k8s/gateway-api-crds';
import { listObjects, getObject } from '../k8s/api-store';
import { selectorMatches } from '../k8s/metadata';
import type { ApiObject, Pod } from '../k8s/objects';
import { namespacedKinds } from '../k8s/objects';
import { parseManifests } from '../k8s/manifests';
import { formatApplyOutcome } from '../k8s/apply';
import { deploymentRolledOut } from '../queries';
import { goValue, jsonPathValues, printValue, renderJsonPath } from './jsonpath';
import { parseArgs, type FlagSpec } from './kube-args';
import { formatTable, podStatus, resourceType, type ResourceType } from './kubectl-resources';
import { apiServerUnreachable } from './kubectl-connection';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { runInPod } from './pod-commands';
import { parseLabelSelector } from './kubectl-select';
import { describe } from './kubectl-describe-command';
import { label } from './kubectl-label';
import { wait, watch } from './kubectl-wait';
import { kubectlJson, kubectlYaml } from './kubectl-output';
import { alignColumns } from '../cilium/cli-format';
import { agentLogLines } from './policy-status';
import { agentStartFailureLog } from '../cilium/agent-startup';
import { createSecret } from './kubectl-create-secret';
import { ciliumExampleAt } from '../cilium/example-manifests';
import { routeKubectl } from './kubectl-contexts';

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
];

/** The flags each new subcommand accepts; anything else is an unknown flag, as in kubectl. */
const namespaceFlags: FlagSpec[] = [
  { names: ['--namespace', '-n'], takesValue: true },
  { names: ['--all-namespaces', '-A'], takesValue: false },
  { names: ['--selector', '-l'], takesValue: true },
  { names: ['--request-timeout'], takesValue: true },
];
const subcommandFlags: Record<string, FlagSpec[]> = {
  describe: [...namespaceFlags, { names: ['--show-events'], takesValue: false }],
  label: [
    ...namespaceFlags,
    { names: ['--overwrite'], takesValue: false },
    { names: ['--all'], takesValue: false },
    { names: ['--list'], takesValue: false },
  ],
  create: [
    ...namespaceFlags,
    { names: ['--filename', '-f'], takesValue: true },
    { names: ['--output', '-o'], takesValue: true },
    { names: ['--dry-run'], takesValue: true },
    // create secret tls|generic (kubectl-create-secret.ts)
    { names: ['--cert'], takesValue: true },
    { names: ['--key'], takesValue: true },
    { names: ['--from-file'], takesValue: true },
    { names: ['--from-literal'], takesValue: true },
    { names: ['--type'], takesValue: true },
  ],
  wait: [
    ...namespaceFlags,
    { names: ['--for'], takesValue: true },
    { names: ['--timeout'], takesValue: true },
    { names: ['--all'], takesValue: false },
  ],
};

/** How long an API round trip from the reader's machine takes. */
const apiCallMs = 120;

export { parseLabelSelector } from './kubectl-select';

function fieldValue(object: ApiObject, path: string): string | undefined {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined || current === null ? undefined : printValue(current);
}

function namespaceOf(flags: Map<string, string>): string {
  return flags.get('--namespace') ?? 'default';
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
  const [typeName, ...names] = positionals;
  if (typeName === undefined)
    return fail(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.',
    );
  const [crdType, crdName] = typeName.split('/');
  if (crdTypeNames.has(crdType ?? '')) return getCrds(context, crdName ?? names[0]);
  if (typeName.includes(',') && !typeName.includes('/') && names.length === 0)
    return getSeveral(context, typeName.split(','), flags);
  const [typePart, namePart] = typeName.split('/');
  const type = resourceType(typePart ?? '');
  if (type === undefined) return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
  if (namePart !== undefined) names.push(namePart);
  const allNamespaces = flags.has('--all-namespaces');
  const namespace = namespaceOf(flags);
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
  if (names.length > 0) {
    const found: ApiObject[] = [];
    for (const name of names) {
      const object = objects.find((candidate) => candidate.metadata.name === name);
      if (object === undefined)
        return fail(`Error from server (NotFound): ${type.plural} "${name}" not found`);
      found.push(object);
    }
    objects = found;
  }
  return printObjects(
    context,
    type,
    objects,
    flags,
    names.length === 1,
    allNamespaces,
    namespace,
    namePrefix,
  );
}

/**
 * `kubectl get po,svc`: one table per type, separated by a blank line, names prefixed with their
 * type as kubectl does when several types are asked for.
 */
function getSeveral(
  context: TerminalContext,
  typeNames: string[],
  flags: Map<string, string>,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const tables: string[] = [];
  for (const typeName of typeNames) {
    const type = resourceType(typeName);
    if (type === undefined) return fail(`error: the server doesn't have a resource type "${typeName}"`);
    const single = get(context, [typeName], flags, `${type.prefix}/`);
    if (single.exitCode !== 0) return single;
    if (single.stdout !== '') tables.push(single.stdout);
  }
  if (tables.length === 0) {
    const namespace = namespaceOf(flags);
    return {
      stdout: '',
      stderr: flags.has('--all-namespaces')
        ? 'No resources found\n'
        : `No resources found in ${namespace} namespace.\n`,
      exitCode: 0,
    };
  }
  return ok(tables.join('\n'));
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
    return ok(objects.map((object) => `${type.prefix}/${object.metadata.name}\n`).join(''));
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
  const ciliumMinor = context.simulation.state.cluster?.cilium?.config.versionMinor;
  const table = formatTable(objects, context.simulation.nowMs, {
    wide: output === 'wide',
    ...(ciliumMinor !== undefined ? { ciliumMinor } : {}),
    allNamespaces: allNamespaces && type.namespaced,
    headers: !flags.has('--no-headers'),
    showLabels: flags.has('--show-labels') && flags.get('--show-labels') !== 'false',
    ...(namePrefix !== undefined ? { namePrefix } : {}),
  });
  return ok(`${table}\n`);
}

/** `kubectl apply -f FILE|-`. */
function apply(
  context: TerminalContext,
  flags: Map<string, string>,
  files: readonly string[],
  stdin: string,
): CommandResult {
  if (files.length === 0) return fail('error: must specify one of -f and -k');
  const version = context.simulation.state.cluster?.cilium?.config.version;
  let stdout = '';
  const notes: string[] = [];
  // Each -f is read and applied in turn, as kubectl does; the first failure stops the rest.
  for (const file of files) {
    const isUrl = /^https?:\/\//.test(file);
    const example = isUrl ? ciliumExampleAt(file) : undefined;
    if (isUrl && example === undefined) {
      const fetched = applyUrl(context, file);
      if (fetched.exitCode !== 0) return { ...fetched, stdout: stdout + fetched.stdout };
      stdout += fetched.stdout;
      continue;
    }
    const text = example ?? (file === '-' ? stdin : context.files[file.replace(/^\.\//, '')]);
    if (text === undefined)
      return { stdout, stderr: `error: the path "${file}" does not exist\n`, exitCode: 1 };
    const parsed = parseManifests(text, version);
    if (parsed.errors.length > 0) return { stdout, stderr: `${parsed.errors.join('\n')}\n`, exitCode: 1 };
    if (parsed.objects.length === 0)
      return { stdout, stderr: 'error: no objects passed to apply\n', exitCode: 1 };
    const result = context.input({
      type: 'api.apply',
      objects: parsed.objects.map((object) =>
        namespacedKinds.has(object.kind) && object.metadata.namespace === undefined
          ? { ...object, metadata: { ...object.metadata, namespace: namespaceOf(flags) } }
          : object,
      ),
    });
    context.spend(apiCallMs);
    if (!result.ok) return { stdout, stderr: `error: ${result.error}\n`, exitCode: 1 };
    stdout += (result.applied ?? []).map((outcome) => `${formatApplyOutcome(outcome)}\n`).join('');
    notes.push(...parsed.notes);
  }
  return notes.length > 0 ? { stdout, stderr: `${notes.join('\n')}\n`, exitCode: 0 } : ok(stdout);
}

/** The names kubectl accepts for CustomResourceDefinitions. */
const crdTypeNames = new Set([
  'crd',
  'crds',
  'customresourcedefinition',
  'customresourcedefinitions',
  'customresourcedefinitions.apiextensions.k8s.io',
]);

/** `kubectl get crd [NAME]`: the model tracks the Gateway API CRDs, which a reader installs by hand. */
function getCrds(context: TerminalContext, name: string | undefined): CommandResult {
  if (name !== undefined && !name.endsWith('.gateway.networking.k8s.io'))
    return fail(
      `error: the simulator tracks only the Gateway API CRDs (*.gateway.networking.k8s.io); Cilium's and Istio's CRDs come with their installs and are not listed here`,
    );
  const result = getGatewayApiCrds(context.simulation.state, name);
  return {
    ...result,
    stderr:
      name === undefined && result.exitCode === 0
        ? `${result.stderr}(the simulator lists only the Gateway API CRDs; Cilium's and Istio's are installed but not shown)\n`
        : result.stderr,
  };
}

/** What kubectl says for a URL the offline machine cannot fetch, with the ones it can. */
function unreachableUrl(url: string): CommandResult {
  return fail(
    `error: unable to read URL "${url}": the simulated machine has no internet access; it knows only the Gateway API release bundles (https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml) and Cilium's examples/policies/host/demo-host-policy.yaml (https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/policies/host/demo-host-policy.yaml). Save other manifests to a file and apply that.`,
  );
}

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

function deploymentKey(
  flags: Map<string, string>,
  reference: string | undefined,
  kindWord: string,
): string | CommandResult {
  if (reference === undefined) return fail(`error: resource(s) were provided, but no name was specified`);
  const [typePart, name] = reference.includes('/') ? reference.split('/') : [kindWord, reference];
  const type = resourceType(typePart ?? '');
  if (type?.kind !== 'Deployment' || name === undefined || name === '')
    return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
  return `${namespaceOf(flags)}/${name}`;
}

/** `kubectl scale deploy NAME --replicas=N`. */
function scale(context: TerminalContext, positionals: string[], flags: Map<string, string>): CommandResult {
  const replicas = Number(flags.get('--replicas'));
  if (!flags.has('--replicas') || !Number.isInteger(replicas) || replicas < 0)
    return fail('error: --replicas=COUNT is required, and COUNT must be greater than or equal to 0');
  const key = deploymentKey(
    flags,
    positionals.length === 2 ? positionals[1] : positionals[0],
    positionals.length === 2 ? (positionals[0] ?? '') : 'deployment',
  );
  if (typeof key !== 'string') return key;
  const result = context.input({ type: 'deployment.scale', key, replicas });
  context.spend(apiCallMs);
  if (!result.ok) return fail(`Error from server (NotFound): ${result.error}`);
  return ok(`deployment.apps/${key.split('/')[1] ?? ''} scaled\n`);
}

/** `kubectl rollout restart|status deployment/NAME`. */
function rollout(context: TerminalContext, positionals: string[], flags: Map<string, string>): CommandResult {
  const [action, ...targets] = positionals;
  const key = deploymentKey(
    flags,
    targets.length === 2 ? targets[1] : targets[0],
    targets.length === 2 ? (targets[0] ?? '') : 'deployment',
  );
  if (typeof key !== 'string') return key;
  const name = key.split('/')[1] ?? '';
  if (action === 'restart') {
    const result = context.input({ type: 'deployment.restart', key });
    context.spend(apiCallMs);
    return result.ok
      ? ok(`deployment.apps/${name} restarted\n`)
      : fail(`Error from server (NotFound): ${result.error}`);
  }
  if (action === 'status') {
    const lines: string[] = [];
    const deadline = context.simulation.nowMs + 600_000;
    let last = '';
    for (;;) {
      const deployment =
        context.simulation.state.cluster === undefined
          ? undefined
          : getObject(context.simulation.state.cluster.api, 'Deployment', key);
      if (deployment === undefined)
        return fail(`Error from server (NotFound): deployments.apps "${name}" not found`);
      if (deploymentRolledOut(deployment)) {
        lines.push(`deployment "${name}" successfully rolled out`);
        return ok(`${lines.join('\n')}\n`);
      }
      const status = deployment.status;
      const updated = status.updatedReplicas ?? 0;
      const line =
        updated < deployment.spec.replicas
          ? `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${deployment.spec.replicas} new replicas have been updated...`
          : (status.replicas ?? 0) > updated
            ? `Waiting for deployment "${name}" rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...`
            : `Waiting for deployment "${name}" rollout to finish: ${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`;
      if (line !== last) lines.push(line);
      last = line;
      if (context.simulation.nowMs >= deadline)
        return {
          stdout: `${lines.join('\n')}\n`,
          stderr: 'error: timed out waiting for the condition\n',
          exitCode: 1,
        };
      context.spend(1000);
    }
  }
  return fail(`error: unknown command "${action ?? ''}" for "kubectl rollout"`);
}

/** Finds the pod `kubectl exec` targets: a pod name, pod/NAME or deploy/NAME (its first pod). */
function execTarget(
  context: TerminalContext,
  reference: string | undefined,
  namespace: string,
): Pod | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined)
    return fail(
      'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
    );
  if (reference === undefined)
    return fail("error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.");
  const [typePart, name] = reference.includes('/') ? reference.split('/') : ['pod', reference];
  const type = resourceType(typePart ?? '');
  if (type?.kind === 'Pod') {
    const pod = getObject(cluster.api, 'Pod', `${namespace}/${name ?? ''}`);
    return pod ?? fail(`Error from server (NotFound): pods "${name ?? ''}" not found`);
  }
  if (type?.kind === 'Deployment') {
    const deployment = getObject(cluster.api, 'Deployment', `${namespace}/${name ?? ''}`);
    if (deployment === undefined)
      return fail(`Error from server (NotFound): deployments.apps "${name ?? ''}" not found`);
    const pods = listObjects(cluster.api, 'Pod').filter(
      (pod) =>
        (pod.metadata.namespace ?? 'default') === namespace &&
        pod.status.phase === 'Running' &&
        pod.metadata.deletionTimestamp === undefined &&
        selectorMatches(deployment.spec.selector, pod.metadata.labels),
    );
    return (
      pods[0] ??
      fail(`error: unable to upgrade connection: no running pods found for deployment ${name ?? ''}`)
    );
  }
  if (typePart === 'ds' || typePart === 'daemonset' || typePart === 'daemonsets') {
    const pods = listObjects(cluster.api, 'Pod').filter(
      (pod) =>
        (pod.metadata.namespace ?? 'default') === namespace && pod.metadata.labels?.['k8s-app'] === name,
    );
    return pods[0] ?? fail(`Error from server (NotFound): daemonsets.apps "${name ?? ''}" not found`);
  }
  return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
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
  const target = execTarget(context, positionals[0], namespaceOf(flags));
  if ('exitCode' in target) return target;
  const cluster = context.simulation.state.cluster;
  const node = target.spec.nodeName === undefined ? undefined : cluster?.nodes[target.spec.nodeName];
  if (podStatus(target) !== 'Running')
    return fail(
      `error: unable to upgrade connection: container not found ("${target.spec.containers[0]?.name ?? ''}")`,
    );
  // The API server reaches the kubelet on the pod's node; the cut-off rules drop that too.
  if (node !== undefined && node.kubelet.connection !== 'connected') {
    context.spend(30_000);
    return fail(`Error from server: error dialing backend: dial tcp ${node.internalIP}:10250: i/o timeout`);
  }
  const container = flags.get('--container');
  if (container !== undefined && !target.spec.containers.some((candidate) => candidate.name === container)) {
    return fail(
      `error: unable to upgrade connection: container ${container} not found in pod ${target.metadata.name}`,
    );
  }
  context.spend(apiCallMs);
  // Only `-i` passes the terminal's stdin on to the command in the container.
  return runInPod(context, target, rest, container, flags.has('--stdin') ? stdin : '');
}

/**
 * `kubectl logs POD|ds/NAME|deploy/NAME`. The model keeps no application logs; a cilium-agent's log
 * holds what the agent reports about policies it refused to import.
 */
function logs(context: TerminalContext, positionals: string[], flags: Map<string, string>): CommandResult {
  const target = execTarget(context, positionals[0], namespaceOf(flags));
  if ('exitCode' in target) return target;
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const agent = Object.values(cluster.cilium?.agents ?? {}).find(
    (candidate) => candidate.podName === target.metadata.name,
  );
  if (agent === undefined) return ok('');
  const lines = [
    `level=info msg="Cilium ${cluster.cilium?.config.version ?? ''}" subsys=daemon`,
    `level=info msg="Initializing daemon" subsys=daemon`,
    ...(agent.startFailure !== undefined ? agentStartFailureLog(agent) : agentLogLines(cluster, agent)),
  ];
  return ok(`${lines.join('\n')}\n`);
}

/**
 * `kubectl create -f FILE`: like apply, but an object that already exists is an error
 * (AlreadyExists) instead of an update; the objects before it are still created.
 */
function createFromFiles(
  context: TerminalContext,
  flags: Map<string, string>,
  files: readonly string[],
  stdin: string,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  let stdout = '';
  for (const file of files) {
    // Of the web, the offline machine can fetch only Cilium's example manifests.
    const isUrl = /^https?:\/\//.test(file);
    const text = isUrl
      ? ciliumExampleAt(file)
      : file === '-'
        ? stdin
        : context.files[file.replace(/^\.\//, '')];
    if (text === undefined && isUrl) {
      const unreachable = unreachableUrl(file);
      return { ...unreachable, stdout };
    }
    if (text === undefined)
      return { stdout, stderr: `error: the path "${file}" does not exist\n`, exitCode: 1 };
    const parsed = parseManifests(text, cluster.cilium?.config.version);
    if (parsed.errors.length > 0) return { stdout, stderr: `${parsed.errors.join('\n')}\n`, exitCode: 1 };
    if (parsed.objects.length === 0)
      return { stdout, stderr: 'error: no objects passed to create\n', exitCode: 1 };
    for (const object of parsed.objects) {
      const namespaced = namespacedKinds.has(object.kind);
      const target = namespaced
        ? {
            ...object,
            metadata: { ...object.metadata, namespace: object.metadata.namespace ?? namespaceOf(flags) },
          }
        : object;
      const key = namespaced
        ? `${target.metadata.namespace ?? 'default'}/${target.metadata.name}`
        : target.metadata.name;
      if (getObject(cluster.api, target.kind, key) !== undefined) {
        const plural = resourceType(target.kind.toLowerCase())?.plural ?? `${target.kind.toLowerCase()}s`;
        return {
          stdout,
          stderr: `Error from server (AlreadyExists): error when creating "${file}": ${plural} "${target.metadata.name}" already exists\n`,
          exitCode: 1,
        };
      }
      const result = context.input({ type: 'api.apply', objects: [target] });
      context.spend(apiCallMs);
      if (!result.ok) return { stdout, stderr: `error: ${result.error}\n`, exitCode: 1 };
      stdout += (result.applied ?? [])
        .map((outcome) => `${formatApplyOutcome({ ...outcome, action: 'created' })}\n`)
        .join('');
    }
  }
  return ok(stdout);
}

/** `kubectl create namespace NAME`, `kubectl create secret …` and `kubectl create -f FILE`. */
function create(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
  repeated: Map<string, string[]>,
  stdin: string,
): CommandResult {
  const files = repeated.get('--filename') ?? [];
  if (files.length > 0) return createFromFiles(context, flags, files, stdin);
  const [kind, name] = positionals;
  if (kind === 'secret') return createSecret(context, positionals.slice(1), { flags, repeated });
  if (kind !== 'namespace' && kind !== 'ns')
    return fail(
      `error: this simulator creates namespaces and secrets (kubectl create namespace|secret …) and objects from files (kubectl create -f FILE)`,
    );
  if (name === undefined || name === '') return fail('error: exactly one NAME is required, got 0');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
    return fail(
      `The Namespace "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
    );
  const cluster = context.simulation.state.cluster;
  if (
    cluster !== undefined &&
    listObjects(cluster.api, 'Namespace').some((namespace) => namespace.metadata.name === name)
  )
    return fail(`Error from server (AlreadyExists): namespaces "${name}" already exists`);
  // The same path as `kubectl apply` of a one-line manifest, so the model fills in what the API
  // server and its controllers would (the metadata.name label, the default service account).
  const parsed = parseManifests(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`, undefined);
  if (parsed.errors.length > 0) return fail(parsed.errors.join('\n'));
  const result = context.input({ type: 'api.apply', objects: parsed.objects });
  if (!result.ok) return fail(`error: ${result.error}`);
  return ok(`namespace/${name} created\n`);
}

/** `kubectl delete pod NAME`. */
function remove(context: TerminalContext, positionals: string[], flags: Map<string, string>): CommandResult {
  const targets: { type: ResourceType; name: string; namespace: string }[] = [];
  const file = flags.get('--filename');
  if (file !== undefined) {
    // `kubectl delete -f FILE`: every object the file names, in the file's order.
    const text = context.files[file.replace(/^\.\//, '')];
    if (text === undefined) return fail(`error: the path "${file}" does not exist`);
    const parsed = parseManifests(text, context.simulation.state.cluster?.cilium?.config.version);
    if (parsed.errors.length > 0) return fail(parsed.errors.join('\n'));
    for (const object of parsed.objects) {
      const type = resourceType(object.kind.toLowerCase());
      if (type === undefined) return fail(`error: the server doesn't have a resource type "${object.kind}"`);
      targets.push({
        type,
        name: object.metadata.name,
        namespace: object.metadata.namespace ?? namespaceOf(flags),
      });
    }
  } else {
    const [typeName, ...names] = positionals;
    const [typePart, namePart] = (typeName ?? '').split('/');
    const type = resourceType(typePart ?? '');
    if (type === undefined) return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
    if (namePart !== undefined) names.push(namePart);
    const cluster = context.simulation.state.cluster;
    if (flags.has('--all') && cluster !== undefined) {
      for (const object of listObjects(cluster.api, type.kind))
        if (!type.namespaced || (object.metadata.namespace ?? 'default') === namespaceOf(flags))
          names.push(object.metadata.name);
      if (names.length === 0) return { stdout: '', stderr: `No resources found\n`, exitCode: 0 };
    }
    if (names.length === 0) return fail('error: resource(s) were provided, but no name was specified');
    for (const name of names) targets.push({ type, name, namespace: namespaceOf(flags) });
  }
  const lines: string[] = [];
  for (const { type, name, namespace } of targets) {
    const key = type.namespaced ? `${namespace}/${name}` : name;
    const result = context.input({ type: 'api.delete', kind: type.kind, key });
    if (!result.ok)
      return {
        stdout: lines.join(''),
        stderr: `Error from server (NotFound): ${type.plural} "${name}" not found\n`,
        exitCode: 1,
      };
    lines.push(`${type.prefix} "${name}" deleted\n`);
    context.spend(apiCallMs);
  }
  return ok(lines.join(''));
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
]);

const subcommands = [
  'get',
  'describe',
  'apply',
  'create',
  'label',
  'scale',
  'rollout',
  'wait',
  'exec',
  'logs',
  'delete',
];

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
    case 'wait':
      return wait(context, parsed.positionals, parsed.flags);
    case 'apply':
      return apply(context, parsed.flags, parsed.repeated.get('--filename') ?? [], stdin);
    case 'scale':
      return scale(context, parsed.positionals, parsed.flags);
    case 'rollout':
      return rollout(context, parsed.positionals, parsed.flags);
    case 'exec':
      return exec(context, parsed.positionals, parsed.flags, parsed.rest, stdin);
    case 'create':
      return create(context, parsed.positionals, parsed.flags, parsed.repeated, stdin);
    case 'logs':
      return logs(context, parsed.positionals, parsed.flags);
    default:
      return remove(context, parsed.positionals, parsed.flags);
  }
}
