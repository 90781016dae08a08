/**
 * A Deployment rollout as `kubectl rollout status` reports it: complete once every replica runs
 * the newest template and is available, progressing while old and new ReplicaSets overlap.
 * Upstream: kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go
 * (v1.24.0).
 */
import { setup, type StateValueFrom } from 'xstate';

export type RolloutEvent = { type: 'rollout.started' } | { type: 'rollout.completed' };

export const rolloutMachine = setup({
  types: { events: {} as RolloutEvent },
}).createMachine({
  id: 'rollout',
  initial: 'progressing',
  states: {
    progressing: {
      description: 'Old and new ReplicaSets overlap, or new replicas are not yet available.',
      on: { 'rollout.completed': 'complete', 'rollout.started': 'progressing' },
    },
    complete: {
      description: 'Every replica runs the newest template and is available.',
      on: { 'rollout.started': 'progressing' },
    },
  },
});

export type RolloutState = StateValueFrom<typeof rolloutMachine>;
