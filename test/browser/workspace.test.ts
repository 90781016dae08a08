import { axeFor } from './setup/axe';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exercises } from '../../content/exercises/index';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// A lab opens from the article into a full-window workspace with one click or key and returns to the
// same place of the article with one (or Escape): the steps, the docked terminal and the chosen
// picture in one 1350×940 viewport, the pictures as WAI-ARIA tabs, one column on a phone, no axe
// violation in either theme. `?embed` shows a lab or an exercise alone, for another site's iframe.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const guidePath = '/guides/mistaken-identity/';
const seeADrop = exercises['see-a-drop'];
if (seeADrop === undefined) throw new Error('the see-a-drop exercise is missing');

/** The lab's pictures (the terminal has tabs of its own, which these tests leave alone). */
const pictures = (page: Page) => page.locator('.pictures');

async function newContext(
  options: { width?: number; height?: number; theme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1350, height: options.height ?? 940 },
  });
  if (options.theme !== undefined)
    await context.addInitScript((chosen) => localStorage.setItem('starlight-theme', chosen), options.theme);
  return context;
}

const lab = (page: Page) => page.getByTestId('scenario-widget');
const exerciseLab = (page: Page) => page.getByTestId('exercise-widget');
const openButton = (page: Page) => page.getByRole('button', { name: 'Open the lab full width' });

async function openGuide(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(siteUrl(`${guidePath}${query}`), { waitUntil: 'networkidle' });
  await lab(page).scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 60_000 });
  return page;
}

/** Whether the element's box lies within the viewport, wholly or (`part`) at least 80 px of it. */
async function inViewport(page: Page, element: Locator, part = false): Promise<boolean> {
  const box = await element.boundingBox();
  const viewport = page.viewportSize();
  if (box === null || viewport === null) return false;
  if (!part)
    return (
      box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height
    );
  const visibleHeight = Math.min(box.y + box.height, viewport.height) - Math.max(box.y, 0);
  return visibleHeight >= 80 && box.x >= 0 && box.x + box.width <= viewport.width;
}

