import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deploymentStatus,
  progressingMessage,
  sameStatusApartFromUpdateTimes,
  writtenStatusUnchanged,
  type DeploymentStatusFacts,
} from '../../../simulator/k8s/deployment-status';

// The Deployment controller decides from the counts alone that a sync changes nothing. That
// shortcut must agree with the full comparison of the status it would have built, or a status
// write (and the replay's state) would be lost or added.

const count = fc.integer({ min: 0, max: 4 });
const facts: fc.Arbitrary<DeploymentStatusFacts> = fc
  .record({
    observedGeneration: fc.integer({ min: 1, max: 3 }),
    replicas: count,
    updatedReplicas: count,
    readyReplicas: count,
    unavailableReplicas: count,
    available: fc.constantFrom('True' as const, 'False' as const),
    complete: fc.boolean(),
    hash: fc.constantFrom('5d8f9c7b6d', '7c9b8d6f5b'),
  })
  .map(({ hash, ...rest }) => ({ ...rest, message: progressingMessage('web', hash, rest.complete) }));

describe('Deployment status without change', () => {
  it('is what the full comparison of the new status decides, for a status the controller wrote', () => {
    fc.assert(
      // Half the pairs say the same (as most syncs do), half differ in some field.
      fc.property(facts, facts, fc.boolean(), (before, other, same) => {
        const after = same ? { ...before } : other;
        const previous = deploymentStatus(before, '2026-12-07T09:00:00Z');
        const next = deploymentStatus(after, '2026-12-07T09:00:05Z');
        expect(writtenStatusUnchanged(previous, after)).toBe(sameStatusApartFromUpdateTimes(next, previous));
      }),
    );
  });

  it('is left to the full comparison for a status written by anyone else', () => {
    const written = deploymentStatus(
      {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        unavailableReplicas: 0,
        available: 'True',
        complete: true,
        message: progressingMessage('web', '5d8f9c7b6d', true),
      },
      '2026-12-07T09:00:00Z',
    );
    // The same fields, as a clone of the world or a manifest would carry them.
    const copied = structuredClone(written);
    const facts: DeploymentStatusFacts = {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      unavailableReplicas: 0,
      available: 'True',
      complete: true,
      message: progressingMessage('web', '5d8f9c7b6d', true),
    };
    expect(writtenStatusUnchanged(written, facts)).toBe(true);
    expect(writtenStatusUnchanged(copied, facts)).toBe(false);
    expect(sameStatusApartFromUpdateTimes(deploymentStatus(facts, '2026-12-07T09:01:00Z'), copied)).toBe(
      true,
    );
  });

  it('words the Progressing message for the template it names, as the controller does', () => {
    expect(progressingMessage('web', '5d8f9c7b6d', false)).toBe(
      'ReplicaSet "web-5d8f9c7b6d" is progressing.',
    );
    expect(progressingMessage('web', '5d8f9c7b6d', true)).toBe(
      'ReplicaSet "web-5d8f9c7b6d" has successfully progressed.',
    );
    expect(progressingMessage('web', '7c9b8d6f5b', false)).toBe(
      'ReplicaSet "web-7c9b8d6f5b" is progressing.',
    );
    expect(progressingMessage('api', '5d8f9c7b6d', false)).toBe(
      'ReplicaSet "api-5d8f9c7b6d" is progressing.',
    );
  });
});
