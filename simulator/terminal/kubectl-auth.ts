/**
 * `kubectl auth can-i` and `kubectl auth whoami` (kubectl pkg/cmd/auth/cani.go and whoami.go at
 * v0.33.0). can-i asks the API server a SelfSubjectAccessReview (`yes`, or `no` with RBAC's reason,
 * exit status 1) or, with --list, a SelfSubjectRulesReview, whose rules kubectl breaks down into
 * one verb each, compacts per resource and sorts by their Go string before printing the table.
 * Both answer for whoever `--as` names, which is how a reader checks what a service account may do.
 */
import { authorize, rulesFor, type RequestAttributes } from '../k8s/rbac-authorizer';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { namespaceOf, requestUser } from './kubectl-request';
import { groupOf, resolveResourceType } from './kubectl-resources';
import { tabwrite } from './tabwriter';
import { combineResourceGroup, compactSortedRules, goList } from './kubectl-rbac-rules';

const resourceVerbs = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'use',
  'bind',
  'impersonate',
  '*',
  'approve',
  'sign',
  'escalate',
  'attest',
];
const urlVerbs = ['get', 'put', 'post', 'head', 'options', 'delete', 'patch', '*'];

/**
 * Resources every API server serves that the model stores no objects of, with their group, so that
 * `can-i` maps them as discovery would (`create selfsubjectaccessreviews` is authorization.k8s.io).
 */
const discoveryOnly: Readonly<Record<string, { group: string; namespaced: boolean }>> = {
  selfsubjectaccessreviews: { group: 'authorization.k8s.io', namespaced: false },
  selfsubjectrulesreviews: { group: 'authorization.k8s.io', namespaced: false },
  subjectaccessreviews: { group: 'authorization.k8s.io', namespaced: false },
  localsubjectaccessreviews: { group: 'authorization.k8s.io', namespaced: true },
  selfsubjectreviews: { group: 'authentication.k8s.io', namespaced: false },
  tokenreviews: { group: 'authentication.k8s.io', namespaced: false },
  events: { group: '', namespaced: true },
  persistentvolumeclaims: { group: '', namespaced: true },
  persistentvolumes: { group: '', namespaced: false },
  leases: { group: 'coordination.k8s.io', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', namespaced: true },
  statefulsets: { group: 'apps', namespaced: true },
  daemonsets: { group: 'apps', namespaced: true },
  jobs: { group: 'batch', namespaced: true },
  cronjobs: { group: 'batch', namespaced: true },
  ingresses: { group: 'networking.k8s.io', namespaced: true },
  customresourcedefinitions: { group: 'apiextensions.k8s.io', namespaced: false },
};

/** `kubectl auth can-i --list`. */
function accessList(context: TerminalContext, flags: ReadonlyMap<string, string>): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const { rules } = rulesFor(cluster, requestUser(flags), namespaceOf(flags));
  const listed = compactSortedRules(rules);
  const lines = flags.has('--no-headers') ? [] : ['Resources\tNon-Resource URLs\tResource Names\tVerbs'];
  for (const rule of listed)
    lines.push(
      `${combineResourceGroup(rule)}\t${goList(rule.nonResourceURLs)}\t${goList(rule.resourceNames)}\t${goList(rule.verbs)}`,
    );
  return ok(tabwrite(`${lines.join('\n')}\n`, { minWidth: 6, padding: 3 }));
}

