/**
 * A reader's progress on an exercise as data: whether it is solved (and after how many of their
 * actions, so a link's claim can be checked by replaying it), how often they pressed Check, how
 * many hints they opened, whether they looked at the solution, and what they did in the lab after
 * the exercise's start. The same record goes into local storage and, behind the `v2.` prefix, into
 * a permalink; the start itself is not stored, since the exercise's file rebuilds it, but its
 * fingerprint is, so a record made on an older version of the exercise is recognised.
 *
 * `v2.<base64url of deflate-raw JSON>`, the JSON being `["exercise", id, start, solved (0|1),
 * solvedAt (or null), attempts, hintsTaken, solutionShown (0|1), actions, cursor (or null)]`, the
 * actions in the lab format's compact form (a run of scenario steps as a number, a command line as
 * a string, an interrupted one as `[line, checkpoint]`). Positions: progress-summary.ts.
 */
import {
  bytesToBase64Url,
  compactActions,
  deflateRaw,
  parseActions,
  readCompressedPayload,
  type LabAction,
  type LabRecord,
} from '../permalink';
import { scenarios } from '../scenarios/catalog';
import { progressField, progressFieldCount } from './progress-summary';
import { startFingerprint, startRecord } from './start';
import type { Exercise } from './types';

/** The version of the exercise link format (`v2.`); a new shape gets a new number, old ones keep decoding. */
export const exerciseLinkVersion = 2;

/** Progress on one exercise. */
export interface ExerciseProgress {
  exercise: string;
  /** The fingerprint of the exercise's start the actions were made on (start.ts). */
  start: string;
  solved: boolean;
  /**
   * How many of `actions` had been done when every goal was first met; undefined when the actions
   * that solved it were reset away (the exercise stays solved) or it is not solved.
   */
  solvedAt: number | undefined;
  /** How many times the reader pressed Check. */
  attempts: number;
  /** How many hints the reader has opened, in order. */
  hintsTaken: number;
  /** Whether the reader asked to see the solution. */
  solutionShown: boolean;
  /** What the reader did after the start, in order. */
  actions: LabAction[];
  /** Position on the event log the reader was looking at; undefined means the present. */
  cursor: number | undefined;
}

/** The progress of a reader who has not started. */
export function freshProgress(exercise: Exercise): ExerciseProgress {
  return {
    exercise: exercise.id,
    start: startFingerprint(exercise),
    solved: false,
    solvedAt: undefined,
    attempts: 0,
    hintsTaken: 0,
    solutionShown: false,
    actions: [],
    cursor: undefined,
  };
}

/** The whole lab record of a reader's session: the exercise's start, then their own actions. */
export function labRecordOf(exercise: Exercise, progress: ExerciseProgress): LabRecord {
  const start = startRecord(exercise);
  return { ...start, actions: [...start.actions, ...progress.actions], cursor: progress.cursor };
}

/** The compact JSON of a progress record (its field positions: progress-summary.ts). */
export function compactProgress(progress: ExerciseProgress): unknown[] {
  const fields: unknown[] = new Array<unknown>(progressFieldCount);
  fields[progressField.tag] = 'exercise';
  fields[progressField.exercise] = progress.exercise;
  fields[progressField.start] = progress.start;
  fields[progressField.solved] = progress.solved ? 1 : 0;
  fields[progressField.solvedAt] = progress.solvedAt ?? null;
  fields[progressField.attempts] = progress.attempts;
  fields[progressField.hintsTaken] = progress.hintsTaken;
  fields[progressField.solutionShown] = progress.solutionShown ? 1 : 0;
  fields[progressField.actions] = compactActions(progress.actions);
  fields[progressField.cursor] = progress.cursor ?? null;
  return fields;
}

/** Encodes progress as a `v2.` link. */
export async function encodeExercisePermalink(progress: ExerciseProgress): Promise<string> {
  const json = JSON.stringify(compactProgress(progress));
  return `v${exerciseLinkVersion}.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(json)))}`;
}

/** Decoded progress, or why the link or stored value cannot be used. */
export type DecodedProgress = { ok: true; progress: ExerciseProgress } | { ok: false; error: string };

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const damaged = (what: string): DecodedProgress => ({ ok: false, error: `This link is damaged: ${what}.` });

/** Checks the counters of a compact record against the exercise; a fault is a sentence. */
function parseCounters(
  fields: readonly unknown[],
  exercise: Exercise,
): Omit<ExerciseProgress, 'exercise' | 'actions' | 'cursor'> | DecodedProgress {
  const start = fields[progressField.start];
  const solved = fields[progressField.solved];
  const solvedAt = fields[progressField.solvedAt];
  const attempts = fields[progressField.attempts];
  const hintsTaken = fields[progressField.hintsTaken];
  const solutionShown = fields[progressField.solutionShown];
  if (typeof start !== 'string' || !/^[0-9a-f]{12}$/.test(start))
    return damaged('its exercise version is unreadable');
  if ((solved !== 0 && solved !== 1) || (solutionShown !== 0 && solutionShown !== 1))
    return damaged('its progress cannot be read');
  if (!isCount(attempts) || !isCount(hintsTaken)) return damaged('its counters are not whole numbers');
  if (hintsTaken > exercise.hints.length)
    return damaged(`it counts ${hintsTaken} hints taken, and the exercise has ${exercise.hints.length}`);
  if (solvedAt !== null && (!isCount(solvedAt) || solved !== 1))
    return damaged('the moment it was solved is not a whole number of actions');
  return {
    start,
    solved: solved === 1,
    solvedAt: solvedAt ?? undefined,
    attempts,
    hintsTaken,
    solutionShown: solutionShown === 1,
  };
}

/** Checks a compact progress value against the exercises the site has. */
export function parseProgress(
  value: unknown,
  exercises: Readonly<Record<string, Exercise>>,
): DecodedProgress {
  if (!Array.isArray(value) || value.length !== progressFieldCount || value[progressField.tag] !== 'exercise')
    return damaged('its progress cannot be read');
  const fields = value as unknown[];
  const id = fields[progressField.exercise];
  const exercise = typeof id === 'string' && Object.hasOwn(exercises, id) ? exercises[id] : undefined;
  if (exercise === undefined)
    return {
      ok: false,
      error: `This link names an exercise the site does not have (${String(id).slice(0, 40)}).`,
    };
  const counters = parseCounters(fields, exercise);
  if ('ok' in counters) return counters;
  const steps = (scenarios[exercise.start.scenario]?.steps.length ?? 0) - exercise.start.steps;
  const parsed = parseActions(fields[progressField.actions], steps);
  if (!parsed.ok) return parsed;
  if (counters.solvedAt !== undefined && counters.solvedAt > parsed.actions.length)
    return damaged('it was solved after more actions than it holds');
  const cursor = fields[progressField.cursor];
  if (cursor !== null && !isCount(cursor))
    return damaged('its position on the timeline is not a whole number');
  return {
    ok: true,
    progress: { exercise: exercise.id, ...counters, actions: parsed.actions, cursor: cursor ?? undefined },
  };
}

/** Decodes a `v2.` exercise link against the site's exercises. */
export async function decodeExercisePermalink(
  text: string,
  exercises: Readonly<Record<string, Exercise>>,
): Promise<DecodedProgress> {
  const payload = await readCompressedPayload(text, exerciseLinkVersion);
  return payload.ok ? parseProgress(payload.value, exercises) : payload;
}
