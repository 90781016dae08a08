/** Messages between the risk lab's page and its sweep workers (structured-clone friendly). */
import type { BatchResult, RiskParameters } from '../../simulator-risk';

/** Page → worker: run `count` trials of one point from trial number `firstTrial`. */
export interface BatchRequest {
  type: 'batch';
  id: number;
  point: { index: number; value: number; parameters: RiskParameters };
  setupIds: readonly string[];
  baseSeed: number;
  firstTrial: number;
  count: number;
}

/** Worker → page. */
export type WorkerReply =
  | { type: 'result'; id: number; batch: BatchResult; elapsedMs: number }
  | { type: 'error'; id: number; message: string };
