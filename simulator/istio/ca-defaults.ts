/**
 * istiod's CA and istio-agent defaults (istio/istio `pilot/pkg/bootstrap/istio_ca.go`,
 * `pkg/istio-agent` and `security/pkg/nodeagent/cache/secretcache.go`), without any certificate
 * code: the PKI that renders certificates (ca.ts) and the event loop's metadata model
 * (mesh/workloads.ts) both read them from here.
 */

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** istiod and istio-agent defaults. */
export const istioDefaults = {
  /** CITADEL_SELF_SIGNED_CA_CERT_TTL: the self-signed root lives 10 years. */
  selfSignedRootTtlMs: 3650 * dayMs,
  /** DEFAULT_WORKLOAD_CERT_TTL and MAX_WORKLOAD_CERT_TTL. */
  workloadCertTtlMs: 24 * hourMs,
  maxWorkloadCertTtlMs: 90 * dayMs,
  /** NotBefore is backdated by this much (ClockSkewGracePeriod). */
  clockSkewGracePeriodMs: 2 * minuteMs,
  /** SECRET_GRACE_PERIOD_RATIO and SECRET_GRACE_PERIOD_RATIO_JITTER (rotation.ts). */
  secretGracePeriodRatio: 0.5,
  secretGracePeriodRatioJitter: 0.01,
  tokenAudience: 'istio-ca',
  caPort: 15012,
} as const;
