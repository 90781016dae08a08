import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// Search (src/components/Search.astro) fetches Pagefind's UI only when its dialog first opens, stays
// usable from the keyboard, and finds each reference page by the terms it is about.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const pagefindRequest = (url: string): boolean => /pagefind|ui-core/i.test(url);

async function openReferencePage(): Promise<{ page: Page; requested: string[] }> {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(siteUrl('/reference/policy-language/'), { waitUntil: 'networkidle' });
  return { page, requested };
}

/** Types a query into the open dialog and returns the result links Pagefind shows. */
async function search(page: Page, query: string): Promise<string[]> {
  const input = page.getByRole('dialog').locator('input');
  await input.fill(query);
  const results = page.locator('#starlight__search .pagefind-ui__result-link');
  await results.first().waitFor();
  return results.evaluateAll((links) =>
    links.map((link) => new URL((link as HTMLAnchorElement).href).pathname),
  );
}

describe('search: loaded on first use', () => {
  it('fetches nothing of Pagefind until the dialog opens', async () => {
    const { page, requested } = await openReferencePage();
    await page.waitForTimeout(1_500);
    expect(requested.filter(pagefindRequest)).toEqual([]);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => requested.some(pagefindRequest)).toBe(true);
    await page.close();
  });

  it('opens with "/" and Ctrl+K, focuses its field, and closes with Escape', async () => {
    const { page } = await openReferencePage();
    const problems = recordProblems(page);
    await page.keyboard.press('/');
    const dialog = page.getByRole('dialog', { name: 'Search' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.keyboard.press('Control+k');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Control+k');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });
});

describe('search: the reference pages by their terms', () => {
  const cases = [
    { term: 'toFQDNs', page: '/reference/dns-based-policy/' },
    { term: 'toFQDNs', page: '/reference/policy-language/dns-names/' },
    { term: 'enableDefaultDeny', page: '/reference/enforcement-modes/' },
    { term: 'PolicyAuditMode', page: '/reference/policies-from-verdicts/' },
    { term: 'terminatingTLS', page: '/reference/tls-inspection/' },
    { term: 'toGroups', page: '/reference/aws-metadata/' },
    { term: 'STRIDE', page: '/reference/threat-model/' },
    { term: 'reserved:init', page: '/reference/endpoint-lifecycle/' },
    { term: 'ADA-CIL-18', page: '/reference/security-audit-2022/' },
  ];

  it.each(cases)('"$term" finds $page', async ({ term, page: expected }) => {
    const { page } = await openReferencePage();
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await search(page, term)).toContain(expected);
    await page.close();
  });
});
