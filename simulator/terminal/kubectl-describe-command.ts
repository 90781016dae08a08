/**
 * The `kubectl describe` command around the printers: `TYPE`, `TYPE NAME…`, `TYPE/NAME…`,
 * `-l SELECTOR`, `-n`/`-A`, and kubectl's fallback of describing every object whose name starts
 * with the one given when no object has exactly that name. Events print only when one object is
 * described (or --show-events is set), as in kubectl.
 */
import { fail, type CommandResult, type TerminalContext } from './context';
import type { ApiObject } from '../k8s/objects';
import type { Cluster } from '../world';
import { describeObject } from './kubectl-describe';
import { describeDaemonSet, describeJob, describeReplicaSet } from './kubectl-describe-workloads';
import {
  noResourcesMessage,
  notFound,
  objectsInScope,
  parseReferences,
  resolveReferences,
  scopeOf,
} from './kubectl-select';

/** Describes one object with the describer of its kind; `events` is false when several are described. */
function describeAny(cluster: Cluster, object: ApiObject, nowMs: number, events: boolean): string {
  switch (object.kind) {
    case 'DaemonSet':
      return describeDaemonSet(cluster, object, events);
    case 'ReplicaSet':
    case 'ReplicationController':
      return describeReplicaSet(cluster, object, events);
    case 'Job':
      return describeJob(object, events);
    default:
      return describeObject(cluster, object, nowMs, events);
  }
}

/** `kubectl describe`. */
export function describe(
  context: TerminalContext,
  positionals: string[],
  flags: Map<string, string>,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  if (positionals.length === 0)
    return fail(
      'You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.',
    );
  const scope = scopeOf(flags);
  if ('exitCode' in scope) return scope;
  const references = parseReferences(positionals, context.simulation.state);
  if ('exitCode' in references) return references;
  const explicitEvents = flags.has('--show-events') ? flags.get('--show-events') !== 'false' : undefined;
  const nowMs = context.simulation.nowMs;
  const resolved = resolveReferences(cluster, references, scope);
  if ('exitCode' in resolved) {
    // `kubectl describe TYPE PREFIX`: every object whose name starts with PREFIX, or the NotFound.
    const [only] = references;
    if (references.length !== 1 || only?.name === undefined || positionals[0]?.includes('/') === true)
      return resolved;
    const prefix = only.name;
    const matching = objectsInScope(cluster, only.type, {
      namespace: scope.namespace,
      allNamespaces: false,
    }).filter((object) => object.metadata.name.startsWith(prefix));
    if (matching.length === 0 || scope.allNamespaces) return notFound(only.type, prefix);
    return {
      stdout: matching
        .map((object) => `${describeAny(cluster, object, nowMs, explicitEvents ?? false)}\n`)
        .join(''),
      stderr: '',
      exitCode: 0,
    };
  }
  if (resolved.length === 0)
    return {
      stdout: '',
      stderr: noResourcesMessage(scope, references[0]?.type.namespaced ?? true),
      exitCode: 0,
    };
  const events = explicitEvents ?? resolved.length === 1;
  return {
    stdout: resolved.map((object) => describeAny(cluster, object, nowMs, events)).join('\n\n'),
    stderr: '',
    exitCode: 0,
  };
}
