/**
 * The scenario lab's Web Worker: runs the simulator and the terminal off the page's main thread, so
 * nothing a reader plays or types can hold the page. Work is done one item at a time in the order it
 * arrived; an interrupt is handled at once (it reaches a running command line whenever the line
 * hands the thread back). After each answer the world's fingerprint follows, unless more work waits.
 * Vite bundles this file as a module worker.
 *
 * Only this file and lab-start.ts load with the worker: the simulator (lab-host.ts and what it
 * imports) is a chunk of its own, loaded as the first work arrives. When that work is opening the
 * scenario's plain start, lab-start.ts answers it first, so the lab shows its start while the
 * simulator loads; the work after it waits for the simulator.
 */
import type { LabHost } from './lab-host';
import type { LabReply, LabRequest } from './lab-protocol';
import { startAnswer } from './lab-start';

// Inside a dedicated worker `self` is the worker scope; the site's DOM typings call it Window.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LabRequest>) => void) | null;
  postMessage: (message: LabReply) => void;
};

let host: LabHost | undefined;
/** The work a Ctrl-C was meant for: its line stops even if it had not started when the key came. */
let interruptedWork: number | undefined;
let queue: Promise<void> = Promise.resolve();
let waiting = 0;

/** Sends an answer; `npm run budgets` times the worker's own part of the lab's start by the first. */
function answer(reply: Extract<LabReply, { type: 'done' }>): void {
  if (performance.getEntriesByName('identity-lab:answered').length === 0)
    performance.mark('identity-lab:answered');
  scope.postMessage(reply);
}

/** The host, loading the simulator the first time. */
async function hostFor(scenario: string): Promise<LabHost> {
  if (host !== undefined) return host;
  const { LabHost } = await import('./lab-host');
  host ??= new LabHost(scenario);
  return host;
}

/** Posts the fingerprint of the view just sent, unless waiting work will replace that view at once. */
function postHash(current: LabHost): void {
  if (waiting !== 1) return;
  const fingerprint = current.hash();
  if (fingerprint !== undefined) scope.postMessage({ type: 'hash', ...fingerprint });
}

/** Answers the first work from lab-start.ts when it can; returns whether it did. */
async function answerStart(request: Extract<LabRequest, { type: 'work' }>): Promise<boolean> {
  if (host !== undefined) return false;
  const started = startAnswer(request.scenario, request.work);
  if (started === undefined) return false;
  answer({ type: 'done', id: request.id, ...started });
  try {
    const loaded = await hostFor(request.scenario);
    await loaded.adoptStart();
    postHash(loaded);
  } catch {
    // This work is answered; the next one tries to load the simulator again and reports the failure.
    host = undefined;
  }
  return true;
}

async function handle(request: Extract<LabRequest, { type: 'work' }>): Promise<void> {
  const { id, work } = request;
  let current: LabHost | undefined;
  let viewed = false;
  try {
    if (await answerStart(request)) return;
    current = await hostFor(request.scenario);
    const done = await current.perform(
      work,
      (update) => scope.postMessage({ type: 'progress', id, ...update }),
      () => interruptedWork === id,
    );
    viewed = done.view !== undefined;
    answer({ type: 'done', id, ...done });
  } catch (error) {
    scope.postMessage({
      type: 'failed',
      id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  if (viewed && current !== undefined) postHash(current);
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'interrupt') {
    interruptedWork = request.id;
    host?.interrupt();
    return;
  }
  waiting += 1;
  queue = queue.then(async () => {
    await handle(request);
    waiting -= 1;
  });
};
