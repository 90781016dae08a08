/**
 * What a step's actions observed, as data beside the step's prose: tests, the architecture
 * comparison and anything else that checks a run read these, never the narration, so the wording
 * can change without changing what a run is found to show. Each observation is a plain copy taken
 * when the action ran; none holds a reference into the world.
 */
import type { ConnectionOutcome } from '../cilium/datapath-types';
import { isStalledOutcome } from '../cilium/envoy';
import type { NetworkPolicyResource } from '../cilium/envoy-npds';
import type { AddressSetName, IdentityName } from './types';

/** How a curl ended. */
export type CurlOutcome =
  | { kind: 'response'; status: number; body: string; /** The `server` header (`envoy`). */ server?: string }
  | { kind: 'timeout'; /** An Envoy worker took the connection and never answered. */ stalled: boolean }
  | { kind: 'refused' }
  | { kind: 'resolve-failed' }
  | { kind: 'error'; message: string }
  /** The simulation refused the input (the step's failures say why). */
  | { kind: 'none' };

/** One HTTP GET from a pod. */
export interface CurlObservation {
  kind: 'curl';
  /** The client pod's name. */
  from: string;
  /** The host curl was given: a Service name or an address. */
  to: string;
  port: number;
  path: string;
  outcome: CurlOutcome;
  elapsedMs: number;
  /**
   * Set when the server's node took the client for another identity (a stale ipcache entry): the
   * identity and pod it believed, and who really sent the connection.
   */
  mistakenBy?: { believedIdentity: number; believedPod?: string; actualIdentity: number; actualPod: string };
  /** Drop reasons of the Hubble flows the curl caused, where the action lists them. */
  drops?: string[];
  /** curl's exit status, where the action reads it as a script would. */
  exitCode?: number;
  /** The mesh connection the sidecars or ztunnel made for it, where there was one. */
  mesh?: { transport: string; clientId?: string; serverId?: string; mtlsMode: string; result: string };
  /** For a probe of a pod by address: the server pod, its node, and whether that node's Envoy is stuck. */
  server?: { pod: string; node: string; behindStuckEnvoy: boolean };
}

/** Everything the actions observe, one kind per thing observed. */
export type Observation =
  | CurlObservation
  | { kind: 'cluster-created'; nodes: { name: string; internalIP: string; podCIDR: string }[] }
  | {
      kind: 'cilium-installed';
      version: string;
      routingMode: string;
      encryption: string;
      ipamMode: string;
      warnings: string[];
    }
  | { kind: 'agents-ready'; ready: boolean; agents: number }
  | { kind: 'applied'; file: string; objects: string[] }
  | { kind: 'rolled-out'; settled: boolean; elapsedMs: number }
  | { kind: 'scaled'; deployment: string; replicas: number }
  | { kind: 'pods-deleted'; pods: string[] }
  | { kind: 'instances-launched'; instances: { instanceId: string; privateIp: string; publicIp?: string }[] }
  | { kind: 'ipcache'; node: string; entries: { prefix: string; identity: number }[] }
  | { kind: 'identity-recorded'; name: IdentityName; identity: number; labels: string[] }
  | { kind: 'cut-off'; node: string; droppedSources: string[] }
  | { kind: 'addresses-recorded'; name: AddressSetName; addresses: string[] }
  | { kind: 'address-reused'; deployment: string; pod?: string; address?: string; restarts: number }
  | {
      kind: 'ipcache-entry';
      node: string;
      address: string;
      identity: number;
      /** The pod the entry names. */
      namedPod?: string;
      /** Who really holds the address now. */
      owner?: { pod: string; node: string };
    }
  | {
      kind: 'auth-map';
      node: string;
      entries: {
        localIdentity: number;
        remoteIdentity: number;
        remoteNodeId: number;
        expirationMs: number;
      }[];
      handshakes: { number: number; reason: string; result: string }[];
    }
  | { kind: 'flows'; node: string; type: 'l7' | 'policy-verdict'; lines: string[] }
  | { kind: 'npds'; node: string; endpointId: number; resource: NetworkPolicyResource }
  | {
      kind: 'envoy-listeners';
      node: string;
      listeners: {
        name: string;
        listenerFilters: string[];
        networkFilters: string[];
        httpFilters: string[];
      }[];
    }
  | { kind: 'object-yaml'; objectKind: 'CiliumEndpoint' | 'CiliumIdentity'; name: string; text: string }
  | {
      kind: 'envoy-config-applied';
      name: string;
      listeners: { name: string; port: number }[];
      refusal?: string;
    }
  | { kind: 'envoy-config-deleted'; name: string; stuckWorkers?: number }
  | { kind: 'envoy-stuck'; node: string; stuckWorkers: number; workers: number; requests: number }
  | { kind: 'envoy-restarted'; node: string; stuckWorkers: number }
  | {
      kind: 'blast-radius';
      architecture: 'cilium-node-envoy' | 'istio-sidecar' | 'istio-ambient-waypoint';
      pods: string[];
      namespaces: number;
    }
  | { kind: 'istio-installed'; profile: string; ready: boolean }
  | { kind: 'namespace-enrolled'; namespace: string; label: string }
  | {
      kind: 'mesh-identity';
      pod: string;
      serviceAccount: string;
      spiffeId: string;
      holder: 'sidecar' | 'ztunnel';
    };

/** An observation of one kind. */
export type ObservationOf<K extends Observation['kind']> = Extract<Observation, { kind: K }>;

/** How a connection ended, as a curl observation records it. */
export function curlOutcomeOf(outcome: ConnectionOutcome | undefined): CurlOutcome {
  if (outcome === undefined) return { kind: 'none' };
  switch (outcome.kind) {
    case 'response': {
      const server = outcome.response.headers.server;
      return {
        kind: 'response',
        status: outcome.response.status,
        body: outcome.response.body,
        ...(server === undefined ? {} : { server }),
      };
    }
    case 'timeout':
      return { kind: 'timeout', stalled: isStalledOutcome(outcome) };
    case 'refused':
    case 'resolve-failed':
      return { kind: outcome.kind };
    case 'error':
      return { kind: 'error', message: outcome.message };
  }
}

/** The curl observation for an outcome; `extra` adds what only some actions know. */
export function curlObservation(
  request: { from: string; to: string; port: number; path: string },
  outcome: ConnectionOutcome | undefined,
  extra: Partial<Omit<CurlObservation, 'kind' | 'from' | 'to' | 'port' | 'path' | 'outcome'>> = {},
): CurlObservation {
  const mistaken = outcome !== undefined && 'mistaken' in outcome ? outcome.mistaken : undefined;
  return {
    kind: 'curl',
    ...request,
    outcome: curlOutcomeOf(outcome),
    elapsedMs: outcome?.elapsedMs ?? 0,
    ...(mistaken === undefined
      ? {}
      : {
          mistakenBy: {
            believedIdentity: mistaken.believedIdentity,
            ...(mistaken.believedPod === undefined ? {} : { believedPod: mistaken.believedPod }),
            actualIdentity: mistaken.actualIdentity,
            actualPod: mistaken.actualPod,
          },
        }),
    ...extra,
  };
}

/** Whether a curl got an HTTP answer below 400 (what run-test.sh calls a success). */
export function curlSucceeded(observation: CurlObservation): boolean {
  return observation.outcome.kind === 'response' && observation.outcome.status < 400;
}
