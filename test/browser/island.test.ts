import { axeFor } from './setup/axe';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// The home page tells the guide's story in ten seconds: four moments of the cut-off node's ipcache,
// recorded from the simulator at build time, play once when the demo comes into view; a reader can
// pause and step through them by mouse or keyboard, and one link leads into the guide.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

async function openHome(options: { reducedMotion?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    reducedMotion: options.reducedMotion === true ? 'reduce' : 'no-preference',
  });
  const page = await context.newPage();
  await page.goto(siteUrl('/'), { waitUntil: 'networkidle' });
  return page;
}

const demo = (page: Page) => page.getByTestId('stale-cache-demo');
/** The index of the moment shown. */
const shown = (page: Page) => demo(page).locator('.frame[data-current]').getAttribute('data-moment');

describe('home: the stale-cache demo', () => {
  it('plays from watching to the wrong client let in, by itself, within a dozen seconds', async () => {
    const page = await openHome();
    const problems = recordProblems(page);
    await demo(page).scrollIntoViewIfNeeded();
    await expect.poll(() => shown(page), { timeout: 15_000, interval: 250 }).toBe('3');
    const last = demo(page).locator('.frame[data-current]');
    expect(await last.locator('tr.reused').count()).toBe(1);
    expect(await last.textContent()).toContain('cut off from the API server');
    expect(await demo(page).getByRole('button', { name: 'Play again' }).count()).toBe(1);
    expect(
      await demo(page)
        .getByRole('link', { name: /mistaken-identity guide/ })
        .getAttribute('href'),
    ).toBe('/guides/mistaken-identity/');
    expect(problems.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('stays still for reduced motion and moves one moment per key press', async () => {
    const page = await openHome({ reducedMotion: true });
    await demo(page).scrollIntoViewIfNeeded();
    await page.waitForTimeout(4000);
    expect(await shown(page)).toBe('0');
    expect(await demo(page).locator('.frame[data-current]').textContent()).toContain(
      'watching the API server',
    );
    await demo(page).getByRole('button', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    expect(await shown(page)).toBe('1');
    await expect
      .poll(() => demo(page).locator('[data-position]').textContent())
      .toBe('Moment 2 of 4: Cut off.');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    expect(await shown(page)).toBe('3');
    await demo(page).getByRole('button', { name: 'Previous' }).click();
    expect(await shown(page)).toBe('2');
    const results = await axeFor(page).include('[data-testid="stale-cache-demo"]').analyze();
    expect(results.violations.map((violation) => violation.id)).toEqual([]);
    await page.context().close();
  });

  it('loads no simulator and no framework on the home page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.goto(siteUrl('/'), { waitUntil: 'networkidle' });
    expect(scripts.filter((path) => /simulator|xstate|client\.svelte|lab-worker/i.test(path))).toEqual([]);
    expect(await page.locator('astro-island').count()).toBe(0);
    await context.close();
  });
});
