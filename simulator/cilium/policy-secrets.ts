/**
 * How the Secrets named by a policy's `terminatingTLS` / `originatingTLS` reach Envoy, by version
 * (docs: security/tls-visibility; code: pkg/crypto/certificatemanager, pkg/policy/l4.go getCerts,
 * operator/pkg/secretsync, pkg/envoy's SDS server, cilium/proxy's tls_wrapper):
 *
 * - **Agent reads** (every release up to 1.16, and 1.17+ with `tls.secretSync.enabled=false` or
 *   `tls.readSecretsOnlyFromSecretsNamespace=false`): while computing an endpoint's policy the agent
 *   GETs the Secret from the API server and puts the PEM text inline in the NPDS policy it sends
 *   Envoy. A Secret that is missing, or lacks the keys its direction needs, is an error: the policy
 *   computation fails, the endpoint's regeneration fails (the agent logs both) and the endpoint keeps
 *   the policy it had before. The agent retries the regeneration, so once the Secret exists the
 *   policy takes effect. The model reads the API server when it computes the policy (even for an
 *   agent cut off from it), and keeps the policy object's earlier accepted version in force while
 *   the read fails, as for a refused policy: for the endpoints it selects that is the policy they had.
 * - **SDS** (1.17+ default for new clusters): the operator copies every Secret a CNP or CCNP names
 *   into `tls.secretsNamespace.name` (`cilium-secrets`) as `<namespace>-<name>`, the agent watches
 *   that namespace and serves the copies to Envoy over SDS, and NPDS only names them. The agent
 *   never looks inside: a missing copy leaves Envoy without the secret, and its cilium.tls_wrapper
 *   logs that it has no TLS context and closes the connection (datapath: tls-interception.ts).
 *
 * Not modelled: the RBAC that decides which namespaces the agent may read (`tls.secretsBackend`
 * before 1.17), certificates read from the agent's certificates directory, and Envoy refusing a
 * certificate that does not match its key.
 */
import { apiPut, apiRemove } from '../k8s/api-writes';
import { getObject, listObjects } from '../k8s/api-store';
import { newMetadata } from '../k8s/metadata';
import { newNamespace } from '../k8s/namespace-controllers';
import type { ApiObject, Secret } from '../k8s/objects';
import { canonicalJson } from '../engine/state-hash';
import { type CiliumPolicy, type TlsSecretRef } from '../policy/index';
import { parsePolicyDocuments } from './policy-documents';
import type { Cluster, World } from '../world';
import { policySecretsMode, syncedSecretName } from './policy-secrets-mode';
import { agentView } from './agent-ipcache';
import type { AgentState } from './state';

/** One use of a Secret by a policy: which stanza, and the Secret it names. */
export interface TlsSecretUse {
  direction: 'terminating' | 'originating';
  namespace: string;
  name: string;
}

/**
 * The namespace a reference resolves to: its own, else the policy's (a CCNP has none, so a
 * reference without a namespace names nothing the agent can find).
 */
export function resolveSecretRef(
  ref: TlsSecretRef,
  policyNamespace: string | undefined,
): TlsSecretUse['namespace'] {
  return ref.namespace ?? policyNamespace ?? '';
}

/** Every TLS Secret a Cilium policy names, in rule order. */
export function tlsSecretUses(policy: CiliumPolicy): TlsSecretUse[] {
  const uses: TlsSecretUse[] = [];
  const namespace = policy.kind === 'CiliumNetworkPolicy' ? policy.namespace : undefined;
  for (const rule of policy.rules) {
    for (const section of [...(rule.ingress ?? []), ...(rule.egress ?? [])]) {
      for (const portRule of section.toPorts ?? []) {
        if (portRule.terminatingTLS !== undefined)
          uses.push({
            direction: 'terminating',
            namespace: resolveSecretRef(portRule.terminatingTLS, namespace),
            name: portRule.terminatingTLS.name,
          });
        if (portRule.originatingTLS !== undefined)
          uses.push({
            direction: 'originating',
            namespace: resolveSecretRef(portRule.originatingTLS, namespace),
            name: portRule.originatingTLS.name,
          });
      }
    }
  }
  return uses;
}

