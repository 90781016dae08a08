/**
 * A Deployment rollout as `kubectl rollout status` reports it: complete once every replica runs
 * the newest template and is available, progressing while old and new ReplicaSets overlap.
 */
import { setup } from 'xstate';

export type RolloutEvent = { type: 'rollout.started' } | { type: 'rollout.completed' };

export const rolloutMachine = setup({
  types: { events: {} as RolloutEvent },
}).createMachine({
  id: 'rollout',
  initial: 'progressing',
  states: {
    progressing: { on: { 'rollout.completed': 'complete', 'rollout.started': 'progressing' } },
    complete: { on: { 'rollout.started': 'progressing' } },
  },
});

export type RolloutState = 'progressing' | 'complete';
