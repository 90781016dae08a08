/**
 * The `kubectl create` generators (kubectl pkg/cmd/create at v0.33.0): namespace, deployment,
 * serviceaccount, configmap, role, clusterrole, rolebinding and clusterrolebinding build one object
 * from their flags exactly as kubectl does, then send it like any other write. `--dry-run=client`
 * prints the object without sending it, `-o yaml|json|name` prints what the server stored. Each
 * generator wraps the API server's refusal in its own words where kubectl does
 * (`failed to create deployment: …`). Secrets are in kubectl-create-secret.ts.
 */
import { getObject } from '../k8s/api-store';
import { qualifiedResource, resourceName } from '../k8s/apply';
import { refusalText } from '../k8s/api-errors';
import { admitConfigMap } from '../k8s/configmaps';
import { admitRbacObject, rbacApiVersion, rbacGroup } from '../k8s/rbac-objects';
import { hashString64 } from '../engine/state-hash';
import { objectKey, type ApiObject, type PolicyRule, type RbacSubject } from '../k8s/objects';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { createFromFiles } from './kubectl-apply';
import { createSecret } from './kubectl-create-secret';
import { kubectlJson, kubectlYaml } from './kubectl-output';
import { apiCallMs, escalationText, forbiddenText, namespaceOf, resourceRequest } from './kubectl-request';
import { resourceType, resolveResourceType } from './kubectl-resources';

/** The parsed flags a generator reads. */
interface CreateFlags {
  flags: Map<string, string>;
  repeated: Map<string, string[]>;
  rest: string[];
}

const usage = (subcommand: string, message: string): CommandResult =>
  fail(`error: ${message}\nSee 'kubectl create ${subcommand} -h' for help and examples`);

/** NameFromCommandArgs: exactly one NAME before any `--`. */
function nameFrom(subcommand: string, names: readonly string[]): string | CommandResult {
  if (names.length !== 1) return usage(subcommand, `exactly one NAME is required, got ${names.length}`);
  return names[0] ?? '';
}

/** Every value of a string-slice flag (`--verb=get,list --verb=watch`). */
function sliceFlag(repeated: ReadonlyMap<string, string[]>, name: string): string[] {
  return (repeated.get(name) ?? []).flatMap((value) => value.split(',')).filter((value) => value !== '');
}

/** The object as `--dry-run=client -o yaml` prints it: kubectl's own encoding of what it built. */
function asBuilt(object: ApiObject, explicitNamespace: boolean): unknown {
  const built = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
  const metadata: Record<string, unknown> = { ...(built.metadata as object), creationTimestamp: null };
  // kubectl sets the namespace on what it builds only when -n was given.
  if (!explicitNamespace) delete metadata.namespace;
  built.metadata = metadata;
  const template = (built.spec as { template?: { metadata?: Record<string, unknown> } } | undefined)
    ?.template;
  if (template?.metadata !== undefined) template.metadata = { ...template.metadata, creationTimestamp: null };
  return built;
}

