/**
 * What the scenario widget and its Web Worker say to each other. The worker owns the lab session
 * (the simulation and the terminal); the page sends it the reader's work one item at a time and
 * receives a view: everything the widget draws, already computed from the world, with the terminal's
 * output as a diff. Only types live here, so the page's bundle gets none of the simulator.
 */
import type {
  AuthFlowPicture,
  AuthPicture,
  FlowPicture,
  IdentityAddressesPicture,
  IpcacheRowPicture,
  KeyHolderPicture,
  NodePicture,
  StepTranscript,
  TerminalEntry,
} from '../../simulator-lab';

/** A scenario as the page shows it before its lab has loaded (and as the build renders it). */
export interface ScenarioOutline {
  id: string;
  title: string;
  defaultSeed: number;
  steps: { id: string; title: string; summary: string }[];
}

/** The pictures of the world the widget draws. */
export interface LabPictures {
  nodes: NodePicture[];
  flows: FlowPicture[];
  auth: AuthPicture | undefined;
  authFlow: AuthFlowPicture | undefined;
  keys: KeyHolderPicture[];
  identityCaches: IdentityAddressesPicture[];
  /** The node whose ipcache the scenario looks at, and that ipcache. */
  focusNode: string | undefined;
  ipcacheRows: IpcacheRowPicture[];
  /** The recycled address the scenario found, to highlight. */
  reusedIp: string | undefined;
}

/** The pictures of a world with nothing in it yet (lab-host.ts's picturesOf, in the same order). */
export function emptyPictures(): LabPictures {
  return {
    nodes: [],
    flows: [],
    auth: undefined,
    authFlow: undefined,
    keys: [],
    identityCaches: [],
    focusNode: undefined,
    ipcacheRows: [],
    reusedIp: undefined,
  };
}

/** Everything the widget draws, as of one revision of the session. */
export interface LabView {
  /** Grows with every change, so a late state hash can be matched to its view. */
  revision: number;
  seed: number;
  completedSteps: number;
  /** The transcripts of the steps run, when they differ from the last view's (absent otherwise). */
  transcripts?: StepTranscript[];
  /** The terminal's entries from this index on; the page keeps the ones before it. */
  terminalFrom: number;
  terminalEntries: TerminalEntry[];
  /** The tabs whose command runs in the foreground until Ctrl-C, and that command. */
  terminalHeld: { tab: number; command: string }[];
  /** The terminal tabs open in the session, as its record has them (opened and closed tabs are recorded). */
  terminalTabs: number[];
  timeline: { length: number; position: number; timeText: string; stepEnds: number[] };
  /**
   * The pictures that differ from the last view this worker sent; the page keeps the others, so
   * the panels that did not change are not drawn again. A worker's first view has them all.
   */
  pictures: Partial<LabPictures>;
  /** The session's record in the compact form of a link (permalink.ts), for local storage. */
  record: unknown;
}

/** Where an opened lab came from. */
export type LabOrigin = 'link' | 'storage' | 'start';

/** One piece of work for the worker. */
export type LabWork =
  /**
   * Opens the lab: from a link in the fragment, else from the record kept in this browser (the
   * compact form), else at the scenario's start.
   */
  | { kind: 'open'; fragment: string; stored: unknown }
  /** Opens the link in the fragment, if it is one for this lab (the fragment changed). */
  | { kind: 'link'; fragment: string }
  /** Reopens a known record, as after the worker that held it was replaced. */
  | { kind: 'reopen'; record: unknown; announce: string }
  | { kind: 'step' }
  | { kind: 'back' }
  | { kind: 'restart'; seed: number }
  | { kind: 'seed'; seed: number }
  /** Brings the lab to the state right after this many steps (a LabButton). */
  | { kind: 'goto'; step: number }
  | { kind: 'seek'; position: number }
  /** A command line typed in a terminal tab (the first tab's when absent). */
  | { kind: 'command'; line: string; tab?: number }
  /** Ctrl-C on the command a tab holds in the foreground (`hubble observe -f`). */
  | { kind: 'stop'; tab: number }
  /** A terminal tab opened or closed (recorded, so a link shows the same tabs). */
  | { kind: 'tab'; tab: number; open: boolean }
  /** Tab completion of the line typed so far in a tab; answered in `completion`, changes nothing. */
  | { kind: 'complete'; line: string; tab?: number }
  | { kind: 'share' }
  /** Loads the terminal's shell ahead of the first command (the terminal panel opened). */
  | { kind: 'load-terminal' };

/** Page → worker. Every work request gets exactly one `done` or `failed` reply. */
export type LabRequest =
  | { type: 'work'; id: number; scenario: string; work: LabWork }
  /**
   * Interrupts the command line of work `id`, as Ctrl-C does; handled at once, not queued. A line
   * that has not started yet (it waits for the shell to load) stops as soon as it starts.
   */
  | { type: 'interrupt'; id: number };

/** The answer to one work request. */
export interface LabDone {
  type: 'done';
  id: number;
  /** The new view; absent when the work changed nothing the widget draws. */
  view?: LabView;
  /** What to tell the reader; absent to leave the current message. */
  message?: string;
  /** Set by `share`: the fragment (without `#`) that restores this state. */
  link?: string;
  /** Set by `open`: where the lab came from. */
  origin?: LabOrigin;
  /** The restored record holds command lines, so the terminal should be open. */
  openTerminal?: boolean;
  /** Set by `complete`: the candidates for the word that ends the line, each replacing it from `start`. */
  completion?: TerminalCompletion;
}

/** Tab completion's answer (simulator/terminal/completion.ts). */
export interface TerminalCompletion {
  start: number;
  candidates: string[];
}

/** Worker → page. */
export type LabReply =
  | LabDone
  | { type: 'failed'; id: number; message: string }
  /** Progress of a long piece of work: a replay's count, or a command's simulated seconds. */
  | { type: 'progress'; id: number; message?: string; elapsedSeconds?: number }
  /** The world's fingerprint for a view, computed after the view was sent. */
  | { type: 'hash'; revision: number; hash: string };
