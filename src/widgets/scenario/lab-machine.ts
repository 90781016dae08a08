/**
 * The scenario widget's lifecycle as an XState machine: idle until the widget mounts, restoring
 * while the worker replays a record, ready, stepping, running a command line, recording a terminal
 * tab opened or closed or a watch stopped, seeking, sharing, playing, and failed when the worker
 * died. The reader's work waits in a queue and goes to the
 * worker one item at a time, in the order asked; every answer the worker sends is applied, whatever
 * the state, so a view is never lost. Side effects on the page (the address bar, the clipboard, the
 * terminal panel) are named actions the widget provides (`labMachine.provide`).
 */
import {
  and,
  assign,
  enqueueActions,
  fromCallback,
  setup,
  type ActorRefFrom,
  type SnapshotFrom,
} from 'xstate';
import type { StepTranscript, TerminalEntry } from '../../simulator-lab';
import type { LabClient, LabClientEvent } from './lab-client';
import { emptyPictures, type LabDone, type LabPictures, type LabView, type LabWork } from './lab-protocol';

export interface LabContext {
  client: LabClient;
  /** The scenario's default seed and step count, known before the worker answers. */
  defaultSeed: number;
  stepCount: number;
  /** Work the reader asked for, waiting its turn. */
  queue: LabWork[];
  /** The id of the work the worker is doing for the machine. */
  inFlight: number | undefined;
  /** The terminal tab of the command line the worker runs, while it runs one. */
  lineTab: number | undefined;
  /** The latest view the worker sent, with every picture; undefined until the lab has opened. */
  view: ShownView | undefined;
  /** Every command line run so far, with its output (views carry only the new ones). */
  terminal: TerminalEntry[];
  message: string;
  /** Simulated seconds the running command line has taken so far. */
  elapsedSeconds: number;
  /** The fingerprint of the world in `view`, once the worker has computed it. */
  hash: string | undefined;
  /** Play speed: 1 is one step every 1.5 s. */
  speed: number;
  /** Play was asked for while other work was under way. */
  playWanted: boolean;
  /** The last play move was a seek through the past (the next one comes sooner). */
  playedSeek: boolean;
}

/** A view as the widget shows it: the worker's, with the pictures it left out kept from before. */
export type ShownView = Omit<LabView, 'pictures' | 'transcripts'> & {
  pictures: LabPictures;
  transcripts: StepTranscript[];
};

export type LabEvent =
  | { type: 'lab.open'; fragment: string; stored: unknown }
  | { type: 'lab.link'; fragment: string }
  | { type: 'lab.step' }
  | { type: 'lab.back' }
  | { type: 'lab.restart' }
  | { type: 'lab.seed'; seed: number }
  | { type: 'lab.goto'; step: number }
  | { type: 'lab.seek'; position: number }
  | { type: 'lab.command'; line: string; tab?: number }
  | { type: 'lab.stop'; tab: number }
  | { type: 'lab.tab'; tab: number; open: boolean }
  | { type: 'lab.share' }
  | { type: 'lab.play' }
  | { type: 'lab.pause' }
  | { type: 'lab.speed'; speed: number }
  | { type: 'lab.interrupt' }
  | { type: 'lab.announce'; message: string }
  | { type: 'worker.done'; reply: LabDone }
  | { type: 'worker.failed'; id: number; message: string }
  | { type: 'worker.progress'; id: number; message?: string; elapsedSeconds?: number }
  | { type: 'worker.hashed'; revision: number; hash: string }
  | { type: 'worker.crashed'; message: string };

/** Events that ask for work; they wait in the queue while other work is under way. */
const workEvents = [
  'lab.link',
  'lab.step',
  'lab.back',
  'lab.restart',
  'lab.seed',
  'lab.goto',
  'lab.seek',
  'lab.command',
  'lab.stop',
  'lab.tab',
  'lab.share',
] as const;

