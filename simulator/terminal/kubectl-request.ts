/**
 * What every kubectl subcommand shares about talking to the API server: the time a round trip
 * takes, the namespace flags, and who is asking. The reader's kubeconfig is kind's admin (in the
 * system:masters group, which RBAC never refuses); `--as` and `--as-group` impersonate someone
 * else, and then every request goes through the RBAC authorizer (k8s/rbac-authorizer.ts) and a
 * denied one ends kubectl with the API server's Forbidden error.
 */
import {
  authorize,
  clusterAdminUser,
  forbiddenMessage,
  impersonatedUser,
  type RequestAttributes,
  type UserInfo,
} from '../k8s/rbac-authorizer';
import type { FlagSpec } from './kube-args';
import type { ApiObject } from '../k8s/objects';
import { escalationRefusal } from '../k8s/rbac-escalation';
import { groupOf, type ResourceType } from './kubectl-resources';
import { fail, type CommandResult, type TerminalContext } from './context';

/** How long an API round trip from the reader's machine takes. */
export const apiCallMs = 120;

/** kubectl's global flags every subcommand accepts (impersonation). */
export const globalFlags: FlagSpec[] = [
  { names: ['--as'], takesValue: true },
  { names: ['--as-group'], takesValue: true },
  { names: ['--as-uid'], takesValue: true },
];

/** The namespace a command acts in: `-n`, or the kubeconfig's default. */
export function namespaceOf(flags: ReadonlyMap<string, string>): string {
  return flags.get('--namespace') ?? 'default';
}

/** Who the request runs as: the impersonated user, or the reader's own admin identity. */
export function requestUser(
  flags: ReadonlyMap<string, string>,
  repeated?: ReadonlyMap<string, string[]>,
): UserInfo {
  const name = flags.get('--as');
  if (name === undefined || name === '') return clusterAdminUser;
  return impersonatedUser(
    name,
    repeated?.get('--as-group') ?? (flags.has('--as-group') ? [flags.get('--as-group') ?? ''] : []),
  );
}

/**
 * The API server's refusal of a request when the requester may not make it, as the text after
 * `Error from server (Forbidden): `; undefined when it is allowed.
 */
export function forbiddenText(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  request: RequestAttributes,
): string | undefined {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined || !flags.has('--as')) return undefined;
  const user = requestUser(flags);
  const decision = authorize(cluster, user, request);
  return decision.allowed ? undefined : forbiddenMessage(user, request, decision.reason);
}

/** kubectl's Forbidden error for a request the requester may not make; undefined when allowed. */
export function forbidden(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  request: RequestAttributes,
): CommandResult | undefined {
  const text = forbiddenText(context, flags, request);
  return text === undefined ? undefined : fail(`Error from server (Forbidden): ${text}`);
}

/** The RBAC attributes of a request on a resource type (`list pods in default`). */
export function resourceRequest(
  type: ResourceType,
  verb: string,
  options: { namespace?: string; name?: string; subresource?: string } = {},
): RequestAttributes {
  const request: RequestAttributes = {
    verb,
    apiGroup: groupOf(type),
    resource: type.plural.split('.')[0] ?? type.plural,
  };
  if (type.namespaced && options.namespace !== undefined) request.namespace = options.namespace;
  if (options.name !== undefined) request.name = options.name;
  if (options.subresource !== undefined) request.subresource = options.subresource;
  return request;
}

/** The API server's refusal of an RBAC write that grants more than the impersonated user holds. */
export function escalationText(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
  object: ApiObject,
): string | undefined {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined || !flags.has('--as')) return undefined;
  return escalationRefusal(cluster, requestUser(flags), object);
}
