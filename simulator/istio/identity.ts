/**
 * Istio workload identity: one SPIFFE ID per Kubernetes ServiceAccount (not per pod, not per label
 * set), `spiffe://<trust domain>/ns/<namespace>/sa/<service account>` (istio/istio pkg/spiffe/spiffe.go).
 */

/** The SPIFFE URI scheme prefix, which AuthorizationPolicy principals are written without. */
const spiffePrefix = 'spiffe://';

/** Istio's default trust domain. */
export const defaultIstioTrustDomain = 'cluster.local';

/** The SPIFFE ID Istio issues to a ServiceAccount. */
export function istioSpiffeId(
  namespace: string,
  serviceAccount: string,
  trustDomain = defaultIstioTrustDomain,
): string {
  return `${spiffePrefix}${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** The parts of an Istio SPIFFE ID, or undefined when the URI has another shape. */
export function parseIstioSpiffeId(
  uri: string,
): { trustDomain: string; namespace: string; serviceAccount: string } | undefined {
  const match = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(uri);
  if (match === null) return undefined;
  const [, trustDomain = '', namespace = '', serviceAccount = ''] = match;
  return { trustDomain, namespace, serviceAccount };
}

/** A principal as AuthorizationPolicy writes it: the SPIFFE ID without `spiffe://`. */
export function principalOf(spiffeId: string): string {
  return spiffeId.startsWith(spiffePrefix) ? spiffeId.slice(spiffePrefix.length) : spiffeId;
}
