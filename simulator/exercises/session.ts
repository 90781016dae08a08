/**
 * A reader working on an exercise: a lab session brought to the exercise's starting point (the
 * scenario's steps, then the start's command lines), the reader's own command lines after it, and
 * the goals checked against the world they reach.
 */
import type { InputEvent } from '../events';
import type { LabAction, LabRecord } from '../permalink';
import { scenarios } from '../scenarios/catalog';
import { LabSession, type TerminalEntry, type TerminalLoader } from '../scenarios/lab-session';
import type { Scenario } from '../scenarios/types';
import type { ApiObject } from '../k8s/objects';
import type { World } from '../world';
import { checkHolds, evaluateGoals, goalContext, throughoutChecks } from './goals/index';
import { objectNamed } from './goals/policies';
import type { Exercise, GoalCheck, GoalResult } from './types';

/** The scenario an exercise starts from; its id is checked when the exercise is validated. */
function scenarioOf(exercise: Exercise): Scenario {
  const scenario = scenarios[exercise.start.scenario];
  if (scenario === undefined)
    throw new Error(`exercise ${exercise.id}: unknown scenario ${exercise.start.scenario}`);
  return scenario;
}

/** The lab record of an exercise's starting point: its steps and its start command lines. */
export function startRecord(exercise: Exercise): LabRecord {
  const scenario = scenarioOf(exercise);
  const actions: LabAction[] = [
    ...Array.from({ length: exercise.start.steps }, (): LabAction => ({ kind: 'step' })),
    ...(exercise.start.commands ?? []).map((line): LabAction => ({ kind: 'command', line })),
  ];
  return {
    scenario: scenario.id,
    seed: exercise.start.seed ?? scenario.defaultSeed,
    actions,
    cursor: undefined,
  };
}

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
    });
  }

  /** Checks the `throughout` goals not yet broken, as a client calling all along would notice a gap. */
  private sampleThroughout(): void {
    const pending = throughoutChecks(this.exercise.goals).filter((check) => !this.broken.has(check));
    if (pending.length === 0) return;
    const context = this.context();
    for (const check of pending) if (!checkHolds(context, check.check)) this.broken.add(check);
  }

  /** Every goal, met or not, against the world as it stands now. */
  check(): GoalResult[] {
    return evaluateGoals(this.context(), this.exercise.goals);
  }
}

/** Whether every goal is met. */
export function allMet(results: readonly GoalResult[]): boolean {
  return results.every((result) => result.met);
}