/** The work a reader's event asks for. */
function workOf(event: LabEvent, context: LabContext): LabWork | undefined {
  switch (event.type) {
    case 'lab.link':
      return { kind: 'link', fragment: event.fragment };
    case 'lab.step':
      return { kind: 'step' };
    case 'lab.back':
      return { kind: 'back' };
    case 'lab.restart':
      return { kind: 'restart', seed: context.view?.seed ?? context.defaultSeed };
    case 'lab.seed':
      return { kind: 'seed', seed: event.seed };
    case 'lab.goto':
      return { kind: 'goto', step: event.step };
    case 'lab.seek':
      return { kind: 'seek', position: event.position };
    case 'lab.command':
      return { kind: 'command', line: event.line, ...(event.tab === undefined ? {} : { tab: event.tab }) };
    case 'lab.stop':
      return { kind: 'stop', tab: event.tab };
    case 'lab.tab':
      return { kind: 'tab', tab: event.tab, open: event.open };
    case 'lab.share':
      return { kind: 'share' };
    default:
      return undefined;
  }
}

/** The queue with new work at its end; a seek replaces a seek still waiting (a dragged slider). */
function queued(queue: LabWork[], work: LabWork): LabWork[] {
  const last = queue.at(-1);
  return work.kind === 'seek' && last?.kind === 'seek' ? [...queue.slice(0, -1), work] : [...queue, work];
}

/** The view after an answer: a newer one replaces it, and the terminal's new entries join it. */
function withView(context: LabContext, view: LabView | undefined): Partial<LabContext> {
  if (view === undefined || (context.view !== undefined && view.revision <= context.view.revision)) return {};
  return {
    view: {
      ...view,
      pictures: { ...(context.view?.pictures ?? emptyPictures()), ...view.pictures },
      transcripts: view.transcripts ?? context.view?.transcripts ?? [],
    },
    terminal: [...context.terminal.slice(0, view.terminalFrom), ...view.terminalEntries],
    hash: undefined,
  };
}

/** A new worker counts its views from 1 again: the view shown takes revision 0, so they count. */
const restartedRevisions = (context: LabContext): Partial<LabContext> =>
  context.view === undefined ? {} : { view: { ...context.view, revision: 0 } };

/** Whether the player has nothing left: at the present, with every step run. */
const playedToEnd = (context: LabContext): boolean =>
  context.view !== undefined &&
  context.view.timeline.position >= context.view.timeline.length &&
  context.view.completedSteps >= context.stepCount;

/** Forwards the client's messages to the machine for as long as the machine runs. */
const workerConnection = fromCallback<LabEvent, { client: LabClient }>(({ input, sendBack }) =>
  input.client.listen((event: LabClientEvent) => {
    switch (event.type) {
      case 'done':
        sendBack({ type: 'worker.done', reply: event });
        return;
      case 'failed':
        sendBack({ type: 'worker.failed', id: event.id, message: event.message });
        return;
      case 'progress':
        sendBack({ ...event, type: 'worker.progress' });
        return;
      case 'hash':
        sendBack({ type: 'worker.hashed', revision: event.revision, hash: event.hash });
        return;
      case 'crashed':
        sendBack({ type: 'worker.crashed', message: event.message });
    }
  }),
);

/** The same transition for every one of the reader's work events. */
function onWork<T>(transition: T): Record<(typeof workEvents)[number], T> {
  return Object.fromEntries(workEvents.map((type) => [type, transition])) as Record<
    (typeof workEvents)[number],
    T
  >;
}

/** The worker's answer to the work in flight ends it: the lab is ready for the next. */
const backToReadyOnAnswer = {
  'worker.done': { guard: 'isCurrentAnswer', target: 'ready', actions: 'applyAnswer' },
  'worker.failed': { guard: 'isCurrentAnswer', target: 'ready', actions: 'announceFailure' },
} as const;

