/**
 * Every scenario by id, with its number of steps and a loader for its module. A lab loads only the
 * scenario it plays (each loader is a separate chunk for a bundler), and a link decoder checks a
 * record's scenario and step count here before any scenario has loaded.
 *
 * The step counts and starts repeat what each scenario's module says; `test/unit/simulator/scenario-directory.test.ts`
 * fails, naming the entry to change, when they drift from `catalog.ts`.
 */
import type { Scenario } from './types';

/** What the directory knows of a scenario without loading it. */
export interface ScenarioEntry {
  /** How many steps the scenario has. */
  steps: number;
  /** Loads the scenario's module (its files, steps and actions). */
  load: () => Promise<Scenario>;
  /**
   * For a scenario without an initial state (its world is empty until the first step): its default
   * seed and the day its clock starts (at 09:00 UTC, what chooseSetup picks for its releases). A lab
   * shows that start before the scenario and the simulator have loaded (src/widgets/scenario/lab-start.ts).
   */
  start?: { seed: number; day: string };
}

/** Scenarios by id. */
export const scenarioDirectory: Readonly<Record<string, ScenarioEntry>> = {
  'mistaken-identity': {
    steps: 7,
    start: { seed: 1, day: '2022-07-29' },
    load: async () => (await import('./mistaken-identity')).mistakenIdentity,
  },
  'mutual-auth': {
    steps: 7,
    start: { seed: 2, day: '2023-12-14' },
    load: async () => (await import('./mutual-auth')).mutualAuth,
  },
  'l7-cilium': {
    steps: 7,
    start: { seed: 8, day: '2022-07-29' },
    load: async () => (await import('./l7-cilium')).l7Cilium,
  },
  'l7-envoy-blast-radius': {
    steps: 9,
    start: { seed: 3, day: '2024-02-01' },
    load: async () => (await import('./l7-envoy-blast-radius')).l7EnvoyBlastRadius,
  },
  'istio-mistaken-identity': {
    steps: 7,
    start: { seed: 1, day: '2024-11-08' },
    load: async () => (await import('./istio-mistaken-identity')).istioMistakenIdentity,
  },
  sandbox: {
    steps: 0,
    start: { seed: 1, day: '2025-12-18' },
    load: async () => (await import('./sandbox')).sandbox,
  },
  // The labs of the Cilium security reference share one module (reference/index.ts).
  'reference-star-wars': { steps: 3, load: async () => (await import('./reference')).referenceStarWars },
  'reference-dns': { steps: 4, load: async () => (await import('./reference')).referenceDns },
  'reference-grpc': { steps: 2, load: async () => (await import('./reference')).referenceGrpc },
  'reference-kafka': { steps: 2, load: async () => (await import('./reference')).referenceKafka },
  'reference-elasticsearch': {
    steps: 2,
    load: async () => (await import('./reference')).referenceElasticsearch,
  },
  'reference-tls': { steps: 1, load: async () => (await import('./reference')).referenceTls },
  'reference-host-firewall': {
    steps: 1,
    load: async () => (await import('./reference')).referenceHostFirewall,
  },
  'reference-verdicts': { steps: 1, load: async () => (await import('./reference')).referenceVerdicts },
  'reference-enforcement-modes': {
    steps: 2,
    load: async () => (await import('./reference')).referenceEnforcementModes,
  },
  'reference-troubleshooting': {
    steps: 2,
    load: async () => (await import('./reference')).referenceTroubleshooting,
  },
  'reference-pod-access': { steps: 1, load: async () => (await import('./reference')).referencePodAccess },
  'reference-endpoint-lifecycle': {
    steps: 2,
    load: async () => (await import('./reference')).referenceEndpointLifecycle,
  },
  'reference-aws': { steps: 4, load: async () => (await import('./reference')).referenceAws },
  'reference-threat-model': {
    steps: 2,
    load: async () => (await import('./reference')).referenceThreatModel,
  },
};
