import { axeFor } from './setup/axe';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// The lab's terminal tabs are part of the reader's record: a tab opened from the keyboard
// (Ctrl+Shift+Enter, which browsers leave to the page, unlike Ctrl+Shift+T) or closed comes back
// the same after a reload. What a tool prints in colour on a terminal shows in colour, readable in
// both themes, with no escape code in the text.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const widgetReady = '[data-testid="scenario-widget"][data-ready="true"]';
const commandBox = (page: Page) => page.getByLabel(/Command \(Enter runs it/);
const log = (page: Page) => page.getByRole('log', { name: 'Terminal output' });
const tabNames = (page: Page) => page.getByRole('tab').allTextContents();

/** The mistaken-identity guide with the terminal open, before any step. */
async function labWithTerminal(page: Page, steps = 0): Promise<void> {
  await page.goto(siteUrl('/guides/mistaken-identity/'), { waitUntil: 'networkidle' });
  await page.locator('[data-testid="scenario-widget"]').scrollIntoViewIfNeeded();
  await page.waitForSelector(widgetReady, { timeout: 60_000 });
  const runStep = page.getByRole('button', { name: /Run step/ });
  for (let step = 1; step <= steps; step++) {
    await runStep.click();
    await expect.poll(() => runStep.textContent(), { timeout: 60_000 }).toBe(`Run step ${step + 1} of 7`);
  }
  await page.getByRole('button', { name: /Open a terminal/ }).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
}

async function runLine(page: Page, line: string, expected: string): Promise<void> {
  await commandBox(page).fill(line);
  await commandBox(page).press('Enter');
  await expect.poll(() => log(page).textContent(), { timeout: 60_000 }).toContain(expected);
}

describe('lab terminal: tabs in the record', () => {
  it('opens a tab with Ctrl+Shift+Enter, and a reload restores the tabs left after a close', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = recordProblems(page);
    await labWithTerminal(page);
    await runLine(page, 'echo first', 'first');
    await commandBox(page).press('Control+Shift+Enter');
    await expect.poll(() => tabNames(page)).toEqual(['Terminal 1', 'Terminal 2']);
    expect(await page.getByRole('tab', { name: 'Terminal 2' }).getAttribute('aria-selected')).toBe('true');
    // The shortcut opened a tab; it typed nothing in the box.
    expect(await commandBox(page).inputValue()).toBe('');
    await commandBox(page).press('Control+Shift+Enter');
    await expect.poll(() => tabNames(page)).toEqual(['Terminal 1', 'Terminal 2', 'Terminal 3']);

    await page.getByRole('tab', { name: 'Terminal 1' }).click();
    await page.getByRole('button', { name: 'Close Terminal 1' }).click();
    await expect.poll(() => tabNames(page)).toEqual(['Terminal 2', 'Terminal 3']);
    await runLine(page, 'echo second', 'second');
    await page.waitForSelector(widgetReady);
    await page.waitForTimeout(500);

    await page.reload({ waitUntil: 'networkidle' });
    await page.locator('[data-testid="scenario-widget"]').scrollIntoViewIfNeeded();
    await page.waitForSelector(widgetReady, { timeout: 60_000 });
    await expect.poll(() => tabNames(page), { timeout: 60_000 }).toEqual(['Terminal 2', 'Terminal 3']);
    await expect.poll(() => log(page).textContent()).toContain('second');
    expect(await log(page).textContent()).not.toContain('first');
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it.each(['light', 'dark'] as const)(
    'shows hubble observe on a terminal (-it) in colour, as plain text, with enough contrast (%s)',
    async (colorScheme) => {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      await labWithTerminal(page, 2);
      await runLine(
        page,
        'kubectl exec deploy/sleep-v1 -- curl -s helloworld-v1:5000/hello',
        'Hello version: v1',
      );
      await runLine(
        page,
        "N=$(kubectl get pods -o wide | awk '/^helloworld-v1/{print $7}'); A=$(kubectl -n kube-system get pods -o wide | awk -v n=$N '$1 ~ /^cilium-[a-z0-9]+$/ && $7 == n {print $1}')",
        '$ N=',
      );
      await runLine(page, 'kubectl -n kube-system exec -it $A -- hubble observe --last 4', 'FORWARDED');
      expect(await log(page).locator('span.sgr-green').first().textContent()).toMatch(/FORWARDED|ALLOWED/);
      expect(await log(page).locator('span.sgr-cyan').count()).toBeGreaterThan(0);
      expect((await log(page).textContent())?.includes('\u001b')).toBe(false);
      const results = await axeFor(page).include('section[aria-label="Terminal"]').analyze();
      expect(results.violations.map((violation) => violation.id)).toEqual([]);
      await context.close();
    },
  );

  it("prints a started job's [1] PID before the job's first lines, as bash does", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await labWithTerminal(page, 2);
    await runLine(page, 'kubectl port-forward svc/helloworld-v2 5000 &', 'Forwarding from 127.0.0.1:5000');
    const text = (await log(page).textContent()) ?? '';
    expect(text.indexOf('[1] 4711')).toBeGreaterThan(text.indexOf('$ kubectl port-forward'));
    expect(text.indexOf('[1] 4711')).toBeLessThan(text.indexOf('Forwarding from 127.0.0.1:5000'));
    await context.close();
  });
});
