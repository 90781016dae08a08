/**
 * The error an agent logs when it refuses a Cilium policy, as CiliumNetworkPolicy.Parse (and the
 * clusterwide variant) in pkg/k8s/apis/cilium.io/v2/cnp_types.go builds it: the first failing
 * rule's sanitize error behind "Invalid <Kind> spec: " (or "specs: " for an element of `specs`).
 */
import type { PolicyError } from './policy-error';

/** The whole import error for a refused policy's agent errors (the first one decides). */
export function agentImportError(kind: string, errors: readonly PolicyError[]): string {
  const first = errors[0];
  if (first === undefined) return '';
  if (first.complete === true) return first.message;
  const where = first.path.startsWith('specs') ? 'specs' : 'spec';
  return `Invalid ${kind} ${where}: ${first.message}`;
}
