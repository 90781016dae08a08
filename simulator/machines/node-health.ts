/**
 * A node's Ready condition as the node lifecycle controller sees it: NotReady until a CNI plugin is
 * ready, Ready while its kubelet renews its Lease, Unknown once the Lease is older than the
 * node-monitor grace period (the node is then tainted unreachable). Upstream: kubernetes/kubernetes
 * pkg/controller/nodelifecycle/node_lifecycle_controller.go (v1.24.0).
 */
import { setup, type StateValueFrom } from 'xstate';

export type NodeHealthEvent = { type: 'cni.ready' } | { type: 'lease.expired' } | { type: 'lease.renewed' };

export const nodeHealthMachine = setup({
  types: { events: {} as NodeHealthEvent },
}).createMachine({
  id: 'nodeHealth',
  initial: 'networkNotReady',
  states: {
    networkNotReady: {
      description: 'Ready=False: the kubelet reports that no CNI plugin is ready yet.',
      on: { 'cni.ready': 'ready', 'lease.expired': 'unknown' },
    },
    ready: {
      description: 'Ready=True: the kubelet renews its Lease.',
      on: { 'lease.expired': 'unknown' },
    },
    unknown: {
      description:
        'Ready=Unknown: the Lease is older than the grace period; the node is tainted unreachable.',
      on: { 'lease.renewed': 'ready' },
    },
  },
});

export type NodeHealthState = StateValueFrom<typeof nodeHealthMachine>;
