/**
 * A simulation run: a world, the timeline of inputs and clock advances that drove it, the log of
 * every processed event, and checkpoints for time travel. Replaying the timeline from the seed
 * reproduces the world exactly; seeking restores the nearest checkpoint and replays forward.
 */
import { heapPeek, heapPop } from './engine/event-queue';
import { stateHash } from './engine/state-hash';
import { clonePlain } from './engine/clone';
import type { InputEvent, SimEvent } from './events';
import { processEventFor, type InputResult } from './dispatch';
import { createWorld, type World } from './world';
import type { LabSetup } from './setup';
import { allClusters } from './k8s/clusters';
import { carryCiliumCaches, viewPolicyObjects } from './cilium/world-copies';
import { composeLayers, type Layer } from './composition';

/**
 * One step of the timeline: an input at a time, or the clock moving to a time. An input names the
 * cluster it is for when it is not the current context's (`kubectl --context`, `docker exec` into
 * another cluster's node).
 */
export type TimelineStep =
  { kind: 'input'; timeMs: number; event: InputEvent; cluster?: string } | { kind: 'advance'; toMs: number };

/** One processed event, for timelines and transcripts. */
export interface LogEntry {
  position: number;
  atMs: number;
  type: SimEvent['type'];
  input: boolean;
}

/** Options of a run. */
export interface SimulationOptions {
  /**
   * Take a checkpoint every this many events (0 turns time travel off, for very large worlds). The
   * default, 128, keeps a seek anywhere in a 10,000-event log to one clone and at most 127 events.
   */
  checkpointInterval?: number;
  /** Keep the event log (off for benchmarks that only need the final state). */
  keepLog?: boolean;
  /** The day the clock starts and the reader's kind release (setup.ts); the default setup when absent. */
  setup?: LabSetup;
  /**
   * The layers plugged into Kubernetes' extension points (composition.ts): Cilium and Istio when
   * absent; `[]` runs plain kind (kindnet, no CRDs), as a test of Kubernetes alone wants.
   */
  layers?: readonly Layer[];
}

interface Checkpoint {
  world: World;
  cursor: number;
}

/** Drives a world through its timeline. */
export class Simulation {
  readonly seed: number;
  private world: World;
  private readonly timeline: TimelineStep[] = [];
  /** How many timeline steps the current world has consumed. */
  private cursor = 0;
  private readonly log: LogEntry[] = [];
  private readonly checkpoints = new Map<number, Checkpoint>();
  private readonly checkpointInterval: number;
  private readonly keepLog: boolean;

  constructor(seed: number, options: SimulationOptions = {}) {
    this.seed = seed;
    this.world = createWorld(seed, options.setup);
    composeLayers(this.world, options.layers);
    this.checkpointInterval = options.checkpointInterval ?? 128;
    this.keepLog = options.keepLog ?? true;
    this.takeCheckpoint();
  }

  /** The current world. Treat it as read-only: change it only through inputs. */
  get state(): Readonly<World> {
    return this.world;
  }

  /** Virtual time now, in milliseconds since the virtual epoch (engine/virtual-time.ts). */
  get nowMs(): number {
    return this.world.timeMs;
  }

  /** Virtual time since the run started (its setup's day), in milliseconds. */
  get elapsedMs(): number {
    return this.world.timeMs - this.world.startMs;
  }

  /** The setup the run started from, to replay it. */
  get setup(): LabSetup {
    return { startMs: this.world.startMs, kindRelease: this.world.kindRelease };
  }

  /** Position in the log: the number of events processed so far. */
  get position(): number {
    return this.world.processed;
  }

  /** The furthest position this run has reached (the end of its log). */
  get length(): number {
    return this.log.length;
  }

  /** The processed-event log up to the furthest position. */
  get entries(): readonly LogEntry[] {
    return this.log;
  }

  /** The inputs and clock advances so far, enough to replay the run. */
  get steps(): readonly TimelineStep[] {
    return this.timeline.slice(0, this.cursor);
  }

