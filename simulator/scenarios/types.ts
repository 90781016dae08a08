/**
 * Scenarios are data: an initial configuration and a list of steps, each a list of actions from a
 * small vocabulary with the outcomes a reader should see. The same data drives the headless runner,
 * the golden tests and (later) the widgets.
 */

/** Selects pods by labels in a namespace, as `kubectl get pods -l` does. */
export interface PodSelector {
  namespace?: string;
  labels: Record<string, string>;
}

/** What a connectivity check should find. */
export type ConnectionExpectation = 'success' | 'failure';

/** The actions a scenario step can take. */
export type ScenarioAction =
  | { do: 'create-cluster'; workers: number; disableDefaultCNI: boolean }
  | { do: 'install-cilium'; version: string; values: Record<string, string> }
  | { do: 'wait-cilium-ready' }
  | { do: 'apply'; file: string }
  | { do: 'wait-rollouts' }
  | {
      do: 'connectivity-matrix';
      clients: string[];
      servers: string[];
      port: number;
      path: string;
      timeoutMs: number;
      expect: Record<string, ConnectionExpectation>;
    }
  | { do: 'show-ipcache'; nodeOf: PodSelector }
  | { do: 'record-identity'; of: PodSelector; as: string }
  | { do: 'cut-off'; nodeOf: PodSelector }
  | { do: 'record-addresses'; of: PodSelector; as: string }
  | { do: 'scale'; deployment: string; replicas: number }
  | { do: 'restart-until-reuse'; deployment: string; addresses: string; maxRestarts: number; as: string }
  | {
      do: 'curl-from-recorded';
      pod: string;
      server: string;
      port: number;
      path: string;
      timeoutMs: number;
      expect: ConnectionExpectation;
    }
  | { do: 'check-stale-entry'; nodeOf: PodSelector; pod: string; expectIdentity: string }
  | { do: 'heal'; nodeOf: PodSelector }
  | { do: 'wait'; ms: number };

/** One step a reader takes. */
export interface ScenarioStep {
  id: string;
  title: string;
  /** What the step shows, in a sentence or two. */
  summary: string;
  actions: ScenarioAction[];
}

/** A scenario: a stable id, its defaults and its steps. */
export interface Scenario {
  id: string;
  title: string;
  summary: string;
  defaultSeed: number;
  /** Files a reader's terminal would have (yamls/…, run-test.sh). */
  files: Record<string, string>;
  steps: ScenarioStep[];
}
