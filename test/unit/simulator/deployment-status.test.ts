import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deploymentStatus,
  progressingMessage,
  sameStatusApartFromUpdateTimes,
  statusVerdict,
  type DeploymentStatusFacts,
} from '../../../simulator/k8s/deployment-status';
import type { Deployment } from '../../../simulator/k8s/objects';

// The Deployment controller decides from the counts whether a sync changes the status, before it
// builds the new status. That shortcut must agree with the full comparison of the status it would
// have built, or a status write (and the replay's state) would be lost or added.

type Status = Deployment['status'];

const count = fc.integer({ min: 0, max: 3 });
const facts: fc.Arbitrary<DeploymentStatusFacts> = fc
  .record({
    observedGeneration: fc.integer({ min: 1, max: 2 }),
    replicas: count,
    updatedReplicas: count,
    readyReplicas: count,
    unavailableReplicas: count,
    available: fc.constantFrom('True' as const, 'False' as const),
    complete: fc.boolean(),
    hash: fc.constantFrom('5d8f9c7b6d', '7c9b8d6f5b'),
  })
  .map(({ hash, ...rest }) => ({ ...rest, message: progressingMessage('web', hash, rest.complete) }));

const factKeys = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'unavailableReplicas',
  'available',
  'message',
] as const;

/** Stored statuses as the controller writes them, and as other writers or a clone may leave them. */
const reshapes: readonly ((status: Status) => unknown)[] = [
  (status) => status,
  (status) => structuredClone(status),
  (status) => ({ ...status, conditions: undefined }),
  (status) => ({ ...status, conditions: [status.conditions![1], status.conditions![0]] }),
  (status) => ({ ...status, conditions: [status.conditions![0]] }),
  (status) => ({ ...status, conditions: [null, status.conditions![1]] }),
  (status) => ({ collisionCount: 1, ...status }),
  (status) => ({ ...status, availableReplicas: (status.availableReplicas ?? 0) + 1 }),
  (status) => {
    const { replicas, ...rest } = status;
    return { replicas, ...rest, observedGeneration: rest.observedGeneration };
  },
  (status) => ({
    ...status,
    conditions: status.conditions!.map((condition) => ({ ...condition, lastTransitionTime: 'x' })),
  }),
  (status) => ({
    ...status,
    conditions: [{ ...status.conditions![0]!, reason: 'Other' }, status.conditions![1]],
  }),
];

describe('Deployment status: whether a sync changes it', () => {
  it('agrees with the full comparison of the new status, whatever shape the stored one has', () => {
    fc.assert(
      // A third of the pairs say the same (as many syncs do), a third differ in one field, a third
      // in any.
      fc.property(
        facts,
        facts,
        fc.nat({ max: 2 }),
        fc.constantFrom(...factKeys),
        fc.nat({ max: reshapes.length - 1 }),
        (before, other, kind, key, reshape) => {
          const after = kind === 0 ? { ...before } : kind === 1 ? { ...before, [key]: other[key] } : other;
          const previous = reshapes[reshape]!(deploymentStatus(before, '2026-12-07T09:00:00Z')) as Status;
          const next = deploymentStatus(after, '2026-12-07T09:00:05Z');
          const verdict = statusVerdict(previous, after);
          if (verdict !== 'compare')
            expect(verdict === 'unchanged').toBe(sameStatusApartFromUpdateTimes(next, previous));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps a status the controller wrote when only the time passed, and sees a new count', () => {
    const now: DeploymentStatusFacts = {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      unavailableReplicas: 0,
      available: 'True',
      complete: true,
      message: progressingMessage('web', '5d8f9c7b6d', true),
    };
    const written = deploymentStatus(now, '2026-12-07T09:00:00Z');
    expect(statusVerdict(written, now)).toBe('unchanged');
    expect(statusVerdict(structuredClone(written), now)).toBe('unchanged');
    expect(statusVerdict(written, { ...now, readyReplicas: 1, unavailableReplicas: 1 })).toBe('changed');
    // An extra field from another writer: the full comparison decides.
    expect(statusVerdict({ collisionCount: 1, ...written } as Status, now)).toBe('compare');
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
