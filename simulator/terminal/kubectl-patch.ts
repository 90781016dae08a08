/**
 * `kubectl patch (TYPE NAME | TYPE/NAME | -f FILE) (-p PATCH | --patch-file FILE) [--type
 * strategic|merge|json]`, following kubectl pkg/cmd/patch/patch.go (v0.33.0): the patch is read as
 * YAML or JSON, applied by the API server to the stored object (k8s/patch.ts), and the result goes
 * through the same admission as any update, so a pod's immutable spec or a policy's schema refuses
 * it in the server's words. kubectl prints `pod/x patched`, or `patched (no change)` when the object
 * came out the same.
 */
import { parse as parseYaml } from 'yaml';
import { getObject } from '../k8s/api-store';
import { jsonPatch, mergePatch, strategicMerge } from '../k8s/patch';
import { parseManifests } from '../k8s/manifests';
import { customKinds } from '../k8s/extension-points';
import { canonicalJson } from '../engine/state-hash';
import { refusalForKubectl } from '../k8s/api-errors';
import { objectKey, type ApiObject } from '../k8s/objects';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { objectsOf, readSources } from './kubectl-apply';
import { kubectlJson, kubectlYaml } from './kubectl-output';
import { apiCallMs, forbidden, namespaceOf, resourceRequest } from './kubectl-request';
import { groupOf, resourceType, type ResourceType } from './kubectl-resources';
import { parseReferences } from './kubectl-select';
import type { ParsedArgs } from './kube-args';

const patchTypes = ['json', 'merge', 'strategic'];

/** The kinds the API server has Go types for, which strategic merge patch needs. */
const builtInGroups: ReadonlySet<string> = new Set([
  '',
  'apps',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'coordination.k8s.io',
]);

