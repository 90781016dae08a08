/**
 * A reader working on an exercise: a lab session brought to the exercise's starting point (the
 * scenario's steps, then the start's command lines), the reader's own command lines after it, and
 * the goals checked against the world they reach.
 */
import type { InputEvent } from '../events';
import type { LabAction } from '../permalink';
import { LabSession, type TerminalEntry, type TerminalLoader } from '../scenarios/lab-session';
import type { ApiObject } from '../k8s/objects';
import type { World } from '../world';
import { checkHolds, evaluateGoals, goalContext, throughoutChecks } from './goals/index';
import { WorldVerdicts } from './goals/verdicts';
import { objectNamed } from './goals/policies';
import type { ExerciseProgress } from './progress';
import { scenarioOf, startFingerprint, startRecord } from './start';
import type { Exercise, GoalCheck, GoalResult } from './types';

/** The objects that `unchanged` goals compare against, as the start left them. */
function objectsAtStart(exercise: Exercise, world: Readonly<World>): Map<GoalCheck, ApiObject | undefined> {
  const objects = new Map<GoalCheck, ApiObject | undefined>();
  for (const { check } of exercise.goals)
    if (check.kind === 'object' && check.unchanged === true) objects.set(check, objectNamed(world, check));
  return objects;
}

export class ExerciseSession {
  /** `throughout` checks that failed after one of the reader's actions; they stay unmet. */
  private readonly broken = new Set<GoalCheck>();
  private readonly atStart: ReadonlyMap<GoalCheck, ApiObject | undefined>;
  /** Verdicts and the probes' copy of the world, reused by checks until the world moves on. */
  private readonly verdicts = new WorldVerdicts();
  private solved = false;
  private solvedAt: number | undefined;
  private attempts = 0;
  private hintsTaken = 0;
  private solutionShown = false;

  private constructor(
    readonly exercise: Exercise,
    readonly lab: LabSession,
    /** How many lab actions, timeline steps and terminal entries belong to the start, not to the reader. */
    private readonly startActions: number,
    private readonly startTimeline: number,
    private readonly startEntries: number,
  ) {
    this.atStart = objectsAtStart(exercise, lab.simulation.state);
  }

  /** Brings a new lab to the exercise's starting point. */
  static async start(exercise: Exercise, loadTerminal: TerminalLoader): Promise<ExerciseSession> {
    const record = startRecord(exercise);
    const { session } = await LabSession.restore(
      scenarioOf(exercise),
      record,
      loadTerminal,
      undefined,
      exercise.start.files ?? {},
    );
    return new ExerciseSession(
      exercise,
      session,
      session.actions.length,
      session.simulation.steps.length,
      session.terminalLog.length,
    );
  }

  /**
   * Starts the exercise and replays what the reader did after the start (their saved actions),
   * sampling the `throughout` goals after each as when they first did it. `onAction` hears how
   * many actions have been replayed (for a progress bar) and may inspect the session between them.
   */
  static async resume(
    exercise: Exercise,
    actions: readonly LabAction[],
    loadTerminal: TerminalLoader,
    onAction?: (done: number, session: ExerciseSession) => void,
  ): Promise<ExerciseSession> {
    const session = await ExerciseSession.start(exercise, loadTerminal);
    for (const [index, action] of actions.entries()) {
      if (action.kind === 'step') session.step();
      else if (action.kind === 'stop') session.lab.stop(action.tab);
      else if (action.kind === 'open-tab') session.lab.openTab(action.tab);
      else if (action.kind === 'close-tab') session.lab.closeTab(action.tab);
      else await session.run(action.line, action.stopAt);
      onAction?.(index + 1, session);
    }
    return session;
  }

  /** Runs one of the reader's command lines (`stopAt` replays an interrupted one). */
  async run(line: string, stopAt?: number): Promise<TerminalEntry> {
    const entry = await this.lab.run(line, stopAt);
    this.sampleThroughout();
    return entry;
  }

  /** Runs the scenario's next step, for an exercise whose scenario has steps left. */
  step(): void {
    this.lab.next();
    this.sampleThroughout();
  }

  /** Interrupts the running command line, as Ctrl-C does. */
  cancel(): void {
    this.lab.cancel();
  }

  /** What the reader did after the start, in order (what progress keeps). */
  get readerActions(): LabAction[] {
    return this.lab.actions.slice(this.startActions);
  }

  /** The reader's command lines and what they printed (the start's are not shown as theirs). */
  get readerEntries(): readonly TerminalEntry[] {
    return this.lab.terminalLog.slice(this.startEntries);
  }

