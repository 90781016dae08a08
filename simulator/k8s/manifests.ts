/**
 * Reads manifests the way `kubectl apply -f` does: several YAML documents, each an object whose
 * kind the API server must know. Parsing uses the policy engine's safe YAML reader, so a policy
 * that the CRD schema refuses is refused here with the API server's message and position.
 */
import { parsePolicyDocuments, type PolicyError } from '../policy/index';
import type { ApiObject } from './objects';
import { istioSecurityKinds, validateIstioSecurityObject } from '../mesh/policies';
import { admitSecret, secretRefusalForKubectl } from './secrets';

/** Kinds `kubectl apply` accepts in the model. */
export const applicableKinds = new Set([
  'Namespace',
  'ServiceAccount',
  'Service',
  'Deployment',
  'Pod',
  'Secret',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'NetworkPolicy',
  'PeerAuthentication',
  'AuthorizationPolicy',
]);

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
export function formatManifestError(error: PolicyError): string {
  const where =
    error.line > 0
      ? ` (document ${error.documentIndex + 1}, line ${error.line}, column ${error.column})`
      : '';
  return `error: ${error.message}${where}`;
}

/** Parses manifest text into API objects, with the CRD schema of the installed Cilium version. */
export function parseManifests(text: string, ciliumVersion?: string): ManifestResult {
  // kubectl decodes YAML with go-yaml v2 (YAML 1.1): an unquoted yes/on/off is a boolean.
  const parsed = parsePolicyDocuments(text, {
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
    // The lab's CiliumEnvoyConfig reaches the agents through the scenario's own input
    // (cilium/envoy-config-resources.ts): the model cannot run the Lua or Wasm code a terminal
    // manifest would bring, so it says so rather than pretending the CRD is missing.
    if (object.kind === 'CiliumEnvoyConfig' || object.kind === 'CiliumClusterwideEnvoyConfig') {
      errors.push(
        `error: the simulator applies ${object.kind} objects only through a lab's steps ("${object.name}" was not applied): it does not run the filters' code`,
      );
      continue;
    }
    if (!applicableKinds.has(object.kind)) {
      errors.push(
        `error: resource mapping not found for name: "${object.name}" namespace: "${object.namespace ?? ''}" from "STDIN": no matches for kind "${object.kind}" in version "${object.apiVersion}"`,
      );
      continue;
    }
    if (object.name === '') {
      errors.push(
        `error: error validating data: metadata.name: Required value: name is required (document ${object.documentIndex + 1})`,
      );
      continue;
    }
    if (object.kind === 'Secret') {
      if (object.apiVersion !== 'v1') {
        errors.push(
          `error: resource mapping not found for name: "${object.name}" namespace: "${object.namespace ?? ''}" from "STDIN": no matches for kind "Secret" in version "${object.apiVersion}"`,
        );
        continue;
      }
      // The API server's decoding and validation of Secrets (k8s/secrets.ts).
      const admitted = admitSecret(JSON.parse(JSON.stringify(object.body)));
      if ('refusal' in admitted) errors.push(secretRefusalForKubectl(admitted.refusal));
      else objects.push(admitted.secret);
      continue;
    }
    if (istioSecurityKinds.has(object.kind)) {
      const refused = validateIstioSecurityObject(object.kind, object.apiVersion, object.name, object.body);
      if (refused !== undefined) {
        errors.push(refused);
        continue;
      }
    }
    // The parser hands back null-prototype maps; the API stores plain JSON objects.
    objects.push(JSON.parse(JSON.stringify(object.body)) as ApiObject);
  }
  return { objects, errors, agentErrors, notes };
}
