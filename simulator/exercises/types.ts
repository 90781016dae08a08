/**
 * Exercises are data: where the lab starts, a task in prose, goals the simulator checks against
 * the world it reaches, hints, and a reference solution as command lines. Goals are predicates
 * over structured state (objects, agents' caches, Hubble flows, probes through the datapath on a
 * copy of the world), never over what a command printed, so rewording an output breaks no
 * exercise and an exercise cannot be solved by echoing the expected text.
 */
import type { Verdict } from '../cilium/flow';

/** How hard an exercise is, in the order a workshop usually climbs. */
export type ExerciseLevel = 'first-steps' | 'intermediate' | 'hard';

/** Which part of the site an exercise belongs to: one of the three guides, or the Cilium reference. */
export type ExerciseSource = 'mistaken-identity' | 'l7-cilium-vs-istio' | 'mutual-auth' | 'reference';

/** Where the lab stands when the reader starts. */
export interface StartingPoint {
  /** A scenario id of the simulator's catalogue (`sandbox` for an empty machine). */
  scenario: string;
  /** The seed; the scenario's default seed when absent. */
  seed?: number;
  /** How many of the scenario's steps have already run. */
  steps: number;
  /**
   * Command lines already typed for the reader (a cluster to install, a workload to deploy); they
   * are part of the start, played before the reader's first command and not counted as theirs.
   */
  commands?: string[];
  /** Files in the reader's home directory besides the scenario's (a policy to fix, a script). */
  files?: Record<string, string>;
}

/**
 * A set of pods, named the way a Cilium selector names them: labels (without the `k8s:` source)
 * and optionally a namespace (any namespace when absent). Flows are matched by the labels of the
 * sender's real identity, so a flow of a pod that has gone since still matches.
 */
export interface PodMatch {
  labels: Record<string, string>;
  namespace?: string;
}

/**
 * A node by name, the nodes whose agent is cut off from the API server, or the nodes that run a
 * matching pod (which a seed chooses, so an exercise need not name them).
 */
export type NodeChoice = string | { cutOff: true } | { hosting: PodMatch };

/**
 * Something a client sends in a probe: a plain TCP connection, or an HTTP request with a method and
 * a path (`curl -X METHOD http://host:port/path`).
 */
export interface ProbeRequest {
  host: string;
  port: number;
  http?: { method: string; path: string };
}

/** How a probe ended, as a reader would sum it up. */
export type ProbeOutcome =
  /** Reached the application, whatever it answered (a 404 is the application's answer). */
  | 'allowed'
  /** Dropped by a policy (a timeout), refused by the L7 proxy (403) or reset by a mesh proxy. */
  | 'denied';

