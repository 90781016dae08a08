import { axeFor, violationSummary } from './setup/axe';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';
import { builtPagePaths } from './setup/pages';

// Every page of the built site must load cleanly, pass axe in both themes and fit a phone screen.
const pagePaths = builtPagePaths();
const themes = ['light', 'dark'] as const;

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
    // One load per theme serves both checks: the console is watched while the page loads, then axe
    // runs on what it ended up showing. Each theme is a fresh load (not a switch on a loaded page),
    // since a component may read the theme only once, when it starts.
    it.for(themes)(
      'loads with no console error or failed request, and has no axe violations, in the %s theme',
      async (theme, { expect, onTestFinished }) => {
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
      },
    );

    it('fits a 375 px wide screen without horizontal scrolling, its wide tables reachable by keyboard', async ({
      expect,
      onTestFinished,
    }) => {
      const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
      onTestFinished(() => context.close());
      const page = await context.newPage();
      await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Tables that fit a desktop scroll on a phone: each must scroll in a box a keyboard can focus.
      const results = await axeFor(page).withRules(['scrollable-region-focusable']).analyze();
      expect(results.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')))).toEqual([]);
    });
  });
});
