/**
 * Progress that is never lost: what the browser keeps for each exercise (the progress record, the
 * half-typed command line, the command history, and a record put aside when a link replaced it),
 * and how a page chooses between a link and what the browser has. A link that cannot be used says
 * why and leaves the browser's record alone; a good link that would replace the reader's own
 * progress puts that progress aside instead of dropping it.
 */
import {
  compactProgress,
  decodeExercisePermalink,
  freshProgress,
  parseProgress,
  type ExerciseProgress,
} from './progress';
import { progressStorageKey, type KeyValueStorage } from './progress-summary';
import { startFingerprint } from './start';
import type { Exercise } from './types';

/** What the browser keeps for one exercise. */
export interface StoredExercise {
  progress: ExerciseProgress;
  /** The command line being typed. */
  draft: string;
  /** Earlier command lines, newest first. */
  history: string[];
  /** The reader's own progress, put aside when a link replaced it. */
  aside?: ExerciseProgress;
}

/** How many history lines are kept. */
const historyLimit = 100;

const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((entry): entry is string => typeof entry === 'string').slice(0, historyLimit)
    : [];

/** The stored record of an exercise; undefined when there is none, or why it cannot be used. */
export function loadStoredExercise(
  storage: KeyValueStorage | undefined,
  exercise: Exercise,
  exercises: Readonly<Record<string, Exercise>>,
): StoredExercise | { error: string } | undefined {
  let text: string | null;
  try {
    text = storage?.getItem(progressStorageKey(exercise.id)) ?? null;
  } catch {
    return undefined;
  }
  if (text === null) return undefined;
  const unreadable = {
    error: 'The progress saved in this browser could not be read; the exercise starts afresh.',
  };
  let value: { progress?: unknown; draft?: unknown; history?: unknown; aside?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return unreadable;
  }
  const parsed = parseProgress(value.progress, exercises);
  if (!parsed.ok || parsed.progress.exercise !== exercise.id) return unreadable;
  const aside = value.aside === undefined ? undefined : parseProgress(value.aside, exercises);
  return {
    progress: parsed.progress,
    draft: typeof value.draft === 'string' ? value.draft : '',
    history: strings(value.history),
    ...(aside?.ok === true && aside.progress.exercise === exercise.id ? { aside: aside.progress } : {}),
  };
}

/** Saves an exercise's record; returns a sentence when the browser refused. */
export function saveStoredExercise(
  storage: KeyValueStorage | undefined,
  stored: StoredExercise,
): string | undefined {
  if (storage === undefined) return undefined;
  try {
    storage.setItem(
      progressStorageKey(stored.progress.exercise),
      JSON.stringify({
        progress: compactProgress(stored.progress),
        draft: stored.draft,
        history: stored.history.slice(0, historyLimit),
        ...(stored.aside !== undefined ? { aside: compactProgress(stored.aside) } : {}),
      }),
    );
    return undefined;
  } catch {
    return 'This browser refused to save your progress; it will not survive a reload. A link (Share) keeps it.';
  }
}

/** Whether a record holds anything of the reader's. */
export function hasProgress(progress: ExerciseProgress): boolean {
  return (
    progress.actions.length > 0 ||
    progress.solved ||
    progress.attempts > 0 ||
    progress.hintsTaken > 0 ||
    progress.solutionShown
  );
}

/** Whether two records are the same progress. */
function sameProgress(a: ExerciseProgress, b: ExerciseProgress): boolean {
  return JSON.stringify(compactProgress(a)) === JSON.stringify(compactProgress(b));
}

/** What a page opens: the progress to replay, the typed line and history, and what to tell the reader. */
export interface OpenedExercise {
  stored: StoredExercise;
  /** Where the progress came from. */
  source: 'link' | 'browser' | 'fresh';
  /** Sentences for the reader (a link that could not be used, a record put aside, an older exercise). */
  messages: string[];
}

/** Why a fragment that is not an exercise link is not used here. */
function notAnExerciseLink(fragment: string): string | undefined {
  if (/^v1\./.test(fragment) || /^scenario-/.test(fragment))
    return "This link restores a guide's lab, not progress on an exercise, so it is not used here.";
  return undefined;
}

/**
 * Chooses what an exercise page opens from its URL fragment (without `#`) and the browser's
 * record. A usable link wins, putting the browser's own different progress aside; an unusable one
 * is explained and changes nothing.
 */
export async function openExercise(
  exercise: Exercise,
  exercises: Readonly<Record<string, Exercise>>,
  fragment: string,
  storage: KeyValueStorage | undefined,
): Promise<OpenedExercise> {
  const messages: string[] = [];
  const loaded = loadStoredExercise(storage, exercise, exercises);
  if (loaded !== undefined && 'error' in loaded) messages.push(loaded.error);
  const browser = loaded !== undefined && 'progress' in loaded ? loaded : undefined;
  const kept = (): OpenedExercise => ({
    stored: browser ?? { progress: freshProgress(exercise), draft: '', history: [] },
    source: browser === undefined ? 'fresh' : 'browser',
    messages,
  });
  const text = fragment.trim();
  if (!/^v\d+\./.test(text)) {
    const other = notAnExerciseLink(text);
    if (other !== undefined) messages.push(other);
    return kept();
  }
  const decoded = await decodeExercisePermalink(text, exercises);
  const yours = browser === undefined ? '' : ' Your progress in this browser is kept.';
  if (!decoded.ok) {
    messages.push(`${notAnExerciseLink(text) ?? decoded.error}${yours}`);
    return kept();
  }
  const progress = decoded.progress;
  if (progress.exercise !== exercise.id) {
    messages.push(`This link holds progress on another exercise (${progress.exercise}).${yours}`);
    return kept();
  }
  if (progress.start !== startFingerprint(exercise))
    messages.push(
      `This link was made on an earlier version of this exercise: its ${progress.actions.length} actions are replayed on the exercise as it is now, and may not end where they did.`,
    );
  const mine = browser?.progress;
  const aside =
    mine !== undefined && hasProgress(mine) && !sameProgress(mine, progress) ? mine : browser?.aside;
  if (aside !== undefined && aside === mine)
    messages.push('Your own progress from this browser is put aside; you can restore it.');
  return {
    stored: {
      progress,
      draft: browser?.draft ?? '',
      history: browser?.history ?? [],
      ...(aside !== undefined ? { aside } : {}),
    },
    source: 'link',
    messages,
  };
}
