/**
 * The scenario lab as its Web Worker runs it: one reader's session on one scenario, driven by the
 * work the page sends (lab-protocol.ts). It loads only its own scenario, keeps the session, and
 * answers each piece of work with a view of the world and the sentence to show. It has no worker
 * API of its own (lab-worker.ts wires it to messages), so unit tests drive it directly.
 */
import {
  LabSession,
  authFlowPicture,
  authPicture,
  clusterPicture,
  compactRecord,
  encodeLabPermalink,
  flowPicture,
  identityAddressesPicture,
  ipcachePicture,
  keyHoldersPicture,
  loadTerminal,
  parseLabRecord,
  readPermalinkFragment,
  scenarioDirectory,
  toStampMilli,
  withoutLastStep,
  type LabRecord,
  type Scenario,
} from '../../simulator-lab';
import type { LabDone, LabPictures, LabView, LabWork } from './lab-protocol';

/** Reports the progress of the work in hand. */
export type LabProgress = (update: { message?: string; elapsedSeconds?: number }) => void;

/** What a piece of work produced; the host adds the view when the session changed. */
export type LabOutcome = Omit<LabDone, 'type' | 'id' | 'view'>;

/** The lab's terminal has tabs: one may watch (`hubble observe -f`) while another acts. */
const withTabs = { tabs: true };

/** How many Hubble flows the widget lists. */
const flowsShown = 12;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const joined = (...parts: (string | undefined)[]): string =>
  parts.filter((part) => part !== undefined && part !== '').join(' ');

/** The pictures the widget draws of a session's world as it is shown (the present or the past). */
function picturesOf(session: LabSession): LabPictures {
  const world = session.simulation.state;
  const { focusNode, reusedAddress } = session.facts;
  return {
    nodes: clusterPicture(world),
    flows: flowPicture(world, flowsShown),
    auth: authPicture(world),
    authFlow: authFlowPicture(world),
    keys: keyHoldersPicture(world),
    identityCaches: identityAddressesPicture(world),
    focusNode,
    ipcacheRows: focusNode === undefined ? [] : ipcachePicture(world, focusNode),
    reusedIp: reusedAddress,
  };
}

export class LabHost {
  private scenario: Scenario | undefined;
  private session: LabSession | undefined;
  private revision = 0;
  /** How many terminal entries the page has been sent, so a view carries only the new ones. */
  private terminalSent = 0;
  /** Each picture and the transcripts as last sent (JSON), so a view carries only what changed. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly scenarioId: string) {}

  /**
   * Does one piece of work and returns what the page needs to show for it. `interrupted` says
   * whether Ctrl-C has come for this work (perhaps before its command line could start).
   */
  async perform(
    work: LabWork,
    progress: LabProgress,
    interrupted: () => boolean = () => false,
  ): Promise<Omit<LabDone, 'type' | 'id'>> {
    const before = this.revision;
    const outcome = await this.dispatch(work, progress, interrupted);
    const view = this.revision !== before || work.kind === 'open' ? this.view() : undefined;
    return view === undefined ? outcome : { ...outcome, view };
  }

  /**
   * Takes over from lab-start.ts, whose view of the scenario's start the page has been shown: builds
   * that start's session and notes its view as sent, so the next view carries only what changes.
   */
  async adoptStart(): Promise<void> {
    await this.fresh();
    this.view();
  }

  /** Interrupts the running command line, if any. */
  interrupt(): void {
    this.session?.cancel();
  }

  /** The fingerprint of the world shown, with the revision it belongs to. */
  hash(): { revision: number; hash: string } | undefined {
    return this.session === undefined
      ? undefined
      : { revision: this.revision, hash: this.session.simulation.hash() };
  }

  private async dispatch(
    work: LabWork,
    progress: LabProgress,
    interrupted: () => boolean,
  ): Promise<LabOutcome> {
    switch (work.kind) {
      case 'open':
        return this.open(work.fragment, work.stored, progress);
      case 'link':
        return (await this.openLink(work.fragment, progress)) ?? {};
      case 'reopen':
        return this.reopen(work.record, work.announce, progress);
      case 'step':
        return this.step();
      case 'back':
        return this.back(progress);
      case 'restart':
        return this.restart(work.seed);
      case 'seed':
        return this.reseed(work.seed, progress);
      case 'goto':
        return this.goto(work.step, progress);
      case 'seek':
        return this.seek(work.position);
      case 'command':
        return this.command(work.line, progress, interrupted, work.tab);
      case 'stop':
        return this.stop(work.tab);
      case 'tab':
        return this.tab(work.tab, work.open);
      case 'complete':
        return { completion: await (await this.current()).complete(work.line, work.tab) };
      case 'share':
        return this.share();
      case 'load-terminal':
        await loadTerminal();
        return {};
    }
  }

