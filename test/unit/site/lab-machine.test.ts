// Goal: the widget's lifecycle machine sends the reader's work to the worker one item at a time in
// the order asked, applies every view the worker sends (late ones too), plays through the past and
// the steps, and gets a lab back when its worker hangs on an interrupted command line or dies.
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { LabClient, type LabWorkerLike } from '../../../src/widgets/scenario/lab-client';
import { labMachine, type LabEvent } from '../../../src/widgets/scenario/lab-machine';
import type { LabReply, LabRequest, LabView, LabWork } from '../../../src/widgets/scenario/lab-protocol';
import type { NodePicture } from '../../../src/simulator-lab';

/** A stand-in worker that records what it was sent and answers when the test says. */
class FakeWorker implements LabWorkerLike {
  readonly sent: LabRequest[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<LabReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: LabRequest): void {
    this.sent.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: LabReply): void {
    this.onmessage?.({ data: message } as MessageEvent<LabReply>);
  }
  /** The work requests so far, as `kind` names. */
  get kinds(): string[] {
    return this.sent.flatMap((request) => (request.type === 'work' ? [request.work.kind] : ['interrupt']));
  }
  /** The id of the last work request. */
  get lastId(): number {
    const last = this.sent.findLast((request) => request.type === 'work');
    if (last?.type !== 'work') throw new Error('no work was sent');
    return last.id;
  }
  get lastWork(): LabWork | undefined {
    const last = this.sent.findLast((request) => request.type === 'work');
    return last?.type === 'work' ? last.work : undefined;
  }
}

let revision = 0;
function view(changes: Partial<LabView> = {}): LabView {
  revision += 1;
  return {
    revision,
    seed: 1,
    completedSteps: 0,
    transcripts: [],
    terminalFrom: 0,
    terminalEntries: [],
    terminalHeld: [],
    terminalTabs: [0],
    timeline: { length: 10, position: 10, timeText: '', stepEnds: [] },
    pictures: {
      nodes: [],
      flows: [],
      auth: undefined,
      authFlow: undefined,
      keys: [],
      identityCaches: [],
      focusNode: undefined,
      ipcacheRows: [],
      reusedIp: undefined,
    },
    record: ['mistaken-identity', 1, [], null],
    ...changes,
  };
}

/** A started lab on a fake worker, opened and answered with `opened`. */
function openedLab(opened: LabView = view()) {
  const workers: FakeWorker[] = [];
  const client = new LabClient('mistaken-identity', () => {
    const worker = new FakeWorker();
    workers.push(worker);
    return worker;
  });
  const clock = new SimulatedClock();
  const actor = createActor(labMachine, { input: { client, defaultSeed: 1, stepCount: 3 }, clock });
  actor.start();
  actor.send({ type: 'lab.open', fragment: '', stored: undefined });
  const worker = () => workers.at(-1) as FakeWorker;
  worker().reply({ type: 'done', id: worker().lastId, view: opened, origin: 'start' });
  return { actor, clock, worker, workers };
}

