/**
 * `kubectl expose TYPE NAME|TYPE/NAME [--port] [--target-port] [--type] [--name] [--protocol]`
 * (kubectl pkg/cmd/expose/expose.go and the ServiceGeneratorV2 it drives, at v0.33.0): a Service
 * that selects what the object selects (a Deployment's or ReplicaSet's matchLabels, an RC's or a
 * Service's selector, a Pod's labels), carries the object's labels, and serves --port, or without
 * it the container ports of the object's pods (several are named `port-1`, `port-2`, …).
 */
import { getObject } from '../k8s/api-store';
import { objectKey, type ApiObject, type Container } from '../k8s/objects';
import { refusalText } from '../k8s/api-errors';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { apiCallMs, forbiddenText, namespaceOf, resourceRequest } from './kubectl-request';
import { resolveResourceType } from './kubectl-resources';

const exposable = new Set(['Pod', 'Service', 'ReplicationController', 'Deployment', 'ReplicaSet']);

/** The selector of what is exposed, as a map (the generator takes only matchLabels). */
function selectorOf(object: ApiObject): Record<string, string> | string {
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  if (object.kind === 'Pod') return { ...object.metadata.labels };
  if (object.kind === 'Service' || object.kind === 'ReplicationController')
    return { ...((spec.selector as Record<string, string> | undefined) ?? {}) };
  const selector = spec.selector as
    { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined;
  if ((selector?.matchExpressions ?? []).length > 0)
    return `couldn't convert expressions - "${object.metadata.name}" to map-based selector format`;
  return { ...(selector?.matchLabels ?? {}) };
}

/** The ports of the object's pods (a Service's own ports), for a Service without --port. */
function portsOf(object: ApiObject): { port: number; protocol: string }[] {
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  if (object.kind === 'Service')
    return ((spec.ports as { port: number; protocol?: string }[] | undefined) ?? []).map((port) => ({
      port: port.port,
      protocol: port.protocol ?? 'TCP',
    }));
  const podSpec =
    object.kind === 'Pod'
      ? (spec as { containers?: Container[] })
      : ((spec.template as { spec?: { containers?: Container[] } } | undefined)?.spec ?? {});
  return (podSpec.containers ?? []).flatMap((container) =>
    (container.ports ?? []).map((port) => ({ port: port.containerPort, protocol: port.protocol ?? 'TCP' })),
  );
}

/** The Service the generator builds, or kubectl's error. */
function serviceFor(object: ApiObject, flags: ReadonlyMap<string, string>): ApiObject | string {
  const selector = selectorOf(object);
  if (typeof selector === 'string') return `error: ${selector}`;
  if (Object.keys(selector).length === 0)
    return `error: couldn't retrieve selectors via --selector flag or introspection: the ${object.kind.toLowerCase()} has no selector`;
  const portFlag = flags.get('--port');
  const found = portFlag === undefined ? portsOf(object) : [{ port: Number(portFlag), protocol: 'TCP' }];
  if (found.length === 0 || found.some((entry) => !Number.isInteger(entry.port)))
    return "error: couldn't find port via --port flag or introspection";
  const protocol = flags.get('--protocol');
  const target = flags.get('--target-port');
  const ports = found.map((entry, index) => ({
    ...(found.length > 1 ? { name: `port-${index + 1}` } : {}),
    port: entry.port,
    protocol: protocol ?? entry.protocol,
    targetPort: target === undefined ? entry.port : /^\d+$/.test(target) ? Number(target) : target,
  }));
  const type = flags.get('--type');
  const metadata: Record<string, unknown> = {
    name: flags.get('--name') ?? object.metadata.name,
    namespace: object.metadata.namespace,
  };
  if (object.metadata.labels !== undefined) metadata.labels = { ...object.metadata.labels };
  const spec: Record<string, unknown> = { ports, selector };
  if (type !== undefined) spec.type = type;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec } as unknown as ApiObject;
}

/** `kubectl expose`. */
export function expose(
  context: TerminalContext,
  positionals: readonly string[],
  flags: ReadonlyMap<string, string>,
): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const [first = '', second] = positionals;
  const [typeName = '', slashName] = first.split('/');
  const name = slashName ?? second;
  if (first === '' || name === undefined)
    return fail(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  const type = resolveResourceType(context.simulation.state, cluster, typeName);
  if (type === undefined) return fail(`error: the server doesn't have a resource type "${typeName}"`);
  const namespace = namespaceOf(flags);
  const object = getObject(cluster.api, type.kind, objectKey(type.kind, name, namespace));
  if (object === undefined) return fail(`Error from server (NotFound): ${type.plural} "${name}" not found`);
  if (!exposable.has(type.kind))
    return fail(`error: cannot expose a ${type.kind}.${type.plural.split('.').slice(1).join('.') || ''}`);
  const service = serviceFor(object, flags);
  if (typeof service === 'string') return fail(service);
  const serviceName = service.metadata.name;
  const denied = forbiddenText(
    context,
    flags,
    resourceRequest(resolveResourceType(context.simulation.state, cluster, 'services')!, 'create', {
      namespace,
    }),
  );
  if (denied !== undefined) return fail(`Error from server (Forbidden): ${denied}`);
  if (getObject(cluster.api, 'Service', objectKey('Service', serviceName, namespace)) !== undefined)
    return fail(`Error from server (AlreadyExists): services "${serviceName}" already exists`);
  const result = context.input({ type: 'api.apply', objects: [service] });
  context.spend(apiCallMs);
  if (!result.ok) return fail(`error: ${result.error}`);
  const refusal = result.applied?.[0]?.refusal;
  if (refusal !== undefined) return fail(refusalText(refusal));
  return ok(`service/${serviceName} exposed\n`);
}
