import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { defaultWorkshopId, workshops } from '../../../content/workshops/index';
import {
  decodeWorkshopLink,
  encodeWorkshopLink,
  workshopLimits,
  workshopProblems,
  type Workshop,
} from '../../../simulator/exercises/index';
import { bytesToBase64Url, deflateRaw } from '../../../simulator/link-codec';

// Workshops are files the build checks, and any other workshop is a link an instructor hands out:
// it round-trips, keeps decoding in every published form, and a link naming an exercise the site
// does not have (or otherwise broken) is refused with a sentence.

const ids = new Set(Object.keys(exercises));
const workshop = (changes: Partial<Workshop>): Workshop => ({
  id: 'shared',
  title: 'Policy basics',
  intro: 'Two exercises.',
  exercises: ['only-client', 'l7-get-hello'],
  ...changes,
});

describe('workshops: the files', () => {
  it('name only exercises that exist, each once', () => {
    for (const each of Object.values(workshops)) expect(workshopProblems(each, ids)).toEqual([]);
  });

  it('offer first a workshop that walks the three guides’ stories', () => {
    const first = workshops[defaultWorkshopId];
    const sources = new Set(first?.exercises.map((id) => exercises[id]?.source));
    expect(sources).toEqual(new Set(['mistaken-identity', 'mutual-auth', 'l7-cilium-vs-istio']));
  });

  const problems: { name: string; workshop: Workshop; problem: RegExp }[] = [
    {
      name: 'an unknown exercise',
      workshop: workshop({ exercises: ['nope'] }),
      problem: /unknown exercise id "nope"/,
    },
    {
      name: 'an exercise twice',
      workshop: workshop({ exercises: ['only-client', 'only-client'] }),
      problem: /listed twice/,
    },
    { name: 'no exercise', workshop: workshop({ exercises: [] }), problem: /at least one/ },
    {
      name: 'an id that is not kebab-case',
      workshop: workshop({ id: 'My Workshop' }),
      problem: /kebab-case/,
    },
    { name: 'an empty title', workshop: workshop({ title: ' ' }), problem: /title is empty/ },
    {
      name: 'an introduction too long for a link',
      workshop: workshop({ intro: 'x'.repeat(workshopLimits.introLength + 1) }),
      problem: /introduction is longer/,
    },
  ];
  it.each(problems.map((row) => [row.name, row] as const))('report %s', (_name, row) => {
    expect(workshopProblems(row.workshop, ids).join('\n')).toMatch(row.problem);
  });
});

describe('workshops: handed out as a link (v3)', () => {
  it('round-trips a workshop, whose id becomes shared', async () => {
    const shared = workshop({ id: 'anything', intro: 'Two exercises on **Cilium** policy, with ünïcödé.' });
    const link = await encodeWorkshopLink(shared);
    expect(link).toMatch(/^v3\.[A-Za-z0-9_-]+$/);
    expect(await decodeWorkshopLink(link, ids)).toEqual({ ok: true, workshop: { ...shared, id: 'shared' } });
  });

  it('decodes the fixture written when the format shipped', async () => {
    const fixture =
      'v3.HcpBDkBADAXQqzR_OZmxdQAXsLATCyYNjZqKEtxe4q1fj9uO1RfbEdGaSn5pGl2yI6K7jfjhI4uzkxUKoRGVawuB9v9WiD2s6JuyCpcTEVqnmc-0sKphGD4';
    expect(await decodeWorkshopLink(fixture, ids)).toEqual({
      ok: true,
      workshop: workshop({ intro: 'Two exercises on **Cilium** policy.' }),
    });
  });

  const linkOf = async (value: unknown): Promise<string> =>
    `v3.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(JSON.stringify(value))))}`;
  const refused: { name: string; text: () => Promise<string>; error: RegExp }[] = [
    {
      name: 'an exercise the site does not have',
      text: () => linkOf(['workshop', 'T', '', ['only-client', 'gone']]),
      error: /cannot be opened: unknown exercise id "gone"/,
    },
    { name: 'another tag', text: () => linkOf(['exercise', 'T', '', ['only-client']]), error: /damaged/ },
    { name: 'ids that are not strings', text: () => linkOf(['workshop', 'T', '', [1]]), error: /damaged/ },
    {
      name: 'more exercises than a workshop holds',
      text: () => linkOf(['workshop', 'T', '', Array.from({ length: 51 }, (_, index) => `e${index}`)]),
      error: /at most 50/,
    },
    {
      name: 'an exercise progress link',
      text: () => Promise.resolve('v2.AAAA'),
      error: /format 2, not format 3/,
    },
    { name: 'garbage', text: () => Promise.resolve('v3.%%%'), error: /does not hold/ },
  ];
  it.each(refused.map((row) => [row.name, row] as const))('refuses %s', async (_name, row) => {
    const decoded = await decodeWorkshopLink(await row.text(), ids);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(row.error);
  });
});
