/**
 * Keeps a reader's session in localStorage, so a reload loses nothing: what they ran (the compact
 * record a link carries, which the lab's worker writes and checks), the command line they were
 * typing, and their command history.
 */

export interface StoredLab {
  /** The compact record (permalink.ts); `null` when what was stored could not be read at all. */
  record: unknown;
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

/**
 * The stored session, or undefined when there is none. The record is not checked here (the worker
 * does that, and says so when it cannot be used); text that is not JSON gives a `null` record.
 */
export function loadLab(scenario: string): StoredLab | undefined {
  const text = storage()?.getItem(storageKey(scenario));
  if (text === null || text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null) return { record: null, draft: '', history: [] };
  return {
    record: 'record' in value ? value.record : null,
    draft: 'draft' in value && typeof value.draft === 'string' ? value.draft : '',
    history:
      'history' in value && Array.isArray(value.history)
        ? value.history.filter((entry): entry is string => typeof entry === 'string').slice(0, 100)
        : [],
  };
}

/** Saves the session; returns a message when the browser refused. */
export function saveLab(scenario: string, lab: StoredLab): string | undefined {
  const target = storage();
  if (target === undefined) return undefined;
  try {
    target.setItem(storageKey(scenario), JSON.stringify(lab));
    return undefined;
  } catch {
    return 'This browser refused to save the session; it will not survive a reload.';
  }
}

/** A write waiting for the reader to pause: `flush` does it now, `cancel` drops it. */
export interface PendingWrite {
  flush: () => void;
  cancel: () => void;
}

/**
 * Runs `write` once `pauseMs` have passed, in the browser's next idle period (where it has one:
 * Safari has no requestIdleCallback), so that a write never delays the key pressed after it.
 * `flush` writes at once if the write has not run yet (the page is going away).
 */
export function whenPaused(write: () => void, pauseMs: number): PendingWrite {
  let done = false;
  let idle: number | undefined;
  const run = (): void => {
    if (done) return;
    done = true;
    write();
  };
  const timer = setTimeout(() => {
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(run, { timeout: 1000 });
    else run();
  }, pauseMs);
  return {
    flush: run,
    cancel: () => {
      done = true;
      clearTimeout(timer);
      if (idle !== undefined) cancelIdleCallback(idle);
    },
  };
}
