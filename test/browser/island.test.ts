import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, siteUrl } from './setup/browser';

// The home page's island proves that Svelte hydrates and drives an XState machine in the browser.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

async function openHome(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(siteUrl('/'), { waitUntil: 'networkidle' });
  // astro-island drops its ssr attribute once the component has hydrated.
  await page.waitForSelector('astro-island:not([ssr]) [data-testid="hydration-toggle"]');
  return page;
}

describe('home: hydration island', () => {
  it('responds to a click by moving the machine to its other state', async () => {
    const page = await openHome();
    const button = page.getByRole('button', { name: /cut kind-worker off/i });
    await button.click();
    await expect.poll(() => page.locator('[data-state]').getAttribute('data-state')).toBe('cutOff');
    expect(await page.getByRole('button', { name: /heal the link/i }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await page.close();
  });

  it('responds to the keyboard', async () => {
    const page = await openHome();
    await page.getByRole('button', { name: /cut kind-worker off/i }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-state]').getAttribute('data-state')).toBe('cutOff');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('[data-state]').getAttribute('data-state')).toBe('connected');
    await page.close();
  });
});
