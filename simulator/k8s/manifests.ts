/**
 * Reads manifests the way `kubectl apply -f` does: several YAML documents, each an object whose
 * kind the API server must know. Parsing uses the policy engine's safe YAML reader with a reader
 * per policy kind: NetworkPolicy's own, and those the custom kinds' registrations bring, so a
 * policy that its schema refuses is refused here with the API server's message and position.
 */
import {
  networkPolicyDecoder,
  readManifestDocuments,
  type KindDecoders,
  type PolicyError,
} from '../policy/index';
import type { ApiObject } from './objects';
import { admitSecret, secretRefusalForKubectl } from './secrets';
import { admitConfigMap } from './configmaps';
import { admitRbacObject, rbacApiVersion, rbacKinds } from './rbac-objects';
import { refusalForKubectl } from './api-errors';
import type { CustomKinds } from './extension-points';

/**
 * The built-in kinds `kubectl apply` accepts in the model; a custom kind is accepted when its
 * registration says how (CustomKind.manifest in k8s/extension-points.ts).
 */
const applicableBuiltInKinds: ReadonlySet<string> = new Set([
  'Namespace',
  'ServiceAccount',
  'Service',
  'Deployment',
  'ReplicaSet',
  'DaemonSet',
  'ReplicationController',
  'Job',
  'Pod',
  'Secret',
  'NetworkPolicy',
  'ConfigMap',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
]);

/** The group/version each built-in kind is served in; another apiVersion has no mapping. */
const builtInVersions: Readonly<Record<string, string>> = {
  Namespace: 'v1',
  ServiceAccount: 'v1',
  Service: 'v1',
  Pod: 'v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicationController: 'v1',
  Job: 'batch/v1',
  Role: rbacApiVersion,
  ClusterRole: rbacApiVersion,
  RoleBinding: rbacApiVersion,
  ClusterRoleBinding: rbacApiVersion,
};

/**
 * kubectl's client-side mapping error for a kind or version the server does not serve
 * (cli-runtime pkg/resource/mapper.go), naming the file the object came from.
 */
export function mappingError(
  object: { name: string; namespace?: string; kind: string; apiVersion: string },
  source: string,
): string {
  return `error: resource mapping not found for name: "${object.name}" namespace: "${object.namespace ?? ''}" from "${source}": no matches for kind "${object.kind}" in version "${object.apiVersion}"\nensure CRDs are installed first`;
}

/**
 * Whether kubectl maps the object's kind and apiVersion to a resource the model applies: a built-in
 * kind in its group/version (the policy reader checks NetworkPolicy's), or a registered custom kind
 * that says how it is admitted, in a version its CRD serves.
 */
function applicable(kinds: CustomKinds, kind: string, apiVersion: string): boolean {
  if (applicableBuiltInKinds.has(kind)) {
    const builtIn = builtInVersions[kind];
    return builtIn === undefined || builtIn === apiVersion;
  }
  const custom = kinds.get(kind);
  return custom?.manifest !== undefined && custom.versionServed(apiVersion);
}

/** Objects read from manifests, and what kubectl would refuse. */
export interface ManifestResult {
  objects: ApiObject[];
  errors: string[];
  /** Problems the API server accepts but the agent reports later (policy status, agent log). */
  agentErrors: PolicyError[];
  /** The simulator's own notes on valid policies it stores but does not fully enforce. */
  notes: string[];
}

/** Formats a parse error as kubectl prints it, with its position in the input. */
function formatManifestError(error: PolicyError): string {
  const where =
    error.line > 0
      ? ` (document ${error.documentIndex + 1}, line ${error.line}, column ${error.column})`
      : '';
  return `error: ${error.message}${where}`;
}

