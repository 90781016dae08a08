import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nextDeploymentStatus,
  progressingMessage,
  type DeploymentStatusFacts,
} from '../../../simulator/k8s/deployment-status';
import type { Deployment } from '../../../simulator/k8s/objects';

// The conditions a Deployment shows over a rollout, as the v1.24 controller writes them
// (calculateStatus, getNewReplicaSet, syncRolloutStatus and SetDeploymentCondition).

type Status = Deployment['status'];

const hash = '5d8f9c7b6d';
const base: DeploymentStatusFacts = {
  observedGeneration: 1,
  replicas: 0,
  updatedReplicas: 0,
  readyReplicas: 0,
  unavailableReplicas: 1,
  available: 'False',
  complete: false,
  message: progressingMessage('web', hash, false),
  replicaSetName: `web-${hash}`,
  created: false,
  progressDeadline: true,
};

/** Two replicas, both updated and available: a finished rollout. */
const rolledOut = {
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  unavailableReplicas: 0,
  available: 'True' as const,
  complete: true,
  message: progressingMessage('web', hash, true),
};

/** Runs syncs one after another from an empty status, each at its own second. */
function syncs(...steps: Partial<DeploymentStatusFacts>[]): Status[] {
  const written: Status[] = [];
  let status: Status = {};
  steps.forEach((step, index) => {
    const facts = { ...base, ...step };
    const next = nextDeploymentStatus(status, facts, `2026-12-08T09:00:0${index}Z`);
    if (next !== undefined) status = next;
    written.push(status);
  });
  return written;
}

const summary = (status: Status | undefined) =>
  status?.conditions?.map((condition) => `${condition.type} ${condition.status} ${condition.reason}`);

describe('Deployment status: the conditions of a rollout', () => {
  it('goes from NewReplicaSetCreated to ReplicaSetUpdated to NewReplicaSetAvailable for a new Deployment', () => {
    const complete = { complete: true, message: progressingMessage('web', hash, true) };
    const [created, pending, ready] = syncs(
      { created: true },
      { replicas: 1, updatedReplicas: 1 },
      {
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        unavailableReplicas: 0,
        available: 'True',
        ...complete,
      },
    );
    expect(created?.conditions).toEqual([
      {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: '2026-12-08T09:00:00Z',
        lastTransitionTime: '2026-12-08T09:00:00Z',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "web-${hash}"`,
      },
      {
        type: 'Available',
        status: 'False',
        lastUpdateTime: '2026-12-08T09:00:00Z',
        lastTransitionTime: '2026-12-08T09:00:00Z',
        reason: 'MinimumReplicasUnavailable',
        message: 'Deployment does not have minimum availability.',
      },
    ]);
    // Progress rewrites Progressing (moved to the end), keeping the time it turned True.
    expect(summary(pending)).toEqual([
      'Available False MinimumReplicasUnavailable',
      'Progressing True ReplicaSetUpdated',
    ]);
    expect(pending?.conditions?.[1]).toMatchObject({
      lastUpdateTime: '2026-12-08T09:00:01Z',
      lastTransitionTime: '2026-12-08T09:00:00Z',
      message: `ReplicaSet "web-${hash}" is progressing.`,
    });
    // The order a finished rollout shows in `kubectl get deployment -o yaml`.
    expect(summary(ready)).toEqual([
      'Available True MinimumReplicasAvailable',
      'Progressing True NewReplicaSetAvailable',
    ]);
    expect(ready?.conditions?.[0]).toMatchObject({
      message: 'Deployment has minimum availability.',
      lastTransitionTime: '2026-12-08T09:00:02Z',
    });
    expect(ready?.conditions?.[1]).toMatchObject({
      lastTransitionTime: '2026-12-08T09:00:00Z',
      message: `ReplicaSet "web-${hash}" has successfully progressed.`,
    });
  });

  it('writes nothing when a sync finds nothing new, however much time passed', () => {
    const facts = { ...base, ...rolledOut };
    const written = nextDeploymentStatus({}, facts, '2026-12-08T09:00:00Z')!;
    expect(nextDeploymentStatus(written, facts, '2026-12-08T10:00:00Z')).toBeUndefined();
    expect(nextDeploymentStatus(structuredClone(written), facts, '2026-12-08T10:00:00Z')).toBeUndefined();
    // No progress and no new condition: a count that falls is written, the conditions kept as they were.
    const fewer = nextDeploymentStatus(
      written,
      { ...facts, readyReplicas: 1, unavailableReplicas: 1 },
      'later',
    );
    expect(fewer?.readyReplicas).toBe(1);
    expect(fewer?.conditions).toBe(written.conditions);
  });

  it('restarts: a new ReplicaSet keeps the time Progressing turned True, and Available stays as it was', () => {
    const done = rolledOut;
    const next = '7c9b8d6f5b';
    const [finished, restarted] = syncs(done, {
      ...done,
      updatedReplicas: 0,
      complete: false,
      created: true,
      replicaSetName: `web-${next}`,
      message: progressingMessage('web', next, false),
    });
    expect(summary(restarted)).toEqual([
      'Available True MinimumReplicasAvailable',
      'Progressing True NewReplicaSetCreated',
    ]);
    expect(restarted?.conditions?.[0]).toBe(finished?.conditions?.[0]);
    expect(restarted?.conditions?.[1]).toMatchObject({
      message: `Created new replica set "web-${next}"`,
      lastTransitionTime: finished?.conditions?.[1]?.lastTransitionTime,
      lastUpdateTime: '2026-12-08T09:00:01Z',
    });
  });

  it('has no Progressing condition when the Deployment has no progress deadline', () => {
    const [status] = syncs({ created: true, progressDeadline: false });
    expect(summary(status)).toEqual(['Available False MinimumReplicasUnavailable']);
  });

  it('writes again only what changed: a second sync with the same facts writes nothing', () => {
    const counts = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(
        fc.record({
          replicas: counts,
          updatedReplicas: counts,
          readyReplicas: counts,
          unavailableReplicas: counts,
          available: fc.constantFrom('True' as const, 'False' as const),
          complete: fc.boolean(),
          created: fc.boolean(),
          progressDeadline: fc.boolean(),
        }),
        fc.record({
          replicas: counts,
          updatedReplicas: counts,
          readyReplicas: counts,
          available: fc.constantFrom('True' as const, 'False' as const),
          complete: fc.boolean(),
        }),
        (first, second) => {
          const [before] = syncs(first);
          const facts = { ...base, ...second };
          const after = nextDeploymentStatus(before!, facts, 'then') ?? before!;
          expect(nextDeploymentStatus(after, facts, 'later')).toBeUndefined();
          // Available always says what the facts say, in the controller's words.
          const availableCondition = after.conditions?.find((condition) => condition.type === 'Available');
          expect(availableCondition?.status).toBe(second.available);
          expect(availableCondition?.reason).toBe(
            second.available === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('words the Progressing message for the template it names, as the controller does', () => {
    expect(progressingMessage('web', '5d8f9c7b6d', false)).toBe(
      'ReplicaSet "web-5d8f9c7b6d" is progressing.',
    );
    expect(progressingMessage('web', '5d8f9c7b6d', true)).toBe(
      'ReplicaSet "web-5d8f9c7b6d" has successfully progressed.',
    );
    expect(progressingMessage('api', '5d8f9c7b6d', false)).toBe(
      'ReplicaSet "api-5d8f9c7b6d" is progressing.',
    );
  });
});
