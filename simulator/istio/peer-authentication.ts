/**
 * Istio PeerAuthentication: which transport a server-side proxy accepts
 * (https://istio.io/v1.24/docs/reference/config/security/peer_authentication/; the mesh default in
 * istio/istio pilot/pkg/model/authentication.go).
 *
 * - Modes: UNSET (inherit), DISABLE, PERMISSIVE, STRICT. With no policy at all the mesh is PERMISSIVE.
 * - The most specific policy wins: one with a workload selector, then the namespace-wide one, then the
 *   mesh-wide one in the root namespace (istio-system). UNSET inherits from the next level. Several
 *   policies at one level: the oldest wins (here: the first in the list, which callers keep in
 *   creation order).
 * - `portLevelMtls` only counts on a policy with a selector.
 *
 * What each mode does with an inbound connection:
 * - STRICT: only the mTLS filter chain exists; plaintext is reset, and a TLS client without a
 *   certificate fails the handshake (certificate_required, alert 116, in TLS 1.3).
 * - PERMISSIVE: TLS inspection picks mTLS or plaintext; plaintext arrives with no peer identity.
 * - DISABLE: the sidecar terminates no mTLS; traffic reaches the application without a peer identity.
 */

/** A PeerAuthentication mode as written in the resource. */
export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** The mode in force (UNSET resolved away). */
export type EffectiveMtlsMode = Exclude<MtlsMode, 'UNSET'>;

/** A PeerAuthentication resource (security.istio.io/v1). */
export interface PeerAuthentication {
  metadata: { name: string; namespace: string };
  spec: {
    selector?: { matchLabels: Readonly<Record<string, string>> };
    mtls?: { mode?: MtlsMode };
    portLevelMtls?: Readonly<Record<string, { mode?: MtlsMode }>>;
  };
}

/** The workload a policy is evaluated for. */
export interface IstioWorkload {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/** The mesh's root namespace, where mesh-wide policies live. */
export const istioRootNamespace = 'istio-system';

/** The mode a workload uses when nothing is configured. */
const defaultMtlsMode: EffectiveMtlsMode = 'PERMISSIVE';

/** Whether every label of a selector is on the workload (an empty selector selects everything). */
export function selectorMatches(
  selector: { matchLabels: Readonly<Record<string, string>> } | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return true;
  return Object.entries(selector.matchLabels).every(([key, value]) => labels[key] === value);
}

/** The mTLS mode a workload's sidecar enforces on a port. */
export function effectiveMtlsMode(
  policies: readonly PeerAuthentication[],
  workload: IstioWorkload,
  port?: number,
  rootNamespace = istioRootNamespace,
): EffectiveMtlsMode {
  const workloadPolicy = policies.find(
    (policy) =>
      policy.metadata.namespace === workload.namespace &&
      policy.spec.selector !== undefined &&
      selectorMatches(policy.spec.selector, workload.labels),
  );
  const namespacePolicy = policies.find(
    (policy) => policy.metadata.namespace === workload.namespace && policy.spec.selector === undefined,
  );
  const meshPolicy = policies.find(
    (policy) => policy.metadata.namespace === rootNamespace && policy.spec.selector === undefined,
  );
  const portMode = port === undefined ? undefined : workloadPolicy?.spec.portLevelMtls?.[String(port)]?.mode;
  for (const mode of [
    portMode,
    workloadPolicy?.spec.mtls?.mode,
    namespacePolicy?.spec.mtls?.mode,
    meshPolicy?.spec.mtls?.mode,
  ]) {
    if (mode !== undefined && mode !== 'UNSET') return mode;
  }
  return defaultMtlsMode;
}

/** What a client offers the server-side proxy. */
export type InboundOffer = { transport: 'plaintext' } | { transport: 'tls'; clientCertificate: boolean };

/** What the server-side proxy does with it. */
export interface InboundOutcome {
  accepted: boolean;
  /** Whether the connection is mutual TLS terminated by the sidecar (so a peer identity exists). */
  mutualTls: boolean;
  /** How a rejected connection ends. */
  failure?: 'connection-reset' | 'alert-116-certificate_required';
  explanation: string;
}

/** Applies a mode to an inbound connection. */
export function inboundOutcome(mode: EffectiveMtlsMode, offer: InboundOffer): InboundOutcome {
  if (mode === 'DISABLE')
    return {
      accepted: true,
      mutualTls: false,
      explanation: 'DISABLE: the sidecar terminates no mTLS, so the request carries no peer identity',
    };
  if (offer.transport === 'plaintext') {
    return mode === 'STRICT'
      ? {
          accepted: false,
          mutualTls: false,
          failure: 'connection-reset',
          explanation: 'STRICT: the inbound listener only has the mTLS filter chain, so plaintext is reset',
        }
      : {
          accepted: true,
          mutualTls: false,
          explanation: 'PERMISSIVE: plaintext is accepted, without a peer identity',
        };
  }
  if (!offer.clientCertificate)
    return {
      accepted: false,
      mutualTls: false,
      failure: 'alert-116-certificate_required',
      explanation:
        'the sidecar requires a client certificate; TLS 1.3 answers an empty Certificate with alert 116',
    };
  return {
    accepted: true,
    mutualTls: true,
    explanation: `${mode}: mutual TLS, the peer identity comes from the client certificate`,
  };
}
