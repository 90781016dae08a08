/**
 * A node's Ready condition as the node lifecycle controller sees it: NotReady until a CNI plugin is
 * ready, Ready while its kubelet renews its Lease, Unknown once the Lease is older than the
 * node-monitor grace period (the node is then tainted unreachable).
 */
import { setup } from 'xstate';

export type NodeHealthEvent = { type: 'cni.ready' } | { type: 'lease.expired' } | { type: 'lease.renewed' };

export const nodeHealthMachine = setup({
  types: { events: {} as NodeHealthEvent },
}).createMachine({
  id: 'nodeHealth',
  initial: 'networkNotReady',
  states: {
    networkNotReady: { on: { 'cni.ready': 'ready', 'lease.expired': 'unknown' } },
    ready: { on: { 'lease.expired': 'unknown' } },
    unknown: { on: { 'lease.renewed': 'ready' } },
  },
});

export type NodeHealthState = 'networkNotReady' | 'ready' | 'unknown';
