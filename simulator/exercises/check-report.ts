/**
 * `npm run sim -- check`: runs command lines from an exercise's start, one after another as a
 * reader would type them (so goals that must hold throughout are sampled after each), then checks
 * every goal. The report lists each goal met (✓) or unmet (✗) with its sentence; the exit status
 * is 0 only when all are met, 1 otherwise (2, for a command line that cannot run, is the CLI's).
 */
import type { TerminalEntry, TerminalLoader } from '../scenarios/lab-session';
import { ExerciseSession, allMet } from './session';
import type { Exercise, GoalResult } from './types';

/** What a check run printed and found. */
export interface CheckRun {
  entries: TerminalEntry[];
  results: GoalResult[];
}

/** Runs the lines from the exercise's start and checks the goals. */
export async function runExerciseCheck(
  exercise: Exercise,
  lines: readonly string[],
  loadTerminal: TerminalLoader,
): Promise<CheckRun> {
  const session = await ExerciseSession.start(exercise, loadTerminal);
  const entries: TerminalEntry[] = [];
  for (const line of lines) entries.push(await session.run(line));
  return { entries, results: session.check() };
}

/** The report after the commands' own output, and the exit status. */
export function checkReport(
  exercise: Exercise,
  results: readonly GoalResult[],
): { text: string; exitCode: 0 | 1 } {
  const unmet = results.filter((result) => !result.met).length;
  const lines = [
    '',
    exercise.title,
    ...results.map((result) => `${result.met ? '✓' : '✗'} ${result.sentence}`),
    allMet(results) ? 'Solved: every goal is met.' : `${unmet} of ${results.length} goals not met yet.`,
  ];
  return { text: `${lines.join('\n')}\n`, exitCode: allMet(results) ? 0 : 1 };
}
