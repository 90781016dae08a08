import { axeFor, violationSummary } from './setup/axe';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';
import { builtPagePaths } from './setup/pages';

// Every page of the built site must load cleanly, pass axe in both themes and fit a phone screen.
const pagePaths = builtPagePaths();
// The 375 px check runs on the light load, the theme a phone without a stored choice shows.
const loads = [
  {
    theme: 'light',
    also: ', then fits a 375 px wide screen without horizontal scrolling, its wide tables reachable by keyboard',
    phone: true,
  },
  { theme: 'dark', also: '', phone: false },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe('site: code blocks', () => {
  it('are highlighted by Shiki at build time, in both themes, for yaml and bash', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl('/guides/mistaken-identity/'), { waitUntil: 'networkidle' });
    for (const language of ['yaml', 'bash']) {
      const block = page.locator(`.expressive-code pre[data-language="${language}"]`).first();
      expect(await block.count()).toBe(1);
      // Expressive Code writes one colour per theme as CSS variables on each token.
      const coloured = await block.locator('span[style*="--0:"][style*="--1:"]').count();
      expect(coloured).toBeGreaterThan(3);
    }
    await page.close();
  });
});

describe('site: the sidebar', () => {
  it('links every guide and reference page, so a reader can reach each one from any page', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl('/guides/mistaken-identity/'), { waitUntil: 'networkidle' });
    const linked = await page
      .locator('#starlight__sidebar a[href]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    const sections = pagePaths.filter((path) => /^\/(guides|reference)\//.test(path));
    expect(sections.length).toBeGreaterThan(20);
    expect([...new Set(linked)].filter((href) => sections.includes(href ?? '')).sort()).toEqual(sections);
    await page.close();
  });
});

// The pages' own checks run two at a time: nearly all of their time is axe inside Chromium's page
// processes, so two pages keep the CI machine's two cores busy where one left a core idle.
// `maxConcurrency` in vitest.browser.config.ts sets the two.
describe.concurrent('site: every page', () => {
  it('the build produced the pages the sidebar links to', ({ expect }) => {
    expect(pagePaths).toEqual(
      expect.arrayContaining(['/', '/about/', '/guides/mistaken-identity/', '/reference/']),
    );
  });

  describe.each(pagePaths)('%s', (path) => {
    // One load per theme serves every check: the console is watched while the page loads, then axe
    // runs on what it ended up showing. Each theme is a fresh load (not a switch on a loaded page),
    // since a component may read the theme only once, when it starts. The light load then narrows
    // to a phone's width for the 375 px check, which used to be a third load of its own.
    it.for(loads)(
      'loads with no console error or failed request, and has no axe violations, in the $theme theme$also',
      async ({ theme, phone }, { expect, onTestFinished }) => {
        const context = await browser.newContext({ colorScheme: theme });
        onTestFinished(() => context.close());
        // Starlight reads the stored theme before first paint; setting it here tests the real switch.
        await context.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), theme);
        const page = await context.newPage();
        const problems = recordProblems(page);
        await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
        expect.soft(problems.consoleErrors).toEqual([]);
        expect.soft(problems.failedRequests).toEqual([]);
        expect(await page.getAttribute('html', 'data-theme')).toBe(theme);
        expect(violationSummary(await axeFor(page).analyze())).toEqual([]);
        if (phone) await expectFitsPhone(page, expect);
      },
    );
  });
});

/**
 * The 375 px check, on a page already loaded at the desktop width: the layout follows the viewport
 * through CSS media queries, and no script of the site sizes the page from the window's width.
 * A table or code block that fits a desktop scrolls on a phone: each must scroll in a box a keyboard
 * can focus. Code blocks the browser skips off screen get their focus stop on resize, without being
 * drawn (src/expressive-code/focus-scrollable-blocks.mjs).
 */
async function expectFitsPhone(page: Page, expect: ExpectStatic): Promise<void> {
  await page.setViewportSize({ width: 375, height: 740 });
  // Two frames: the resize's layout, and whatever resize handlers changed in it.
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'fits a 375 px wide screen without horizontal scrolling').toBeLessThanOrEqual(0);
  // Polled: the code blocks' resize script is imported on the first resize, a fetch away.
  await expect
    .poll(
      async () => {
        const results = await axeFor(page).withRules(['scrollable-region-focusable']).analyze();
        return results.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')));
      },
      { message: 'at 375 px, its wide tables and code blocks are reachable by keyboard' },
    )
    .toEqual([]);
}
