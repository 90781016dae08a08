/**
 * Keeps a reader's session in localStorage, so a reload loses nothing: what they ran (in the same
 * compact form as a permalink), the command line they were typing, and their command history.
 */
import { compactRecord, parseLabRecord, type LabRecord } from '../../simulator';

export interface StoredLab {
  record: LabRecord;
  draft: string;
  history: string[];
}

const storageKey = (scenario: string) => `identity-lab:lab:${scenario}`;

/** Storage can be missing or refused (private windows, blocked cookies); the widget works without it. */
function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** The stored session, undefined when there is none, or why the stored one cannot be used. */
export function loadLab(scenario: string): StoredLab | { error: string } | undefined {
  const text = storage()?.getItem(storageKey(scenario));
  if (text === null || text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { record?: unknown; draft?: unknown; history?: unknown };
    const parsed = parseLabRecord(value.record);
    if (!parsed.ok || parsed.record.scenario !== scenario)
      return { error: 'The session saved in this browser could not be read; starting afresh.' };
    return {
      record: parsed.record,
      draft: typeof value.draft === 'string' ? value.draft : '',
      history: Array.isArray(value.history)
        ? value.history.filter((entry): entry is string => typeof entry === 'string').slice(0, 100)
        : [],
    };
  } catch {
    return { error: 'The session saved in this browser could not be read; starting afresh.' };
  }
}

/** Saves the session; returns a message when the browser refused. */
export function saveLab(scenario: string, lab: StoredLab): string | undefined {
  const target = storage();
  if (target === undefined) return undefined;
  try {
    target.setItem(
      storageKey(scenario),
      JSON.stringify({ record: compactRecord(lab.record), draft: lab.draft, history: lab.history }),
    );
    return undefined;
  } catch {
    return 'This browser refused to save the session; it will not survive a reload.';
  }
}

export function clearLab(scenario: string): void {
  try {
    storage()?.removeItem(storageKey(scenario));
  } catch {
    // Nothing to clear when storage is unavailable.
  }
}