describe('lab machine: the queue', () => {
  it('opens, then sends the reader’s work one item at a time in the order asked', () => {
    const { actor, worker } = openedLab();
    expect(actor.getSnapshot().value).toBe('ready');
    actor.send({ type: 'lab.step' });
    actor.send({ type: 'lab.command', line: 'kubectl get pods' });
    actor.send({ type: 'lab.back' });
    expect(worker().kinds).toEqual(['open', 'step']);
    expect(actor.getSnapshot().value).toBe('stepping');
    worker().reply({ type: 'done', id: worker().lastId, view: view({ completedSteps: 1 }) });
    expect(worker().kinds).toEqual(['open', 'step', 'command']);
    expect(actor.getSnapshot().matches('running')).toBe(true);
    worker().reply({ type: 'done', id: worker().lastId, view: view({ completedSteps: 1 }) });
    expect(worker().kinds).toEqual(['open', 'step', 'command', 'back']);
    expect(actor.getSnapshot().value).toBe('restoring');
  });

  it('keeps only the newest of the seeks waiting behind other work', () => {
    const { actor, worker } = openedLab();
    actor.send({ type: 'lab.step' });
    for (const position of [1, 2, 3]) actor.send({ type: 'lab.seek', position });
    worker().reply({ type: 'done', id: worker().lastId, view: view() });
    expect(worker().lastWork).toEqual({ kind: 'seek', position: 3 });
    expect(actor.getSnapshot().context.queue).toEqual([]);
  });

  it('applies a view only when it is newer, and a fingerprint only for the view shown', () => {
    const { actor, worker } = openedLab();
    const newer = view({ completedSteps: 2 });
    const older = view({ completedSteps: 1 });
    older.revision = newer.revision - 1;
    worker().reply({ type: 'done', id: 99, view: newer });
    worker().reply({ type: 'done', id: 98, view: older });
    expect(actor.getSnapshot().context.view?.completedSteps).toBe(2);
    worker().reply({ type: 'hash', revision: older.revision, hash: 'stale' });
    expect(actor.getSnapshot().context.hash).toBeUndefined();
    worker().reply({ type: 'hash', revision: newer.revision, hash: 'abc' });
    expect(actor.getSnapshot().context.hash).toBe('abc');
  });

  it('keeps the pictures a view leaves out', () => {
    const { actor, worker } = openedLab();
    const node = { name: 'kind-worker' } as NodePicture;
    worker().reply({
      type: 'done',
      id: 1,
      view: view({ pictures: { nodes: [node], reusedIp: '10.0.0.1' } }),
    });
    worker().reply({ type: 'done', id: 2, view: view({ pictures: { reusedIp: undefined } }) });
    expect(actor.getSnapshot().context.view?.pictures.nodes).toEqual([node]);
    expect(actor.getSnapshot().context.view?.pictures.reusedIp).toBeUndefined();
  });

  it('joins the terminal’s new entries to the ones it has', () => {
    const { actor, worker } = openedLab();
    const entry = (command: string) => ({ command, stdout: '', stderr: '', exitCode: 0 });
    worker().reply({ type: 'done', id: 1, view: view({ terminalFrom: 0, terminalEntries: [entry('a')] }) });
    worker().reply({ type: 'done', id: 2, view: view({ terminalFrom: 1, terminalEntries: [entry('b')] }) });
    expect(actor.getSnapshot().context.terminal.map((item) => item.command)).toEqual(['a', 'b']);
    worker().reply({ type: 'done', id: 3, view: view({ terminalFrom: 0, terminalEntries: [] }) });
    expect(actor.getSnapshot().context.terminal).toEqual([]);
  });
});

describe('lab machine: a line typed around other work', () => {
  // A tab opened or closed and a watch stopped are recorded inputs: the worker does them as it does
  // a command line, but no line runs meanwhile, so the terminal must keep taking lines (a line typed
  // in a tab opened a moment before was once refused and lost while the tab's opening was in flight).
  const cases: { name: string; before: LabEvent[]; typedTab: number }[] = [
    {
      name: 'in a tab opened at once after the steps',
      before: [{ type: 'lab.tab', tab: 1, open: true }],
      typedTab: 1,
    },
    {
      name: 'in the first tab while another closes',
      before: [{ type: 'lab.tab', tab: 1, open: false }],
      typedTab: 0,
    },
    { name: 'in a tab whose watch is being stopped', before: [{ type: 'lab.stop', tab: 1 }], typedTab: 1 },
  ];
  for (const { name, before, typedTab } of cases)
    it(`${name}: waits its turn with no line shown as running, then runs in its tab`, () => {
      const { actor, worker } = openedLab();
      actor.send({ type: 'lab.step' });
      actor.send({ type: 'lab.step' });
      for (const event of before) actor.send(event);
      actor.send({ type: 'lab.command', line: 'echo typed', tab: typedTab });
      for (const completedSteps of [1, 2])
        worker().reply({ type: 'done', id: worker().lastId, view: view({ completedSteps }) });
      expect(worker().lastWork?.kind).toBe(before[0]?.type === 'lab.stop' ? 'stop' : 'tab');
      expect(actor.getSnapshot().matches('running')).toBe(false);
      expect(actor.getSnapshot().context.lineTab).toBeUndefined();
      expect(actor.getSnapshot().context.queue).toEqual([
        { kind: 'command', line: 'echo typed', tab: typedTab },
      ]);
      worker().reply({ type: 'done', id: worker().lastId, view: view({ terminalTabs: [0, 1] }) });
      expect(worker().lastWork).toEqual({ kind: 'command', line: 'echo typed', tab: typedTab });
      expect(actor.getSnapshot().matches('running')).toBe(true);
      expect(actor.getSnapshot().context.lineTab).toBe(typedTab);
    });

  it('while a step runs: waits for the step, then runs in the first tab', () => {
    const { actor, worker } = openedLab();
    actor.send({ type: 'lab.step' });
    actor.send({ type: 'lab.command', line: 'kubectl get pods' });
    expect(actor.getSnapshot().value).toBe('stepping');
    worker().reply({ type: 'done', id: worker().lastId, view: view({ completedSteps: 1 }) });
    expect(worker().lastWork).toEqual({ kind: 'command', line: 'kubectl get pods' });
    expect(actor.getSnapshot().context.lineTab).toBe(0);
  });

  it('while another line runs: waits for it, and the running line’s tab is the one shown running', () => {
    const { actor, worker } = openedLab();
    actor.send({ type: 'lab.command', line: 'sleep 5', tab: 1 });
    actor.send({ type: 'lab.command', line: 'echo next' });
    expect(actor.getSnapshot().context.lineTab).toBe(1);
    worker().reply({ type: 'done', id: worker().lastId, view: view() });
    expect(worker().lastWork).toEqual({ kind: 'command', line: 'echo next' });
    expect(actor.getSnapshot().context.lineTab).toBe(0);
    worker().reply({ type: 'done', id: worker().lastId, view: view() });
    expect(actor.getSnapshot().value).toBe('ready');
    expect(actor.getSnapshot().context.lineTab).toBeUndefined();
  });
});

