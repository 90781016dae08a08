/**
 * A pod as its node's kubelet runs it: the sandbox (network namespace, CNI ADD), the containers,
 * and teardown (CNI DEL), which is when the pod's address goes back to the node's IPAM pool.
 * Upstream: kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go (v1.24.0).
 */
import { setup, type StateValueFrom } from 'xstate';

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
    creating: {
      description: 'The runtime creates the sandbox; the CNI plugin gives it an address.',
      on: { 'sandbox.created': 'starting', 'pod.deletionRequested': 'terminating' },
    },
    starting: {
      description: 'The sandbox has its address; the containers are starting.',
      on: { 'containers.started': 'running', 'pod.deletionRequested': 'terminating' },
    },
    running: {
      description: 'The containers run.',
      on: { 'pod.deletionRequested': 'terminating' },
    },
    terminating: {
      description: 'The pod was deleted; its containers get their grace period to stop.',
      on: { 'containers.stopped': 'stopped' },
    },
    stopped: {
      description: 'The containers stopped; the sandbox still holds its address until CNI DEL.',
      on: { 'sandbox.removed': 'removed' },
    },
    removed: {
      description: "The sandbox is gone and its address is back in the node's pool.",
      type: 'final',
    },
  },
});

export type PodSandboxState = StateValueFrom<typeof podSandboxMachine>;