  /** A stable hash of the whole world. */
  hash(): string {
    return stateHash(this.world);
  }

  /**
   * Processes an input now. If the run was rewound, the future beyond this point is dropped first,
   * as editing history in a timeline does.
   */
  input(event: InputEvent, cluster?: string): InputResult {
    this.truncateFuture();
    this.timeline.push(
      cluster === undefined
        ? { kind: 'input', timeMs: this.world.timeMs, event }
        : { kind: 'input', timeMs: this.world.timeMs, event, cluster },
    );
    return this.consumeStep() ?? { ok: true };
  }

  /** Lets virtual time pass, processing every event due until then. */
  advance(durationMs: number): void {
    if (durationMs < 0 || !Number.isFinite(durationMs))
      throw new RangeError(`cannot advance by ${durationMs} ms`);
    this.truncateFuture();
    this.timeline.push({ kind: 'advance', toMs: this.world.timeMs + durationMs });
    this.consumeStep();
  }

  /**
   * Advances in small slices until the predicate holds or the limit passes; returns whether it held.
   * Used for commands that wait (kubectl rollout status, kubectl wait).
   */
  advanceUntil(predicate: (world: Readonly<World>) => boolean, limitMs: number, sliceMs = 250): boolean {
    const deadline = this.world.timeMs + limitMs;
    while (!predicate(this.world)) {
      if (this.world.timeMs >= deadline) return false;
      this.advance(Math.min(sliceMs, deadline - this.world.timeMs));
    }
    return true;
  }

  /**
   * Moves to any position in the log, backwards through a checkpoint or forwards by replay. A
   * position in the middle is the state right after that event; the end is the live head.
   */
  seek(position: number): void {
    const target = Math.max(0, Math.min(Math.floor(position), this.log.length));
    const interval = Math.max(1, this.checkpointInterval);
    // Jump to the nearest checkpoint at or before the target whenever that saves replaying.
    const nearest = this.checkpointInterval > 0 ? Math.floor(target / interval) * interval : 0;
    const checkpointAhead = nearest > this.world.processed && this.checkpoints.has(nearest);
    if (target < this.world.processed || checkpointAhead) {
      const base =
        Math.floor(target / Math.max(1, this.checkpointInterval)) * Math.max(1, this.checkpointInterval);
      let checkpointPosition = this.checkpointInterval > 0 ? base : 0;
      while (!this.checkpoints.has(checkpointPosition) && checkpointPosition > 0)
        checkpointPosition -= this.checkpointInterval;
      const checkpoint = this.checkpoints.get(checkpointPosition);
      if (checkpoint === undefined) throw new Error('no checkpoint to seek from');
      this.world = cloneWorld(checkpoint.world);
      this.cursor = checkpoint.cursor;
    }
    while (this.world.processed < target) {
      if (!this.processOneReplayEvent()) break;
    }
    // The end of the log is the live head: also replay the clock advances that followed the last event.
    if (target === this.log.length) {
      while (this.cursor < this.timeline.length) this.consumeStep();
    }
  }

  /** Drops timeline steps and log entries beyond the current position. */
  private truncateFuture(): void {
    if (this.cursor < this.timeline.length) this.timeline.length = this.cursor;
    if (this.log.length > this.world.processed) this.log.length = this.world.processed;
    for (const position of this.checkpoints.keys())
      if (position > this.world.processed) this.checkpoints.delete(position);
  }

  /** Consumes the timeline step at the cursor entirely; returns an input's result. */
  private consumeStep(): InputResult | undefined {
    const step = this.timeline[this.cursor];
    if (step === undefined) return undefined;
    const until = step.kind === 'input' ? step.timeMs : step.toMs;
    this.processDueEvents(until);
    this.world.timeMs = Math.max(this.world.timeMs, until);
    this.cursor += 1;
    if (step.kind === 'input') return this.processRecorded(step.event, true, step.cluster);
    return undefined;
  }

