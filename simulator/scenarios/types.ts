/**
 * Scenarios are data: an initial configuration and a list of steps, each a list of actions from a
 * small vocabulary with the outcomes a reader should see. The same data drives the headless runner,
 * the tests and the scenario widget; each action kind has one handler (action-handlers.ts).
 */
import type { CiliumEnvoyConfigInput } from '../cilium/envoy-config-resources';
import type { IstioProfile } from '../mesh/state';

/** Selects pods by labels in a namespace, as `kubectl get pods -l` does. */
export interface PodSelector {
  namespace?: string;
  labels: Record<string, string>;
}

/** What a connectivity check should find. */
type ConnectionExpectation = 'success' | 'failure';

/** What a mesh curl should end in. */
export type MeshExpectation = 'hello' | 'rbac-denied' | 'reset' | 'timeout';

/**
 * The names steps record values under, as the source's script names its shell variables. They are
 * types, so a misspelt name in a scenario fails to compile.
 */
export type IdentityName = 'SLEEPV1_ID' | 'HELLOV1_ID';
/** Names of recorded sets of pod addresses. */
export type AddressSetName = 'SLEEPV1_IPs';
/** Names of recorded pods. */
export type PodName = 'SLEEPV2POD';

/** What a scenario's steps found out, for later steps, the widget and tests. */
export interface ScenarioFacts {
  /** Security identities recorded by record-identity. */
  identities: Partial<Record<IdentityName, number>>;
  /** Pod addresses recorded by record-addresses. */
  addressSets: Partial<Record<AddressSetName, string[]>>;
  /** Pods recorded by restart-until-reuse: the one that took a recorded address. */
  pods: Partial<Record<PodName, string>>;
  /**
   * The node the scenario watches (NODEV1 in seed 001's script): helloworld-v1's, whose ipcache
   * show-ipcache printed or which cut-off isolated from the API server.
   */
  focusNode?: string;
  /** The recorded address a new pod took (restart-until-reuse). */
  reusedAddress?: string;
  /** How many rollout restarts restart-until-reuse ran, whether or not an address came back. */
  restarts?: number;
  /** The node whose Envoy curl-until-envoy-stuck sent requests through until its workers were stuck. */
  stuckEnvoyNode?: string;
  /** The CiliumEnvoyConfig (`namespace/name`) whose filter holds those workers. */
  faultyEnvoyConfig?: string;
}

