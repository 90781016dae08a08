/**
 * Which of the two ways the agent gets policy Secrets a Cilium configuration uses (the details are
 * in policy-secrets.ts), and what that means for the watches: in SDS mode the operator syncs copies
 * into the secrets namespace and the agents watch that namespace; otherwise nobody watches Secrets.
 * Kept apart from the sync itself so the API server's write path can ask without importing it.
 */
import type { ApiKind, ApiObject } from '../k8s/objects';
import type { Cluster } from '../world';
import type { CiliumConfig } from './config';

/** Where Envoy's TLS secrets come from. */
export type PolicySecretsMode = { kind: 'sds'; namespace: string } | { kind: 'agent-reads' };

/** The secret-handling mode of a Cilium configuration. */
export function policySecretsMode(config: CiliumConfig): PolicySecretsMode {
  if (config.versionMinor < 17) return { kind: 'agent-reads' };
  const values = config.values;
  // The chart derives readSecretsOnlyFromSecretsNamespace from the deprecated secretsBackend (local → true).
  const onlyFromSecretsNamespace =
    values['tls.readSecretsOnlyFromSecretsNamespace'] ??
    (values['tls.secretsBackend'] === 'k8s' ? 'false' : 'true');
  if (values['tls.secretSync.enabled'] === 'false' || onlyFromSecretsNamespace === 'false')
    return { kind: 'agent-reads' };
  return { kind: 'sds', namespace: values['tls.secretsNamespace.name'] ?? 'cilium-secrets' };
}

/** The name the operator gives its copy of a Secret in the secrets namespace. */
export function syncedSecretName(use: { namespace: string; name: string }): string {
  return `${use.namespace}-${use.name}`;
}

/**
 * Whether a change concerns the operator's secret sync (SDS mode only): any Secret (a source may
 * live anywhere), and a Cilium policy that names TLS Secrets or could have named the copies that
 * exist. Policies without TLS stanzas cost the operator nothing, as a reconcile would find no work.
 */
export function secretSyncConcerns(cluster: Cluster, kind: ApiKind, object: ApiObject): boolean {
  // Most writes are pods and their controllers: decided by kind before anything else.
  if (kind !== 'Secret' && kind !== 'CiliumNetworkPolicy' && kind !== 'CiliumClusterwideNetworkPolicy')
    return false;
  const config = cluster.cilium?.config;
  if (config === undefined) return false;
  const mode = policySecretsMode(config);
  if (mode.kind !== 'sds') return false;
  if (kind === 'Secret') return true;
  const text = JSON.stringify(object);
  if (text.includes('"terminatingTLS"') || text.includes('"originatingTLS"')) return true;
  const prefix = `${mode.namespace}/`;
  return Object.keys(cluster.api.objects.Secret ?? {}).some((key) => key.startsWith(prefix));
}

/** Whether agents watch this Secret: in SDS mode they watch the secrets namespace, nothing else. */
export function agentsWatchSecret(cluster: Cluster, object: ApiObject): boolean {
  const config = cluster.cilium?.config;
  if (object.kind !== 'Secret' || config === undefined) return false;
  const mode = policySecretsMode(config);
  return mode.kind === 'sds' && object.metadata.namespace === mode.namespace;
}