describe('lab machine: playing', () => {
  it('plays through the past, then the remaining steps, then stops', () => {
    const { actor, clock, worker } = openedLab(
      view({ timeline: { length: 120, position: 0, timeText: '', stepEnds: [] } }),
    );
    actor.send({ type: 'lab.play' });
    expect(worker().lastWork).toEqual({ kind: 'seek', position: 2 });
    worker().reply({
      type: 'done',
      id: worker().lastId,
      view: view({ timeline: { length: 120, position: 120, timeText: '', stepEnds: [] } }),
    });
    clock.increment(50);
    expect(worker().lastWork).toEqual({ kind: 'step' });
    worker().reply({ type: 'done', id: worker().lastId, view: view({ completedSteps: 3 }) });
    clock.increment(1500);
    expect(actor.getSnapshot().value).toBe('ready');
    expect(actor.getSnapshot().context.message).toBe('Played to the end of the scenario.');
  });

  it('pauses for the reader’s own work and still applies the move under way', () => {
    const { actor, worker } = openedLab();
    actor.send({ type: 'lab.play' });
    const moveId = worker().lastId;
    actor.send({ type: 'lab.back' });
    expect(actor.getSnapshot().context.playWanted).toBe(false);
    worker().reply({ type: 'done', id: moveId, view: view({ completedSteps: 1 }) });
    expect(actor.getSnapshot().context.view?.completedSteps).toBe(1);
  });
});

describe('lab machine: a worker that stops answering', () => {
  it('replaces a worker whose command line ignores the interrupt, and reopens the last record', () => {
    const record = ['mistaken-identity', 1, [2], null];
    const { actor, clock, worker, workers } = openedLab(view({ record }));
    actor.send({ type: 'lab.command', line: 'while true; do :; done' });
    actor.send({ type: 'lab.interrupt' });
    // The interrupt names the work it is for, so a line that has not started yet still stops.
    expect(worker().sent.at(-1)).toEqual({ type: 'interrupt', id: worker().lastId });
    clock.increment(1499);
    expect(workers).toHaveLength(1);
    clock.increment(1);
    expect(workers[0]?.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(worker().lastWork).toMatchObject({ kind: 'reopen', record });
    expect(actor.getSnapshot().value).toBe('restoring');
    // The new worker counts its views from 1 again; its first view still replaces the old one.
    const reopened = view({ completedSteps: 2 });
    reopened.revision = 1;
    worker().reply({ type: 'done', id: worker().lastId, view: reopened });
    expect(actor.getSnapshot().context.view?.completedSteps).toBe(2);
  });

  it('fails when the lab cannot open, and Restart tries again in a new worker', () => {
    const workers: FakeWorker[] = [];
    const client = new LabClient('mistaken-identity', () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    });
    const actor = createActor(labMachine, { input: { client, defaultSeed: 1, stepCount: 3 } });
    actor.start();
    actor.send({ type: 'lab.open', fragment: '', stored: undefined });
    const first = workers[0] as FakeWorker;
    first.reply({ type: 'failed', id: first.lastId, message: 'the scenario could not load' });
    expect(actor.getSnapshot().value).toBe('failed');
    actor.send({ type: 'lab.restart' });
    expect(workers[1]?.lastWork).toEqual({ kind: 'restart', seed: 1 });
  });

  it('fails when the worker dies, and Restart starts the scenario in a new one', () => {
    const { actor, worker, workers } = openedLab(view({ seed: 7 }));
    actor.send({ type: 'lab.step' });
    worker().onerror?.({ message: 'out of memory' } as ErrorEvent);
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.message).toMatch(/out of memory/);
    actor.send({ type: 'lab.step' });
    expect(workers).toHaveLength(1);
    actor.send({ type: 'lab.restart' });
    expect(workers).toHaveLength(2);
    expect(worker().lastWork).toEqual({ kind: 'restart', seed: 7 });
  });
});
