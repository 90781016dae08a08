import { axeFor } from './setup/axe';
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

async function openGuide(hash = '', options: { width?: number } = {}): Promise<Page> {
  // A page in its own context (a fresh browser profile: no stored session), as axe requires.
  const context = await browser.newContext({
    permissions: ['clipboard-read', 'clipboard-write'],
    ...(options.width === undefined ? {} : { viewport: { width: options.width, height: 800 } }),
  });
  const page = await context.newPage();
  await page.goto(siteUrl(`/guides/mistaken-identity/${hash}`), { waitUntil: 'networkidle' });
  await page.locator('[data-testid="scenario-widget"]').scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 30_000 });
  return page;
}

const runButton = (page: Page) => page.getByRole('button', { name: /Run step|Finished/ });
const widget = (page: Page) => page.locator('[data-testid="scenario-widget"]');
const ready = (page: Page) =>
  page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 60_000 });
/** The world's state hash once the widget has computed it (it waits for an idle moment). */
async function settledHash(page: Page): Promise<string | null> {
  await page.waitForSelector('[data-testid="scenario-widget"][data-state-hash]', { timeout: 30_000 });
  return widget(page).getAttribute('data-state-hash');
}

async function axeViolations(page: Page, selector: string): Promise<string[]> {
  const results = await axeFor(page).include(selector).analyze();
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

describe('guide: mistaken identity widget', () => {
  it('steps through to the bypass and marks the stale ipcache entries', async () => {
    const page = await openGuide();
    const problems = recordProblems(page);
    for (let step = 0; step < 7; step++) await runButton(page).click();
    await expect.poll(() => runButton(page).textContent()).toBe('Finished');
    await expect
      .poll(() => widget(page).textContent())
      .toContain('Connection success (HTTP 200: Hello version: v1');
    const staleRows = page.locator('table tr.stale');
    expect(await staleRows.count()).toBeGreaterThan(0);
    expect(await page.getByText('cut off from the API server').count()).toBeGreaterThan(0);
    expect(problems.consoleErrors).toEqual([]);
    expect(await axeViolations(page, '[data-testid="scenario-widget"]')).toEqual([]);
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
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('42');
    expect(await page.getByText('cut off from the API server').count()).toBeGreaterThan(0);
    await page.close();
  });

  it.each([
    ['a tampered step link', '#scenario-mistaken-identity=v1.bm90LWpzb24', 'damaged'],
    ['garbage in the lab format', '#v1.garbage-that-is-not-deflate', 'damaged'],
    ['a link from a future release', '#v7.AAAA', 'newer version'],
  ])('explains %s and starts from the beginning instead', async (_name, hash, notice) => {
    const page = await openGuide(hash);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(notice);
    expect(await runButton(page).textContent()).toBe('Run step 1 of 7');
    await page.close();
  });

  it('reaches the bypass through the terminal and shares the exact state with a new browser', async () => {
    const page = await openGuide();
    await page.getByRole('button', { name: 'Bring the lab to the cut-off' }).click();
    await expect.poll(() => runButton(page).textContent(), { timeout: 60_000 }).toBe('Run step 6 of 7');
    await page.getByRole('button', { name: /Open a terminal/ }).click();
    const box = page.getByLabel(/Command \(Enter runs it/);
    await box.fill('bash run-test.sh');
    await box.press('Enter');
    const log = page.getByRole('log', { name: 'Terminal output' });
    await expect.poll(() => log.textContent(), { timeout: 120_000 }).toContain('Connection success.');
    await ready(page);
    // Look at a moment in the past, then share.
    const timeline = page.getByRole('slider', { name: /Timeline/ });
    const length = Number(await timeline.getAttribute('max'));
    await timeline.fill(String(Math.floor(length * 0.8)));
    await expect.poll(() => widget(page).textContent()).toContain('viewing the past');
    const hash = await settledHash(page);
    await page.getByRole('button', { name: 'Share' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('restores exactly');
    const href = page.url();
    expect(href).toMatch(/#v1\.[A-Za-z0-9_-]+$/);
    expect(href.length).toBeLessThan(2000);
    await page.context().close();

    const context = await browser.newContext();
    const fresh = await context.newPage();
    const problems = recordProblems(fresh);
    await fresh.goto(href, { waitUntil: 'networkidle' });
    await widget(fresh).scrollIntoViewIfNeeded();
    await expect.poll(() => widget(fresh).getAttribute('data-state-hash'), { timeout: 120_000 }).toBe(hash);
    await ready(fresh);
    expect(await fresh.getByRole('slider', { name: /Timeline/ }).inputValue()).toBe(
      String(Math.floor(length * 0.8)),
    );
    expect(await fresh.getByRole('log', { name: 'Terminal output' }).textContent()).toContain(
      'Connection success.',
    );
    expect(problems.consoleErrors).toEqual([]);
    expect(await axeViolations(fresh, '[data-testid="scenario-widget"]')).toEqual([]);
    await context.close();
  });

  it('keeps the steps and the half-typed command across a reload', async () => {
    const page = await openGuide();
    await runButton(page).click();
    await runButton(page).click();
    await expect.poll(() => runButton(page).textContent()).toBe('Run step 3 of 7');
    await page.getByRole('button', { name: /Open a terminal/ }).click();
    const box = page.getByLabel(/Command \(Enter runs it/);
    await box.fill('kubectl get pods -l app=slee');
    const hash = await settledHash(page);
    // The last key goes in just before the reload: the page writes the draft as it goes away.
    await box.press('p');
    await page.reload({ waitUntil: 'networkidle' });
    await widget(page).scrollIntoViewIfNeeded();
    await ready(page);
    await expect.poll(() => runButton(page).textContent()).toBe('Run step 3 of 7');
    expect(await settledHash(page)).toBe(hash);
    await expect
      .poll(() => page.getByLabel(/Command \(Enter runs it/).inputValue())
      .toBe('kubectl get pods -l app=sleep');
    await page.getByRole('button', { name: 'Restart' }).click();
    await expect.poll(() => runButton(page).textContent()).toBe('Run step 1 of 7');
    await page.context().close();
  });

  it('moves through the event log with the timeline and the keyboard, and stays usable at 375 px', async () => {
    const page = await openGuide('', { width: 375 });
    await runButton(page).focus();
    for (let step = 0; step < 5; step++) await page.keyboard.press('n');
    await expect.poll(() => runButton(page).textContent(), { timeout: 60_000 }).toBe('Run step 6 of 7');
    await expect.poll(() => widget(page).textContent()).toContain('cut off from the API server');
    const timeline = page.getByRole('slider', { name: /Timeline/ });
    await timeline.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => timeline.inputValue()).toBe('0');
    expect(await widget(page).textContent()).not.toContain('cut off from the API server');
    await page.keyboard.press('End');
    await expect.poll(() => widget(page).textContent()).toContain('cut off from the API server');
    // Back one event with the comma shortcut: the past again.
    await runButton(page).focus();
    await page.keyboard.press(',');
    await expect.poll(() => widget(page).textContent()).toContain('viewing the past');
    expect(await axeViolations(page, '[data-testid="scenario-widget"]')).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it('opens a terminal on the same cluster, runs commands, and keeps a mistyped command', async () => {
    const page = await openGuide();
    await runButton(page).click();
    await page.getByRole('button', { name: /Open a terminal/ }).click();
    const box = page.getByLabel(/Command \(Enter runs it/);
    // The button that opened it is gone; keyboard focus goes to the command box, not to the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await box.fill('kubectl get nodes');
    await box.press('Enter');
    const log = page.getByRole('log', { name: 'Terminal output' });
    await expect.poll(() => log.textContent(), { timeout: 30_000 }).toContain('kind-worker3');
    await box.fill('kubecttl get pods');
    await box.press('Enter');
    await expect.poll(() => log.textContent()).toContain('command not found');
    expect(await axeViolations(page, 'section[aria-label="Terminal"]')).toEqual([]);
    await page.close();
  });
});

describe('guide: the TLS handshake stepper', () => {
  async function openStepper(hash = ''): Promise<Page> {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(siteUrl(`/guides/l7-cilium-vs-istio/${hash}`), { waitUntil: 'networkidle' });
    await page.locator('[data-testid="handshake-stepper"]').scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-testid="handshake-stepper"][data-ready="true"]', { timeout: 60_000 });
    return page;
  }
  const stepper = (page: Page) => page.locator('[data-testid="handshake-stepper"]');

  it('steps through a handshake with the keyboard and ends in the RBAC denial of the reused address', async () => {
    const page = await openStepper();
    const problems = recordProblems(page);
    await page.getByLabel('Handshake').selectOption('istio-reused-address');
    await page.getByRole('button', { name: /Send message/ }).focus();
    for (let message = 0; message < 11; message++) await page.keyboard.press('n');
    await expect.poll(() => stepper(page).textContent()).toContain('403 RBAC: access denied');
    expect(await stepper(page).textContent()).toContain('Finished (client)');
    await page.keyboard.press('b');
    await expect
      .poll(() => page.getByRole('button', { name: /Send message/ }).textContent())
      .toBe('Send message 11');
    expect(problems.consoleErrors).toEqual([]);
    expect(await axeViolations(page, '[data-testid="handshake-stepper"]')).toEqual([]);
    await page.context().close();
  });

  it('shares a handshake at a message and opens it in a new browser', async () => {
    const page = await openStepper();
    await page.getByLabel('Handshake').selectOption('istio-no-client-certificate');
    for (let message = 0; message < 8; message++)
      await page.getByRole('button', { name: /Send message|Handshake over/ }).click();
    await expect.poll(() => stepper(page).textContent()).toContain('alert 116 (certificate_required)');
    await stepper(page).getByRole('button', { name: 'Share' }).click();
    const href = page.url();
    expect(href).toContain('#handshake=v1.istio-no-client-certificate.8');
    await page.context().close();
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(href, { waitUntil: 'networkidle' });
    await fresh.locator('[data-testid="handshake-stepper"]').scrollIntoViewIfNeeded();
    await expect
      .poll(() => fresh.locator('[data-testid="handshake-stepper"]').textContent(), { timeout: 60_000 })
      .toContain('alert 116 (certificate_required)');
    await context.close();
  });

  it('explains a damaged handshake link', async () => {
    const page = await openStepper('#handshake=v1.no-such-case.3');
    await expect.poll(() => stepper(page).getByRole('status').textContent()).toContain('damaged');
    await page.context().close();
  });
});

describe('guide: mutual authentication', () => {
  it('brings the lab to the bypass and shows the auth map entry that let the wrong pod in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = recordProblems(page);
    await page.goto(siteUrl('/guides/mutual-auth/'), { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Bring the lab to the bypass' }).click();
    const lab = page.locator('[data-testid="scenario-widget"]');
    await expect.poll(() => lab.getAttribute('data-ready'), { timeout: 120_000 }).toBe('true');
    await expect.poll(() => runButton(page).textContent(), { timeout: 120_000 }).toBe('Finished');
    const text = (await lab.textContent()) ?? '';
    expect(text).toContain('Mutual authentication does not catch it');
    expect(text).toContain('Authentication required');
    expect(await page.getByRole('region', { name: /Auth map of / }).count()).toBeGreaterThan(0);
    expect(problems.consoleErrors).toEqual([]);
    expect(await axeViolations(page, '[data-testid="scenario-widget"]')).toEqual([]);
    await context.close();
  });
});

describe('guide: architectures side by side', () => {
  it('runs the experiment under every architecture and says which let the recycled address in', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    const problems = recordProblems(page);
    await page.goto(siteUrl('/guides/l7-cilium-vs-istio/'), { waitUntil: 'networkidle' });
    const comparison = page.locator('[data-testid="architecture-comparison"]');
    await comparison.scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-testid="architecture-comparison"][data-ready="true"]', {
      timeout: 60_000,
    });
    await comparison.getByRole('button', { name: /every architecture/ }).click();
    await expect
      .poll(() => comparison.getByRole('status').textContent(), { timeout: 120_000 })
      .toContain('Done with seed 1');
    const rows = comparison.locator('tbody tr');
    expect(await rows.count()).toBe(7);
    const verdicts = await rows.evaluateAll((elements) =>
      elements.map(
        (row) =>
          `${row.querySelector('th')?.textContent ?? ''}: ${row.querySelector('strong')?.textContent ?? ''}`,
      ),
    );
    expect(verdicts).toContain('Cilium 1.12, WireGuard: Let in');
    expect(verdicts).toContain('Cilium 1.15, WireGuard: Kept out');
    expect(verdicts).toContain('Cilium 1.14, WireGuard + mutual authentication: Let in');
    expect(verdicts).toContain('Istio sidecars, STRICT mTLS: Kept out');
    expect(verdicts).toContain('Istio ambient (ztunnel): Kept out');
    expect(verdicts).toContain('Istio sidecars, sleep-v1 and v2 share one service account: Let in');
    expect(problems.consoleErrors).toEqual([]);
    expect(await axeViolations(page, '[data-testid="architecture-comparison"]')).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
