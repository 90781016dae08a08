/**
 * What a reader of the risk lab sets: the cluster's size, its pod address space, its churn, how long
 * one node's agent stays behind, what the protected workload admits and what an attacker can do.
 * Every value has a default that describes a small but ordinary cluster and a range the models are
 * meant for; `checkRiskParameters` says in a sentence what is out of range.
 */

/** Where a node's pod CIDR comes from; both feed the same node-local allocator (see README.md). */
export type IpamMode = 'kubernetes' | 'cluster-pool';

/**
 * How long the protected workload's node believes what it last heard. `cut-off`: the agent hears
 * nothing for `seconds`, then re-lists and is right again. `lag`: every watch event reaches it late
 * by a lag drawn once per trial from a log-normal distribution (median and 95th percentile), and the
 * trial watches `horizonSeconds` of churn.
 */
export type RiskWindow =
  | { kind: 'cut-off'; seconds: number }
  | { kind: 'lag'; medianSeconds: number; p95Seconds: number; horizonSeconds: number };

/** One cluster, one protected workload, one stale node. */
export interface RiskParameters {
  /** Worker nodes, the protected workload's own node included (it runs no client pods). */
  nodes: number;
  /** Client pods per node on the other nodes. */
  podsPerNode: number;
  /** Prefix length of each node's pod CIDR (24 gives 254 addresses). */
  podCidrPrefix: number;
  ipamMode: IpamMode;
  /** Client pods replaced per minute across the cluster, by rollout restarts. */
  churnPerMinute: number;
  /** Replicas per client Deployment, which is how many pods one rollout restart replaces. */
  rolloutSize: number;
  window: RiskWindow;
  /** Client identities (Deployments, each with its own service account) the policy admits. */
  admittedIdentities: number;
  /** Rollout restarts per minute the attacker runs on their own Deployment (0: none). */
  attackerRestartsPerMinute: number;
}

/** The defaults: a small production cluster with modest churn and a five-minute cut-off. */
export const defaultRiskParameters: RiskParameters = {
  nodes: 4,
  podsPerNode: 20,
  podCidrPrefix: 24,
  ipamMode: 'kubernetes',
  churnPerMinute: 10,
  rolloutSize: 5,
  window: { kind: 'cut-off', seconds: 300 },
  admittedIdentities: 1,
  attackerRestartsPerMinute: 0,
};

/** Inclusive ranges of the numeric parameters, for forms and for `checkRiskParameters`. */
export const riskParameterRanges = {
  nodes: { min: 2, max: 1000 },
  podsPerNode: { min: 1, max: 500 },
  // kube-controller-manager's --node-cidr-mask-size and Cilium's clusterPoolIPv4MaskSize; the
  // models need a handful of addresses beyond the pods (router, health, surge).
  podCidrPrefix: { min: 20, max: 28 },
  churnPerMinute: { min: 0, max: 600 },
  rolloutSize: { min: 1, max: 100 },
  windowSeconds: { min: 1, max: 86_400 },
  admittedIdentities: { min: 1, max: 100 },
  attackerRestartsPerMinute: { min: 0, max: 60 },
} as const;

/** Addresses every node's pool holds besides pods: cilium_host's router address and the health endpoint. */
export const agentAddressesPerNode = 2;

/** Usable addresses in a node's pod CIDR (network and broadcast excluded, as the allocator does). */
export function poolSize(prefix: number): number {
  return 2 ** (32 - prefix) - 2;
}

/** RollingUpdate's default maxSurge (25 %, rounded up) for a Deployment of this size. */
function surgeOf(replicas: number): number {
  return Math.ceil(replicas / 4);
}

/** The client Deployments a parameter set implies: how many, and how many replicas each. */
export interface ClientWorkloads {
  deployments: number;
  replicas: number;
  /** Client pods in all (deployments × replicas), at least the requested pods. */
  pods: number;
  /** Index of the attacker's Deployment, or undefined when the attacker churns nothing. */
  attacker: number | undefined;
}

/**
 * Client pods are split into Deployments of `rolloutSize` replicas, each its own identity. The first
 * `admittedIdentities` are admitted; the attacker's, when they churn, is the last (never admitted).
 */
