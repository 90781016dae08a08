import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  allowedEndpointTransitions,
  endpointLifecycleMachine,
  type EndpointState,
} from '../../../simulator/machines/endpoint-lifecycle';
import { apiConnectionMachine } from '../../../simulator/machines/api-connection';
import { podSandboxMachine, type PodSandboxEvent } from '../../../simulator/machines/pod-sandbox';
import { nodeHealthMachine } from '../../../simulator/machines/node-health';
import { nextState } from '../../../simulator/machines/step';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

// Model-based tests: walk every path of each lifecycle machine and check that each step is one
// the real system allows (setState in cilium/cilium pkg/endpoint/endpoint.go
// for Cilium endpoints), then check the model uses them so.
const endpointEvents = [
  'endpoint.create',
  'endpoint.restore',
  'identity.resolved',
  'labels.changed',
  'regeneration.queued',
  'regeneration.started',
  'regeneration.completed',
  'endpoint.invalid',
  'endpoint.delete',
  'endpoint.disconnected',
] as const;

describe('machines: endpoint lifecycle', () => {
  it('only ever takes transitions Cilium allows, on every simple path', () => {
    const paths = getSimplePaths(endpointLifecycleMachine, {
      events: endpointEvents.map((type) => ({ type })),
    });
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) {
      let previous: EndpointState | undefined;
      for (const step of path.steps) {
        const state = step.state.value;
        if (previous !== undefined && previous !== state)
          expect(allowedEndpointTransitions[previous]).toContain(state);
        previous = state;
      }
    }
  });

  it('reaches every Cilium endpoint state', () => {
    const reached = new Set(
      getShortestPaths(endpointLifecycleMachine, { events: endpointEvents.map((type) => ({ type })) }).map(
        (path) => String(path.state.value),
      ),
    );
    expect([...reached].sort()).toEqual(Object.keys(allowedEndpointTransitions).sort());
  });

  it('makes terminal states final', () => {
    for (const state of ['disconnected', 'invalid'] as const) {
      for (const type of endpointEvents)
        expect(nextState(endpointLifecycleMachine, state, type)).toBeUndefined();
    }
  });
});

describe('machines: other lifecycles', () => {
  it('re-lists before an agent counts as connected again', () => {
    expect(nextState(apiConnectionMachine, 'cutOff', 'relist.completed')).toBeUndefined();
    expect(nextState(apiConnectionMachine, 'cutOff', 'link.heal')).toBe('relisting');
    expect(nextState(apiConnectionMachine, 'relisting', 'relist.completed')).toBe('connected');
  });

  it('frees a sandbox only after its containers stopped', () => {
    expect(nextState(podSandboxMachine, 'running', 'sandbox.removed')).toBeUndefined();
    expect(nextState(podSandboxMachine, 'terminating', 'containers.stopped')).toBe('stopped');
    const paths = getShortestPaths(podSandboxMachine, {
      events: [
        'sandbox.created',
        'containers.started',
        'pod.deletionRequested',
        'containers.stopped',
        'sandbox.removed',
      ].map((type) => ({ type }) as PodSandboxEvent),
    });
    expect(paths.map((path) => String(path.state.value)).sort()).toEqual([
      'creating',
      'removed',
      'running',
      'starting',
      'stopped',
      'terminating',
    ]);
  });

  it('marks a node Unknown only after its lease expires', () => {
    expect(nextState(nodeHealthMachine, 'ready', 'lease.expired')).toBe('unknown');
    expect(nextState(nodeHealthMachine, 'unknown', 'lease.renewed')).toBe('ready');
  });

  it("types states and events by the machine's own names, so callers need no casts", () => {
    expectTypeOf(nextState(podSandboxMachine, 'running', 'pod.deletionRequested')).toEqualTypeOf<
      'creating' | 'starting' | 'running' | 'terminating' | 'stopped' | 'removed' | undefined
    >();
    // @ts-expect-error: 'connected' is a state of the API connection machine, not of a sandbox.
    expect(() => nextState(podSandboxMachine, 'connected', 'sandbox.removed')).toThrow(/does not exist/);
    // @ts-expect-error: a sandbox knows no 'link.cut' event.
    expect(nextState(podSandboxMachine, 'running', 'link.cut')).toBeUndefined();
  });
});

describe('machines: as the model drives them', () => {
  it('brings every endpoint of a settled cluster to ready through waiting-for-identity and regeneration', () => {
    const simulation = clusterWithCilium(9, 2);
    apply(simulation, deploymentYaml('alpha', 4, { app: 'alpha' }));
    settle(simulation);
    const endpoints = Object.values(simulation.state.cluster?.cilium?.agents ?? {}).flatMap((agent) =>
      Object.values(agent.endpoints),
    );
    // The four alpha pods, besides kind's two CoreDNS pods in kube-system.
    expect(endpoints.filter((endpoint) => endpoint.podKey.startsWith('default/alpha-'))).toHaveLength(4);
    expect(endpoints.filter((endpoint) => endpoint.podKey.startsWith('kube-system/coredns-'))).toHaveLength(
      2,
    );
    for (const endpoint of endpoints) {
      expect(endpoint.state).toBe('ready');
      expect(endpoint.identity).toBeGreaterThanOrEqual(256);
    }
  });
});
