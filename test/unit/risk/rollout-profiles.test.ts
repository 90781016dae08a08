// Goal: the rollout waves the reduced model replays are still what the full simulator does; when
// the Deployment controller, the scheduler or the kubelet's timings change, this fails until
// `npx tsx scripts/risk-profiles.ts` measures the table again.
import { describe, expect, it } from 'vitest';
import { measureRolloutProfile } from '../../../simulator/risk/rollout-measure';
import { rolloutProfiles } from '../../../simulator/risk/rollout-profiles';

describe('risk rollout profiles', () => {
  it.each([1, 5, 12])(
    'risk rollout profiles: a Deployment of %i replicas rolls as the table says',
    (replicas) => {
      expect(measureRolloutProfile(replicas)).toEqual(rolloutProfiles[replicas - 1]);
    },
  );
});