/** yaml.ToJSON of the patch text, or kubectl's parse error. */
function readPatch(
  context: TerminalContext,
  flags: ReadonlyMap<string, string>,
): { value: unknown } | CommandResult {
  const inline = flags.get('--patch');
  const file = flags.get('--patch-file');
  if (inline !== undefined && file !== undefined)
    return fail('error: cannot specify --patch and --patch-file together');
  if ((inline ?? '') === '' && (file ?? '') === '')
    return fail('error: must specify --patch or --patch-file containing the contents of the patch');
  const type = (flags.get('--type') ?? 'strategic').toLowerCase();
  if (!patchTypes.includes(type))
    return fail(`error: --type must be one of [json merge strategic], not "${flags.get('--type') ?? ''}"`);
  let text = inline ?? '';
  if (file !== undefined) {
    const shared = context.files[file.replace(/^\.\//, '')];
    if (shared === undefined)
      return fail(`error: unable to read patch file: open ${file}: no such file or directory`);
    text = shared;
  }
  try {
    // logLevel error: the YAML library's warnings would go to the host's console, not the reader's terminal.
    return { value: parseYaml(text, { maxAliasCount: 10, logLevel: 'error' }) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const reason = /flow map/i.test(message)
      ? "did not find expected ',' or '}'"
      : /flow seq/i.test(message)
        ? "did not find expected ',' or ']'"
        : `line ${/line (\d+)/.exec(message)?.[1] ?? '1'}: did not find expected node content`;
    return fail(`error: unable to parse "${inline ?? text}": yaml: ${reason}`);
  }
}

/** The stored object a patch targets, resolved from arguments or a file. */
function patchTarget(
  context: TerminalContext,
  positionals: readonly string[],
  options: ParsedArgs,
  stdin: string,
): { type: ResourceType; object: ApiObject } | CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('error: no cluster');
  const files = options.repeated.get('--filename') ?? [];
  let reference: { type: ResourceType; name: string; namespace: string } | undefined;
  if (files.length > 0) {
    const sources = readSources(context, files, stdin, false);
    if (!Array.isArray(sources)) return sources;
    const first = sources.find((source) => 'text' in source);
    const object =
      first === undefined || !('text' in first)
        ? undefined
        : objectsOf(context, options.flags, first).objects[0];
    const type = object === undefined ? undefined : resourceType(context.simulation.state, object.kind);
    if (object === undefined || type === undefined) return fail('error: no objects passed to patch');
    reference = {
      type,
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? namespaceOf(options.flags),
    };
  } else {
    if (positionals.length === 0)
      return fail(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    const references = parseReferences(positionals, context.simulation.state);
    if ('exitCode' in references) return references;
    const [first] = references;
    if (first?.name === undefined) return fail('error: resource(s) were provided, but no name was specified');
    reference = { type: first.type, name: first.name, namespace: namespaceOf(options.flags) };
  }
  const { type, name, namespace } = reference;
  const denied = forbidden(context, options.flags, resourceRequest(type, 'get', { namespace, name }));
  if (denied !== undefined) return denied;
  const object = getObject(
    cluster.api,
    type.kind,
    objectKey(type.kind, name, namespace, customKinds(context.simulation.state)),
  );
  if (object === undefined) return fail(`Error from server (NotFound): ${type.plural} "${name}" not found`);
  return { type, object };
}

/** The patched object, or the API server's error for the patch. */
function patched(
  type: ResourceType,
  object: ApiObject,
  patchType: string,
  patch: unknown,
): { value: unknown } | CommandResult {
  if (patchType === 'merge') return { value: mergePatch(object, patch) };
  if (patchType === 'json') {
    const result = jsonPatch(object, patch);
    if ('result' in result) return { value: result.result };
    return fail(
      result.kind === 'decode'
        ? `Error from server (BadRequest): ${result.message}`
        : 'The request is invalid: the server rejected our request due to an error in our request',
    );
  }
  if (!builtInGroups.has(groupOf(type)))
    return fail(
      `error: application/strategic-merge-patch+json is not supported by ${object.apiVersion}, Kind=${object.kind}: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  return { value: strategicMerge(object, patch) };
}

/** The manifest an update sends: what a user may set, without the server's own metadata. */
function asManifest(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const key of ['name', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers'])
    if (metadata[key] !== undefined) kept[key] = metadata[key];
  const manifest: Record<string, unknown> = { ...object, metadata: kept };
  delete manifest.status;
  return manifest;
}

/** `kubectl patch`. */
export function patch(
  context: TerminalContext,
  positionals: string[],
  options: ParsedArgs,
  stdin: string,
): CommandResult {
  const { flags } = options;
  const patchValue = readPatch(context, flags);
  if (patchValue !== null && typeof patchValue === 'object' && 'exitCode' in patchValue) return patchValue;
  const target = patchTarget(context, positionals, options, stdin);
  if ('exitCode' in target) return target;
  const { type, object } = target;
  const submitted = submitPatch(
    context,
    flags,
    type,
    object,
    (flags.get('--type') ?? 'strategic').toLowerCase(),
    patchValue.value,
  );
  if ('exitCode' in submitted) return submitted;
  const { stored, unchanged } = submitted;
  const output = flags.get('--output');
  if (output === 'yaml') return ok(kubectlYaml(stored));
  if (output === 'json') return ok(kubectlJson(stored));
  if (output === 'name') return ok(`${type.prefix}/${object.metadata.name}\n`);
  return ok(`${type.prefix}/${object.metadata.name} patched${unchanged ? ' (no change)' : ''}\n`);
}

/**
 * Sends a patch of one object to the API server, as kubectl's patch request does: the request is
 * authorized (RBAC, as the user or the one `--as` names), the patched object is validated and
 * stored unless the patch changes nothing. Returns the stored object after it, or the server's
 * refusal in kubectl's words.
 */
export function submitPatch(
  context: TerminalContext,
  flags: Map<string, string>,
  type: ResourceType,
  object: ApiObject,
  patchType: string,
  patchValue: unknown,
): { stored: ApiObject; unchanged: boolean } | CommandResult {
  const namespace = object.metadata.namespace;
  const denied = forbidden(
    context,
    flags,
    resourceRequest(type, 'patch', {
      ...(namespace !== undefined ? { namespace } : {}),
      name: object.metadata.name,
    }),
  );
  if (denied !== undefined) return denied;
  const result = patched(type, object, patchType, patchValue);
  if ('exitCode' in result) return result;
  const manifest = asManifest(result.value as Record<string, unknown>);
  const parsed = parseManifests(JSON.stringify(manifest), {
    ciliumVersion: context.simulation.state.cluster?.cilium?.config.version,
    kinds: customKinds(context.simulation.state),
  });
  if (parsed.errors.length > 0) return fail(parsed.errors.join('\n'));
  const next = parsed.objects[0];
  if (next === undefined) return fail('error: no objects passed to patch');
  const unchanged =
    canonicalJson(asManifest(object as unknown as Record<string, unknown>)) === canonicalJson(manifest);
  context.spend(apiCallMs);
  if (!unchanged) {
    const applied = context.input({ type: 'api.apply', objects: [next] });
    if (!applied.ok) return fail(`error: ${applied.error}`);
    const refusal = applied.applied?.[0]?.refusal;
    if (refusal !== undefined) return fail(refusalForKubectl(refusal));
  }
  const cluster = context.simulation.state.cluster;
  const stored =
    cluster === undefined
      ? object
      : (getObject(
          cluster.api,
          object.kind,
          objectKey(object.kind, object.metadata.name, namespace, customKinds(context.simulation.state)),
        ) ?? object);
  return { stored, unchanged };
}
