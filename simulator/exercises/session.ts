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
import { evaluateGoals, goalContext } from './goals/index';
import type { Exercise, GoalResult } from './types';

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

export class ExerciseSession {
  private constructor(
    readonly exercise: Exercise,
    readonly lab: LabSession,
    /** How many lab actions and timeline steps belong to the start, not to the reader. */
    private readonly startActions: number,
    private readonly startTimeline: number,
  ) {}

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
    return new ExerciseSession(exercise, session, session.actions.length, session.simulation.steps.length);
  }

  /** Starts the exercise and replays what the reader did after the start (their saved actions). */
  static async resume(
    exercise: Exercise,
    actions: readonly LabAction[],
    loadTerminal: TerminalLoader,
  ): Promise<ExerciseSession> {
    const session = await ExerciseSession.start(exercise, loadTerminal);
    for (const action of actions) {
      if (action.kind === 'step') session.lab.next();
      else await session.lab.run(action.line, action.stopAt);
    }
    return session;
  }

  /** Runs one of the reader's command lines. */
  run(line: string): Promise<TerminalEntry> {
    return this.lab.run(line);
  }

  /** What the reader did after the start, in order (what progress keeps). */
  get readerActions(): LabAction[] {
    return this.lab.actions.slice(this.startActions);
  }

  /** The inputs the reader's command lines sent to the world. */
  get readerInputs(): InputEvent[] {
    return this.lab.simulation.steps
      .slice(this.startTimeline)
      .flatMap((step) => (step.kind === 'input' ? [step.event] : []));
  }

  /** Every goal, met or not, against the world as it stands now. */
  check(): GoalResult[] {
    return evaluateGoals(goalContext(this.lab.simulation.state, this.readerInputs), this.exercise.goals);
  }
}

/** Whether every goal is met. */
export function allMet(results: readonly GoalResult[]): boolean {
  return results.every((result) => result.met);
}
