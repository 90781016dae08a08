/**
 * One trial of the reduced model: client pods on the nodes around a stale one, rollout restarts at
 * random moments, pod addresses allocated and released on each node as Cilium's allocator does, and
 * the stale node's belief about each address. A trial records every *incident*: an interval during
 * which a pod of an identity the protected workload does not admit holds an address that the stale
 * node still maps to an identity it does admit. Which setups turn an incident into a wrong admit is
 * decided afterwards (`judgeTrial`), so one trial serves every setup. What is reduced, and why, is in
 * README.md beside this file.
 */
import { nextInt, seedRandom, type RandomState } from '../engine/prng';
import {
  agentAddressesPerNode,
  clientWorkloads,
  horizonSeconds,
  poolSize,
  type RiskParameters,
} from './parameters';
import {
  agentHolder,
  allocateOffset,
  createAddressPool,
  releaseOffset,
  type AddressPool,
} from './address-pool';
import { rolloutProfiles, type RolloutWave } from './rollout-profiles';
import { TrialClock, TrialEventKind, type TrialEvent } from './trial-events';
import { trialSchedule, type TrialSchedule } from './restart-schedule';

/** An interval in which a wrong pod held an address the stale node believed admitted. */
export interface Incident {
  startMs: number;
  endMs: number;
  /** The admitted Deployment the stale node believes holds the address. */
  believed: number;
  /** The Deployment whose pod really holds it. */
  actual: number;
}

/** What one trial found, before any setup is considered. */
export interface TrialRecord {
  seed: number;
  horizonMs: number;
  /** The lag drawn for this trial (lag windows only). */
  lagMs: number | undefined;
  incidents: Incident[];
  /** Rollout restarts that started within the horizon. */
  restarts: number;
  /** Addresses taken by pods within the horizon. */
  allocations: number;
  /** The attacker's Deployment, if any. */
  attacker: number | undefined;
}

/**
 * How long before its address comes back a doomed pod leaves the scheduler's count: the kubelet
 * stops a pod with no grace period at once and removes its sandbox 100 ms later (k8s/kubelet.ts).
 */
const doomLeadMs = 100;

/** The measured waves of one rollout of this many replicas. */
export function rolloutWaves(replicas: number): readonly RolloutWave[] {
  const waves = rolloutProfiles[replicas - 1];
  if (waves === undefined) throw new RangeError(`no rollout profile for ${replicas} replicas`);
  return waves;
}

/** The pods of a trial, in flat arrays indexed by pod number. */
class PodTable {
  deployment: number[] = [];
  node: number[] = [];
  offset: number[] = [];
  allocatedMs: number[] = [];

  add(deployment: number, node: number, offset: number, atMs: number): number {
    this.deployment.push(deployment);
    this.node.push(node);
    this.offset.push(offset);
    this.allocatedMs.push(atMs);
    return this.deployment.length - 1;
  }
}

/** A rollout in progress: the old pods it has still to remove, and the ones doomed but not gone. */
interface Rollout {
  deployment: number;
  old: number[];
  doomed: number[];
}

/**
 * The stale node's belief about one node's addresses. Cut-off: who held each offset when the node
 * stopped hearing (`heldAtCut`). Lag: each offset's last tenure by an admitted pod (from, until).
 */
interface Belief {
  heldAtCut: Int32Array;
  admittedFromMs: Float64Array;
  admittedUntilMs: Float64Array;
  admittedBy: Int32Array;
}

function createBelief(size: number): Belief {
  return {
    heldAtCut: new Int32Array(size).fill(-1),
    admittedFromMs: new Float64Array(size).fill(Infinity),
    admittedUntilMs: new Float64Array(size).fill(-Infinity),
    admittedBy: new Int32Array(size).fill(-1),
  };
}

class ReducedTrial {
  readonly random: RandomState;
  readonly clock = new TrialClock();
  readonly pods = new PodTable();
  readonly pools: AddressPool[] = [];
  readonly beliefs: Belief[] = [];
  readonly load: Int32Array;
  readonly live: number[][];
  readonly rollouts: Rollout[] = [];
  readonly rolling: Uint8Array;
  readonly pending: Uint8Array;
  readonly incidents: Incident[] = [];
  readonly horizonMs: number;
  readonly lagMs: number | undefined;
  readonly schedule: TrialSchedule;
  readonly workloads;
  restarts = 0;
  allocations = 0;
  nowMs = -1;