/** The goals' vocabulary (goals.ts evaluates each kind). */
export type GoalCheck =
  /** A Hubble flow from `from` to `to` on `port` was seen with this verdict (on a node, if named). */
  | {
      kind: 'flow';
      from: PodMatch;
      to: PodMatch;
      port: number;
      verdict: Verdict;
      node?: NodeChoice;
      /** Only flows whose observing node believed the source was someone else (a stale ipcache). */
      mistaken?: boolean;
      /** Only flows whose policy entry required authentication (SPIRE). */
      authenticated?: boolean;
    }
  /** No Hubble flow from `from` to `to` on `port` was seen with this verdict. */
  | { kind: 'no-flow'; from: PodMatch; to: PodMatch; port: number; verdict: Verdict }
  /**
   * A Cilium policy exists, both stages accept it (the API server stored it and the agent's
   * sanitising finds no error) and its rules select a running pod matching `selects`.
   */
  | {
      kind: 'policy-valid';
      policyKind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
      name: string;
      namespace?: string;
      selects?: PodMatch;
      /** The policy must hold an L7 rule of this protocol. */
      l7?: 'http' | 'kafka' | 'dns';
    }
  /**
   * An object of this kind and name exists (or, with `absent`, does not); with `unchanged`, its
   * content (everything but metadata and status) is what it was at the exercise's start.
   */
  | {
      kind: 'object';
      objectKind: string;
      name: string;
      namespace?: string;
      absent?: boolean;
      unchanged?: boolean;
    }
  /** Every running pod matching `from` gets this outcome for the request (probed on a copy of the world). */
  | { kind: 'probe'; from: PodMatch; request: ProbeRequest; expect: ProbeOutcome }
  /** Exactly `count` pods matching are running (not terminating). */
  | { kind: 'running-pods'; pods: PodMatch; count: number }
  /** No running pod in the namespace reaches any of these external hosts (probed on a copy). */
  | { kind: 'no-internet'; namespace: string; hosts: string[]; port: number }
  /**
   * A Kafka console client on every pod matching `from` gets through or not (on a copy): the
   * producer's or the consumer's whole sequence of requests (probe.ts), every one of which a
   * policy must admit for the tool to work.
   */
  | {
      kind: 'kafka';
      from: PodMatch;
      host: string;
      port: number;
      apiKey: 'produce' | 'fetch';
      topic: string;
      expect: ProbeOutcome;
    }
  /** Of the running pods matching `clients`, exactly those running as this service account get through. */
  | { kind: 'only-service-account'; clients: PodMatch; serviceAccount: string; request: ProbeRequest }
  /** The host endpoint of a node (of every node, when none is named) enforces a host policy, not in audit mode. */
  | { kind: 'host-firewall-enforcing'; node?: string }
  /** The reader's machine (kubectl through kind's published port) reaches the API server. */
  | { kind: 'api-server-reachable' }
  /**
   * The chosen nodes are Ready (their kubelet posts status) and their Cilium agent hears the API
   * server (not cut off): what a healed node looks like from both sides.
   */
  | { kind: 'node-ready'; node: NodeChoice }
  /** Nothing is left in policy audit mode: neither the agents' option nor any endpoint's. */
  | { kind: 'no-audit-mode' }
  /**
   * A chosen node's ipcache maps the address of a running pod matching `pod` (with `every`, of
   * every one of them) to the identity of pods matching `identityOf`.
   */
  | { kind: 'ipcache-entry'; node: NodeChoice; pod: PodMatch; identityOf: PodMatch; every?: boolean }
  /** The pods carrying this label are exactly the pods whose address the cut-off node maps to a wrong identity. */
  | { kind: 'stale-pods-labelled'; label: string; value: string }
  /** The installed Cilium configuration: a minimum version and Helm values. */
  | { kind: 'cilium-config'; minVersion?: string; values?: Record<string, string> }
  /** At most this many `kubectl rollout restart`s since the start (of a Deployment, when named). */
  | { kind: 'restarts-at-most'; count: number; deployment?: string }
  /**
   * The check held after every command and step of the reader's, and holds now: what a client
   * that keeps calling would have noticed in between (a gap in which it was dropped).
   */
  | { kind: 'throughout'; check: GoalCheck };

/** One goal: the check and a sentence for each answer. */
export interface Goal {
  check: GoalCheck;
  /** Shown when the goal is met, in the past or present tense of a fact ("sleep-v2 got in"). */
  met: string;
  /** Shown when it is not, saying what is missing without giving the solution away. */
  unmet: string;
}

/**
 * A button of the exercise's lab, for readers who would rather not type: it types its command
 * lines into the terminal for them, one after the other, so it sends the world the same input
 * events, lands in the same progress record and link, and is checked the same way as typing them.
 * Controls offer moves, not the answer: an exercise may hold traps among them (a restart its goals
 * forbid), and the reader still chooses which to press and in what order.
 */
export interface ExerciseControl {
  /** What the button does, in the reader's words ("Send GET /hello from sleep-v2 to helloworld-v1"). */
  label: string;
  /** The command lines it runs, in order, as the terminal would run them typed. */
  commands: string[];
}

/** An exercise. */
export interface Exercise {
  /** Stable kebab-case id: it names the exercise in URLs, progress records and workshops. */
  id: string;
  title: string;
  level: ExerciseLevel;
  source: ExerciseSource;
  start: StartingPoint;
  /** What to do, in Markdown. */
  task: string;
  goals: Goal[];
  /** Hints, each giving away a little more than the one before. */
  hints: string[];
  /** The reference solution: command lines that meet every goal from the start. */
  solution: string[];
  /** Buttons that run command lines for the reader (none when absent: the terminal only). */
  controls?: ExerciseControl[];
}

/** A goal's answer. */
export interface GoalResult {
  goal: Goal;
  met: boolean;
  /** The goal's sentence for this answer. */
  sentence: string;
}

/** An ordered list of exercises with a title and an introduction. */
export interface Workshop {
  id: string;
  title: string;
  /** Markdown shown before the first exercise. */
  intro: string;
  exercises: string[];
}