async function axeViolations(page: Page, selector: string): Promise<string[]> {
  const results = await axeFor(page).include(selector).analyze();
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

describe('guide lab: the workspace', () => {
  it('opens by mouse with the terminal and the cluster in one 1350×940 viewport, and Escape returns to the same place', async () => {
    const context = await newContext();
    const page = await openGuide(context);
    const problems = recordProblems(page);
    const scrolledTo = await page.evaluate(() => window.scrollY);
    await openButton(page).click();
    expect(await lab(page).getAttribute('data-workspace')).toBe('true');
    expect(await page.getByRole('dialog', { name: /Lab workspace/ }).count()).toBe(1);
    await page.getByRole('button', { name: /Run step 1 of/ }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /Run step 2 of/ }).count(), { timeout: 60_000 })
      .toBe(1);
    const commandBox = page.getByRole('textbox', { name: /Command/ });
    const cluster = page.getByRole('list', { name: 'Nodes and their pods' });
    expect(await inViewport(page, commandBox)).toBe(true);
    expect(await inViewport(page, cluster, true)).toBe(true);
    expect(await inViewport(page, page.getByRole('button', { name: /Run step 2 of/ }))).toBe(true);
    // A command's output shows beside the picture.
    await commandBox.fill('kubectl get nodes');
    await commandBox.press('Enter');
    const log = page.getByRole('log', { name: 'Terminal output' });
    await expect.poll(() => log.textContent(), { timeout: 60_000 }).toContain('kind-worker3');
    expect(await inViewport(page, log, true)).toBe(true);
    expect(await inViewport(page, cluster, true)).toBe(true);

    await page.keyboard.press('Escape');
    expect(await lab(page).getAttribute('data-workspace')).toBe('false');
    expect(await page.evaluate(() => window.scrollY)).toBe(scrolledTo);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      'Open the lab full width',
    );
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('works from the keyboard: the toggle, the tabs (arrows, Home, End) and the way back', async () => {
    const context = await newContext();
    const page = await openGuide(context);
    await page.getByRole('button', { name: /Run step 1 of/ }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /Run step 2 of/ }).count(), { timeout: 60_000 })
      .toBe(1);
    // In the article the pictures are stacked, not tabs.
    expect(await pictures(page).getByRole('tab').count()).toBe(0);
    await openButton(page).focus();
    await page.keyboard.press('Enter');
    const toggle = page.getByRole('button', { name: 'Back to reading' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Back to reading');
    // The page behind the workspace is out of reach.
    expect(await page.locator('header.header').evaluate((header) => header.closest('[inert]') !== null)).toBe(
      true,
    );
    const tabs = pictures(page).getByRole('tab');
    const selected = () => pictures(page).getByRole('tab', { selected: true }).textContent();
    expect(await tabs.count()).toBeGreaterThan(2);
    expect(await selected()).toBe('Cluster');
    await pictures(page).getByRole('tab', { name: 'Cluster' }).focus();
    await page.keyboard.press('ArrowRight');
    const second = await selected();
    expect(second).not.toBe('Cluster');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('tab');
    expect(await pictures(page).getByRole('tabpanel').count()).toBe(1);
    await page.keyboard.press('End');
    expect(await selected()).toBe(await tabs.last().textContent());
    await page.keyboard.press('Home');
    expect(await selected()).toBe('Cluster');
    await page.keyboard.press('ArrowLeft');
    expect(await selected()).toBe(await tabs.last().textContent());
    // Tab moves from the tab list into the panel.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('tabpanel');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await lab(page).getAttribute('data-workspace')).toBe('false');
    expect(await pictures(page).getByRole('tab').count()).toBe(0);
    expect(await page.locator('[inert]').count()).toBe(0);
    await context.close();
  });

  it('opens from a button higher up in the article, and closing comes back to that button', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(siteUrl(guidePath), { waitUntil: 'networkidle' });
    const follow = page.getByRole('button', { name: /Follow along in the lab, full width/ });
    await follow.scrollIntoViewIfNeeded();
    const reading = await page.evaluate(() => window.scrollY);
    await follow.click();
    await expect.poll(() => lab(page).getAttribute('data-workspace'), { timeout: 60_000 }).toBe('true');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe('Back to reading');
    await page.keyboard.press('Escape');
    expect(await lab(page).getAttribute('data-workspace')).toBe('false');
    expect(await page.evaluate(() => window.scrollY)).toBe(reading);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/^Follow along/);
    await context.close();
  });

  it('is one column on a 375 px phone, with no sideways scrolling', async () => {
    const context = await newContext({ width: 375, height: 740 });
    const page = await openGuide(context);
    await page.getByRole('button', { name: /Run step 1 of/ }).click();
    await openButton(page).click();
    await expect.poll(() => pictures(page).getByRole('tab').count(), { timeout: 60_000 }).toBeGreaterThan(2);
    const widths = await page.evaluate(() => {
      const widget = document.querySelector('[data-testid="scenario-widget"]');
      return {
        page: document.documentElement.scrollWidth - window.innerWidth,
        widget: widget === null ? -1 : widget.scrollWidth - widget.clientWidth,
      };
    });
    expect(widths).toEqual({ page: 0, widget: 0 });
    await context.close();
  });

  it.each([['light' as const], ['dark' as const]])('has no axe violation in the %s theme', async (theme) => {
    const context = await newContext({ theme });
    const page = await openGuide(context);
    await page.getByRole('button', { name: /Run step 1 of/ }).click();
    await openButton(page).click();
    await expect.poll(() => pictures(page).getByRole('tab').count(), { timeout: 60_000 }).toBeGreaterThan(2);
    expect(await page.getAttribute('html', 'data-theme')).toBe(theme);
    expect(await axeViolations(page, '[data-testid="scenario-widget"]')).toEqual([]);
    await pictures(page).getByRole('tab', { name: 'Flows' }).click();
    expect(await axeViolations(page, '[data-testid="scenario-widget"]')).toEqual([]);
    await context.close();
  });
});