export function clientWorkloads(parameters: RiskParameters): ClientWorkloads {
  const wanted = (parameters.nodes - 1) * parameters.podsPerNode;
  const attackerExtra = parameters.attackerRestartsPerMinute > 0 ? 1 : 0;
  const deployments = Math.max(
    parameters.admittedIdentities + 1 + attackerExtra,
    Math.ceil(wanted / parameters.rolloutSize),
  );
  return {
    deployments,
    replicas: parameters.rolloutSize,
    pods: deployments * parameters.rolloutSize,
    attacker: attackerExtra === 1 ? deployments - 1 : undefined,
  };
}

/** The window's length that a plot's "window" axis shows: the cut-off, or the median lag. */
export function windowSeconds(window: RiskWindow): number {
  return window.kind === 'cut-off' ? window.seconds : window.medianSeconds;
}

/** How long a trial watches the cluster, in seconds. */
export function horizonSeconds(window: RiskWindow): number {
  return window.kind === 'cut-off' ? window.seconds : window.horizonSeconds;
}

function outOfRange(name: string, value: number, range: { min: number; max: number }): string | undefined {
  if (!Number.isFinite(value)) return `${name} must be a number`;
  if (value < range.min || value > range.max) return `${name} must be between ${range.min} and ${range.max}`;
  return undefined;
}

function wholeOutOfRange(
  name: string,
  value: number,
  range: { min: number; max: number },
): string | undefined {
  if (!Number.isInteger(value)) return `${name} must be a whole number`;
  return outOfRange(name, value, range);
}

/** Problems with the window, each a sentence. */
function checkWindow(window: RiskWindow): string[] {
  const range = riskParameterRanges.windowSeconds;
  if (window.kind === 'cut-off') return [outOfRange('the cut-off', window.seconds, range)].filter(isText);
  const problems = [
    outOfRange('the median lag', window.medianSeconds, range),
    outOfRange('the 95th percentile of the lag', window.p95Seconds, range),
    outOfRange('the horizon', window.horizonSeconds, range),
  ].filter(isText);
  if (problems.length === 0 && window.p95Seconds < window.medianSeconds)
    problems.push('the 95th percentile of the lag cannot be below its median');
  return problems;
}

const isText = (value: string | undefined): value is string => value !== undefined;

/** Every problem with a parameter set, as sentences; empty when the models can run it. */
export function checkRiskParameters(parameters: RiskParameters): string[] {
  const ranges = riskParameterRanges;
  const problems = [
    wholeOutOfRange('nodes', parameters.nodes, ranges.nodes),
    wholeOutOfRange('pods per node', parameters.podsPerNode, ranges.podsPerNode),
    wholeOutOfRange('the pod CIDR prefix', parameters.podCidrPrefix, ranges.podCidrPrefix),
    outOfRange('churn', parameters.churnPerMinute, ranges.churnPerMinute),
    wholeOutOfRange('the rollout size', parameters.rolloutSize, ranges.rolloutSize),
    wholeOutOfRange('admitted identities', parameters.admittedIdentities, ranges.admittedIdentities),
    outOfRange('attacker restarts', parameters.attackerRestartsPerMinute, ranges.attackerRestartsPerMinute),
  ].filter(isText);
  if (parameters.ipamMode !== 'kubernetes' && parameters.ipamMode !== 'cluster-pool')
    problems.push('the IPAM mode must be kubernetes or cluster-pool');
  problems.push(...checkWindow(parameters.window));
  if (problems.length > 0) return problems;
  // A node must hold its share of pods, the agent's own addresses and a rollout's surge, with room
  // to spare: a full pool leaves new pods waiting for an address, which neither model describes.
  const workloads = clientWorkloads(parameters);
  const perNode = Math.ceil(workloads.pods / (parameters.nodes - 1));
  const needed = perNode + agentAddressesPerNode + surgeOf(workloads.replicas) + 2;
  const size = poolSize(parameters.podCidrPrefix);
  if (needed > size)
    problems.push(
      `a /${parameters.podCidrPrefix} holds ${size} addresses, fewer than the ${needed} a node needs for ${perNode} pods, the agent's two addresses and a rollout's surge`,
    );
  if (workloads.pods > 100_000) problems.push('the models are meant for at most 100,000 client pods');
  return problems;
}

/** A copy with some values replaced (the window replaced whole). */
export function withParameters(base: RiskParameters, changes: Partial<RiskParameters>): RiskParameters {
  return { ...base, ...changes, window: { ...(changes.window ?? base.window) } };
}
