/**
 * Workshops: an ordered list of exercises with a title and an introduction. The site's own are
 * files under content/workshops/; any other can be handed out as a link, `v3.<base64url of
 * deflate-raw JSON>` with the JSON `["workshop", title, intro, [exercise ids]]`, which the shared
 * workshop page decodes in the reader's browser, checking every id against the site's exercises.
 * This module imports only the link codec, so that page stays light.
 */
import { bytesToBase64Url, deflateRaw, readCompressedPayload } from '../link-codec';
import type { Workshop } from './types';

/** The version of the workshop link format (`v3.`). */
export const workshopLinkVersion = 3;

/** Limits a shared workshop must keep, so a link stays a link. */
export const workshopLimits = { titleLength: 200, introLength: 4000, exercises: 50 } as const;

const kebabCase = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The problems of a workshop against the exercises that exist, as sentences; empty when fine. */
export function workshopProblems(workshop: Workshop, exerciseIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (!kebabCase.test(workshop.id)) problems.push(`id "${workshop.id}" is not kebab-case`);
  if (workshop.title.trim() === '') problems.push('the title is empty');
  if (workshop.title.length > workshopLimits.titleLength)
    problems.push(`the title is longer than ${workshopLimits.titleLength} characters`);
  if (workshop.intro.length > workshopLimits.introLength)
    problems.push(`the introduction is longer than ${workshopLimits.introLength} characters`);
  if (workshop.exercises.length === 0) problems.push('a workshop needs at least one exercise');
  if (workshop.exercises.length > workshopLimits.exercises)
    problems.push(`a workshop holds at most ${workshopLimits.exercises} exercises`);
  for (const id of workshop.exercises)
    if (!exerciseIds.has(id)) problems.push(`unknown exercise id "${String(id).slice(0, 60)}"`);
  if (new Set(workshop.exercises).size !== workshop.exercises.length)
    problems.push('an exercise is listed twice');
  return problems.map((problem) => `workshop ${workshop.id}: ${problem}`);
}

/** Encodes a workshop as a `v3.` link (its id is not carried: a shared workshop is `shared`). */
export async function encodeWorkshopLink(workshop: Workshop): Promise<string> {
  const json = JSON.stringify(['workshop', workshop.title, workshop.intro, workshop.exercises]);
  return `v${workshopLinkVersion}.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(json)))}`;
}

/** A decoded shared workshop, or why the link cannot be used. */
export type DecodedWorkshop = { ok: true; workshop: Workshop } | { ok: false; error: string };

/** Decodes a `v3.` workshop link against the ids of the site's exercises. */
export async function decodeWorkshopLink(
  text: string,
  exerciseIds: ReadonlySet<string>,
): Promise<DecodedWorkshop> {
  const payload = await readCompressedPayload(text, workshopLinkVersion);
  if (!payload.ok) return payload;
  const value = payload.value;
  const damaged = {
    ok: false,
    error: 'This workshop link is damaged: its list of exercises cannot be read.',
  } as const;
  if (!Array.isArray(value) || value.length !== 4 || value[0] !== 'workshop') return damaged;
  const [, title, intro, ids] = value as unknown[];
  if (typeof title !== 'string' || typeof intro !== 'string' || !Array.isArray(ids)) return damaged;
  if (!ids.every((id): id is string => typeof id === 'string')) return damaged;
  const workshop: Workshop = { id: 'shared', title, intro, exercises: ids };
  const problems = workshopProblems(workshop, exerciseIds);
  if (problems.length > 0)
    return {
      ok: false,
      error: `This workshop link cannot be opened: ${problems.map((problem) => problem.replace(/^workshop shared: /, '')).join('; ')}.`,
    };
  return { ok: true, workshop };
}
