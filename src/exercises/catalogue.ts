/**
 * The site's exercises and workshops as its pages show them: in catalogue order, with the words
 * for levels and sources, and each exercise's place in each workshop. Pages import this at build
 * time; widgets receive the small parts they need as props.
 */
import { exercises } from '../../content/exercises/index';
import { defaultWorkshopId, workshops } from '../../content/workshops/index';
import type { Exercise, ExerciseLevel, ExerciseSource, Workshop } from '../simulator-exercises';

export { defaultWorkshopId, exercises, workshops };

/** How a level reads on a page. */
export const levelLabel: Readonly<Record<ExerciseLevel, string>> = {
  'first-steps': 'First steps',
  intermediate: 'Intermediate',
  hard: 'Hard',
};

/** Where an exercise belongs, with the page it goes with. */
export const sourceLabel: Readonly<Record<ExerciseSource, { text: string; href: string }>> = {
  'mistaken-identity': { text: 'Mistaken identity guide', href: '/guides/mistaken-identity/' },
  'mutual-auth': { text: 'Mutual authentication guide', href: '/guides/mutual-auth/' },
  'l7-cilium-vs-istio': { text: 'L7 policy guide', href: '/guides/l7-cilium-vs-istio/' },
  reference: { text: 'Cilium security reference', href: '/reference/' },
};

/** The path of an exercise's page. */
export const exerciseHref = (id: string): string => `/exercises/${id}/`;

/** The path of a workshop's page. */
export const workshopHref = (id: string): string => `/workshops/${id}/`;

/** Every exercise, in catalogue order. */
export const exerciseList: readonly Exercise[] = Object.values(exercises);

/** Every workshop, the default one first. */
export const workshopList: readonly Workshop[] = Object.values(workshops);

/** What a list needs to show an exercise without loading it: id, title and level. */
export interface ExerciseEntry {
  id: string;
  title: string;
  level: string;
}

/** The entries of every exercise, for a shared workshop page that decodes its list in the browser. */
export const exerciseEntries: readonly ExerciseEntry[] = exerciseList.map((exercise) => ({
  id: exercise.id,
  title: exercise.title,
  level: levelLabel[exercise.level],
}));

/** Each workshop's exercise ids in order, for the "next exercise" of an exercise opened from it. */
export const workshopOrders: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  workshopList.map((workshop) => [workshop.id, workshop.exercises]),
);

/** Markdown flattened to one line of plain text, cut at a word before `length` characters. */
export function plainText(markdown: string, length: number): string {
  const text = markdown
    .replace(/\s+/g, ' ')
    .replace(/[`*_#>]/g, '')
    .trim();
  if (text.length <= length) return text;
  return `${text.slice(0, text.lastIndexOf(' ', length))}…`;
}
