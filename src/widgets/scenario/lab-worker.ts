/**
 * The scenario lab's Web Worker: runs the simulator and the terminal off the page's main thread, so
 * nothing a reader plays or types can hold the page. Work is done one item at a time in the order it
 * arrived; an interrupt is handled at once (it reaches a running command line whenever the line
 * hands the thread back). After each answer the world's fingerprint follows, unless more work waits.
 * Vite bundles this file as a module worker.
 */
import { LabHost } from './lab-host';
import type { LabReply, LabRequest } from './lab-protocol';

// Inside a dedicated worker `self` is the worker scope; the site's DOM typings call it Window.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LabRequest>) => void) | null;
  postMessage: (message: LabReply) => void;
};

let host: LabHost | undefined;
let queue: Promise<void> = Promise.resolve();
let waiting = 0;

async function handle(request: Extract<LabRequest, { type: 'work' }>): Promise<void> {
  const { id, work } = request;
  host ??= new LabHost(request.scenario);
  let viewed = false;
  try {
    const answer = await host.perform(work, (update) =>
      scope.postMessage({ type: 'progress', id, ...update }),
    );
    viewed = answer.view !== undefined;
    scope.postMessage({ type: 'done', id, ...answer });
  } catch (error) {
    scope.postMessage({
      type: 'failed',
      id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  // A fingerprint of a view that waiting work will replace at once would be wasted.
  if (viewed && waiting === 1) {
    const fingerprint = host.hash();
    if (fingerprint !== undefined) scope.postMessage({ type: 'hash', ...fingerprint });
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'interrupt') {
    host?.interrupt();
    return;
  }
  waiting += 1;
  queue = queue.then(async () => {
    await handle(request);
    waiting -= 1;
  });
};
