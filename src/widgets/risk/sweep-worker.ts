/**
 * A sweep worker: runs batches of reduced-model trials off the page's main thread. One runs per
 * core (`navigator.hardwareConcurrency`); Vite bundles it as a module worker.
 */
import { loadSweepBatch } from '../../simulator-risk';
import type { BatchRequest, WorkerReply } from './sweep-protocol';

const batchModule = loadSweepBatch();

// Inside a dedicated worker `self` is the worker scope; the site's DOM typings call it Window.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<BatchRequest>) => void) | null;
  postMessage: (message: WorkerReply) => void;
};

scope.onmessage = (event) => {
  const request = event.data;
  void batchModule.then(
    ({ runBatch, planSetups }) => {
      try {
        const startedAt = performance.now();
        const batch = runBatch(
          request.point,
          planSetups(request.setupIds),
          request.baseSeed,
          request.firstTrial,
          request.count,
        );
        scope.postMessage({
          type: 'result',
          id: request.id,
          batch,
          elapsedMs: performance.now() - startedAt,
        });
      } catch (error) {
        scope.postMessage({
          type: 'error',
          id: request.id,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    },
    (error: unknown) =>
      scope.postMessage({
        type: 'error',
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
};