  constructor(
    readonly parameters: RiskParameters,
    readonly seed: number,
  ) {
    this.random = seedRandom(seed);
    this.workloads = clientWorkloads(parameters);
    const nodes = parameters.nodes - 1;
    const size = poolSize(parameters.podCidrPrefix);
    for (let node = 0; node < nodes; node++) {
      this.pools.push(createAddressPool(size));
      this.beliefs.push(createBelief(size));
    }
    this.load = new Int32Array(nodes);
    this.live = Array.from({ length: this.workloads.deployments }, () => []);
    this.rolling = new Uint8Array(this.workloads.deployments);
    this.pending = new Uint8Array(this.workloads.deployments);
    this.horizonMs = horizonSeconds(parameters.window) * 1000;
    this.schedule = trialSchedule(parameters, seed);
    this.lagMs = this.schedule.lagMs;
  }

  admitted(deployment: number): boolean {
    return deployment < this.parameters.admittedIdentities;
  }

  /** The agents' own addresses, then every client pod, before the node goes stale at time 0. */
  populate(): void {
    for (const pool of this.pools)
      for (let i = 0; i < agentAddressesPerNode; i++) allocateOffset(pool, this.random, agentHolder);
    for (let deployment = 0; deployment < this.workloads.deployments; deployment++)
      this.create(deployment, this.workloads.replicas);
    this.beliefs.forEach((belief, node) => {
      const holders = this.pools[node]!.holders;
      for (let offset = 0; offset < holders.length; offset++) {
        const pod = holders[offset]!;
        belief.heldAtCut[offset] = pod >= 0 ? this.pods.deployment[pod]! : -1;
      }
    });
    this.nowMs = 0;
  }

  /** The least loaded node, ties broken at random as kube-scheduler does among equal scores. */
  pickNode(): number {
    let lightest = Infinity;
    let ties = 0;
    const load = this.load;
    for (let node = 0; node < load.length; node++) {
      const value = load[node]!;
      if (value < lightest) {
        lightest = value;
        ties = 1;
      } else if (value === lightest) ties += 1;
    }
    let choice = nextInt(this.random, ties);
    for (let node = 0; node < load.length; node++) if (load[node] === lightest && choice-- === 0) return node;
    return 0;
  }

