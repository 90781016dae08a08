/**
 * The page's end of the scenario lab's Web Worker: sends work, passes every message from the worker
 * to one listener (the widget's lifecycle machine), and can replace a worker that no longer answers.
 * It holds no state of the lab itself.
 */
import type { LabDone, LabReply, LabRequest, LabWork } from './lab-protocol';

/** What the listener hears: the worker's messages, and its death. */
export type LabClientEvent = LabReply | { type: 'crashed'; message: string };

/** The smallest worker-like thing the client needs (a real Worker, or a stand-in in tests). */
export interface LabWorkerLike {
  postMessage(message: LabRequest): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<LabReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export class LabClient {
  private worker: LabWorkerLike | undefined;
  private nextId = 1;
  private listener: ((event: LabClientEvent) => void) | undefined;
  private readonly waiting = new Map<number, (reply: LabDone | Error) => void>();

  constructor(
    private readonly scenario: string,
    private readonly createWorker: () => LabWorkerLike,
  ) {}

  /** Sets the one listener (the lifecycle machine); returns a function that removes it. */
  listen(listener: (event: LabClientEvent) => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /** Sends a piece of work and returns its id; the answer comes to the listener. */
  send(work: LabWork): number {
    const id = this.nextId++;
    this.started().postMessage({ type: 'work', id, scenario: this.scenario, work });
    return id;
  }

  /** Sends a piece of work and resolves with its answer (or rejects with its failure). */
  request(work: LabWork): Promise<LabDone> {
    const id = this.send(work);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => (reply instanceof Error ? reject(reply) : resolve(reply)));
    });
  }

  /** Interrupts the command line of work `id` (the worker handles this at once). */
  interrupt(id: number): void {
    this.worker?.postMessage({ type: 'interrupt', id });
  }

  /**
   * Ends the worker, whatever it is doing; the next work starts a new one, which knows nothing of
   * the old session (reopen it from its record). Answers still owed by the old worker never come.
   */
  replace(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.settleAll(new Error('the simulator was restarted'));
  }

  dispose(): void {
    this.replace();
    this.listener = undefined;
  }

  private started(): LabWorkerLike {
    if (this.worker !== undefined) return this.worker;
    // `npm run budgets` times the worker's part of the lab's start from this mark (the first work
    // posted, to a worker created now or started ahead by lab-prestart.ts) to its first answer.
    performance.mark('identity-lab:worker-start');
    const worker = this.createWorker();
    worker.onmessage = (event) => {
      if (worker !== this.worker) return;
      const reply = event.data;
      if (reply.type === 'done' || reply.type === 'failed') {
        this.waiting.get(reply.id)?.(reply.type === 'done' ? reply : new Error(reply.message));
        this.waiting.delete(reply.id);
      }
      this.listener?.(reply);
    };
    worker.onerror = (event) => {
      if (worker !== this.worker) return;
      const message = event.message || 'the simulator could not start';
      this.replace();
      this.listener?.({ type: 'crashed', message });
    };
    this.worker = worker;
    return worker;
  }

  private settleAll(error: Error): void {
    for (const settle of this.waiting.values()) settle(error);
    this.waiting.clear();
  }
}
