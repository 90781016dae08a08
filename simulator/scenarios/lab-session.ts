/**
 * A reader's session on a scenario: the player that runs its steps, the terminal that runs their
 * command lines, both acting on one simulation, and the list of what they did in order. That list
 * (with the seed and a position on the timeline) is all a permalink or local storage has to keep:
 * replaying it on the deterministic simulator rebuilds the same world, terminal output included.
 */
import type { LabAction, LabRecord } from '../permalink';
import type { Simulation } from '../simulation';
import type { TerminalSession } from '../terminal/session';
import { ScenarioPlayer, type StepTranscript } from './runner';
import type { Scenario, ScenarioFacts } from './types';

/** A command line and what it printed. */
export interface TerminalEntry {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Loads the terminal module (a dynamic import in the site, so the shell loads only when needed). */
export type TerminalLoader = () => Promise<{ TerminalSession: typeof TerminalSession }>;

/** Progress of a restore, for a progress bar. */
export type RestoreProgress = (done: number, total: number) => void;

/** The result of restoring a record; a cursor past the end of the log is reported, not fatal. */
export interface RestoreResult {
  session: LabSession;
  warning: string | undefined;
}

export class LabSession {
  private readonly player: ScenarioPlayer;
  private readonly done: LabAction[] = [];
  private readonly terminalEntries: TerminalEntry[] = [];
  private readonly stepEndPositions: number[] = [];
  private terminal: TerminalSession | undefined;

  /**
   * `files` are put in the terminal's home directory beside the scenario's own (an exercise's
   * starting files); a record replays the same way only with the same files.
   */
  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    private readonly loadTerminal: TerminalLoader,
    private readonly files: Readonly<Record<string, string>> = {},
  ) {
    this.player = new ScenarioPlayer(scenario, seed);
  }

  /** Rebuilds a session from its record, replaying every action in order. */
  static async restore(
    scenario: Scenario,
    record: LabRecord,
    loadTerminal: TerminalLoader,
    progress?: RestoreProgress,
    files?: Readonly<Record<string, string>>,
  ): Promise<RestoreResult> {
    const session = new LabSession(scenario, record.seed, loadTerminal, files);
    let index = 0;
    for (const action of record.actions) {
      if (action.kind === 'step') session.next();
      else await session.run(action.line, action.stopAt);
      index += 1;
      progress?.(index, record.actions.length);
    }
    let warning: string | undefined;
    if (record.cursor !== undefined) {
      if (record.cursor > session.simulation.length) {
        warning = `The link pointed past the end of its timeline (event ${record.cursor} of ${session.simulation.length}); showing the end.`;
      } else {
        session.seek(record.cursor);
      }
    }
    return { session, warning };
  }

  get simulation(): Simulation {
    return this.player.simulation;
  }

  /** What the scenario's steps found out (addresses, the node that was cut off, …). */
  get facts(): Readonly<ScenarioFacts> {
    return this.player.facts;
  }

  /** Transcripts of the steps run so far. */
  get steps(): readonly StepTranscript[] {
    return this.player.steps;
  }

  get completedSteps(): number {
    return this.player.completedSteps;
  }

  get finished(): boolean {
    return this.player.finished;
  }

  /** The log position at which each completed step ended. */
  get stepEnds(): readonly number[] {
    return this.stepEndPositions;
  }

  /** What the reader did, in order. */
  get actions(): readonly LabAction[] {
    return this.done;
  }

  /** Every command line run in the terminal, with its output. */
  get terminalLog(): readonly TerminalEntry[] {
    return this.terminalEntries;
  }

  /** Whether the world shown is an earlier point of the log rather than the present. */
  get viewingPast(): boolean {
    return this.simulation.position < this.simulation.length;
  }

  /** The position on the log when looking at the past; undefined at the present. */
  get cursor(): number | undefined {
    return this.viewingPast ? this.simulation.position : undefined;
  }

  /** Shows the world right after the event at this position of the log. */
  seek(position: number): void {
    this.simulation.seek(position);
  }

  /** Comes back from the past to the present, so new actions continue the reader's history. */
  returnToPresent(): void {
    if (this.viewingPast) this.simulation.seek(this.simulation.length);
  }

  /** Runs the scenario's next step; undefined when every step has run. */
  next(): StepTranscript | undefined {
    this.returnToPresent();
    const transcript = this.player.next();
    if (transcript !== undefined) {
      this.done.push({ kind: 'step' });
      this.stepEndPositions.push(this.simulation.position);
    }
    return transcript;
  }

  /**
   * Runs a command line in the session's terminal (loading the shell the first time). `stopAt`
   * replays a line that was interrupted, stopping it where the reader did.
   */
  async run(line: string, stopAt?: number): Promise<TerminalEntry> {
    this.returnToPresent();
    this.terminal ??= new (await this.loadTerminal()).TerminalSession(this.simulation, {
      ...this.scenario.files,
      ...this.files,
    });
    const { interruptedAt, ...result } = await this.terminal.run(
      line,
      stopAt === undefined ? {} : { stopAt },
    );
    const entry = { command: line, ...result };
    this.done.push(
      interruptedAt === undefined
        ? { kind: 'command', line }
        : { kind: 'command', line, stopAt: interruptedAt },
    );
    this.terminalEntries.push(entry);
    return entry;
  }

  /** Interrupts the command line that is running, if any, as Ctrl-C does. */
  cancel(): void {
    this.terminal?.cancel();
  }

  /** Everything needed to rebuild this session. */
  record(): LabRecord {
    return { scenario: this.scenario.id, seed: this.seed, actions: [...this.done], cursor: this.cursor };
  }
}

/** The record with its last step, and everything done after it, taken back. */
export function withoutLastStep(record: LabRecord): LabRecord {
  const last = record.actions.map((action) => action.kind).lastIndexOf('step');
  return { ...record, actions: last < 0 ? [] : record.actions.slice(0, last), cursor: undefined };
}