  create(deployment: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const node = this.pickNode();
      this.load[node] = this.load[node]! + 1;
      const offset = allocateOffset(this.pools[node]!, this.random, this.pods.deployment.length);
      // A full pool leaves the pod waiting for an address; the parameter check keeps pools roomy.
      if (offset < 0) continue;
      const pod = this.pods.add(deployment, node, offset, this.nowMs);
      this.live[deployment]!.push(pod);
      if (this.nowMs >= 0) this.allocations += 1;
      if (this.admitted(deployment)) {
        const belief = this.beliefs[node]!;
        belief.admittedFromMs[offset] = this.nowMs < 0 ? -Infinity : this.nowMs;
        belief.admittedUntilMs[offset] = Infinity;
        belief.admittedBy[offset] = deployment;
      }
    }
  }

  restart(deployment: number): void {
    if (this.rolling[deployment] === 1) {
      // A restart during a rollout waits for it (see README.md: restarts of one Deployment queue).
      this.pending[deployment] = 1;
      return;
    }
    this.restarts += 1;
    this.rolling[deployment] = 1;
    const rollout = this.rollouts.push({ deployment, old: [...this.live[deployment]!], doomed: [] }) - 1;
    const start = this.nowMs;
    let lastMs = 0;
    for (const [atMs, allocations, releases] of rolloutWaves(this.workloads.replicas)) {
      if (allocations > 0)
        this.clock.schedule(start + atMs, TrialEventKind.Create, deployment, allocations, rollout);
      if (releases > 0) {
        this.clock.schedule(
          start + Math.max(0, atMs - doomLeadMs),
          TrialEventKind.Doom,
          deployment,
          releases,
          rollout,
        );
        this.clock.schedule(start + atMs, TrialEventKind.Release, deployment, releases, rollout);
      }
      lastMs = Math.max(lastMs, atMs);
    }
    this.clock.schedule(start + lastMs, TrialEventKind.RolloutDone, deployment, 0, rollout);
  }

  doom(rollout: Rollout, count: number): void {
    const live = this.live[rollout.deployment]!;
    for (let i = 0; i < count && rollout.old.length > 0; i++) {
      const pick = nextInt(this.random, rollout.old.length);
      const pod = rollout.old[pick]!;
      rollout.old[pick] = rollout.old[rollout.old.length - 1]!;
      rollout.old.pop();
      live.splice(live.indexOf(pod), 1);
      const node = this.pods.node[pod]!;
      this.load[node] = this.load[node]! - 1;
      rollout.doomed.push(pod);
    }
  }

  release(rollout: Rollout, count: number): void {
    for (let i = 0; i < count && rollout.doomed.length > 0; i++) this.releasePod(rollout.doomed.shift()!);
  }

  releasePod(pod: number): void {
    const node = this.pods.node[pod]!;
    const offset = this.pods.offset[pod]!;
    const deployment = this.pods.deployment[pod]!;
    releaseOffset(this.pools[node]!, offset);
    if (this.admitted(deployment)) this.beliefs[node]!.admittedUntilMs[offset] = this.nowMs;
    else this.closeTenure(pod, this.nowMs);
  }

  /** Records the incident, if any, of a wrong pod's tenure on its address that ends at `endMs`. */
  closeTenure(pod: number, endMs: number): void {
    const node = this.pods.node[pod]!;
    const offset = this.pods.offset[pod]!;
    const belief = this.beliefs[node]!;
    const startMs = Math.max(0, this.pods.allocatedMs[pod]!);
    let from: number;
    let until: number;
    let believed: number;
    if (this.lagMs === undefined) {
      believed = belief.heldAtCut[offset]!;
      from = startMs;
      until = Math.min(endMs, this.horizonMs);
    } else {
      // The node sees every change `lagMs` late: it names the admitted tenant while now − lag is
      // inside that tenant's tenure.
      believed = belief.admittedBy[offset]!;
      from = Math.max(startMs, belief.admittedFromMs[offset]! + this.lagMs);
      until = Math.min(endMs, belief.admittedUntilMs[offset]! + this.lagMs, this.horizonMs);
    }
    if (believed < 0 || !this.admitted(believed) || from >= until) return;
    this.incidents.push({ startMs: from, endMs: until, believed, actual: this.pods.deployment[pod]! });
  }

  handle(event: TrialEvent): void {
    switch (event.kind) {
      case TrialEventKind.Restart:
        this.restart(event.target);
        return;
      case TrialEventKind.Create:
        this.create(event.target, event.count);
        return;
      case TrialEventKind.Doom:
        this.doom(this.rollouts[event.rollout]!, event.count);
        return;
      case TrialEventKind.Release:
        this.release(this.rollouts[event.rollout]!, event.count);
        return;
      case TrialEventKind.RolloutDone:
        this.rolling[event.target] = 0;
        if (this.pending[event.target] === 1) {
          this.pending[event.target] = 0;
          this.restart(event.target);
        }
        return;
    }
  }

  run(): TrialRecord {
    this.populate();
    for (const restart of this.schedule.restarts)
      this.clock.schedule(restart.atMs, TrialEventKind.Restart, restart.deployment);
    for (let event = this.clock.next(); event !== undefined; event = this.clock.next()) {
      if (event.atMs >= this.horizonMs) break;
      this.nowMs = event.atMs;
      this.handle(event);
    }
    this.nowMs = this.horizonMs;
    this.closeOpenTenures();
    return {
      seed: this.seed,
      horizonMs: this.horizonMs,
      lagMs: this.lagMs,
      incidents: this.incidents,
      restarts: this.restarts,
      allocations: this.allocations,
      attacker: this.workloads.attacker,
    };
  }

  /** Wrong pods still holding an address at the horizon (doomed ones too: theirs is not back yet). */
  closeOpenTenures(): void {
    const wrong = (pod: number): boolean => !this.admitted(this.pods.deployment[pod]!);
    for (const pods of this.live)
      for (const pod of pods) if (wrong(pod)) this.closeTenure(pod, this.horizonMs);
    for (const rollout of this.rollouts)
      for (const pod of rollout.doomed) if (wrong(pod)) this.closeTenure(pod, this.horizonMs);
  }
}

/** Runs one trial of the reduced model; the same parameters and seed always give the same record. */
export function runReducedTrial(parameters: RiskParameters, seed: number): TrialRecord {
  return new ReducedTrial(parameters, seed).run();
}
