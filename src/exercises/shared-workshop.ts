/**
 * The shared workshop page's script: decodes the workshop in the URL fragment against the site's
 * exercises (listed in the page as JSON), then shows its title, its introduction as plain
 * paragraphs and its exercises with this browser's progress. A link that cannot be opened says why.
 */
import { decodeWorkshopLink } from '../simulator-light';
import type { ExerciseEntry } from './catalogue';
import { fillProgressBadges } from './progress-badges';

/** Builds an element with text, never HTML: the link's text is the instructor's, not the site's. */
function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

/** Decodes the fragment and fills the page. */
export async function showSharedWorkshop(): Promise<void> {
  const root = document.getElementById('shared-workshop');
  const data = document.getElementById('exercise-entries')?.textContent ?? '[]';
  if (root === null) return;
  const entries = new Map((JSON.parse(data) as ExerciseEntry[]).map((entry) => [entry.id, entry]));
  const fragment = window.location.hash.slice(1);
  const decoded =
    fragment === ''
      ? ({
          ok: false,
          error: 'This page shows a workshop handed out as a link, and this address carries none.',
        } as const)
      : await decodeWorkshopLink(fragment, new Set(entries.keys()));
  root.replaceChildren();
  if (!decoded.ok) {
    root.dataset.state = 'error';
    const message = element('p', decoded.error);
    message.setAttribute('role', 'alert');
    root.append(message);
    return;
  }
  const { workshop } = decoded;
  root.dataset.state = 'ready';
  root.append(element('h2', workshop.title));
  for (const paragraph of workshop.intro.split(/\n\s*\n/).filter((text) => text.trim() !== ''))
    root.append(element('p', paragraph.trim()));
  root.append(element('h2', 'Exercises'));
  const summary = element('p');
  summary.dataset.progressSummary = '';
  const list = element('ol');
  for (const id of workshop.exercises) {
    const entry = entries.get(id);
    if (entry === undefined) continue;
    const item = element('li');
    item.dataset.exercise = id;
    const link = element('a', entry.title);
    link.href = `/exercises/${id}/`;
    const badge = element('span');
    badge.dataset.progress = '';
    item.append(link, ' · ', element('span', entry.level), ' · ', badge);
    list.append(item);
  }
  root.append(summary, list);
  fillProgressBadges(root);
}
