/**
 * A pod as its node's kubelet runs it: the sandbox (network namespace, CNI ADD), the containers,
 * and teardown (CNI DEL), which is when the pod's address goes back to the node's IPAM pool.
 */
import { setup } from 'xstate';

export type PodSandboxEvent =
  | { type: 'sandbox.created' }
  | { type: 'containers.started' }
  | { type: 'pod.deletionRequested' }
  | { type: 'containers.stopped' }
  | { type: 'sandbox.removed' };

export const podSandboxMachine = setup({
  types: { events: {} as PodSandboxEvent },
}).createMachine({
  id: 'podSandbox',
  initial: 'creating',
  states: {
    creating: { on: { 'sandbox.created': 'starting', 'pod.deletionRequested': 'terminating' } },
    starting: { on: { 'containers.started': 'running', 'pod.deletionRequested': 'terminating' } },
    running: { on: { 'pod.deletionRequested': 'terminating' } },
    terminating: { on: { 'containers.stopped': 'stopped' } },
    stopped: { on: { 'sandbox.removed': 'removed' } },
    removed: { type: 'final' },
  },
});

export type PodSandboxState = 'creating' | 'starting' | 'running' | 'terminating' | 'stopped' | 'removed';
