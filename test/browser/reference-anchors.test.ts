import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// Goal: a link to a section of the policy-language page from before it was split into parts lands
// on that section's new page (src/components/MovedAnchors.astro), replacing the old address in the
// history, and an anchor the overview still has stays where it is.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe('reference: moved policy-language anchors', () => {
  const cases = [
    {
      name: 'a section moved to the layer-3 page',
      from: '#endpoints',
      to: '/reference/policy-language/layer-3/#endpoints',
    },
    {
      name: 'a whole part moved to its own page',
      from: '#deny-policies',
      to: '/reference/policy-language/deny-policies/',
    },
    {
      name: 'a section the overview kept',
      from: '#how-the-pieces-combine',
      to: '/reference/policy-language/#how-the-pieces-combine',
    },
  ];
  it.each(cases)('$name: $from', async ({ from, to }) => {
    const page = await browser.newPage();
    const problems = recordProblems(page);
    await page.goto(siteUrl(`/reference/policy-language/${from}`), { waitUntil: 'load' });
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).hash).toBe(to);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });
});
