/**
 * A client's connection to the API server (a Cilium agent's informers, or a kubelet): while cut off
 * it receives nothing and keeps its caches; when the link heals it re-lists before it is current.
 */
import { setup } from 'xstate';

export type ApiConnectionEvent = { type: 'link.cut' } | { type: 'link.heal' } | { type: 'relist.completed' };

export const apiConnectionMachine = setup({
  types: { events: {} as ApiConnectionEvent },
}).createMachine({
  id: 'apiConnection',
  initial: 'connected',
  states: {
    connected: { on: { 'link.cut': 'cutOff' } },
    cutOff: { on: { 'link.heal': 'relisting' } },
    relisting: { on: { 'relist.completed': 'connected', 'link.cut': 'cutOff' } },
  },
});

export type ApiConnectionState = 'connected' | 'cutOff' | 'relisting';
