/**
 * What a copy of a world (cloneWorld in simulation.ts: a checkpoint, a seek, an exercise's probe)
 * takes from the original's Cilium beyond a plain copy: the policy objects its agents' views hold,
 * which it may share, and the agents' policy caches while they are current, so that the copy's
 * first connection does not import and compute every policy again.
 */
import type { Cluster } from '../world';
import { carryPolicyCaches } from './endpoint-policy-cache';
import { carryLocalPolicyCaches } from './local-identities';

/**
 * The policy objects the agents' views hold: objects the API server stored, never changed after
 * (k8s/api-store.ts), including versions it has replaced since, which a cut-off agent still
 * enforces and every view keeps in its history. A copy shares them, and with them their parses
 * (policy/parse-documents.ts's parseStoredPolicy is cached by object).
 */
export function* viewPolicyObjects(cluster: Cluster): Generator<object> {
  for (const view of Object.values(cluster.cilium?.views ?? {})) {
    for (const object of Object.values(view.policies))
      if (typeof object === 'object' && object !== null) yield object;
    for (const history of Object.values(view.policyHistory ?? {}))
      for (const object of history) if (typeof object === 'object' && object !== null) yield object;
  }
}

/** Carries the agents' current policy caches over to a cluster's copy. */
export function carryCiliumCaches(original: Cluster, copy: Cluster): void {
  carryPolicyCaches(original, copy);
  carryLocalPolicyCaches(original, copy);
}
