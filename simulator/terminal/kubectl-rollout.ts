/**
 * `kubectl rollout restart|status|history|undo` for Deployments and DaemonSets, with kubectl's
 * output (kubectl/pkg/cmd/rollout, polymorphichelpers rollout_status.go, history.go, rollback.go):
 * status watches the object until its rollout is complete, printing each new "Waiting for …" line;
 * history lists the revisions or describes one; undo puts a revision's template back.
 */
import { getObject } from '../k8s/api-store';
import type { DaemonSet, Deployment } from '../k8s/objects';
import { revisionsOf, type RolloutKind } from '../k8s/rollout';
import type { Cluster, World } from '../world';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { PrefixWriter, writePodTemplate } from './kubectl-describe';
import { servedResourceType, type ResourceType } from './kubectl-resources';
import { forbidden, namespaceOf, resourceRequest } from './kubectl-request';
import { tabwrite } from './tabwriter';
import { parseGoDuration } from './kubectl-wait';

/** How often `rollout status` looks again. */
const pollMs = 500;
/** Polls between two hand-backs to the page. */
const pollsPerPause = 10;

/** A rollout target: its kind, key and the prefix kubectl prints (`daemonset.apps/cilium`). */
interface Target {
  kind: RolloutKind;
  key: string;
  name: string;
  namespace: string;
  prefix: string;
  type: ResourceType;
}

/** The unsupported kinds' GroupKind, as kubectl names them in its errors. */
const groupKinds: Record<string, string> = {
  ReplicaSet: 'ReplicaSet.apps',
  ReplicationController: 'ReplicationController',
  Job: 'Job.batch',
  Pod: 'Pod',
};

function targetOf(
  world: Readonly<World>,
  positionals: string[],
  namespace: string,
  what: string,
): Target | CommandResult {
  const [first, second] = positionals;
  if (first === undefined) return fail(`error: required resource not specified`);
  const [typePart, namePart] = first.includes('/') ? first.split('/') : [first, second];
  const type = servedResourceType(world, typePart ?? '');
  if (type === undefined) return fail(`error: the server doesn't have a resource type "${typePart ?? ''}"`);
  if (namePart === undefined || namePart === '')
    return fail('error: resource(s) were provided, but no name was specified');
  if (type.kind !== 'Deployment' && type.kind !== 'DaemonSet') {
    const groupKind = groupKinds[type.kind] ?? type.kind;
    if (what === 'restart') return fail(`error: ${type.plural} "${namePart}" restarting is not supported`);
    if (what === 'status') return fail(`error: no status viewer has been implemented for ${groupKind}`);
    if (what === 'history') return fail(`error: no history viewer has been implemented for "${groupKind}"`);
    return fail(`error: no rollbacker has been implemented for "${groupKind}"`);
  }
  return {
    kind: type.kind,
    key: `${namespace}/${namePart}`,
    name: namePart,
    namespace,
    prefix: type.prefix,
    type,
  };
}

