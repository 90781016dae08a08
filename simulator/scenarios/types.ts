/**
 * Scenarios are data: an initial configuration and a list of steps, each a list of actions from a
 * small vocabulary with the outcomes a reader should see. The same data drives the headless runner,
 * the golden tests and (later) the widgets.
 */
import type { MeshScenarioAction } from '../mesh/scenario-actions';
import type { CiliumEnvoyConfigInput } from '../cilium/envoy-config-resources';

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
      /** Print the Hubble flows the curl caused. */
      showFlows?: boolean;
    }
  | { do: 'check-stale-entry'; nodeOf: PodSelector; pod: string; expectIdentity: string }
  | { do: 'heal'; nodeOf: PodSelector }
  /** `kubectl exec` into the first running pod of `from` and curl a URL; `expect` checks the answer. */
  | {
      do: 'exec-curl';
      from: PodSelector;
      host: string;
      port: number;
      path: string;
      timeoutMs: number;
      expect: { outcome: 'response' | 'timeout'; status?: number; body?: string };
    }
  /** `hubble observe` on the node of a pod: its last flows of one type; each `expect` regex must match a line. */
  | {
      do: 'hubble-observe';
      nodeOf: PodSelector;
      type: 'l7' | 'policy-verdict';
      last: number;
      expect: string[];
    }
  /** The NPDS resource (cilium.NetworkPolicy) the agent sends its Envoy for a pod, from the compiled policy. */
  | { do: 'show-npds'; of: PodSelector; expect: { port: number; headers: Record<string, string> } }
  /**
   * The listeners and filters of the Envoy on a pod's node (its config dump); each regex must match a
   * listener, and the agent's own policy listeners must keep exactly Cilium's HTTP filters.
   */
  | { do: 'show-envoy-config'; nodeOf: PodSelector; expectListeners: string[] }
  /** `kubectl get ciliumendpoint|ciliumidentity … -o yaml` for a pod; each expected string must appear. */
  | { do: 'get-yaml'; kind: 'CiliumEndpoint' | 'CiliumIdentity'; of: PodSelector; expect: string[] }
  /** `kubectl apply -f FILE` of a CiliumEnvoyConfig; `config` is the file's content as the agents read it. */
  | { do: 'apply-envoy-config'; file: string; config: CiliumEnvoyConfigInput }
  /** `kubectl delete ciliumenvoyconfig`: the agents remove the CEC's listeners. */
  | { do: 'delete-envoy-config'; namespace: string; name: string }
  /**
   * Curls a URL from the first pod of `from` until every worker of the Envoy on that pod's node is
   * stuck (at most `maxRequests`); records that node as ENVOY_NODE and the CEC that holds the loop.
   */
  | {
      do: 'curl-until-envoy-stuck';
      from: PodSelector;
      host: string;
      port: number;
      path: string;
      timeoutMs: number;
      maxRequests: number;
    }
  /** Kills the Envoy of the recorded ENVOY_NODE; the agent starts a new one with the same listeners. */
  | { do: 'restart-envoy' }
  /**
   * Curls every running pod of `to` by address from the first pod of `from`; `expect` says, per `to`
   * app label, what a pod on the node with the faulty Envoy (ENVOY_NODE) and a pod elsewhere should see.
   */
  | {
      do: 'probe-pods';
      probes: { from: PodSelector; to: PodSelector }[];
      port: number;
      path: string;
      timeoutMs: number;
      expect: Record<string, { onFaultyNode: 'answers' | 'times-out'; elsewhere: 'answers' | 'times-out' }>;
    }
  /** Which pods share a proxy with the faulty filter, per L7 proxy architecture (from the recorded fault). */
  | {
      do: 'compare-proxy-blast-radius';
      expect: Record<
        'cilium-node-envoy' | 'istio-sidecar' | 'istio-ambient-waypoint',
        { pods: number; namespaces: number }
      >;
    }
  /**
   * One curl from the first running pod of a deployment (`sleep-v1`), with the Hubble flows it
   * caused; `expectDrops` lists drop reasons that must appear, `minElapsedMs` a floor on its time.
   */
  | {
      do: 'curl';
      from: string;
      server: string;
      port: number;
      path: string;
      timeoutMs: number;
      expect: ConnectionExpectation;
      expectDrops?: string[];
      minElapsedMs?: number;
      showFlows?: boolean;
    }
  /**
   * `cilium bpf auth list` on a node (the recorded NODEV1 when no pod matches) and the handshakes
   * that node ran; `expectEntry` names recorded identities that must have an entry.
   */
  | {
      do: 'show-auth-map';
      nodeOf: PodSelector;
      expectEntry?: { local: string; remote: string };
      showHandshakes?: number;
    }
  | { do: 'wait'; ms: number }
  /** Istio: install, enrol a namespace, mesh curls (mesh/scenario-actions.ts). */
  | MeshScenarioAction;

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
  /**
   * The day (`YYYY-MM-DD`) the scenario's source ran it, when the clock should start then; by default
   * the day after the newest release it installs (setup.ts).
   */
  date?: string;
  /** Files a reader's terminal would have (yamls/…, run-test.sh). */
  files: Record<string, string>;
  steps: ScenarioStep[];
}
