import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeScenarioPermalink } from '../../simulator/permalink';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// The mistaken-identity guide's widget runs the simulator in the page: a reader steps through the
// experiment by mouse or keyboard, sees the stale ipcache, and shares the exact state by link.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

async function openGuide(hash = ''): Promise<Page> {
  // A page in its own context, as axe requires.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(siteUrl(`/guides/mistaken-identity/${hash}`), { waitUntil: 'networkidle' });
  await page.locator('[data-testid="scenario-widget"]').scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 30_000 });
  return page;
}

const runButton = (page: Page) => page.getByRole('button', { name: /Run step|Finished/ });

describe('guide: mistaken identity widget', () => {
  it('steps through to the bypass and marks the stale ipcache entries', async () => {
    const page = await openGuide();
    const problems = recordProblems(page);
    for (let step = 0; step < 7; step++) await runButton(page).click();
    await expect.poll(() => runButton(page).textContent()).toBe('Finished');
    const widget = page.locator('[data-testid="scenario-widget"]');
    await expect
      .poll(() => widget.textContent())
      .toContain('Connection success (HTTP 200: Hello version: v1');
    const staleRows = page.locator('table tr.stale');
    expect(await staleRows.count()).toBeGreaterThan(0);
    expect(await page.getByText('cut off from the API server').count()).toBeGreaterThan(0);
    expect(problems.consoleErrors).toEqual([]);
    const results = await new AxeBuilder({ page }).include('[data-testid="scenario-widget"]').analyze();
    expect(
      results.violations.map(
        (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      ),
    ).toEqual([]);
    await page.close();
  });

  it('works from the keyboard', async () => {
    const page = await openGuide();
    await runButton(page).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect.poll(() => runButton(page).textContent()).toBe('Run step 3 of 7');
    await page.close();
  });

  it('restores the seed and step of a permalink', async () => {
    const link = encodeScenarioPermalink({ scenario: 'mistaken-identity', seed: 42, step: 5 });
    const page = await openGuide(`#scenario-mistaken-identity=${link}`);
    await expect.poll(() => runButton(page).textContent()).toBe('Run step 6 of 7');
    expect(await page.getByLabel('Seed').inputValue()).toBe('42');
    expect(await page.getByText('cut off from the API server').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('explains a tampered permalink and starts from the beginning instead', async () => {
    const page = await openGuide('#scenario-mistaken-identity=v1.bm90LWpzb24');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('damaged');
    expect(await runButton(page).textContent()).toBe('Run step 1 of 7');
    await page.close();
  });

  it('opens a terminal on the same cluster, runs commands, and keeps a mistyped command', async () => {
    const page = await openGuide();
    await runButton(page).click();
    await page.getByRole('button', { name: /Open a terminal/ }).click();
    const box = page.getByLabel(/Command \(Enter runs it/);
    await box.fill('kubectl get nodes');
    await box.press('Enter');
    const log = page.getByRole('log', { name: 'Terminal output' });
    await expect.poll(() => log.textContent(), { timeout: 30_000 }).toContain('kind-worker3');
    await box.fill('kubecttl get pods');
    await box.press('Enter');
    await expect.poll(() => log.textContent()).toContain('command not found');
    const results = await new AxeBuilder({ page }).include('section[aria-label="Terminal"]').analyze();
    expect(
      results.violations.map(
        (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      ),
    ).toEqual([]);
    await page.close();
  });
});
