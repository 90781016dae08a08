/**
 * The Cilium endpoint lifecycle (pkg/endpoint, docs security/policy/lifecycle; FACTS §9).
 * State names are Cilium's own. Identity resolution takes an endpoint from waiting-for-identity to
 * ready, and the regeneration that follows goes through waiting-to-regenerate and regenerating.
 */
import { setup } from 'xstate';

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
    // The empty state "" of Cilium's code: the endpoint object exists but has no state yet.
    none: { on: { 'endpoint.create': 'waiting-for-identity', 'endpoint.restore': 'restoring' } },
    'waiting-for-identity': {
      on: { 'identity.resolved': 'ready', 'endpoint.delete': 'disconnecting', 'endpoint.invalid': 'invalid' },
    },
    ready: {
      on: {
        'labels.changed': 'waiting-for-identity',
        'regeneration.queued': 'waiting-to-regenerate',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    'waiting-to-regenerate': {
      on: {
        'regeneration.started': 'regenerating',
        'labels.changed': 'waiting-for-identity',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    regenerating: {
      on: {
        'regeneration.completed': 'ready',
        'regeneration.queued': 'waiting-to-regenerate',
        'labels.changed': 'waiting-for-identity',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    restoring: {
      on: {
        'regeneration.started': 'regenerating',
        'endpoint.delete': 'disconnecting',
        'endpoint.restore': 'restoring',
      },
    },
    disconnecting: { on: { 'endpoint.disconnected': 'disconnected' } },
    disconnected: { type: 'final' },
    invalid: { type: 'final' },
  },
});

/** Endpoint states as Cilium names them. */
export type EndpointState =
  | 'none'
  | 'waiting-for-identity'
  | 'ready'
  | 'waiting-to-regenerate'
  | 'regenerating'
  | 'restoring'
  | 'disconnecting'
  | 'disconnected'
  | 'invalid';

/** Transitions Cilium's setState allows (FACTS §9), used by tests to check every path. */
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
