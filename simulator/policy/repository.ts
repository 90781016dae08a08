/**
 * The agent's policy repository: every CNP, CCNP and NetworkPolicy it imported, keyed by
 * kind/namespace/name, with a revision that moves on every change, and the objects it refused.
 */
import type { NetworkPolicyObject, PolicyKind } from './model';
import { normalizePolicy, type NormalizeOptions, type SubjectRule, type VersionFeatures } from './normalize';
import type { ParsedObject } from './parse-documents';
import type { PolicyError } from './policy-error';

/** A policy the API server stored but the agent would not import. */
export interface AgentRefusal {
  readonly key: string;
  readonly kind: PolicyKind;
  readonly namespace?: string;
  readonly name: string;
  readonly errors: readonly PolicyError[];
}

/** The key a policy is stored under: `kind/namespace/name` (namespace empty for CCNPs). */
export function policyKey(kind: PolicyKind, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function namespaceOf(policy: NetworkPolicyObject): string | undefined {
  return policy.kind === 'CiliumClusterwideNetworkPolicy' ? undefined : policy.namespace;
}

/** Holds imported policies; every mutation bumps `revision` (as the agent's repository does). */
export class PolicyRepository {
  private readonly policies = new Map<string, NetworkPolicyObject>();
  private readonly refused = new Map<string, AgentRefusal>();
  private cache:
    | { revision: number; options: NormalizeOptions; features: VersionFeatures; rules: SubjectRule[] }
    | undefined;
  private currentRevision = 0;

  /** Monotonic revision; endpoints compare it to know whether to regenerate. */
  get revision(): number {
    return this.currentRevision;
  }

  /**
   * Imports a policy. A parsed object with agent errors is recorded as refused; as in the agent,
   * a refused update leaves the previously imported version in force.
   */
  upsert(object: ParsedObject | NetworkPolicyObject): boolean {
    const policy = 'documentIndex' in object ? object.policy : object;
    if (!policy) return false;
    const key = policyKey(policy.kind, namespaceOf(policy), policy.name);
    const errors = 'documentIndex' in object ? object.agentErrors : [];
    if (errors.length > 0) {
      const namespace = namespaceOf(policy);
      this.refused.set(key, {
        key,
        kind: policy.kind,
        name: policy.name,
        errors,
        ...(namespace !== undefined ? { namespace } : {}),
      });
      this.currentRevision += 1;
      return false;
    }
    this.refused.delete(key);
    this.policies.set(key, policy);
    this.currentRevision += 1;
    return true;
  }

  /** Removes a policy (and any refusal recorded for it); returns whether anything was removed. */
  delete(kind: PolicyKind, namespace: string | undefined, name: string): boolean {
    const key = policyKey(
      kind,
      kind === 'CiliumClusterwideNetworkPolicy' ? undefined : (namespace ?? 'default'),
      name,
    );
    const removed = this.policies.delete(key);
    const wasRefused = this.refused.delete(key);
    if (removed || wasRefused) this.currentRevision += 1;
    return removed || wasRefused;
  }

  /** One imported policy. */
  get(kind: PolicyKind, namespace: string | undefined, name: string): NetworkPolicyObject | undefined {
    return this.policies.get(
      policyKey(kind, kind === 'CiliumClusterwideNetworkPolicy' ? undefined : namespace, name),
    );
  }

  /** Every imported policy, in key order so results never depend on insertion order. */
  list(): NetworkPolicyObject[] {
    return [...this.policies.keys()].sort().map((key) => this.policies.get(key) as NetworkPolicyObject);
  }

  /** Policies the agent refused, with the errors it would log and put in the policy status. */
  refusals(): AgentRefusal[] {
    return [...this.refused.keys()].sort().map((key) => this.refused.get(key) as AgentRefusal);
  }

  /** The normalized rules of every imported policy, cached until the next change. */
  subjectRules(options: NormalizeOptions, features: VersionFeatures): readonly SubjectRule[] {
    const cache = this.cache;
    if (
      cache &&
      cache.revision === this.currentRevision &&
      cache.options === options &&
      cache.features.enableDefaultDeny === features.enableDefaultDeny &&
      cache.features.explicitDefaultDeny === features.explicitDefaultDeny &&
      cache.features.authentication === features.authentication &&
      cache.features.namespacedInitPolicies === features.namespacedInitPolicies
    ) {
      return cache.rules;
    }
    const rules = this.list().flatMap((policy) => normalizePolicy(policy, options, features));
    this.cache = { revision: this.currentRevision, options, features, rules };
    return rules;
  }
}