/** Prints an object the way `-o` asks, or kubectl's `kind/name created` line. */
function printed(object: unknown, output: string | undefined, line: string): CommandResult {
  if (output === 'yaml') return ok(kubectlYaml(object));
  if (output === 'json') return ok(kubectlJson(object));
  if (output === 'name') return ok(`${line.split(' ')[0] ?? ''}\n`);
  if (output !== undefined && output !== '')
    return fail(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml`,
    );
  return ok(`${line}\n`);
}

/**
 * Sends a generated object: dry run, RBAC, AlreadyExists, then the API server's admission.
 * `wrap` is the generator's prefix for errors (`failed to create deployment`), if it has one.
 */
export function submit(
  context: TerminalContext,
  options: CreateFlags,
  object: ApiObject,
  wrap?: string,
): CommandResult {
  const { flags } = options;
  const name = object.metadata.name;
  const resource = `${resourceName(object.kind)}/${name}`;
  const output = flags.get('--output');
  const dryRun = flags.get('--dry-run') ?? 'none';
  if (!['none', 'client', 'server', 'true', 'false'].includes(dryRun))
    return fail(`error: Invalid dry-run value (${dryRun}). Must be "none", "server", or "client".`);
  if (dryRun === 'client' || dryRun === 'true')
    return printed(asBuilt(object, flags.has('--namespace')), output, `${resource} created (dry run)`);
  const failed = (text: string, reason: string): CommandResult =>
    fail(wrap === undefined ? `Error from server (${reason}): ${text}` : `error: ${wrap}: ${text}`);
  const namespace = object.metadata.namespace;
  const type = resourceType(context.simulation.state, object.kind);
  if (type !== undefined) {
    const denied = forbiddenText(
      context,
      flags,
      resourceRequest(type, 'create', namespace === undefined ? {} : { namespace }),
    );
    if (denied !== undefined) return failed(denied, 'Forbidden');
  }
  const escalation = escalationText(context, flags, object);
  if (escalation !== undefined) return failed(escalation, 'Forbidden');
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (getObject(cluster.api, object.kind, objectKey(object.kind, name, namespace)) !== undefined)
    return failed(`${qualifiedResource(object.kind)} "${name}" already exists`, 'AlreadyExists');
  if (dryRun === 'server') return printed(object, output, `${resource} created (server dry run)`);
  const result = context.input({ type: 'api.apply', objects: [object] });
  context.spend(apiCallMs);
  if (!result.ok) return fail(`error: ${result.error}`);
  const refusal = result.applied?.[0]?.refusal;
  if (refusal !== undefined) return failed(refusalText(refusal), refusal.reason);
  const stored = getObject(cluster.api, object.kind, objectKey(object.kind, name, namespace)) ?? object;
  return printed(stored, output, `${resource} created`);
}

/** A bare object with metadata as kubectl builds it (the server fills in the rest). */
function newObject(
  kind: string,
  apiVersion: string,
  name: string,
  namespace: string | undefined,
  body: Record<string, unknown>,
  labels?: Record<string, string>,
): ApiObject {
  const metadata: Record<string, unknown> = { name };
  if (labels !== undefined) metadata.labels = labels;
  if (namespace !== undefined) metadata.namespace = namespace;
  return { apiVersion, kind, metadata, ...body } as unknown as ApiObject;
}

/** `kubectl create namespace NAME`. */
function createNamespace(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
): CommandResult {
  const name = nameFrom('namespace', names);
  if (typeof name !== 'string') return name;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
    return fail(
      `The Namespace "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  return submit(context, options, newObject('Namespace', 'v1', name, undefined, { spec: {}, status: {} }));
}

/** A container name from an image, as buildPodSpec derives it (`quay.io/cilium/json-mock:v1` → `json-mock`). */
function containerName(image: string, seed: number): string {
  let name = image.split('/').pop() ?? image;
  name = name.split(':')[0] ?? name;
  name = name.split('@')[0] ?? name;
  if (!/[_.]/.test(name)) return name;
  // kubectl adds five random characters; the model derives them so a replay prints the same.
  const suffix = hashString64(`${image}/${seed}`)
    .replace(/[^a-z]/g, '')
    .padEnd(5, 'x')
    .slice(0, 5);
  return `${name.replace(/[_.]/g, '-')}-${suffix}`;
}

/** `kubectl create deployment NAME --image=IMAGE… [--replicas=N] [--port=P] [-- COMMAND…]`. */
function createDeployment(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
): CommandResult {
  const name = nameFrom('deployment', names);
  if (typeof name !== 'string') return name;
  const images = sliceFlag(options.repeated, '--image');
  if (images.length === 0) return fail('error: required flag(s) "image" not set');
  if (images.length > 1 && options.rest.length > 0)
    return fail('error: cannot specify multiple --image options and command');
  const replicasText = options.flags.get('--replicas') ?? '1';
  const portText = options.flags.get('--port');
  for (const [flag, text] of [
    ['replicas', replicasText],
    ['port', portText],
  ] as const)
    if (
      text !== undefined &&
      (!/^-?\d+$/.test(text) || Number(text) > 2 ** 31 - 1 || Number(text) < -(2 ** 31))
    )
      // Both flags are int32s (pflag's Int32Var).
      return fail(
        `error: invalid argument "${text}" for "--${flag}" flag: strconv.ParseInt: parsing "${text}": ${/^-?\d+$/.test(text) ? 'value out of range' : 'invalid syntax'}`,
      );
  const labels = { app: name };
  const containers = images.map((image) => ({
    name: containerName(image, context.simulation.nowMs),
    image,
    ...(options.rest.length > 0 ? { command: [...options.rest] } : {}),
    resources: {},
  }));
  if (portText !== undefined && Number(portText) >= 0 && containers[0] !== undefined)
    Object.assign(containers[0], { ports: [{ containerPort: Number(portText) }] });
  const deployment = newObject(
    'Deployment',
    'apps/v1',
    name,
    namespaceOf(options.flags),
    {
      spec: {
        replicas: Number(replicasText),
        selector: { matchLabels: labels },
        strategy: {},
        template: { metadata: { labels }, spec: { containers } },
      },
      status: {},
    },
    labels,
  );
  return submit(context, options, deployment, 'failed to create deployment');
}

/**
 * `kubectl create job NAME --image=IMAGE [-- COMMAND…]`: one container named as the Job, restartPolicy
 * Never (kubectl/pkg/cmd/create/create_job.go createJob); `--from=cronjob/…` needs CronJobs, which
 * the model does not have.
 */
function createJob(context: TerminalContext, names: readonly string[], options: CreateFlags): CommandResult {
  const name = nameFrom('job', names);
  if (typeof name !== 'string') return name;
  const image = options.flags.get('--image');
  if (options.flags.has('--from'))
    return fail(`error: from must be an existing cronjob: the server doesn't have a resource type "cronjob"`);
  if (image === undefined || image === '') return fail('error: either --image or --from must be specified');
  const container = {
    name,
    image,
    ...(options.rest.length > 0 ? { command: [...options.rest] } : {}),
    resources: {},
  };
  const job = newObject('Job', 'batch/v1', name, namespaceOf(options.flags), {
    spec: { template: { metadata: {}, spec: { containers: [container], restartPolicy: 'Never' } } },
    status: {},
  });
  return submit(context, options, job);
}

/** `kubectl create serviceaccount NAME`. */
function createServiceAccount(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
): CommandResult {
  const name = nameFrom('serviceaccount', names);
  if (typeof name !== 'string') return name;
  const account = newObject('ServiceAccount', 'v1', name, namespaceOf(options.flags), {});
  return submit(context, options, account, 'failed to create serviceaccount');
}

/** ParseFileSource: `path` (key = base name) or `key=path`. */
function fileSource(source: string): { key: string; path: string } | string {
  const separators = source.split('=').length - 1;
  if (separators === 0)
    return {
      key:
        source
          .split('/')
          .filter((part) => part !== '')
          .pop() ?? source,
      path: source,
    };
  if (separators > 1) return "key names or file paths cannot contain '='";
  const [key = '', path = ''] = source.split('=');
  if (key === '') return `key name for file path ${path} missing`;
  if (path === '') return `file path for key name ${key} missing`;
  return { key, path };
}

/** The data of `create configmap`: literals first, then files, each key valid and new. */
function configMapData(
  context: TerminalContext,
  name: string,
  options: CreateFlags,
): Record<string, string> | string {
  const data: Record<string, string> = {};
  const add = (key: string, value: string): string | undefined => {
    if (!/^[-._a-zA-Z0-9]+$/.test(key))
      return `"${key}" is not a valid key name for a ConfigMap: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`;
    if (data[key] !== undefined)
      return `cannot add key "${key}", another key by that name already exists in Data for ConfigMap "${name}"`;
    data[key] = value;
    return undefined;
  };
  for (const literal of options.repeated.get('--from-literal') ?? []) {
    const equals = literal.indexOf('=');
    if (equals <= 0) return `invalid literal source ${literal}, expected key=value`;
    const problem = add(literal.slice(0, equals), literal.slice(equals + 1));
    if (problem !== undefined) return problem;
  }
  for (const source of sliceFlag(options.repeated, '--from-file')) {
    const parsed = fileSource(source);
    if (typeof parsed === 'string') return parsed;
    const text = context.files[parsed.path.replace(/^\.\//, '')];
    if (text === undefined) return `error reading ${parsed.path}: no such file or directory`;
    const problem = add(parsed.key, text);
    if (problem !== undefined) return problem;
  }
  return data;
}

/** `kubectl create configmap NAME [--from-literal=K=V…] [--from-file=[K=]PATH…]`. */
function createConfigMap(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
): CommandResult {
  const name = nameFrom('configmap', names);
  if (typeof name !== 'string') return name;
  const data = configMapData(context, name, options);
  if (typeof data === 'string') return fail(`error: ${data}`);
  const admitted = admitConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  if ('refusal' in admitted)
    return fail(`error: failed to create configmap: ${refusalText(admitted.refusal)}`);
  const configMap = newObject(
    'ConfigMap',
    'v1',
    name,
    namespaceOf(options.flags),
    Object.keys(data).length > 0 ? { data } : {},
  );
  return submit(context, options, configMap, 'failed to create configmap');
}

const standardVerbs = [
  '*',
  'get',
  'delete',
  'list',
  'create',
  'update',
  'patch',
  'watch',
  'proxy',
  'deletecollection',
  'use',
  'bind',
  'escalate',
  'impersonate',
];

/** The special verbs and the only resources they apply to (create_role.go specialVerbs). */
const specialVerbs: Readonly<Record<string, readonly string[]>> = {
  use: ['policy/podsecuritypolicies', 'extensions/podsecuritypolicies'],
  bind: ['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles'],
  escalate: ['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles'],
  impersonate: ['/users', '/serviceaccounts', '/groups', 'authentication.k8s.io/userextras'],
};

/** One `--resource` (`pods`, `rs.apps`, `pods/log`) resolved through the cluster's discovery. */
function resolveResource(
  context: TerminalContext,
  text: string,
): { group: string; resource: string } | string {
  const [base = '', subresource] = text.split('/', 2);
  const dot = base.indexOf('.');
  const resource = dot < 0 ? base : base.slice(0, dot);
  const group = dot < 0 ? '' : base.slice(dot + 1);
  if (resource === '') return 'resource must be specified if apiGroup/subresource specified';
  if (resource === '*') return { group, resource: subresource === undefined ? '*' : `*/${subresource}` };
  const cluster = context.simulation.state.cluster;
  const type =
    cluster === undefined
      ? undefined
      : resolveResourceType(
          context.simulation.state,
          cluster,
          group === '' ? resource : `${resource}.${group}`,
        );
  // An unknown resource is kept as given, as kubectl does when discovery has no match for it.
  const found =
    type === undefined
      ? { group, resource }
      : {
          group: type.prefix.includes('.') ? type.prefix.slice(type.prefix.indexOf('.') + 1) : '',
          resource: type.plural.split('.')[0] ?? resource,
        };
  return {
    group: found.group,
    resource: subresource === undefined ? found.resource : `${found.resource}/${subresource}`,
  };
}

/** The rules of `create role|clusterrole`: one rule per API group, in group order. */
function resourceRules(
  context: TerminalContext,
  verbs: string[],
  resources: readonly string[],
  resourceNames: readonly string[],
): PolicyRule[] | string {
  const byGroup = new Map<string, string[]>();
  for (const text of resources) {
    const resolved = resolveResource(context, text);
    if (typeof resolved === 'string') return resolved;
    for (const verb of verbs) {
      const allowed = specialVerbs[verb];
      const bare = resolved.resource.split('/')[0] ?? '';
      if (
        allowed !== undefined &&
        resolved.resource !== '*' &&
        !allowed.includes(`${resolved.group}/${bare}`)
      )
        return `can not perform '${verb}' on '${bare}' in group '${resolved.group}'`;
    }
    const list = byGroup.get(resolved.group) ?? [];
    if (!list.includes(resolved.resource)) list.push(resolved.resource);
    byGroup.set(resolved.group, list);
  }
  return [...byGroup.keys()].sort().map((group) => ({
    verbs,
    apiGroups: [group],
    resources: byGroup.get(group) ?? [],
    ...(resourceNames.length > 0 ? { resourceNames: [...resourceNames] } : {}),
  }));
}

/** The verbs of `--verb`, de-duplicated, `*` standing alone. */
function verbsOf(options: CreateFlags): string[] {
  const verbs: string[] = [];
  for (const verb of sliceFlag(options.repeated, '--verb')) {
    if (verb === '*') return ['*'];
    if (!verbs.includes(verb)) verbs.push(verb);
  }
  return verbs;
}

/** `kubectl create role|clusterrole NAME --verb=… --resource=… [--resource-name=…] [--non-resource-url=…]`. */
function createRole(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
  cluster: boolean,
): CommandResult {
  const subcommand = cluster ? 'clusterrole' : 'role';
  const name = nameFrom(subcommand, names);
  if (typeof name !== 'string') return name;
  const verbs = verbsOf(options);
  const resources = sliceFlag(options.repeated, '--resource');
  const urls = sliceFlag(options.repeated, '--non-resource-url');
  const resourceNameList = [...new Set(sliceFlag(options.repeated, '--resource-name'))];
  if (verbs.length === 0) return fail('error: at least one verb must be specified');
  if (resources.length === 0 && (!cluster || urls.length === 0))
    return fail(
      cluster
        ? 'error: one of resource or nonResourceURL must be specified'
        : 'error: at least one resource must be specified',
    );
  let warnings = '';
  for (const verb of verbs)
    if (!standardVerbs.includes(verb)) warnings += `Warning: '${verb}' is not a standard resource verb\n`;
  for (const url of urls) {
    if (!url.startsWith('/')) return fail('error: nonResourceURL should start with /');
    if (url.slice(0, -1).includes('*'))
      return fail("error: nonResourceURL only supports wildcard matches when '*' is at the end");
  }
  const rules = resources.length === 0 ? [] : resourceRules(context, verbs, resources, resourceNameList);
  if (typeof rules === 'string') return fail(`error: ${rules}`);
  if (urls.length > 0) rules.push({ verbs, nonResourceURLs: urls });
  const role = newObject(
    cluster ? 'ClusterRole' : 'Role',
    rbacApiVersion,
    name,
    cluster ? undefined : namespaceOf(options.flags),
    { rules },
  );
  const result = submit(context, options, role);
  return warnings === '' ? result : { ...result, stderr: warnings + result.stderr };
}

/** The subjects of `create rolebinding|clusterrolebinding`: users, groups, then service accounts. */
function subjectsOf(options: CreateFlags): RbacSubject[] | string {
  const subjects: RbacSubject[] = [];
  for (const user of sliceFlag(options.repeated, '--user'))
    subjects.push({ kind: 'User', apiGroup: rbacGroup, name: user });
  for (const group of sliceFlag(options.repeated, '--group'))
    subjects.push({ kind: 'Group', apiGroup: rbacGroup, name: group });
  for (const account of sliceFlag(options.repeated, '--serviceaccount')) {
    const parts = account.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      return 'serviceaccount must be <namespace>:<name>';
    subjects.push({ kind: 'ServiceAccount', namespace: parts[0] ?? '', name: parts[1] ?? '' });
  }
  return subjects;
}

/** `kubectl create rolebinding|clusterrolebinding NAME --clusterrole=…|--role=… [--user|--group|--serviceaccount]…`. */
function createBinding(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
  cluster: boolean,
): CommandResult {
  const subcommand = cluster ? 'clusterrolebinding' : 'rolebinding';
  const name = nameFrom(subcommand, names);
  if (typeof name !== 'string') return name;
  const clusterRole = options.flags.get('--clusterrole') ?? '';
  const role = options.flags.get('--role') ?? '';
  if (cluster && options.flags.has('--role')) return fail('error: unknown flag: --role');
  if (cluster && clusterRole === '') return fail('error: required flag(s) "clusterrole" not set');
  if (!cluster && (clusterRole === '') === (role === ''))
    return fail('error: exactly one of clusterrole or role must be specified');
  const subjects = subjectsOf(options);
  if (typeof subjects === 'string') return fail(`error: ${subjects}`);
  const roleRef = {
    apiGroup: rbacGroup,
    kind: clusterRole !== '' ? 'ClusterRole' : 'Role',
    name: clusterRole !== '' ? clusterRole : role,
  };
  const body = { roleRef, ...(subjects.length > 0 ? { subjects } : {}) };
  const admitted = admitRbacObject(cluster ? 'ClusterRoleBinding' : 'RoleBinding', {
    metadata: { name },
    ...body,
  });
  if ('refusal' in admitted)
    return fail(`error: failed to create ${subcommand}: ${refusalText(admitted.refusal)}`);
  const binding = newObject(
    cluster ? 'ClusterRoleBinding' : 'RoleBinding',
    rbacApiVersion,
    name,
    cluster ? undefined : namespaceOf(options.flags),
    body,
  );
  return submit(context, options, binding, `failed to create ${subcommand}`);
}

const serviceTypes: Readonly<Record<string, string>> = {
  clusterip: 'ClusterIP',
  nodeport: 'NodePort',
  loadbalancer: 'LoadBalancer',
};

/** parsePorts of create_service.go: `port[:targetPort]`, a numeric target staying a number. */
function servicePort(spec: string, nodePort: number): Record<string, unknown> | string {
  const [portText = '', targetText = portText] = spec.split(':');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    return `error: strconv.Atoi: parsing "${portText}": invalid syntax`;
  const target = /^\d+$/.test(targetText) ? Number(targetText) : targetText;
  return {
    name: spec.replaceAll(':', '-'),
    port,
    protocol: 'TCP',
    targetPort: target,
    ...(nodePort !== 0 ? { nodePort } : {}),
  };
}

/**
 * `kubectl create service clusterip|nodeport|loadbalancer NAME --tcp=PORT[:TARGET]` (kubectl
 * pkg/cmd/create/create_service.go at v0.33.0): a Service labelled and selecting `app=NAME`, one
 * TCP port per --tcp named after it (`5678-8080`), and for NodePort the --node-port asked for.
 */
function createService(
  context: TerminalContext,
  names: readonly string[],
  options: CreateFlags,
): CommandResult {
  const [kindName = '', ...rest] = names;
  const type = serviceTypes[kindName];
  if (type === undefined)
    return fail(
      `error: unknown command "${kindName}" for "kubectl create service"\nSupported in this simulator: clusterip, nodeport, loadbalancer`,
    );
  const name = nameFrom(`service ${kindName}`, rest);
  if (typeof name !== 'string') return name;
  const tcp = sliceFlag(options.repeated, '--tcp');
  const clusterIP = options.flags.get('--clusterip');
  if (clusterIP === 'None' && type !== 'ClusterIP')
    return fail('error: ClusterIP=None can only be used with ClusterIP service type');
  if (clusterIP !== 'None' && tcp.length === 0)
    return fail('error: at least one tcp port specifier must be provided');
  const nodePort = Number(options.flags.get('--node-port') ?? '0') || 0;
  const ports: Record<string, unknown>[] = [];
  for (const spec of tcp) {
    const port = servicePort(spec, nodePort);
    if (typeof port === 'string') return fail(port);
    ports.push(port);
  }
  const namespace = namespaceOf(options.flags);
  const spec: Record<string, unknown> = { type, selector: { app: name }, ports };
  if (clusterIP !== undefined && clusterIP !== '') spec.clusterIP = clusterIP;
  const service = newObject('Service', 'v1', name, namespace, { spec }, { app: name });
  return submit(context, options, service, `failed to create ${type} service`);
}

const generators: Readonly<
  Record<string, (context: TerminalContext, names: readonly string[], options: CreateFlags) => CommandResult>
> = {
  namespace: createNamespace,
  ns: createNamespace,
  deployment: createDeployment,
  deploy: createDeployment,
  service: createService,
  svc: createService,
  job: createJob,
  serviceaccount: createServiceAccount,
  sa: createServiceAccount,
  configmap: createConfigMap,
  cm: createConfigMap,
  role: (context, names, options) => createRole(context, names, options, false),
  clusterrole: (context, names, options) => createRole(context, names, options, true),
  rolebinding: (context, names, options) => createBinding(context, names, options, false),
  clusterrolebinding: (context, names, options) => createBinding(context, names, options, true),
};

/** `kubectl create -f FILE…` or `kubectl create GENERATOR NAME …`. */
export function create(
  context: TerminalContext,
  positionals: string[],
  options: CreateFlags,
  stdin: string,
): CommandResult {
  const files = options.repeated.get('--filename') ?? [];
  if (files.length > 0) return createFromFiles(context, options.flags, files, stdin);
  const [kind, ...names] = positionals;
  if (kind === 'secret') return createSecret(context, positionals.slice(1), options);
  if (kind === undefined) return fail('error: must specify one of -f and -k');
  const generator = generators[kind];
  if (generator === undefined)
    return fail(
      `error: unknown command "${kind}" for "kubectl create"\nSupported in this simulator: namespace, deployment, job, service clusterip|nodeport|loadbalancer, serviceaccount, configmap, secret generic|tls, role, clusterrole, rolebinding, clusterrolebinding, and -f FILE`,
    );
  return generator(context, names, options);
}
