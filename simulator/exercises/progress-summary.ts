/**
 * Where a reader's progress on an exercise is kept in the browser, and a summary of it that a page
 * can read without loading the simulator: a workshop's list shows each exercise as solved, started
 * or new from this alone. This module imports nothing, so it stays a few hundred bytes.
 *
 * The stored value is JSON `{ "progress": [...], "draft": "...", "history": [...], "aside": [...] }`,
 * `progress` being the compact record of progress.ts, whose field positions are fixed here.
 */

/** The few methods of the Web Storage API the site uses (localStorage, or a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The storage key of an exercise's progress. */
export function progressStorageKey(exerciseId: string): string {
  return `identity-lab:exercise:${exerciseId}`;
}

/** Positions of the compact progress record's fields (progress.ts writes them in this order). */
export const progressField = {
  tag: 0,
  exercise: 1,
  start: 2,
  solved: 3,
  solvedAt: 4,
  attempts: 5,
  hintsTaken: 6,
  solutionShown: 7,
  actions: 8,
  cursor: 9,
} as const;

/** The number of fields of a compact progress record. */
export const progressFieldCount = 10;

/** What a list of exercises shows for one of them. */
export interface ProgressSummary {
  solved: boolean;
  /** The reader ran something, took a hint or checked. */
  started: boolean;
  hintsTaken: number;
  solutionShown: boolean;
}

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;

/** Summarises a stored value; anything unreadable counts as not started (the exercise page says why). */
export function summarizeStoredProgress(text: string | null): ProgressSummary {
  const none: ProgressSummary = { solved: false, started: false, hintsTaken: 0, solutionShown: false };
  if (text === null) return none;
  let record: unknown;
  try {
    record = (JSON.parse(text) as { progress?: unknown }).progress;
  } catch {
    return none;
  }
  if (!Array.isArray(record) || record.length !== progressFieldCount) return none;
  const fields = record as unknown[];
  const actions = fields[progressField.actions];
  const hintsTaken = count(fields[progressField.hintsTaken]);
  return {
    solved: fields[progressField.solved] === 1,
    started:
      (Array.isArray(actions) && actions.length > 0) ||
      hintsTaken > 0 ||
      count(fields[progressField.attempts]) > 0,
    hintsTaken,
    solutionShown: fields[progressField.solutionShown] === 1,
  };
}

/** Reads the summary of an exercise from storage that may be missing or refuse access. */
export function readProgressSummary(
  storage: KeyValueStorage | undefined,
  exerciseId: string,
): ProgressSummary {
  let text: string | null = null;
  try {
    text = storage?.getItem(progressStorageKey(exerciseId)) ?? null;
  } catch {
    // A browser that refuses storage shows every exercise as new.
  }
  return summarizeStoredProgress(text);
}