/** The status viewers' message for a Deployment, and whether its rollout is done (DeploymentStatusViewer). */
function deploymentStatus(deployment: Deployment): { message: string; done: boolean } {
  const name = deployment.metadata.name;
  const status = deployment.status;
  if ((deployment.metadata.generation ?? 1) > (status.observedGeneration ?? 0))
    return { message: 'Waiting for deployment spec update to be observed...', done: false };
  const updated = status.updatedReplicas ?? 0;
  const replicas = deployment.spec.replicas;
  if (updated < replicas)
    return {
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
      done: false,
    };
  if ((status.replicas ?? 0) > updated)
    return {
      message: `Waiting for deployment "${name}" rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...`,
      done: false,
    };
  if ((status.availableReplicas ?? 0) < updated)
    return {
      message: `Waiting for deployment "${name}" rollout to finish: ${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`,
      done: false,
    };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

/** The same for a DaemonSet (DaemonSetStatusViewer). */
function daemonSetStatus(daemonSet: DaemonSet): { message: string; done: boolean } | { error: string } {
  if (daemonSet.spec.updateStrategy.type !== 'RollingUpdate')
    return { error: 'rollout status is only available for RollingUpdate strategy type' };
  const name = daemonSet.metadata.name;
  const status = daemonSet.status;
  if ((daemonSet.metadata.generation ?? 1) > (status.observedGeneration ?? 0))
    return { message: 'Waiting for daemon set spec update to be observed...', done: false };
  const desired = status.desiredNumberScheduled;
  if ((status.updatedNumberScheduled ?? 0) < desired)
    return {
      message: `Waiting for daemon set "${name}" rollout to finish: ${status.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`,
      done: false,
    };
  if ((status.numberAvailable ?? 0) < desired)
    return {
      message: `Waiting for daemon set "${name}" rollout to finish: ${status.numberAvailable ?? 0} of ${desired} updated pods are available...`,
      done: false,
    };
  return { message: `daemon set "${name}" successfully rolled out`, done: true };
}

function statusOf(cluster: Cluster, target: Target): { message: string; done: boolean } | { error: string } {
  const object = getObject(cluster.api, target.kind, target.key);
  if (object === undefined)
    return {
      error: `Error from server (NotFound): ${target.kind === 'Deployment' ? 'deployments.apps' : 'daemonsets.apps'} "${target.name}" not found`,
    };
  return object.kind === 'Deployment' ? deploymentStatus(object) : daemonSetStatus(object);
}

/** `kubectl rollout status`: watches until done (or --timeout), one line per new message. */
async function status(
  context: TerminalContext,
  target: Target,
  flags: Map<string, string>,
): Promise<CommandResult> {
  const watch = flags.get('--watch') !== 'false';
  const timeoutText = flags.get('--timeout') ?? '0s';
  const timeoutMs = parseGoDuration(timeoutText);
  if (timeoutMs === undefined)
    return fail(
      `error: invalid argument "${timeoutText}" for "--timeout" flag: time: invalid duration "${timeoutText}"`,
    );
  const deadline = timeoutMs > 0 ? context.simulation.nowMs + timeoutMs : Infinity;
  const lines: string[] = [];
  let last = '';
  for (let polls = 1; ; polls++) {
    const cluster = context.simulation.state.cluster;
    if (cluster === undefined) return fail('error: no cluster');
    const current = statusOf(cluster, target);
    if ('error' in current)
      return {
        stdout: lines.join(''),
        stderr: `${current.error.startsWith('Error') ? '' : 'error: '}${current.error}\n`,
        exitCode: 1,
      };
    if (current.message !== last) lines.push(`${current.message}\n`);
    last = current.message;
    if (current.done || !watch) return ok(lines.join(''));
    if (context.simulation.nowMs >= deadline)
      return { stdout: lines.join(''), stderr: 'error: timed out waiting for the condition\n', exitCode: 1 };
    context.spend(Math.min(pollMs, deadline - context.simulation.nowMs));
    if (polls % pollsPerPause === 0 && context.pause !== undefined && !(await context.pause()))
      return { stdout: lines.join(''), stderr: '', exitCode: 130 };
  }
}

/** `kubectl rollout history [--revision=N]`. */
function history(context: TerminalContext, target: Target, flags: Map<string, string>): CommandResult {
  const cluster = context.simulation.state.cluster;
  const workload = cluster === undefined ? undefined : getObject(cluster.api, target.kind, target.key);
  if (workload === undefined)
    return fail(
      `error: failed to retrieve ${target.kind === 'Deployment' ? 'deployment' : 'DaemonSet'} ${target.name}: ${target.kind === 'Deployment' ? 'deployments.apps' : 'daemonsets.apps'} "${target.name}" not found`,
    );
  const revision = Number(flags.get('--revision') ?? '0');
  if (!Number.isInteger(revision))
    return fail(
      `error: invalid argument "${flags.get('--revision') ?? ''}" for "--revision" flag: strconv.ParseInt: parsing "${flags.get('--revision') ?? ''}": invalid syntax`,
    );
  const revisions = revisionsOf(context.simulation.state, workload);
  if (revisions.size === 0) return ok(`${target.prefix}/${target.name} \nNo rollout history found.\n`);
  if (revision > 0) {
    const template = revisions.get(revision);
    if (template === undefined) return fail('error: unable to find the specified revision');
    const w = new PrefixWriter();
    writePodTemplate(w, template);
    return ok(`${target.prefix}/${target.name} with revision #${revision}\n${w.toString()}\n`);
  }
  const rows = [...revisions.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([number, template]) =>
        `${number}\t${template.metadata.annotations?.['kubernetes.io/change-cause'] ?? '<none>'}\n`,
    );
  const table = tabwrite(`REVISION\tCHANGE-CAUSE\n${rows.join('')}`, { minWidth: 0, padding: 2 });
  return ok(`${target.prefix}/${target.name} \n${table}\n`);
}

/** Sends a rollout change and prints kubectl's line for it. */
function change(
  context: TerminalContext,
  target: Target,
  event: 'restart' | 'undo',
  toRevision: number,
): CommandResult {
  const result = context.input(
    event === 'restart'
      ? { type: 'workload.restart', kind: target.kind, key: target.key }
      : { type: 'workload.rollback', kind: target.kind, key: target.key, toRevision },
  );
  if (!result.ok)
    return fail(
      result.error.endsWith('not found')
        ? `Error from server (NotFound): ${result.error}`
        : `error: ${result.error}`,
    );
  return ok(`${target.prefix}/${target.name} ${result.rollout ?? ''}\n`);
}

/** Runs `kubectl rollout SUBCOMMAND`. */
export async function rollout(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
): Promise<CommandResult> {
  const [action, ...rest] = positionals;
  const namespace = namespaceOf(flags);
  if (action === undefined)
    return fail('error: you must specify a subcommand: history, pause, restart, resume, status, undo');
  if (!['restart', 'status', 'history', 'undo'].includes(action))
    return fail(
      `error: unknown command "${action}" for "kubectl rollout"\nSupported in this simulator: history, restart, status, undo`,
    );
  const target = targetOf(context.simulation.state, rest, namespace, action);
  if ('exitCode' in target) return target;
  // kubectl reads the object first; restart and undo then patch it (RBAC under --as).
  const verbs = action === 'restart' || action === 'undo' ? ['get', 'patch'] : ['get'];
  for (const verb of verbs) {
    const denied = forbidden(
      context,
      flags,
      resourceRequest(target.type, verb, { namespace: target.namespace, name: target.name }),
    );
    if (denied !== undefined) return denied;
  }
  switch (action) {
    case 'status':
      return await status(context, target, flags);
    case 'history':
      return history(context, target, flags);
    case 'restart':
      return change(context, target, 'restart', 0);
    default: {
      const text = flags.get('--to-revision') ?? '0';
      const toRevision = Number(text);
      if (!Number.isInteger(toRevision))
        return fail(
          `error: invalid argument "${text}" for "--to-revision" flag: strconv.ParseInt: parsing "${text}": invalid syntax`,
        );
      return change(context, target, 'undo', toRevision);
    }
  }
}
