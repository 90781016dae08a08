import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// Goal: `?embed` on a page with several labs shows what the link names — `?embed=<scenario id>` only
// that lab (hydrated, the others hidden and never started), `?embed` alone every lab of the page,
// and an id the page has no lab for every lab too — without the article or the site's chrome.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const guide = '/guides/l7-cilium-vs-istio/';
const guideLabs = ['l7-cilium', 'istio-mistaken-identity', 'l7-envoy-blast-radius'];

/** Which of the guide's labs are shown (laid out with a height), by scenario id. */
async function shownLabs(page: Page): Promise<string[]> {
  return page.evaluate(
    (ids) =>
      ids.filter((id) => {
        const element = document.getElementById(`lab-${id}`);
        return element !== null && element.getBoundingClientRect().height > 0;
      }),
    guideLabs,
  );
}

async function open(query: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(siteUrl(`${guide}${query}`), { waitUntil: 'networkidle' });
  return page;
}

describe('?embed on a page with several labs', () => {
  it('?embed=<id> shows that lab alone, and it starts', async () => {
    const page = await open('?embed=istio-mistaken-identity');
    const problems = recordProblems(page);
    expect(await shownLabs(page)).toEqual(['istio-mistaken-identity']);
    await page.waitForSelector('#lab-istio-mistaken-identity[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('#lab-l7-cilium').getAttribute('data-ready')).not.toBe('true');
    expect(await page.getByRole('heading', { name: 'One Envoy for many tenants' }).isVisible()).toBe(false);
    expect(problems.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it.each([
    { name: '?embed alone shows every lab', query: '?embed' },
    { name: 'an id the page has no lab for shows every lab', query: '?embed=no-such-lab' },
  ])('$name', async ({ query }) => {
    const page = await open(query);
    expect(await shownLabs(page)).toEqual(guideLabs);
    expect(await page.getByRole('heading', { name: 'One Envoy for many tenants' }).isVisible()).toBe(false);
    await page.context().close();
  });

  it('a reference page: ?embed=reference-aws shows its lab, ready', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(siteUrl('/reference/aws-metadata/?embed=reference-aws'), { waitUntil: 'networkidle' });
    await page.waitForSelector('#lab-reference-aws[data-ready="true"]', { timeout: 60_000 });
    expect(await page.getByRole('heading', { name: 'Create the AWS Secret' }).isVisible()).toBe(false);
    await context.close();
  });
});