  private processDueEvents(untilMs: number): void {
    // Processing an event never replaces the world (only seek does), but may replace its queue.
    const world = this.world;
    for (;;) {
      const queue = world.queue;
      const next = heapPeek(queue);
      if (next === undefined || next.atMs > untilMs) return;
      heapPop(queue);
      world.timeMs = next.atMs;
      this.processRecorded(next.event, false, next.cluster);
    }
  }

  private processRecorded(
    event: SimEvent,
    input: boolean,
    cluster: string | undefined,
  ): InputResult | undefined {
    const world = this.world;
    const position = world.processed;
    let result: InputResult | undefined;
    try {
      result = processEventFor(world, event, cluster, input);
    } catch (error) {
      // A model bug must not take the reader's session down: report it as a failed input.
      if (!input) throw error;
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    world.processed += 1;
    if (this.keepLog && this.log.length === position)
      this.log.push({ position, atMs: world.timeMs, type: event.type, input });
    if (
      this.checkpointInterval > 0 &&
      world.processed % this.checkpointInterval === 0 &&
      !this.checkpoints.has(world.processed)
    ) {
      this.takeCheckpoint();
    }
    return result;
  }

  /** During replay, processes exactly one event (a due queued event, or the next input). */
  private processOneReplayEvent(): boolean {
    for (;;) {
      const step = this.timeline[this.cursor];
      const next = heapPeek(this.world.queue);
      const stepTime = step === undefined ? Infinity : step.kind === 'input' ? step.timeMs : step.toMs;
      if (next !== undefined && next.atMs <= stepTime) {
        heapPop(this.world.queue);
        this.world.timeMs = next.atMs;
        this.processRecorded(next.event, false, next.cluster);
        return true;
      }
      if (step === undefined) return false;
      this.world.timeMs = Math.max(this.world.timeMs, stepTime);
      this.cursor += 1;
      if (step.kind === 'input') {
        this.processRecorded(step.event, true, step.cluster);
        return true;
      }
    }
  }

  private takeCheckpoint(): void {
    this.checkpoints.set(this.world.processed, { world: cloneWorld(this.world), cursor: this.cursor });
  }
}

/**
 * A copy of a world for a checkpoint, or of a checkpoint to resume from. The API server's stored
 * objects are never mutated after a write (a new version replaces them), so the copy shares them
 * with the original, and the versions the agents' views still hold; everything else (the store's
 * buckets and indexes, nodes, agents, views, the queue) is copied. Derived caches that are still
 * current (the agents' policies) are carried over, not computed again by the copy.
 */
export function cloneWorld(world: Readonly<World>): World {
  const copy = clonePlain(world, storedObjects(world));
  const originals = allClusters(world);
  const copies = allClusters(copy);
  for (let i = 0; i < originals.length; i++) {
    const original = originals[i];
    const cluster = copies[i];
    if (original !== undefined && cluster !== undefined) carryCiliumCaches(original, cluster);
  }
  return copy;
}

function* storedObjects(world: Readonly<World>): Generator<object> {
  for (const cluster of allClusters(world)) {
    const objects = cluster.api.objects;
    for (const kind in objects) {
      const bucket = objects[kind as keyof typeof objects];
      for (const key in bucket) {
        const object = bucket[key];
        if (object !== undefined) yield object;
      }
    }
    yield* viewPolicyObjects(cluster);
  }
}

/** Replays a timeline from a seed into a fresh simulation. */
export function replay(
  seed: number,
  steps: readonly TimelineStep[],
  options?: SimulationOptions,
): Simulation {
  const simulation = new Simulation(seed, options);
  for (const step of steps) {
    if (step.kind === 'input') {
      if (simulation.nowMs < step.timeMs) simulation.advance(step.timeMs - simulation.nowMs);
      simulation.input(step.event, step.cluster);
    } else {
      simulation.advance(step.toMs - simulation.nowMs);
    }
  }
  return simulation;
}
