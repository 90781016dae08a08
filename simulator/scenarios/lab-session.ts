/**
 * A reader's session on a scenario: the player that runs its steps, the terminal that runs their
 * command lines, both acting on one simulation, and the list of what they did in order. That list
 * (with the seed and a position on the timeline) is all a permalink or local storage has to keep:
 * replaying it on the deterministic simulator rebuilds the same world, terminal output included.
 */
import type { LabAction, LabRecord } from '../permalink';
import type { Simulation } from '../simulation';
import type { TerminalSession } from '../terminal/session';
import type { Completion } from '../terminal/completion';
import { ScenarioPlayer, type StepTranscript } from './runner';
import type { Scenario, ScenarioFacts } from './types';
import { labHelmRepositories } from './types';

/** A command line and what it printed. */
export interface TerminalEntry {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** How many characters of stderr the screen shows before stdout (a started job's `[1] PID`). */
  stderrLead?: number;
  /** The terminal tab it ran in; absent for the first tab. */
  tab?: number;
  /**
   * Output that continues the tab's command held in the foreground (`hubble observe -f`): what it
   * printed while lines ran in other tabs or steps ran. `command` is empty.
   */
  continued?: true;
}

/** A tab's command that runs until Ctrl-C (`hubble observe -f`), while the reader works in another. */
export interface HeldCommand {
  tab: number;
  command: string;
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
  /** The terminals, by tab; each a shell of its own on the one simulation. */
  private readonly terminals = new Map<number, TerminalSession>();
  /** The tab whose line is running, while one runs (what an interrupt stops). */
  private lineTab: number | undefined;
  /** Where the line in hand is: its terminal still loading (or Ctrl-C came then), or running. */
  private line: 'loading' | 'cancelled' | 'running' | undefined;
  /** The terminal tabs the reader has open, in the order opened. */
  private readonly openTabs: number[] = [0];
  /**
   * The reader's machine's file system, made with the first terminal and shared by every tab (each
   * tab a window on the same machine); it outlives a closed tab, as files outlive a terminal window.
   */
  private machineFiles: TerminalSession['fileSystem'] | undefined;
  /** The machine's forwarded ports, shared by the tabs like its files. */
  private machinePorts: TerminalSession['machinePorts'] | undefined;

  /**
   * `files` are put in the terminal's home directory beside the scenario's own (an exercise's
   * starting files); a record replays the same way only with the same files.
   */
  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    private readonly loadTerminal: TerminalLoader,
    private readonly files: Readonly<Record<string, string>> = {},
    /**
     * `tabs`: the session has several terminals (the lab's tabs), so a command that runs until
     * Ctrl-C holds its tab (TerminalSession's `holdForeground`) and every tab's new output is
     * collected after each action, wherever it happened.
     */
    private readonly options: { tabs?: boolean } = {},
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
    options?: { tabs?: boolean },
  ): Promise<RestoreResult> {
    const session = new LabSession(scenario, record.seed, loadTerminal, files, options);
    let index = 0;
    for (const action of record.actions) {
      if (action.kind === 'step') session.next();
      else if (action.kind === 'stop') session.stop(action.tab);
      else if (action.kind === 'open-tab') session.openTab(action.tab);
      else if (action.kind === 'close-tab') session.closeTab(action.tab);
      else await session.run(action.line, action.stopAt, action.tab);
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
      this.collectHeldOutput();
    }
    return transcript;
  }

  /** The terminal of a tab, made (loading the shell the first time) when first used. */
  private async terminalOf(tab: number): Promise<TerminalSession> {
    const existing = this.terminals.get(tab);
    if (existing !== undefined) return existing;
    const { TerminalSession } = await this.loadTerminal();
    const terminal = new TerminalSession(
      this.simulation,
      { ...this.scenario.files, ...this.files },
      {
        holdForeground: this.options.tabs === true,
        helmRepositories: this.scenario.helmRepositories ?? labHelmRepositories,
        ...(this.machineFiles === undefined ? {} : { fileSystem: this.machineFiles }),
        ...(this.machinePorts === undefined ? {} : { machinePorts: this.machinePorts }),
      },
    );
    this.machineFiles ??= terminal.fileSystem;
    this.machinePorts ??= terminal.machinePorts;
    this.terminals.set(tab, terminal);
    return terminal;
  }

