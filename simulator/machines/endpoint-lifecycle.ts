/**
 * The Cilium endpoint lifecycle, with Cilium's own state names: identity resolution takes an
 * endpoint from waiting-for-identity to ready, and the regeneration that follows goes through
 * waiting-to-regenerate and regenerating. Upstream: `setState` in cilium/cilium
 * pkg/endpoint/endpoint.go (v1.12.0) and https://docs.cilium.io/en/stable/security/policy/lifecycle/.
 */
import { setup, type StateValueFrom } from 'xstate';

export type EndpointLifecycleEvent =
  | { type: 'endpoint.create' }
  | { type: 'endpoint.restore' }
  | { type: 'identity.resolved' }
  | { type: 'labels.changed' }
  | { type: 'regeneration.queued' }
  | { type: 'regeneration.started' }
  | { type: 'regeneration.completed' }
  | { type: 'endpoint.invalid' }
  | { type: 'endpoint.delete' }
  | { type: 'endpoint.disconnected' };

export const endpointLifecycleMachine = setup({
  types: { events: {} as EndpointLifecycleEvent },
}).createMachine({
  id: 'endpointLifecycle',
  initial: 'none',
  states: {
    none: {
      description: 'The endpoint object exists but has no state yet (the empty state "" of Cilium\'s code).',
      on: { 'endpoint.create': 'waiting-for-identity', 'endpoint.restore': 'restoring' },
    },
    'waiting-for-identity': {
      description: "Cilium is allocating the security identity for the endpoint's labels.",
      on: { 'identity.resolved': 'ready', 'endpoint.delete': 'disconnecting', 'endpoint.invalid': 'invalid' },
    },
    ready: {
      description: 'The endpoint has an identity and its datapath is programmed.',
      on: {
        'labels.changed': 'waiting-for-identity',
        'regeneration.queued': 'waiting-to-regenerate',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    'waiting-to-regenerate': {
      description: 'A regeneration is queued: the policy or configuration changed.',
      on: {
        'regeneration.started': 'regenerating',
        'labels.changed': 'waiting-for-identity',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    regenerating: {
      description: "The agent is computing the policy and reloading the endpoint's programs.",
      on: {
        'regeneration.completed': 'ready',
        'regeneration.queued': 'waiting-to-regenerate',
        'labels.changed': 'waiting-for-identity',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    restoring: {
      description: 'The endpoint existed before the agent started; its configuration is being restored.',
      on: {
        'regeneration.started': 'regenerating',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    disconnecting: {
      description: 'The pod is gone and the agent is tearing the endpoint down.',
      on: { 'endpoint.disconnected': 'disconnected' },
    },
    disconnected: { description: 'The endpoint is removed.', type: 'final' },
    invalid: { description: 'The endpoint could not be set up (an invalid configuration).', type: 'final' },
  },
});

/** Endpoint states as Cilium names them (inferred from the machine). */
export type EndpointState = StateValueFrom<typeof endpointLifecycleMachine>;

/** Transitions Cilium's `setState` allows (pkg/endpoint/endpoint.go), used by tests to check every path. */
export const allowedEndpointTransitions: Readonly<Record<EndpointState, readonly EndpointState[]>> = {
  none: ['waiting-for-identity', 'restoring'],
  'waiting-for-identity': ['ready', 'disconnecting', 'invalid'],
  ready: ['waiting-for-identity', 'disconnecting', 'waiting-to-regenerate', 'restoring'],
  'waiting-to-regenerate': ['regenerating', 'waiting-for-identity', 'disconnecting', 'restoring'],
  regenerating: ['ready', 'waiting-for-identity', 'disconnecting', 'waiting-to-regenerate', 'restoring'],
  restoring: ['disconnecting', 'restoring', 'regenerating'],
  disconnecting: ['disconnected'],
  disconnected: [],
  invalid: [],
};
