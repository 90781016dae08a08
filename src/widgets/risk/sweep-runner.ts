/**
 * Runs a sweep on Web Workers and streams its figures. The page's main thread only hands out
 * batches and merges their tallies (a few arrays per batch); the trials run in the workers. A point
 * gets batches until every setup's Wilson interval is narrow enough (or it reaches its maximum),
 * the point with the fewest trials first, so the whole curve sharpens together.
 */
import {
  PointAccumulator,
  planSetups,
  sweepPoints,
  type PointSummary,
  type SweepPlan,
} from '../../simulator-risk';
import type { BatchRequest, WorkerReply } from './sweep-protocol';

/** What the runner reports. */
export interface SweepProgress {
  points: PointSummary[];
  trials: number;
  /** The runner has ended: every point is done, or it was stopped. */
  finished: boolean;
  /** Every point reached its stopping rule. */
  complete: boolean;
  /** Trials per second over the whole sweep so far. */
  trialsPerSecond: number;
  elapsedMs: number;
}

/** The smallest worker-like thing the runner needs (a real Worker, or a stand-in in tests). */
export interface SweepWorker {
  postMessage(message: BatchRequest): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<WorkerReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

/** The first batches are small so that figures appear at once; later ones amortise messaging. */
function batchSizeFor(trialsSoFar: number, planned: number): number {
  if (trialsSoFar < 400) return Math.min(planned, 100);
  return planned;
}

export class SweepRunner {
  private readonly accumulators: PointAccumulator[];
  private readonly inFlight: number[];
  private readonly workers: SweepWorker[] = [];
  private readonly busy = new Set<SweepWorker>();
  private nextId = 0;
  private startedAt = 0;
  private stopped = false;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly plan: SweepPlan,
    private readonly createWorker: () => SweepWorker,
    private readonly workerCount: number,
    private readonly onProgress: (progress: SweepProgress) => void,
    private readonly onError: (message: string) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly updateEveryMs = 250,
  ) {
    const setups = planSetups(plan.setupIds);
    this.accumulators = sweepPoints(plan).map((point) => new PointAccumulator(point, setups));
    this.inFlight = this.accumulators.map(() => 0);
  }

  /** Starts the workers and the first batches. */
  start(): void {
    this.startedAt = this.now();
    for (let i = 0; i < Math.max(1, this.workerCount); i++) {
      const worker = this.createWorker();
      worker.onmessage = (event) => this.receive(worker, event.data);
      worker.onerror = (event) => this.fail(event.message || 'a sweep worker failed to start');
      this.workers.push(worker);
      this.dispatch(worker);
    }
    this.report(false);
  }

  /** Stops every worker; the figures so far stay as they are. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const worker of this.workers) worker.terminate();
    if (this.updateTimer !== undefined) clearTimeout(this.updateTimer);
    this.report(true);
  }

  get running(): boolean {
    return !this.stopped;
  }

  private fail(message: string): void {
    if (this.stopped) return;
    this.stop();
    this.onError(message);
  }

  /** The point that most needs trials, or undefined when none does. */
  private nextPoint(): number | undefined {
    let best: number | undefined;
    let fewest = Infinity;
    this.accumulators.forEach((accumulator, index) => {
      const planned = accumulator.trials + this.inFlight[index]!;
      if (accumulator.done(this.plan) || planned >= this.plan.maxTrials) return;
      if (planned < fewest) {
        fewest = planned;
        best = index;
      }
    });
    return best;
  }

  private dispatch(worker: SweepWorker): void {
    if (this.stopped) return;
    const index = this.nextPoint();
    if (index === undefined) {
      this.busy.delete(worker);
      if (this.busy.size === 0) this.stop();
      return;
    }
    const accumulator = this.accumulators[index]!;
    const firstTrial = accumulator.trials + this.inFlight[index]!;
    const count = Math.min(batchSizeFor(firstTrial, this.plan.batchSize), this.plan.maxTrials - firstTrial);
    this.inFlight[index] = this.inFlight[index]! + count;
    this.busy.add(worker);
    const point = accumulator.point;
    worker.postMessage({
      type: 'batch',
      id: this.nextId++,
      point: { index: point.index, value: point.value, parameters: point.parameters },
      setupIds: this.plan.setupIds,
      baseSeed: this.plan.baseSeed,
      firstTrial,
      count,
    });
  }

  private receive(worker: SweepWorker, reply: WorkerReply): void {
    if (this.stopped) return;
    if (reply.type === 'error') {
      this.fail(reply.message);
      return;
    }
    const index = reply.batch.point;
    this.inFlight[index] = this.inFlight[index]! - reply.batch.trials;
    this.accumulators[index]!.add(reply.batch);
    this.dispatch(worker);
    this.scheduleReport();
  }

  /** Reports at most every `updateEveryMs`, so rendering never competes with a reader's input. */
  private scheduleReport(): void {
    if (this.updateTimer !== undefined || this.stopped) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.report(false);
    }, this.updateEveryMs);
  }

  private report(finished: boolean): void {
    const elapsedMs = Math.max(1, this.now() - this.startedAt);
    const trials = this.accumulators.reduce((sum, accumulator) => sum + accumulator.trials, 0);
    this.onProgress({
      points: this.accumulators.map((accumulator) => accumulator.summary(this.plan)),
      trials,
      finished,
      complete: this.accumulators.every((accumulator) => accumulator.done(this.plan)),
      trialsPerSecond: (trials / elapsedMs) * 1000,
      elapsedMs,
    });
  }
}
