import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { movedAnchors } from '../../../content/reference/policy-language-anchors';
import { headingSlugs } from './pages';

// Goal: a link made before the policy-language page was split into its parts still lands. Every
// anchor the single page had either is still on the overview or is sent on by the overview's
// MovedAnchors table to a heading (or a page) that exists.

/** The headings of the single page before the split, as Starlight slugged them. */
const anchorsBeforeSplit = [
  'how-the-pieces-combine',
  'layer-3-who-may-talk',
  'endpoints',
  'additional-label-requirements-fromrequires-torequires',
  'services',
  'entities',
  'nodes',
  'ip-and-cidr',
  'dns-names-tofqdns',
  'layer-4-ports-and-protocols',
  'icmp-and-icmpv6-types',
  'tls-server-names',
  'layer-7-requests',
  'http',
  'kafka-beta',
  'dns',
  'watching-dns-without-blocking-it',
  'when-a-refused-lookup-breaks-the-search-list',
  'deny-policies',
  'policies-from-files-on-the-node',
  'host-policies',
  'source',
];

const overview = readFileSync(join(process.cwd(), 'content/reference/policy-language.mdx'), 'utf8');

describe('reference: policy-language anchors after the split', () => {
  it.each(anchorsBeforeSplit)('#%s still lands', (anchor) => {
    const stays = headingSlugs(overview).includes(anchor);
    expect(stays || Object.hasOwn(movedAnchors, anchor), `#${anchor} is neither kept nor moved`).toBe(true);
    if (stays) expect(Object.hasOwn(movedAnchors, anchor)).toBe(false);
  });

  it.each(Object.entries(movedAnchors))('#%s → %s exists', (_anchor, target) => {
    const [path = '', heading] = target.split('#');
    const file = join(process.cwd(), 'content', `${path.replace(/^\/|\/$/g, '')}.mdx`);
    expect(existsSync(file), `${file} is missing`).toBe(true);
    if (heading !== undefined) expect(headingSlugs(readFileSync(file, 'utf8'))).toContain(heading);
  });
});
