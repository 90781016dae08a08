/**
 * The risk benchmark's sweep worker in Chromium: what src/widgets/risk/sweep-worker.ts does, bundled
 * on its own so that scripts/bench-risk.ts can start it from a Blob in a blank page.
 */
import { planSetups, runBatch } from '../simulator/risk/sweep-batch';
import type { BatchRequest, WorkerReply } from '../src/widgets/risk/sweep-protocol';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<BatchRequest>) => void) | null;
  postMessage: (message: WorkerReply) => void;
};
scope.onmessage = (event) => {
  const request = event.data;
  const startedAt = performance.now();
  const batch = runBatch(
    request.point,
    planSetups(request.setupIds),
    request.baseSeed,
    request.firstTrial,
    request.count,
  );
  scope.postMessage({ type: 'result', id: request.id, batch, elapsedMs: performance.now() - startedAt });
};