describe('exercise: the workspace', () => {
  it('shows the task and goals beside the docked terminal and is solved there; Escape returns', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(siteUrl('/exercises/see-a-drop/'), { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-testid="exercise-widget"][data-ready="true"]', { timeout: 60_000 });
    await openButton(page).click();
    expect(await exerciseLab(page).getAttribute('data-workspace')).toBe('true');
    const commandBox = page.getByRole('textbox', { name: /Command/ });
    for (const line of seeADrop.solution) {
      await commandBox.fill(line);
      await commandBox.press('Enter');
      await expect.poll(() => commandBox.inputValue(), { timeout: 60_000 }).toBe('');
    }
    await expect.poll(() => exerciseLab(page).getAttribute('data-solved'), { timeout: 60_000 }).toBe('true');
    expect(await inViewport(page, commandBox)).toBe(true);
    expect(await inViewport(page, page.getByRole('heading', { name: 'Goals' }))).toBe(true);
    expect(await inViewport(page, exerciseLab(page).getByRole('heading', { name: seeADrop.title }))).toBe(
      true,
    );
    for (const theme of ['light', 'dark']) {
      await page.evaluate((chosen) => document.documentElement.setAttribute('data-theme', chosen), theme);
      expect(await axeViolations(page, '[data-testid="exercise-widget"]')).toEqual([]);
    }
    await page.keyboard.press('Escape');
    expect(await exerciseLab(page).getAttribute('data-workspace')).toBe('false');
    await context.close();
  });
});

describe('?embed: a lab or an exercise for another site’s iframe', () => {
  async function chromeShown(page: Page): Promise<Record<string, boolean>> {
    return page.evaluate(() => {
      const shown = (selector: string) => {
        const element = document.querySelector(selector);
        return element !== null && element.getBoundingClientRect().height > 0;
      };
      return {
        header: shown('.page > .header'),
        sidebar: shown('.page > .sidebar'),
        toc: shown('.right-sidebar-container'),
        footer: shown('main footer'),
      };
    });
  }
  const noChrome = { header: false, sidebar: false, toc: false, footer: false };

  it('shows a guide’s lab alone, as its workspace, with no way out to the article', async () => {
    const context = await newContext();
    const page = await openGuide(context, '?embed');
    const problems = recordProblems(page);
    expect(await chromeShown(page)).toEqual(noChrome);
    expect(await lab(page).getAttribute('data-workspace')).toBe('true');
    expect(await page.getByRole('button', { name: /Open the lab|Back to reading/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Why the wrong client gets in' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: /Run step 1 of/ }).click();
    await expect.poll(() => pictures(page).getByRole('tab').count(), { timeout: 60_000 }).toBeGreaterThan(2);
    expect(await inViewport(page, page.getByRole('textbox', { name: /Command/ }))).toBe(true);
    expect(await axeViolations(page, '[data-testid="scenario-widget"]')).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('shows an exercise with its task and lab, without the site’s navigation, also at 375 px', async () => {
    for (const width of [1350, 375]) {
      const context = await newContext({ width });
      const page = await context.newPage();
      await page.goto(siteUrl('/exercises/see-a-drop/?embed'), { waitUntil: 'networkidle' });
      await page.waitForSelector('[data-testid="exercise-widget"][data-ready="true"]', { timeout: 60_000 });
      expect(await chromeShown(page)).toEqual(noChrome);
      expect(await page.getByRole('navigation', { name: 'Other exercises' }).isVisible()).toBe(false);
      expect(await exerciseLab(page).getByRole('heading', { name: seeADrop.title }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Open the lab full width' }).count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
      await context.close();
    }
  });
});
