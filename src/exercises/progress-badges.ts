/**
 * Fills the progress badge of every exercise listed on a page (`[data-exercise]` items with a
 * `[data-progress]` element) from what this browser keeps, and a `[data-progress-summary]` line
 * with how many are solved. It loads only the light progress reader, never the simulator.
 */
import { readProgressSummary, type ProgressSummary } from '../simulator-light';
import { browserStorage } from '../widgets/exercise/exercise-storage';

/** The words of a badge. */
export function badgeText(summary: ProgressSummary): string {
  const state = summary.solved ? 'Solved' : summary.started ? 'Started' : 'Not started';
  const extras = [
    summary.hintsTaken > 0 ? `${summary.hintsTaken} ${summary.hintsTaken === 1 ? 'hint' : 'hints'}` : '',
    summary.solutionShown ? 'solution shown' : '',
  ].filter((part) => part !== '');
  return extras.length === 0 ? state : `${state} (${extras.join(', ')})`;
}

/** Fills the badges under `root`. */
export function fillProgressBadges(root: ParentNode = document): void {
  const storage = browserStorage();
  const items = [...root.querySelectorAll<HTMLElement>('[data-exercise]')];
  let solved = 0;
  for (const item of items) {
    const summary = readProgressSummary(storage, item.dataset.exercise ?? '');
    if (summary.solved) solved += 1;
    const badge = item.querySelector<HTMLElement>('[data-progress]');
    if (badge === null) continue;
    badge.textContent = badgeText(summary);
    badge.dataset.state = summary.solved ? 'solved' : summary.started ? 'started' : 'new';
  }
  const line = root.querySelector<HTMLElement>('[data-progress-summary]');
  if (line !== null) line.textContent = `${solved} of ${items.length} solved in this browser.`;
}