/** The keys a stanza needs in its Secret: a certificate and its key to terminate, a CA bundle to originate. */
function requiredKeys(direction: TlsSecretUse['direction']): readonly string[] {
  return direction === 'terminating' ? ['tls.crt', 'tls.key'] : ['ca.crt'];
}

/** The labels by which the operator recognises its copies (operator/pkg/secretsync). */
const owningNamespaceLabel = 'secretsync.cilium.io/owning-secret-namespace';
const owningNameLabel = 'secretsync.cilium.io/owning-secret-name';

/** The Cilium policies stored in the API server, typed (the operator reads them from its own watch). */
function storedCiliumPolicies(cluster: Cluster): CiliumPolicy[] {
  const objects: ApiObject[] = [
    ...listObjects(cluster.api, 'CiliumNetworkPolicy'),
    ...listObjects(cluster.api, 'CiliumClusterwideNetworkPolicy'),
  ];
  const version = cluster.cilium?.config.version;
  const policies: CiliumPolicy[] = [];
  for (const object of objects) {
    const parsed = parsePolicyDocuments(
      JSON.stringify(object),
      version === undefined ? {} : { ciliumVersion: version },
    );
    for (const entry of parsed.objects)
      if (entry.policy !== undefined && entry.policy.kind !== 'NetworkPolicy') policies.push(entry.policy);
  }
  return policies;
}

/**
 * The operator's secret sync (SDS mode): copies every Secret a CNP or CCNP names into the secrets
 * namespace, keeps the copies current, and deletes copies whose source is gone or no longer named.
 * Runs a moment after a Secret or a Cilium policy changes; writes only what differs, so its own
 * writes settle after one more pass.
 */
export function syncPolicySecrets(world: World): void {
  const cluster = world.cluster;
  const config = cluster?.cilium?.config;
  if (cluster === undefined || config === undefined) return;
  const mode = policySecretsMode(config);
  if (mode.kind !== 'sds') return;
  const wanted = new Map<string, Secret>();
  for (const policy of storedCiliumPolicies(cluster)) {
    for (const use of tlsSecretUses(policy)) {
      const source = getObject(cluster.api, 'Secret', `${use.namespace}/${use.name}`);
      if (source !== undefined) wanted.set(syncedSecretName(use), source);
    }
  }
  const copies = listObjects(cluster.api, 'Secret').filter(
    (secret) =>
      secret.metadata.namespace === mode.namespace && secret.metadata.labels?.[owningNameLabel] !== undefined,
  );
  for (const copy of copies) {
    if (!wanted.has(copy.metadata.name))
      apiRemove(world, 'Secret', `${mode.namespace}/${copy.metadata.name}`);
  }
  if (wanted.size === 0) return;
  // The chart creates the secrets namespace at install; the model creates it with the first copy,
  // so that installs which never sync a Secret keep exactly the objects (and ids) they always had.
  if (getObject(cluster.api, 'Namespace', mode.namespace) === undefined)
    apiPut(world, newNamespace(world, mode.namespace));
  for (const name of [...wanted.keys()].sort()) {
    const source = wanted.get(name);
    if (source === undefined) continue;
    const existing = getObject(cluster.api, 'Secret', `${mode.namespace}/${name}`);
    const labels = {
      ...source.metadata.labels,
      [owningNamespaceLabel]: source.metadata.namespace ?? 'default',
      [owningNameLabel]: source.metadata.name,
    };
    const desired: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata:
        existing !== undefined
          ? { ...existing.metadata, labels }
          : newMetadata(world, name, mode.namespace, labels),
      type: source.type,
      ...(source.data !== undefined ? { data: source.data } : {}),
    };
    if (source.metadata.annotations !== undefined) desired.metadata.annotations = source.metadata.annotations;
    else delete desired.metadata.annotations;
    const same =
      existing !== undefined &&
      existing.type === desired.type &&
      canonicalJson(existing.data ?? {}) === canonicalJson(desired.data ?? {}) &&
      canonicalJson(existing.metadata.labels ?? {}) === canonicalJson(labels) &&
      canonicalJson(existing.metadata.annotations ?? {}) ===
        canonicalJson(desired.metadata.annotations ?? {});
    if (!same) apiPut(world, desired);
  }
}