  /**
   * Runs a command line in a tab's terminal (the first tab's unless told). `stopAt` replays a line
   * that was interrupted, stopping it where the reader did.
   */
  async run(line: string, stopAt?: number, tab = 0): Promise<TerminalEntry> {
    this.returnToPresent();
    // From here a Ctrl-C is this line's, even while its terminal still loads.
    this.lineTab = tab;
    this.line = 'loading';
    let terminal: TerminalSession;
    let output: Omit<TerminalEntry, 'command'>;
    let interruptedAt: number | undefined;
    try {
      terminal = await this.terminalOf(tab);
      const running = terminal.run(line, stopAt === undefined ? {} : { stopAt });
      if (this.cancelledWhileLoading()) terminal.cancel();
      this.line = 'running';
      ({ interruptedAt, ...output } = await running);
    } finally {
      this.lineTab = undefined;
      this.line = undefined;
    }
    // A link made before tabs holds `hubble observe -f` as a line the reader interrupted; with
    // tabs the command holds its terminal instead, so the recorded Ctrl-C stops it at once.
    if (stopAt !== undefined && terminal.running !== undefined) {
      terminal.cancel();
      const last = terminal.poll();
      output = { ...output, stdout: output.stdout + last.stdout, stderr: output.stderr + last.stderr };
    }
    const entry: TerminalEntry = { command: line, ...output, ...(tab === 0 ? {} : { tab }) };
    if (!this.openTabs.includes(tab)) this.openTabs.push(tab);
    const stop = interruptedAt === undefined ? {} : { stopAt: interruptedAt };
    this.done.push({ kind: 'command', line, ...stop, ...(tab === 0 ? {} : { tab }) });
    this.terminalEntries.push(entry);
    this.collectHeldOutput();
    return entry;
  }

  /**
   * Ctrl-C on a tab's held command (`hubble observe -f`): it stops and prints its last words, and
   * the tab takes lines again. Recorded, since what the tab does next depends on it. False when
   * the tab holds nothing.
   */
  stop(tab: number): boolean {
    const terminal = this.terminals.get(tab);
    if (terminal?.running === undefined) return false;
    terminal.cancel();
    this.done.push({ kind: 'stop', tab });
    this.collectHeldOutput();
    return true;
  }

  /** Opens a terminal tab (its shell starts with its first line). False when it is open already. */
  openTab(tab: number): boolean {
    if (this.openTabs.includes(tab)) return false;
    this.openTabs.push(tab);
    this.done.push({ kind: 'open-tab', tab });
    return true;
  }

  /**
   * Closes a terminal tab: its held command ends, as closing a terminal window ends its foreground
   * job, and its shell (variables, working directory) goes with it; what it printed stays in the
   * log. Recorded, so a link shows the same tabs. False when the tab is not open.
   */
  closeTab(tab: number): boolean {
    const index = this.openTabs.indexOf(tab);
    if (index < 0) return false;
    this.openTabs.splice(index, 1);
    this.terminals.get(tab)?.hangUp();
    this.terminals.delete(tab);
    this.done.push({ kind: 'close-tab', tab });
    return true;
  }

  /** The terminal tabs open, in the order opened. */
  get tabs(): readonly number[] {
    return this.openTabs;
  }

  /** The tabs' held commands. */
  get heldCommands(): HeldCommand[] {
    return [...this.terminals]
      .filter(([, terminal]) => terminal.running !== undefined)
      .map(([tab, terminal]) => ({ tab, command: terminal.running ?? '' }));
  }

  /** Tab completion of a line typed in a tab (terminal/completion.ts); changes nothing. */
  async complete(line: string, tab = 0): Promise<Completion> {
    return (await this.terminalOf(tab)).complete(line);
  }

  /**
   * What every tab's held command and background jobs printed since the last action, as entries
   * that continue those tabs (only with tabs: a lone terminal shows its jobs after its next line).
   */
  private collectHeldOutput(): void {
    if (this.options.tabs !== true) return;
    for (const [tab, terminal] of this.terminals) {
      const { stdout, stderr } = terminal.poll();
      if (stdout === '' && stderr === '') continue;
      this.terminalEntries.push({
        command: '',
        stdout,
        stderr,
        exitCode: 0,
        continued: true,
        ...(tab === 0 ? {} : { tab }),
      });
    }
  }

  /** Interrupts the command line that is running, if any, as Ctrl-C does. */
  private cancelledWhileLoading(): boolean {
    return this.line === 'cancelled';
  }

  cancel(): void {
    // Only a running line: a held command stops through `stop`, which the record keeps.
    if (this.line === 'loading') this.line = 'cancelled';
    else if (this.line === 'running' && this.lineTab !== undefined)
      this.terminals.get(this.lineTab)?.cancel();
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
