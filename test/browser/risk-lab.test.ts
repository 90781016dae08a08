import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// The risk lab runs a sweep on Web Workers, streams its figures into a table a screen reader (and
// a copy-paste) can read, and opens any trial behind a figure in the mistaken-identity lab.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

async function openRiskLab(): Promise<Page> {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(siteUrl('/guides/risk-lab/'), { waitUntil: 'networkidle' });
  await page.locator('[data-testid="risk-lab"]').scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid="risk-lab"][data-ready="true"]', { timeout: 30_000 });
  return page;
}

const table = (page: Page) => page.locator('[data-testid="risk-probability-table"]');

describe('guide: risk lab', () => {
  it('shows the pre-computed figures before anything runs', async () => {
    const page = await openRiskLab();
    await expect.poll(() => table(page).locator('tbody tr').count()).toBe(10);
    expect(await page.locator('[data-testid="risk-lab"]').getByRole('status').first().textContent()).toMatch(
      /pre-computed figures/,
    );
    await page.close();
  });

  it('runs a small sweep on workers, fills the table and can open a trial in the lab', async () => {
    const page = await openRiskLab();
    const problems = recordProblems(page);
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    await page.getByLabel('Worker nodes', { exact: true }).fill('3');
    await page.getByLabel('Client pods per node', { exact: true }).fill('10');
    await page.getByLabel('Cut-off length (seconds)', { exact: true }).fill('120');
    await page.getByLabel('Precision (95 % interval)', { exact: true }).selectOption('0.05');
    await page.getByRole('button', { name: 'Run the sweep' }).click();
    await expect
      .poll(() => page.locator('[data-testid="risk-lab"]').getByRole('status').first().textContent(), {
        timeout: 120_000,
      })
      .toMatch(/^Done: /);
    expect(workers.length).toBeGreaterThan(0);
    const rows = table(page).locator('tbody tr');
    expect(await rows.count()).toBe(10);
    // Each row: the point, a figure per setup, the approximation and the trials.
    const last = (await rows.last().locator('td').allTextContents()).map((text) => text.trim());
    expect(last[0]).toMatch(/^\d+\.\d % \(\d+\.\d %–\d+\.\d %\)$/);
    expect(last.at(-1)).toMatch(/^\d[\d,]*$/);
    // The vulnerable setup's figure at the heaviest churn opens a trial in the mistaken-identity lab.
    await rows.last().locator('button').first().click();
    await page.waitForURL(/\/guides\/mistaken-identity\/#v1\./, { timeout: 30_000 });
    // The lab hydrates when it scrolls into view (client:visible), then replays the trial's command lines.
    await page.locator('[data-testid="scenario-widget"]').scrollIntoViewIfNeeded();
    await expect
      .poll(() => page.locator('[data-testid="scenario-widget"]').textContent(), { timeout: 120_000 })
      .toContain('deployment.apps/client-');
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });

  it('says why a trial cannot be replayed in the lab', async () => {
    const page = await openRiskLab();
    await page.getByLabel('Pod CIDR per node', { exact: true }).selectOption('26');
    await page.getByLabel('Precision (95 % interval)', { exact: true }).selectOption('0.05');
    await page.getByRole('button', { name: 'Run the sweep' }).click();
    await expect
      .poll(() => page.locator('[data-testid="risk-lab"]').getByRole('status').first().textContent(), {
        timeout: 120_000,
      })
      .toMatch(/^Done: /);
    await table(page).locator('tbody tr').last().locator('button').first().click();
    await expect
      .poll(() => page.locator('.link-message').textContent())
      .toMatch(
        /The lab cannot replay trial \d+: kind in the simulator gives every node a \/24.*npm run sim -- risk --trial/,
      );
    await page.close();
  });
});
