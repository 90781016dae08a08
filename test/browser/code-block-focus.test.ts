import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// Goal: a code block that scrolls sideways can be reached with Tab, and one that fits cannot, after
// the window narrows or widens (a phone turned, a window resized), including a block the browser
// skipped off screen at the time (content-visibility: auto, src/styles/site.css;
// the script of src/expressive-code/focus-scrollable-blocks.mjs).
// Chromium (156 here) lets Tab reach any element that scrolls once it lays it out, so Tab alone
// cannot tell here; Safari does not, so a block that scrolls is a Tab stop there only through the
// `tabindex="0"` (and a named region through the role) the site gives it, which is what axe's
// scrollable-region-focusable checks. The test asserts both: the markup before the block is drawn,
// and where Tab goes.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

// On the mistaken-identity guide, the second block (the `helm install` command) fits a desktop
// window and scrolls sideways at 375 px; nothing between the first block's copy button and it
// takes the focus.
const path = '/guides/mistaken-identity/';
const block = '.expressive-code pre[aria-label^="Code block 2:"]';
const buttonBefore = '.expressive-code:has(pre[aria-label^="Code block 1:"]) .copy button';

/** Whether the browser skips drawing the block (content-visibility: auto, off screen). */
function skipped(page: Page): Promise<boolean> {
  return page.$eval(block, (pre) => !pre.checkVisibility({ contentVisibilityAuto: true }));
}

/** Whether the block scrolls sideways, measured (this lays it out even when skipped). */
function scrolls(page: Page): Promise<boolean> {
  return page.$eval(block, (pre) => pre.scrollWidth > pre.clientWidth);
}

/** The block's focus stop and role, as the site's markup gives them. */
async function focusStop(page: Page): Promise<{ tabindex: string | null; role: string | null }> {
  return {
    tabindex: await page.getAttribute(block, 'tabindex'),
    role: await page.getAttribute(block, 'role'),
  };
}

/** What Tab reaches from the first block's copy button: the label of a block, or the element's tag. */
async function tabFromButtonBefore(page: Page): Promise<string> {
  await page.focus(buttonBefore);
  await page.keyboard.press('Tab');
  return page.evaluate(() => {
    const focused = document.activeElement;
    return focused?.getAttribute('aria-label') ?? focused?.tagName ?? 'none';
  });
}

/** Resizes the window, then lets one frame run its resize handlers and the next draw. */
async function resize(page: Page, width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
}

describe('code blocks: a block that scrolls sideways takes the focus, after a resize too', () => {
  it('a block drawn at desktop width, then skipped off screen, is reachable by Tab once the window narrows to 375 px, and not once it widens again', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = recordProblems(page);
    await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
    const label = await page.getAttribute(block, 'aria-label');

    // Drawn at the desktop width, the block fits, so it gets no focus stop.
    await page.$eval(block, (pre) => pre.scrollIntoView({ block: 'center' }));
    await expect.poll(() => skipped(page)).toBe(false);
    expect(await scrolls(page)).toBe(false);
    await expect.poll(() => page.getAttribute(block, 'tabindex')).toBeNull();

    // Back at the top, the browser stops drawing it; the window then narrows to a phone's width.
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(() => skipped(page)).toBe(true);
    await resize(page, 375, 740);
    // The script that re-judges blocks on resize is imported on the first one: a fetch away.
    await expect.poll(() => focusStop(page)).toEqual({ tabindex: '0', role: 'region' });
    expect(await skipped(page), 'the block is off screen, not drawn, when the window narrows').toBe(true);

    // The reader tabs towards it: focusing the button before it brings the block on screen.
    expect(await tabFromButtonBefore(page)).toBe(label);
    expect(await scrolls(page), 'at 375 px the block scrolls sideways').toBe(true);

    // Widened again while off screen (and not focused, which would keep it drawn), it fits once
    // more and loses the focus stop.
    await page.evaluate(() => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      window.scrollTo(0, 0);
    });
    await expect.poll(() => skipped(page)).toBe(true);
    await resize(page, 1280, 800);
    expect(await focusStop(page)).toEqual({ tabindex: null, role: null });
    expect(await skipped(page)).toBe(true);
    expect(await tabFromButtonBefore(page)).toBe('BUTTON');
    expect(await scrolls(page)).toBe(false);

    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
