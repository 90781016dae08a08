/**
 * A client's connection to the API server (a Cilium agent's informers, or a kubelet): while cut off
 * it receives nothing and keeps its caches; when the link heals it re-lists before it is current,
 * as a client-go reflector does after its watch breaks (kubernetes/client-go tools/cache/reflector.go).
 */
import { setup, type StateValueFrom } from 'xstate';

export type ApiConnectionEvent = { type: 'link.cut' } | { type: 'link.heal' } | { type: 'relist.completed' };

export const apiConnectionMachine = setup({
  types: { events: {} as ApiConnectionEvent },
}).createMachine({
  id: 'apiConnection',
  initial: 'connected',
  states: {
    connected: {
      description: 'Watches deliver every change after the watch latency.',
      on: { 'link.cut': 'cutOff' },
    },
    cutOff: {
      description: 'Nothing arrives; the client acts on the caches it had when the link broke.',
      on: { 'link.heal': 'relisting' },
    },
    relisting: {
      description: 'The link is back; the client lists every object again before it trusts its caches.',
      on: { 'relist.completed': 'connected', 'link.cut': 'cutOff' },
    },
  },
});

export type ApiConnectionState = StateValueFrom<typeof apiConnectionMachine>;
