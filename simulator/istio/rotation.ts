/**
 * When istio-agent rotates a workload certificate (security/pkg/nodeagent/cache/secretcache.go,
 * `rotateTime`): at `expire − grace`, where grace = (SECRET_GRACE_PERIOD_RATIO ± jitter) × lifetime,
 * the ratio 0.5 and the jitter drawn uniformly up to SECRET_GRACE_PERIOD_RATIO_JITTER (0.01) with a
 * random sign, the ratio clamped to [0, 1]. The lifetime is measured from when the agent received
 * the certificate (its CreatedTime), not from NotBefore. For 24 h certificates that is 12 h after
 * issue, give or take up to about 15 minutes. The randomness comes from the simulator's seeded PRNG.
 */
import { nextInt, nextUint32, type RandomState } from '../engine/prng';
import { istioDefaults } from './ca-defaults';

/** When a secret came to istio-agent and when it expires (WorkloadSecret's times, or a mesh certificate's). */
interface SecretLifetime {
  createdAtMs: number;
  expireAtMs: number;
}

/** The delay from `atMs` until istio-agent rotates a secret (never negative). Draws from the PRNG. */
export function istioRotationDelayMs(
  secret: SecretLifetime,
  atMs: number,
  random: RandomState,
  ratios: { graceRatio?: number; graceRatioJitter?: number } = {},
): number {
  const graceRatio = ratios.graceRatio ?? istioDefaults.secretGracePeriodRatio;
  const graceRatioJitter = ratios.graceRatioJitter ?? istioDefaults.secretGracePeriodRatioJitter;
  // rand.Float64() * jitter * (rand.IntN(2)*2 - 1), as the agent computes it.
  const magnitude = (nextUint32(random) / 0x1_0000_0000) * graceRatioJitter;
  const sign = nextInt(random, 2) * 2 - 1;
  const ratio = Math.min(1, Math.max(0, graceRatio + magnitude * sign));
  const lifetimeMs = secret.expireAtMs - secret.createdAtMs;
  const gracePeriodMs = Math.floor(ratio * lifetimeMs);
  return Math.max(secret.expireAtMs - gracePeriodMs - atMs, 0);
}

/** The virtual time at which istio-agent rotates a secret it just received. */
export function istioRotationTimeMs(secret: SecretLifetime, random: RandomState): number {
  return secret.createdAtMs + istioRotationDelayMs(secret, secret.createdAtMs, random);
}