/** The Secret data Envoy on an agent's node holds for one use, or why it has none. */
export type EnvoySecret = { ok: true; data: Record<string, string> } | { ok: false; reason: string };

/** What the node's Envoy has for a stanza's Secret. */
export function envoySecretFor(cluster: Cluster, agent: AgentState, use: TlsSecretUse): EnvoySecret {
  const config = cluster.cilium?.config;
  if (config === undefined) return { ok: false, reason: 'Cilium is not installed' };
  const mode = policySecretsMode(config);
  if (mode.kind === 'sds') {
    const copy = `${mode.namespace}/${syncedSecretName(use)}`;
    const data = agentView(cluster, agent)?.secrets?.[copy];
    if (data === undefined)
      return {
        ok: false,
        reason: `Envoy never received SDS secret ${copy}: the operator copies ${use.namespace}/${use.name} there only while it exists`,
      };
    const missing = requiredKeys(use.direction).filter((key) => data[key] === undefined);
    if (missing.length > 0)
      return {
        ok: false,
        reason: `SDS secret ${copy} has no ${missing.join(' or ')}, so Envoy cannot build a TLS context from it`,
      };
    return { ok: true, data };
  }
  // The agent inlined what it read when it computed the policy; a failed read kept the policy out.
  const secret = getObject(cluster.api, 'Secret', `${use.namespace}/${use.name}`);
  return secret === undefined
    ? { ok: false, reason: `secret ${use.namespace}/${use.name} does not exist` }
    : { ok: true, data: secret.data ?? {} };
}

/**
 * Why the agent (in agent-reads mode) cannot build the TLS context of one use, worded as the agent
 * reports it (GetTLSContext, then getCerts), or undefined when it can. `fromLookup` marks errors of
 * the Secret lookup itself, which getCerts logs as "Error getting … TLS Context".
 */
export function agentSecretError(
  cluster: Cluster,
  use: TlsSecretUse,
): { error: string; fromLookup: boolean } | undefined {
  const secret = getObject(cluster.api, 'Secret', `${use.namespace}/${use.name}`);
  if (secret === undefined) return { error: `secrets "${use.name}" not found`, fromLookup: true };
  const data = secret.data ?? {};
  const hasAny = ['ca.crt', 'tls.crt', 'tls.key'].some((key) => data[key] !== undefined);
  if (!hasAny) {
    // 1.17 reworded the "found nothing" error when it moved the lookup into getSecrets.
    const minor = cluster.cilium?.config.versionMinor ?? 18;
    return {
      error:
        minor >= 17
          ? `TLS certificates not found in secret ${use.namespace}/${use.name} `
          : `certificates not found locally in /var/run/cilium/certs nor in k8s secret ${use.namespace}/${use.name} `,
      fromLookup: true,
    };
  }
  if (use.direction === 'terminating' && (data['tls.crt'] === undefined || data['tls.key'] === undefined))
    return { error: 'Terminating TLS context is missing certs.', fromLookup: false };
  if (use.direction === 'originating' && data['ca.crt'] === undefined)
    return { error: 'Originating TLS context is missing CA certs.', fromLookup: false };
  return undefined;
}

/**
 * A fingerprint of the Secrets some policies name, as the API server has them now: policy results
 * computed in agent-reads mode are stale when it changes.
 */
export function secretsFingerprint(cluster: Cluster, keys: readonly string[]): string {
  return keys.map((key) => getObject(cluster.api, 'Secret', key)?.metadata.resourceVersion ?? '-').join(',');
}
