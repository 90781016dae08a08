/**
 * A reader's progress on an exercise as data: whether it is solved, how often they checked, how
 * many hints they took, and what they did in the lab after the exercise's start. The same record
 * goes into local storage and, behind the `v2.` prefix, into a permalink; the start itself is not
 * stored, since the exercise's file rebuilds it (startRecord).
 *
 * `v2.<base64url of deflate-raw JSON>`, the JSON being
 * `["exercise", id, solved (0|1), attempts, hintsTaken, actions, cursor]` with actions in the lab
 * format's compact form (a run of scenario steps as a number, a command line as a string, an
 * interrupted one as `[line, checkpoint]`).
 */
import {
  compactActions,
  deflateRaw,
  bytesToBase64Url,
  parseActions,
  readCompressedPayload,
  type LabAction,
  type LabRecord,
} from '../permalink';
import { scenarios } from '../scenarios/catalog';
import { startRecord } from './session';
import type { Exercise } from './types';

/** The version of the progress record; a new shape gets a new number and old ones keep decoding. */
export const progressVersion = 1;

/** Progress on one exercise. */
export interface ExerciseProgress {
  version: typeof progressVersion;
  exercise: string;
  solved: boolean;
  /** How many times the goals were checked (after a command, a step or the Check button). */
  attempts: number;
  /** How many hints the reader has opened, in order. */
  hintsTaken: number;
  /** What the reader did after the start, in order. */
  actions: LabAction[];
  /** Position on the event log the reader was looking at; undefined means the present. */
  cursor: number | undefined;
}

/** The progress of a reader who has not started. */
export function freshProgress(exercise: Exercise): ExerciseProgress {
  return {
    version: progressVersion,
    exercise: exercise.id,
    solved: false,
    attempts: 0,
    hintsTaken: 0,
    actions: [],
    cursor: undefined,
  };
}

/** The whole lab record of a reader's session: the exercise's start, then their own actions. */
export function labRecordOf(exercise: Exercise, progress: ExerciseProgress): LabRecord {
  const start = startRecord(exercise);
  return { ...start, actions: [...start.actions, ...progress.actions], cursor: progress.cursor };
}

/** The compact JSON of a progress record. */
export function compactProgress(progress: ExerciseProgress): unknown[] {
  return [
    'exercise',
    progress.exercise,
    progress.solved ? 1 : 0,
    progress.attempts,
    progress.hintsTaken,
    compactActions(progress.actions),
    progress.cursor ?? null,
  ];
}

/** Encodes progress as a `v2.` link. */
export async function encodeExercisePermalink(progress: ExerciseProgress): Promise<string> {
  const json = JSON.stringify(compactProgress(progress));
  return `v2.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(json)))}`;
}

/** Decoded progress, or why the link or stored value cannot be used. */
export type DecodedProgress = { ok: true; progress: ExerciseProgress } | { ok: false; error: string };

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Checks a compact progress value against the exercises the site has. */
export function parseProgress(
  value: unknown,
  exercises: Readonly<Record<string, Exercise>>,
): DecodedProgress {
  if (!Array.isArray(value) || value.length !== 7 || value[0] !== 'exercise')
    return { ok: false, error: 'This link is damaged: its progress cannot be read.' };
  const [, id, solved, attempts, hintsTaken, rawActions, cursor] = value as unknown[];
  const exercise = typeof id === 'string' && Object.hasOwn(exercises, id) ? exercises[id] : undefined;
  if (exercise === undefined)
    return {
      ok: false,
      error: `This link names an exercise the site does not have (${String(id).slice(0, 40)}).`,
    };
  if ((solved !== 0 && solved !== 1) || !isCount(attempts) || !isCount(hintsTaken))
    return { ok: false, error: 'This link is damaged: its progress cannot be read.' };
  if (hintsTaken > exercise.hints.length)
    return { ok: false, error: `This link is damaged: the exercise has ${exercise.hints.length} hints.` };
  const steps = (scenarios[exercise.start.scenario]?.steps.length ?? 0) - exercise.start.steps;
  const parsed = parseActions(rawActions, steps);
  if (!parsed.ok) return parsed;
  if (cursor !== null && !isCount(cursor))
    return { ok: false, error: 'This link is damaged: its position on the timeline is not a whole number.' };
  return {
    ok: true,
    progress: {
      version: progressVersion,
      exercise: exercise.id,
      solved: solved === 1,
      attempts,
      hintsTaken,
      actions: parsed.actions,
      cursor: cursor ?? undefined,
    },
  };
}

/** Decodes a `v2.` exercise link against the site's exercises. */
export async function decodeExercisePermalink(
  text: string,
  exercises: Readonly<Record<string, Exercise>>,
): Promise<DecodedProgress> {
  const payload = await readCompressedPayload(text, 2);
  return payload.ok ? parseProgress(payload.value, exercises) : payload;
}