  /** The inputs the reader's command lines sent to the world. */
  get readerInputs(): InputEvent[] {
    return this.lab.simulation.steps
      .slice(this.startTimeline)
      .flatMap((step) => (step.kind === 'input' ? [step.event] : []));
  }

  private context() {
    return goalContext(this.lab.simulation.state, {
      readerInputs: this.readerInputs,
      atStart: this.atStart,
      broken: this.broken,
      verdicts: this.verdicts,
    });
  }

  /** Checks the `throughout` goals not yet broken, as a client calling all along would notice a gap. */
  private sampleThroughout(): void {
    const pending = throughoutChecks(this.exercise.goals).filter((check) => !this.broken.has(check));
    if (pending.length === 0) return;
    const context = this.context();
    for (const check of pending) if (!checkHolds(context, check.check)) this.broken.add(check);
  }

  /**
   * Every goal, met or not, against the world shown. The first time all are met, the exercise
   * counts as solved after the reader's actions so far.
   */
  check(): GoalResult[] {
    const results = evaluateGoals(this.context(), this.exercise.goals);
    if (!this.solved && allMet(results)) {
      this.solved = true;
      this.solvedAt = this.readerActions.length;
    }
    return results;
  }

  /** The reader's own check (the Check button): counted as an attempt. */
  attempt(): GoalResult[] {
    this.attempts += 1;
    return this.check();
  }

  /** Opens the next hint and returns it; undefined when every hint is open. */
  takeHint(): string | undefined {
    const hint = this.exercise.hints[this.hintsTaken];
    if (hint !== undefined) this.hintsTaken += 1;
    return hint;
  }

  /** The hints opened so far, in order. */
  get hintsOpen(): readonly string[] {
    return this.exercise.hints.slice(0, this.hintsTaken);
  }

  /** Notes that the reader asked for the solution (the site then plays it on a fresh start). */
  markSolutionShown(): void {
    this.solutionShown = true;
  }

  /** Whether every goal has been met at some check. */
  get isSolved(): boolean {
    return this.solved;
  }

  /** The reader's progress as a record for storage and links. */
  progress(): ExerciseProgress {
    return {
      exercise: this.exercise.id,
      start: startFingerprint(this.exercise),
      solved: this.solved,
      solvedAt: this.solvedAt,
      attempts: this.attempts,
      hintsTaken: this.hintsTaken,
      solutionShown: this.solutionShown,
      actions: this.readerActions,
      cursor: this.lab.cursor,
    };
  }

  /**
   * Carries the counters of earlier progress over (after a Reset or a replay): the actions are the
   * session's own, and a solve stays a solve even when the actions that made it are gone.
   */
  carryOver(progress: Pick<ExerciseProgress, 'solved' | 'attempts' | 'hintsTaken' | 'solutionShown'>): void {
    this.attempts = progress.attempts;
    this.hintsTaken = Math.min(progress.hintsTaken, this.exercise.hints.length);
    this.solutionShown = progress.solutionShown;
    if (progress.solved && !this.solved) this.solved = true;
  }

  /**
   * Rebuilds a session from progress: replays the actions, checks at `solvedAt` that they did
   * solve it, and shows the position the reader looked at. A claim that the replay does not bear
   * out, or a position past the end, comes back as a warning instead of failing.
   */
  static async restore(
    exercise: Exercise,
    progress: ExerciseProgress,
    loadTerminal: TerminalLoader,
    onAction?: (done: number, total: number) => void,
  ): Promise<{ session: ExerciseSession; warnings: string[] }> {
    const warnings: string[] = [];
    let verified = false;
    const session = await ExerciseSession.resume(
      exercise,
      progress.actions,
      loadTerminal,
      (done, current) => {
        if (done === progress.solvedAt) verified = allMet(current.check());
        onAction?.(done, progress.actions.length);
      },
    );
    if (progress.solvedAt === undefined) session.carryOver(progress);
    else {
      session.carryOver({ ...progress, solved: verified });
      if (!verified)
        warnings.push(
          'The record says this exercise was solved, but replaying its commands does not meet every goal, so it is not marked solved.',
        );
    }
    if (progress.cursor !== undefined) {
      if (progress.cursor > session.lab.simulation.length)
        warnings.push(
          `The record pointed past the end of its timeline (event ${progress.cursor} of ${session.lab.simulation.length}); showing the end.`,
        );
      else session.lab.seek(progress.cursor);
    }
    return { session, warnings };
  }
}

/** Whether every goal is met. */
export function allMet(results: readonly GoalResult[]): boolean {
  return results.every((result) => result.met);
}