  private async loadScenario(): Promise<Scenario> {
    if (this.scenario !== undefined) return this.scenario;
    const entry = scenarioDirectory[this.scenarioId];
    if (entry === undefined) throw new Error(`unknown scenario “${this.scenarioId}”`);
    this.scenario = await entry.load();
    return this.scenario;
  }

  /** The session, made at the scenario's start with its default seed if there is none yet. */
  private async current(): Promise<LabSession> {
    if (this.session !== undefined) return this.session;
    const scenario = await this.loadScenario();
    return this.replace(new LabSession(scenario, scenario.defaultSeed, loadTerminal, {}, withTabs));
  }

  private replace(session: LabSession): LabSession {
    this.session = session;
    this.terminalSent = 0;
    this.revision += 1;
    return session;
  }

  private async fresh(seed?: number): Promise<LabSession> {
    const scenario = await this.loadScenario();
    return this.replace(new LabSession(scenario, seed ?? scenario.defaultSeed, loadTerminal, {}, withTabs));
  }

  /** Opens a link to this lab; undefined when the fragment is no such link (a heading's anchor). */
  private async openLink(fragment: string, progress: LabProgress): Promise<LabOutcome | undefined> {
    const decoded = await readPermalinkFragment(fragment, this.scenarioId);
    if (decoded === undefined) return undefined;
    if (!decoded.ok) {
      await this.fresh();
      return { message: `${decoded.error} Showing the scenario's start instead.`, origin: 'link' };
    }
    const { record } = decoded;
    const announce = `Opened a shared state: seed ${record.seed}, ${record.actions.length} actions.`;
    return { ...(await this.restore(record, announce, progress)), origin: 'link' };
  }

  /** A link in the fragment wins, then the session kept in this browser, then the start. */
  private async open(fragment: string, stored: unknown, progress: LabProgress): Promise<LabOutcome> {
    const linked = await this.openLink(fragment, progress);
    if (linked !== undefined) return linked;
    if (stored === undefined) {
      await this.fresh();
      return { message: '', origin: 'start' };
    }
    const parsed = parseLabRecord(stored);
    if (!parsed.ok || parsed.record.scenario !== this.scenarioId) {
      await this.fresh();
      return {
        message: 'The session saved in this browser could not be read; starting afresh.',
        origin: 'start',
      };
    }
    const announce =
      parsed.record.actions.length > 0 ? 'Restored your session from this browser; Restart clears it.' : '';
    return { ...(await this.restore(parsed.record, announce, progress)), origin: 'storage' };
  }

  private async reopen(stored: unknown, announce: string, progress: LabProgress): Promise<LabOutcome> {
    const parsed = parseLabRecord(stored);
    if (!parsed.ok) {
      await this.fresh();
      return { message: `${parsed.error} Showing the scenario's start instead.` };
    }
    return this.restore(parsed.record, announce, progress);
  }

  /** Rebuilds a session by replaying a record; a record that cannot be replayed leaves the start. */
  private async restore(record: LabRecord, announce: string, progress: LabProgress): Promise<LabOutcome> {
    const scenario = await this.loadScenario();
    const openTerminal = record.actions.some((action) => action.kind === 'command');
    progress({ message: `Replaying ${record.actions.length} actions…` });
    try {
      const { session, warning } = await LabSession.restore(
        scenario,
        record,
        loadTerminal,
        (done, all) => progress({ message: `Replaying ${done} of ${all} actions…` }),
        {},
        withTabs,
      );
      this.replace(session);
      return { message: joined(announce, warning), openTerminal };
    } catch (error) {
      this.replace(new LabSession(scenario, record.seed, loadTerminal, {}, withTabs));
      return {
        message: `This state could not be rebuilt (${errorText(error)}); showing the scenario's start.`,
        openTerminal,
      };
    }
  }

  private async step(): Promise<LabOutcome> {
    const session = await this.current();
    if (session.finished) return {};
    const wasPast = session.viewingPast;
    session.next();
    this.revision += 1;
    return { message: `${wasPast ? 'Back to the present first. ' : ''}${this.stepAnnouncement(session)}` };
  }

  private stepAnnouncement(session: LabSession): string {
    const index = session.completedSteps - 1;
    const transcript = session.steps[index];
    if (transcript === undefined) return '';
    const outcome = transcript.failures.length > 0 ? ' An expectation failed.' : '';
    const total = session.scenario.steps.length;
    return `Step ${index + 1} of ${total} done: ${transcript.title}. ${transcript.lines.at(-1) ?? ''}${outcome}`;
  }

  private async back(progress: LabProgress): Promise<LabOutcome> {
    const session = await this.current();
    if (session.completedSteps === 0) return {};
    const announce = `Back to the state after step ${session.completedSteps - 1}.`;
    return this.restore(withoutLastStep(session.record()), announce, progress);
  }

  private async restart(seed: number): Promise<LabOutcome> {
    const session = await this.fresh(seed);
    return { message: `Restarted: the scenario is at its start with seed ${session.seed}.` };
  }