/** How to read manifests: which policy schema applies, where they came from, the CRDs. */
export interface ManifestOptions {
  /** The cluster's Cilium release, whose schema the policy reader (policy/) applies to its kinds. */
  ciliumVersion?: string | undefined;
  /** The source kubectl names in its errors (a file name, `STDIN`). */
  source?: string;
  /** The CRDs' kinds the API server validates (k8s/extension-points.ts customKinds); none by default. */
  kinds?: CustomKinds;
}

const noKinds: CustomKinds = new Map();

/** The readers of the policy kinds: the built-in NetworkPolicy's, and the registered kinds'. */
function policyDecoders(kinds: CustomKinds): KindDecoders {
  const decoders: Record<string, KindDecoders[string]> = { NetworkPolicy: networkPolicyDecoder };
  for (const [kind, definition] of kinds) {
    const decoder = definition.manifest?.decoder;
    if (decoder !== undefined) decoders[kind] = decoder;
  }
  return decoders;
}

/**
 * Parses manifest text into API objects, as the API server decodes and validates them: policies with
 * the schema of the cluster's Cilium release, the CRDs' kinds as their registrations say (options).
 */
export function parseManifests(text: string, options: ManifestOptions = {}): ManifestResult {
  const { ciliumVersion, source = 'STDIN', kinds = noKinds } = options;
  // kubectl decodes YAML with go-yaml v2 (YAML 1.1): an unquoted yes/on/off is a boolean.
  const parsed = readManifestDocuments(text, policyDecoders(kinds), {
    yamlVersion: '1.1',
    ...(ciliumVersion === undefined ? {} : { ciliumVersion }),
  });
  const notes: string[] = [];
  const errors = parsed.errors.filter((error) => error.stage === 'apiserver').map(formatManifestError);
  const agentErrors = parsed.errors.filter((error) => error.stage === 'agent');
  const objects: ApiObject[] = [];
  for (const object of parsed.objects) {
    agentErrors.push(...object.agentErrors);
    if (object.unsimulated.length > 0) {
      notes.push(
        `(the simulator stores ${object.kind.toLowerCase()}/${object.name} as valid, as Cilium does, but does not enforce its ${object.unsimulated.join(' and ')})`,
      );
    }
    if (!applicable(kinds, object.kind, object.apiVersion)) {
      errors.push(mappingError(object, source));
      continue;
    }
    if (object.name === '') {
      errors.push(
        `error: error validating data: metadata.name: Required value: name is required (document ${object.documentIndex + 1})`,
      );
      continue;
    }
    const admitted = admitByKind(kinds, object.kind, object.apiVersion, object.name, object.body, source);
    if (typeof admitted === 'string') errors.push(admitted);
    else objects.push(admitted);
  }
  return { objects, errors, agentErrors, notes };
}

/** The API server's decoding and validation of the kinds that have their own (others pass as written). */
function admitByKind(
  kinds: CustomKinds,
  kind: string,
  apiVersion: string,
  name: string,
  body: unknown,
  source: string,
): ApiObject | string {
  // The parser hands back null-prototype maps; the API stores plain JSON objects.
  const plain = JSON.parse(JSON.stringify(body)) as unknown;
  const where = { verb: 'creating' as const, file: source };
  if (kind === 'Secret') {
    // The API server's decoding and validation of Secrets (k8s/secrets.ts).
    const admitted = admitSecret(plain);
    return 'refusal' in admitted ? secretRefusalForKubectl(admitted.refusal) : admitted.secret;
  }
  if (kind === 'ConfigMap') {
    const admitted = admitConfigMap(plain);
    return 'refusal' in admitted ? refusalForKubectl(admitted.refusal, where) : admitted.configMap;
  }
  if (rbacKinds.has(kind)) {
    const admitted = admitRbacObject(kind, plain);
    return 'refusal' in admitted ? refusalForKubectl(admitted.refusal, where) : admitted.object;
  }
  const refused = kinds.get(kind)?.manifest?.refusal?.(apiVersion, name, body);
  if (refused !== undefined) return refused;
  return plain as ApiObject;
}