/** The request `can-i VERB TYPE[/NAME]` asks about, with the warnings kubectl prints for it. */
function accessRequest(
  context: TerminalContext,
  verb: string,
  target: string,
  flags: ReadonlyMap<string, string>,
): { request: RequestAttributes; warnings: string } {
  const cluster = context.simulation.state.cluster;
  const namespace = flags.has('--all-namespaces') ? '' : namespaceOf(flags);
  if (target.startsWith('/')) {
    const warnings = urlVerbs.includes(verb) ? '' : `Warning: verb '${verb}' is not a known verb\n`;
    return { request: { verb, path: target }, warnings };
  }
  const [resourceText = '', name] = target.split('/', 2);
  let warnings = '';
  let resource = resourceText.toLowerCase();
  let apiGroup = '';
  let namespaced = true;
  const type =
    resource === '*' || cluster === undefined
      ? undefined
      : resolveResourceType(context.simulation.state, cluster, resource);
  const [bare = '', group] = resource.split(/\.(.*)/s);
  const known = discoveryOnly[bare];
  if (type !== undefined) {
    resource = type.plural.split('.')[0] ?? resource;
    apiGroup = groupOf(type);
    namespaced = type.namespaced;
  } else if (known !== undefined && (group === undefined || group === known.group)) {
    resource = bare;
    apiGroup = known.group;
    namespaced = known.namespaced;
    if (!namespaced && !flags.has('--all-namespaces'))
      warnings +=
        apiGroup === ''
          ? `Warning: resource '${resource}' is not namespace scoped\n`
          : `Warning: resource '${resource}' is not namespace scoped in group '${apiGroup}'\n`;
  } else if (resource !== '*' && resource !== 'users' && resource !== 'groups') {
    const dot = resource.indexOf('.');
    warnings +=
      dot < 0
        ? `Warning: the server doesn't have a resource type '${resource}'\n`
        : `Warning: the server doesn't have a resource type '${resource.slice(0, dot)}' in group '${resource.slice(dot + 1)}'\n`;
  }
  if (type !== undefined && !namespaced && !flags.has('--all-namespaces'))
    warnings +=
      apiGroup === ''
        ? `Warning: resource '${resource}' is not namespace scoped\n`
        : `Warning: resource '${resource}' is not namespace scoped in group '${apiGroup}'\n`;
  if (!resourceVerbs.includes(verb)) warnings += `Warning: verb '${verb}' is not a known verb\n`;
  const subresource = flags.get('--subresource');
  return {
    request: {
      verb,
      apiGroup,
      resource,
      ...(namespace !== '' ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
    },
    warnings,
  };
}

/** `kubectl auth can-i VERB TYPE[/NAME] | --list`. */
function canI(
  context: TerminalContext,
  args: readonly string[],
  flags: ReadonlyMap<string, string>,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (flags.has('--list')) {
    if (args.length !== 0) return fail('error: list option must be specified with no arguments');
    if (flags.has('--quiet') || flags.has('--all-namespaces') || flags.has('--subresource'))
      return fail(
        "error: list option can't be specified with neither quiet, all-namespaces nor subresource options",
      );
    return accessList(context, flags);
  }
  if (args.length !== 2)
    return fail(
      "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.",
    );
  if (flags.has('--no-headers')) return fail('error: --no-headers cannot be set without --list specified');
  const [verb = '', target = ''] = args;
  if (target.startsWith('/') && flags.has('--subresource'))
    return fail('error: --subresource can not be used with NonResourceURL');
  const { request, warnings } = accessRequest(context, verb, target, flags);
  const decision = authorize(cluster, requestUser(flags), request);
  const answer = decision.allowed ? 'yes' : `no${decision.reason === '' ? '' : ` - ${decision.reason}`}`;
  return {
    stdout: flags.has('--quiet') ? '' : `${answer}\n`,
    stderr: warnings,
    exitCode: decision.allowed ? 0 : 1,
  };
}

/** `kubectl auth whoami`: the SelfSubjectReview API answers from Kubernetes 1.28 (GA). */
function whoami(context: TerminalContext, flags: ReadonlyMap<string, string>): CommandResult {
  const version = context.simulation.state.cluster?.kubernetesVersion ?? '';
  const minor = Number(/^v1\.(\d+)/.exec(version)?.[1] ?? '0');
  if (minor < 28)
    return fail(
      'error: the selfsubjectreviews API is not enabled in the cluster\nenable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API',
    );
  const user = requestUser(flags);
  return ok(
    tabwrite(`ATTRIBUTE\tVALUE\nUsername\t${user.name}\nGroups\t${goList(user.groups)}\n`, {
      minWidth: 6,
      padding: 3,
    }),
  );
}

/** `kubectl auth SUBCOMMAND`. */
export function auth(
  context: TerminalContext,
  positionals: readonly string[],
  flags: ReadonlyMap<string, string>,
): CommandResult {
  const [subcommand, ...args] = positionals;
  if (subcommand === 'can-i') return canI(context, args, flags);
  if (subcommand === 'whoami') return whoami(context, flags);
  if (subcommand === undefined)
    return ok(
      'Inspect authorization.\n\nAvailable Commands:\n  can-i         Check whether an action is allowed\n  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects\n  whoami        Experimental: Check self subject attributes\n\nUsage:\n  kubectl auth [flags] [options]\n',
    );
  return fail(`error: unknown command "${subcommand}" for "kubectl auth"`);
}
