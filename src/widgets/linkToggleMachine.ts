import { setup } from 'xstate';

/**
 * A two-state machine that exists only to prove island hydration end to end.
 * Real widgets drive the simulator core instead; this file goes when they arrive.
 */
export const linkToggleMachine = setup({
  types: {
    events: {} as { type: 'link.cut' } | { type: 'link.heal' },
  },
}).createMachine({
  id: 'linkToggle',
  initial: 'connected',
  states: {
    connected: { on: { 'link.cut': 'cutOff' } },
    cutOff: { on: { 'link.heal': 'connected' } },
  },
});