export const labMachine = setup({
  types: {
    context: {} as LabContext,
    events: {} as LabEvent,
    input: {} as { client: LabClient; defaultSeed: number; stepCount: number },
  },
  actors: { workerConnection },
  delays: {
    /** After a seek through the past, and after a step (the original pace: 1.5 s a step). */
    playPause: ({ context }) => (context.playedSeek ? 50 : 1500) / context.speed,
    /** How long an interrupted command line has to stop before its worker is replaced. */
    interruptGrace: 1500,
  },
  guards: {
    hasWork: ({ context }) => context.queue.length > 0,
    nextIsSeek: ({ context }) => context.queue[0]?.kind === 'seek',
    nextIsStep: ({ context }) => {
      const next = context.queue[0];
      return (
        next?.kind === 'step' || (next?.kind === 'goto' && next.step >= (context.view?.completedSteps ?? 0))
      );
    },
    nextIsCommand: ({ context }) => context.queue[0]?.kind === 'command',
    nextIsTerminalRecord: ({ context }) => ['stop', 'tab'].includes(context.queue[0]?.kind ?? ''),
    nextIsShare: ({ context }) => context.queue[0]?.kind === 'share',
    isCurrentAnswer: ({ context, event }) =>
      (event.type === 'worker.done' && event.reply.id === context.inFlight) ||
      (event.type === 'worker.failed' && event.id === context.inFlight),
    playWanted: ({ context }) => context.playWanted,
    hasNoView: ({ context }) => context.view === undefined,
    playedToEnd: ({ context }) => playedToEnd(context),
  },
  actions: {
    enqueue: assign(({ context, event }) => {
      const work = workOf(event, context);
      return work === undefined ? {} : { queue: queued(context.queue, work) };
    }),
    /** Sends the first waiting work to the worker. */
    dispatchNext: assign(({ context }) => {
      const [next, ...rest] = context.queue;
      if (next === undefined) return {};
      const lineTab = next.kind === 'command' ? (next.tab ?? 0) : undefined;
      return { queue: rest, inFlight: context.client.send(next), lineTab, elapsedSeconds: 0 };
    }),
    /** Opening comes first: from the link, from this browser's record, or at the start. */
    enqueueOpen: assign(({ context, event }) => {
      if (event.type !== 'lab.open') return {};
      const work: LabWork = { kind: 'open', fragment: event.fragment, stored: event.stored };
      return { queue: [work, ...context.queue] };
    }),
    /** Moves the player one move on: through the past to the present, then the remaining steps. */
    dispatchPlayMove: assign(({ context }) => {
      const timeline = context.view?.timeline;
      if (timeline !== undefined && timeline.position < timeline.length) {
        const stride = Math.max(1, Math.round(timeline.length / 60));
        const position = Math.min(timeline.length, timeline.position + stride);
        return { inFlight: context.client.send({ kind: 'seek', position }), playedSeek: true };
      }
      return { inFlight: context.client.send({ kind: 'step' }), playedSeek: false };
    }),
    applyAnswer: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'worker.done') return;
      const { reply } = event;
      enqueue.assign({
        ...withView(context, reply.view),
        ...(reply.message === undefined ? {} : { message: reply.message }),
        ...(reply.id === context.inFlight ? { inFlight: undefined, lineTab: undefined } : {}),
      });
      if (reply.openTerminal === true) enqueue('openTerminal');
      if (reply.origin !== undefined) enqueue('opened');
      if (reply.link !== undefined) enqueue('publishLink');
    }),
    announceFailure: assign(({ context, event }) =>
      event.type === 'worker.failed'
        ? {
            message: `The simulator failed: ${event.message}`,
            ...(event.id === context.inFlight ? { inFlight: undefined, lineTab: undefined } : {}),
          }
        : {},
    ),
    applyProgress: assign(({ event }) => {
      if (event.type !== 'worker.progress') return {};
      return {
        ...(event.message === undefined ? {} : { message: event.message }),
        ...(event.elapsedSeconds === undefined ? {} : { elapsedSeconds: event.elapsedSeconds }),
      };
    }),
    applyHash: assign(({ context, event }) =>
      event.type === 'worker.hashed' && event.revision === context.view?.revision ? { hash: event.hash } : {},
    ),
    announce: assign(({ event }) => (event.type === 'lab.announce' ? { message: event.message } : {})),
    setSpeed: assign(({ event }) => (event.type === 'lab.speed' ? { speed: event.speed } : {})),
    wantPlay: assign({ playWanted: true }),
    stopPlay: assign({ playWanted: false }),
    announcePlayedToEnd: assign({ message: 'Played to the end of the scenario.', playWanted: false }),
    interruptWorker: ({ context }) => {
      if (context.inFlight !== undefined) context.client.interrupt(context.inFlight);
    },
    /** Ends a worker that did not stop, and queues the last record it answered with, first. */
    replaceWorker: assign(({ context }) => {
      context.client.replace();
      const record = context.view?.record;
      const reopen: LabWork[] =
        record === undefined
          ? []
          : [
              {
                kind: 'reopen',
                record,
                announce:
                  'The command line did not stop, so the simulator was restarted at the state before it.',
              },
            ];
      return {
        inFlight: undefined,
        lineTab: undefined,
        elapsedSeconds: 0,
        queue: [...reopen, ...context.queue],
        ...restartedRevisions(context),
      };
    }),
    restartAfterCrash: assign(({ context }) => {
      context.client.replace();
      return {
        inFlight: undefined,
        lineTab: undefined,
        queue: [{ kind: 'restart', seed: context.view?.seed ?? context.defaultSeed }],
        ...restartedRevisions(context),
      };
    }),
    announceCrash: assign(({ event }) =>
      event.type === 'worker.crashed'
        ? {
            message: `The simulator stopped (${event.message}). Restart starts the scenario again.`,
            inFlight: undefined,
            lineTab: undefined,
            queue: [],
            playWanted: false,
          }
        : {},
    ),
    // Implemented by the widget (`labMachine.provide`): effects on the page around the lab, each
    // for a `worker.done` event whose answer asks for it (`openTerminal`, `origin`, `link`).
    openTerminal: () => undefined,
    opened: () => undefined,
    publishLink: () => undefined,
  },
}).createMachine({
  id: 'lab',
  context: ({ input }) => ({
    client: input.client,
    defaultSeed: input.defaultSeed,
    stepCount: input.stepCount,
    queue: [],
    inFlight: undefined,
    lineTab: undefined,
    view: undefined,
    terminal: [],
    message: '',
    elapsedSeconds: 0,
    hash: undefined,
    speed: 1,
    playWanted: false,
    playedSeek: false,
  }),
  invoke: { src: 'workerConnection', input: ({ context }) => ({ client: context.client }) },
  initial: 'idle',
  // Answers the current state does not wait for (late ones, or after a pause) still count.
  on: {
    'worker.done': { actions: 'applyAnswer' },
    'worker.failed': { actions: 'announceFailure' },
    'worker.progress': { actions: 'applyProgress' },
    'worker.hashed': { actions: 'applyHash' },
    'worker.crashed': { target: '.failed', actions: 'announceCrash' },
    'lab.announce': { actions: 'announce' },
    'lab.speed': { actions: 'setSpeed' },
    'lab.pause': { actions: 'stopPlay' },
    'lab.play': { actions: 'wantPlay' },
    ...onWork({ actions: 'enqueue' as const }),
  },
  states: {
    idle: {
      description: 'The widget has not mounted: the page shows the outline rendered at build time.',
      on: { 'lab.open': { target: 'ready', actions: 'enqueueOpen' } },
    },
    restoring: {
      description: 'The worker loads the scenario, or replays a record (a link, a stored session, Back).',
      entry: 'dispatchNext',
      on: {
        'worker.done': { guard: 'isCurrentAnswer', target: 'ready', actions: 'applyAnswer' },
        'worker.failed': [
          // Without a first view there is no lab to go back to: only Restart can help.
          { guard: and(['isCurrentAnswer', 'hasNoView']), target: 'failed', actions: 'announceFailure' },
          { guard: 'isCurrentAnswer', target: 'ready', actions: 'announceFailure' },
        ],
      },
    },
    ready: {
      description: 'Nothing under way: the next work waiting, or play, starts here.',
      always: [
        { guard: 'nextIsSeek', target: 'seeking' },
        { guard: 'nextIsStep', target: 'stepping' },
        { guard: 'nextIsCommand', target: 'running' },
        { guard: 'nextIsTerminalRecord', target: 'recording' },
        { guard: 'nextIsShare', target: 'sharing' },
        { guard: 'hasWork', target: 'restoring' },
        { guard: 'playWanted', target: 'playing' },
      ],
    },
    stepping: {
      description: 'The worker runs scenario steps.',
      entry: 'dispatchNext',
      on: backToReadyOnAnswer,
    },
    seeking: {
      description: 'The worker moves the pictures to another event of the log.',
      entry: 'dispatchNext',
      on: backToReadyOnAnswer,
    },
    sharing: {
      description: 'The worker writes the link that restores this state.',
      entry: 'dispatchNext',
      on: backToReadyOnAnswer,
    },
    running: {
      description: 'The worker runs a command line; an interrupt stops it at its next checkpoint.',
      entry: 'dispatchNext',
      initial: 'busy',
      on: backToReadyOnAnswer,
      states: {
        busy: { on: { 'lab.interrupt': { target: 'interrupting', actions: 'interruptWorker' } } },
        interrupting: {
          description: 'Interrupted; a line that does not stop in time loses its worker.',
          after: { interruptGrace: { target: '#lab.ready', actions: 'replaceWorker' } },
        },
      },
    },
    recording: {
      // Not `running`: no command line runs, so the terminal neither shows one nor may interrupt
      // one, and a line typed meanwhile (in a tab opened a moment ago) waits its turn in the queue.
      description: 'The worker records a terminal tab opened or closed, or a held command stopped.',
      entry: 'dispatchNext',
      on: backToReadyOnAnswer,
    },
    playing: {
      description: 'Plays forward: through the past to the present, then the remaining steps.',
      initial: 'choosing',
      on: {
        'lab.pause': { target: 'ready', actions: 'stopPlay' },
        // The reader's own work pauses the player; it runs next.
        ...onWork({ target: '#lab.ready', actions: ['stopPlay', 'enqueue'] as const }),
      },
      states: {
        choosing: {
          always: [
            { guard: 'playedToEnd', target: '#lab.ready', actions: 'announcePlayedToEnd' },
            { target: 'moving' },
          ],
        },
        moving: {
          entry: 'dispatchPlayMove',
          on: {
            'worker.done': { guard: 'isCurrentAnswer', target: 'resting', actions: 'applyAnswer' },
            'worker.failed': {
              guard: 'isCurrentAnswer',
              target: '#lab.ready',
              actions: ['announceFailure', 'stopPlay'],
            },
          },
        },
        resting: { after: { playPause: 'choosing' } },
      },
    },
    failed: {
      description: 'The worker died; Restart starts the scenario again in a new one.',
      on: {
        // Nothing else can run until then.
        ...onWork({}),
        'lab.restart': { target: 'ready', actions: 'restartAfterCrash' },
        'lab.play': {},
      },
    },
  },
});

export type LabActor = ActorRefFrom<typeof labMachine>;
export type LabSnapshot = SnapshotFrom<typeof labMachine>;

/** States in which the widget's controls act at once (no restore or step under way). */
export const readyStates = ['ready', 'running', 'recording', 'seeking', 'sharing', 'playing'] as const;