  private async reseed(seed: number, progress: LabProgress): Promise<LabOutcome> {
    const actions = [...(this.session?.actions ?? [])];
    const record: LabRecord = { scenario: this.scenarioId, seed, actions, cursor: undefined };
    const announce = `Seed ${seed}: the same ${actions.length} actions replayed on a new random draw.`;
    return this.restore(record, announce, progress);
  }

  /** Forward by running steps; backward by replaying the actions before that step. */
  private async goto(step: number, progress: LabProgress): Promise<LabOutcome> {
    const session = await this.current();
    if (step < session.completedSteps) {
      const record = session.record();
      const kept: LabRecord['actions'] = [];
      let steps = 0;
      for (const action of record.actions) {
        if (action.kind === 'step' && steps === step) break;
        if (action.kind === 'step') steps += 1;
        kept.push(action);
      }
      const announce = `Brought back to the state after step ${step}.`;
      return this.restore({ ...record, actions: kept, cursor: undefined }, announce, progress);
    }
    let outcome: LabOutcome = {};
    while (session.completedSteps < step && !session.finished) outcome = await this.step();
    return outcome;
  }

  private async seek(position: number): Promise<LabOutcome> {
    const session = await this.current();
    const { simulation } = session;
    const target = Math.max(0, Math.min(simulation.length, Math.round(position)));
    session.seek(target);
    this.revision += 1;
    return {
      message: session.viewingPast
        ? `Showing the cluster after event ${simulation.position} of ${simulation.length}.`
        : 'Showing the present.',
    };
  }

  /** Ctrl-C on a tab's held command. */
  private async stop(tab: number): Promise<LabOutcome> {
    const session = await this.current();
    if (!session.stop(tab)) return {};
    this.revision += 1;
    return { message: `Stopped the command in terminal ${tab + 1}.` };
  }

  /** Opens or closes a terminal tab. */
  private async tab(tab: number, open: boolean): Promise<LabOutcome> {
    const session = await this.current();
    if (!(open ? session.openTab(tab) : session.closeTab(tab))) return {};
    this.revision += 1;
    return {};
  }

  /** Runs a command line, reporting the simulated time it has taken every quarter second. */
  private async command(
    line: string,
    progress: LabProgress,
    interrupted: () => boolean,
    tab?: number,
  ): Promise<LabOutcome> {
    const session = await this.current();
    const { simulation } = session;
    const startedAtMs = simulation.nowMs;
    // The command hands the thread back now and then; this reports how much simulated time passed.
    const ticker = setInterval(
      () => progress({ elapsedSeconds: (simulation.nowMs - startedAtMs) / 1000 }),
      250,
    );
    try {
      const running = session.run(line, undefined, tab);
      // Ctrl-C may have come while this work waited for the session: the line stops at its start.
      if (interrupted()) session.cancel();
      const entry = await running;
      const seconds = ((simulation.nowMs - startedAtMs) / 1000).toFixed(1);
      return {
        message: `Command finished with exit code ${entry.exitCode} after ${seconds} s of simulated time.`,
      };
    } catch (error) {
      return { message: `The simulator failed: ${errorText(error)}` };
    } finally {
      clearInterval(ticker);
      this.revision += 1;
    }
  }

  private async share(): Promise<LabOutcome> {
    const session = await this.current();
    return { link: await encodeLabPermalink(session.record()) };
  }

  /** Whether a part of the view differs from what the page was last sent (and notes it as sent). */
  private changed(key: string, value: unknown): boolean {
    const json = JSON.stringify(value) ?? 'undefined';
    if (this.sent.get(key) === json) return false;
    this.sent.set(key, json);
    return true;
  }

  private changedPictures(pictures: LabPictures): Partial<LabPictures> {
    const changed: Partial<Record<keyof LabPictures, unknown>> = {};
    for (const [key, value] of Object.entries(pictures) as [keyof LabPictures, unknown][])
      if (this.changed(key, value)) changed[key] = value;
    return changed as Partial<LabPictures>;
  }

  private view(): LabView {
    const session = this.session;
    if (session === undefined) throw new Error('the lab has no session yet');
    const { simulation } = session;
    const log = session.terminalLog;
    const terminalFrom = Math.min(this.terminalSent, log.length);
    this.terminalSent = log.length;
    return {
      revision: this.revision,
      seed: session.seed,
      completedSteps: session.completedSteps,
      ...(this.changed('transcripts', session.steps) ? { transcripts: [...session.steps] } : {}),
      terminalFrom,
      terminalEntries: log.slice(terminalFrom),
      terminalHeld: session.heldCommands,
      terminalTabs: [...session.tabs],
      timeline: {
        length: simulation.length,
        position: simulation.position,
        timeText: `${toStampMilli(simulation.nowMs)} virtual time`,
        stepEnds: [...session.stepEnds],
      },
      pictures: this.changedPictures(picturesOf(session)),
      record: compactRecord(session.record()),
    };
  }
}