/** The actions a scenario step can take. */
export type ScenarioAction =
  | { do: 'create-cluster'; workers: number; disableDefaultCNI: boolean }
  | { do: 'install-cilium'; version: string; values: Record<string, string> }
  /**
   * `helm install cilium cilium/cilium --version V --namespace kube-system [--set k=v]`, as a
   * reader's terminal runs it (a Helm release the reader's `helm upgrade` can then reuse).
   */
  | { do: 'helm-install-cilium'; version: string; values: Record<string, string> }
  | { do: 'wait-cilium-ready' }
  | { do: 'apply'; file: string }
  /**
   * `kubectl apply -f https://raw.githubusercontent.com/cilium/cilium/…/examples/…`: one of the
   * example manifests the simulated machine serves (cilium/example-manifests.ts).
   */
  | { do: 'apply-example'; url: string }
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
  | { do: 'record-identity'; of: PodSelector; as: IdentityName }
  | { do: 'cut-off'; nodeOf: PodSelector }
  | { do: 'record-addresses'; of: PodSelector; as: AddressSetName }
  | { do: 'scale'; deployment: string; replicas: number }
  /** `kubectl delete pod -l …`: every pod the selector matches; their controllers replace them. */
  | { do: 'delete-pods'; of: PodSelector }
  /** `aws ec2 run-instances` on the simulated AWS account (cilium/aws-ec2.ts), into security groups. */
  | { do: 'aws-run-instances'; securityGroupIds: string[]; count: number }
  | {
      do: 'restart-until-reuse';
      deployment: string;
      addresses: AddressSetName;
      maxRestarts: number;
      as: PodName;
    }
  | {
      do: 'curl-from-recorded';
      pod: PodName;
      server: string;
      port: number;
      path: string;
      timeoutMs: number;
      expect: ConnectionExpectation;
      /** Print the Hubble flows the curl caused. */
      showFlows?: boolean;
    }
  | { do: 'check-stale-entry'; nodeOf: PodSelector; pod: PodName; expectIdentity: IdentityName }
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
   * stuck (at most `maxRequests`); records that node and the CEC that holds the loop.
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
  /** Kills the Envoy of the recorded stuck node; the agent starts a new one with the same listeners. */
  | { do: 'restart-envoy' }
  /**
   * Curls every running pod of `to` by address from the first pod of `from`; `expect` says, per `to`
   * app label, what a pod on the node with the stuck Envoy and a pod elsewhere should see.
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
   * `cilium bpf auth list` on a node (the recorded focus node when no pod matches) and the handshakes
   * that node ran; `expectEntry` names recorded identities that must have an entry.
   */
  | {
      do: 'show-auth-map';
      nodeOf: PodSelector;
      expectEntry?: { local: IdentityName; remote: IdentityName };
      showHandshakes?: number;
    }
  | { do: 'wait'; ms: number }
  /** `istioctl install --set profile=…`, then wait for istiod (and ztunnel in ambient mode). */
  | { do: 'install-istio'; profile: IstioProfile }
  /** Labels a namespace for sidecar injection, or for ambient capture under the ambient profile. */
  | { do: 'enroll-namespace'; namespace: string }
  /** The workload certificate of the first running pod of each app (`helloworld-v1`). */
  | { do: 'show-mesh-identities'; apps: string[] }
  /** Every client curls every server, read the way run-test.sh reads curl's exit status. */
  | {
      do: 'mesh-matrix';
      clients: string[];
      servers: string[];
      port: number;
      path: string;
      timeoutMs: number;
      expect: Record<string, MeshExpectation>;
    }
  /** One curl from a recorded pod; `label` names it for a variant's `meshExpect`. */
  | {
      do: 'mesh-curl-from-recorded';
      label: string;
      pod: PodName;
      server: string;
      port: number;
      path: string;
      timeoutMs: number;
      expect: MeshExpectation;
    };

/** The action of one kind, as its handler receives it. */
export type ActionOf<K extends ScenarioAction['do']> = Extract<ScenarioAction, { do: K }>;

/** Changes a scenario's configuration before it runs (another Cilium version, no cut-off, …). */
export interface ScenarioVariant {
  ciliumVersion?: string;
  helmValues?: Record<string, string>;
  skipActions?: ScenarioAction['do'][];
  /** Istio's profile for install-istio, instead of the action's own. */
  istioProfile?: IstioProfile;
  /** Expectations that replace a mesh action's, by matrix label (`sleep-v1 -> helloworld-v2`) or curl label. */
  meshExpect?: Record<string, MeshExpectation>;
  /** Files that replace the scenario's own by path (other manifests for a variant). */
  files?: Record<string, string>;
}

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
  /**
   * The Helm chart repositories the reader has added when the lab opens (name → URL); by default
   * cilium's and istio's (`labHelmRepositories`), which the pages' `helm install|upgrade` lines
   * assume. A page that adds them itself, as its reader does, starts with none (`{}`).
   */
  helmRepositories?: Readonly<Record<string, string>>;
  /**
   * What is already true when the scenario opens, built before its first step: the state a page's
   * walkthrough assumes (a kind cluster with Cilium installed). A lab opens there, and a link's
   * actions replay on top of it.
   */
  initial?: ScenarioStep;
  steps: ScenarioStep[];
}

/** The chart repositories a lab's reader has already added, unless the scenario says otherwise. */
export const labHelmRepositories: Readonly<Record<string, string>> = {
  cilium: 'https://helm.cilium.io/',
  istio: 'https://istio-release.storage.googleapis.com/charts',
};
