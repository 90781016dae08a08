import { axeFor } from './setup/axe';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exercises } from '../../content/exercises/index';
import { encodeWorkshopLink } from '../../simulator/exercises/workshop';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// An exercise is done in the browser: the reader types commands, checks the goals, opens hints one
// at a time and sees the solution only after confirming; their progress survives a reload and
// travels in a link, and a workshop page lists each exercise with that progress. Everything works
// from the keyboard, at 375 px, with results announced to screen readers.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const seeADrop = exercises['see-a-drop'];
if (seeADrop === undefined) throw new Error('the see-a-drop exercise is missing');
const [refusedCurl = '', admittedCurl = ''] = seeADrop.solution;

/** A fresh browser profile (no stored progress), as axe and the storage tests need. */
async function newContext(width?: number): Promise<BrowserContext> {
  return browser.newContext({
    permissions: ['clipboard-read', 'clipboard-write'],
    ...(width === undefined ? {} : { viewport: { width, height: 800 } }),
  });
}

const ready = (page: Page) =>
  page.waitForSelector('[data-testid="exercise-widget"][data-ready="true"]', { timeout: 60_000 });

async function openExercise(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
  await ready(page);
  return page;
}

const commandBox = (page: Page) => page.getByRole('textbox', { name: /Command/ });
const badge = (page: Page) => page.getByTestId('progress-badge');
const announcement = (page: Page) => page.getByTestId('announcement');

/** Types a command line and waits until it has run and the goals were checked again. */
async function run(page: Page, line: string): Promise<void> {
  await commandBox(page).fill(line);
  await commandBox(page).press('Enter');
  await expect.poll(() => commandBox(page).inputValue(), { timeout: 60_000 }).toBe('');
  await ready(page);
}

async function axeViolations(page: Page, selector: string): Promise<string[]> {
  const results = await axeFor(page).include(selector).analyze();
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

describe('exercise widget', () => {
  it('solves an exercise through the terminal, announces it and offers the workshop’s next exercise', async () => {
    const context = await newContext();
    const page = await openExercise(context, '/exercises/see-a-drop/?workshop=mistaken-identity');
    const problems = recordProblems(page);
    expect(await page.locator('.goals li.unmet').count()).toBe(2);
    await run(page, admittedCurl);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => announcement(page).textContent()).toBe('1 of 2 goals met.');
    await run(page, refusedCurl);
    await expect.poll(() => announcement(page).textContent()).toMatch(/^Solved: all 2 goals are met\./);
    expect(await page.locator('.goals li.met').count()).toBe(2);
    expect(await badge(page).innerText()).toMatch(/Solved · 1 check · 0 of 2 hints/);
    const next = page.getByRole('link', { name: /^Next exercise: / });
    expect(await next.getAttribute('href')).toBe('/exercises/only-client/?workshop=mistaken-identity');
    expect(problems.consoleErrors).toEqual([]);
    expect(await axeViolations(page, '[data-testid="exercise-widget"]')).toEqual([]);
    await context.close();
  });

  it('reveals hints one at a time and plays the solution only after a confirm, keeping the reader’s commands', async () => {
    const context = await newContext();
    const page = await openExercise(context, '/exercises/see-a-drop/');
    await page.getByRole('button', { name: 'Show hint 1 of 2' }).click();
    expect(await page.locator('.hints li').count()).toBe(1);
    // The new hint takes the focus, so a screen reader reads it.
    expect(await page.evaluate(() => document.activeElement?.closest('.hints') !== null)).toBe(true);
    await page.getByRole('button', { name: 'Show hint 2 of 2' }).click();
    expect(await page.locator('.hints li').count()).toBe(2);
    expect(await page.getByRole('button', { name: 'No more hints' }).isDisabled()).toBe(true);

    await run(page, 'kubectl get pods');
    await page.getByRole('button', { name: 'Show the solution' }).click();
    await page.getByRole('button', { name: 'Keep trying' }).click();
    expect(await page.locator('pre.solution').count()).toBe(0);
    await page.getByRole('button', { name: 'Show the solution' }).click();
    await page.getByRole('button', { name: 'Play the solution' }).click();
    await expect
      .poll(() => badge(page).innerText(), { timeout: 60_000 })
      .toMatch(/^Solved \(solution shown\)/);
    await ready(page);
    expect(await page.locator('pre.solution').textContent()).toBe(seeADrop.solution.join('\n'));
    await page.getByRole('button', { name: 'Restore my commands' }).click();
    await ready(page);
    expect(await page.locator('.terminal pre.command').allTextContents()).toEqual(['$ kubectl get pods']);
    expect(await badge(page).innerText()).toMatch(/2 of 2 hints/);
    expect(await axeViolations(page, '[data-testid="exercise-widget"]')).toEqual([]);
    await context.close();
  });

  it('keeps progress across a reload and in a shared link; a damaged link says so and keeps the browser’s', async () => {
    const context = await newContext();
    const page = await openExercise(context, '/exercises/see-a-drop/');
    await run(page, admittedCurl);
    await page.getByRole('button', { name: 'Show hint 1 of 2' }).click();
    await commandBox(page).fill('kubectl get po');
    await page.waitForTimeout(500);
    await page.reload({ waitUntil: 'networkidle' });
    await ready(page);
    expect(await page.locator('.terminal pre.command').allTextContents()).toEqual([`$ ${admittedCurl}`]);
    expect(await badge(page).innerText()).toMatch(/1 of 2 hints/);
    expect(await commandBox(page).inputValue()).toBe('kubectl get po');

    await page.getByRole('button', { name: 'Share' }).click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(/\/exercises\/see-a-drop\/#v2\.[A-Za-z0-9_-]+$/);
    const elsewhere = await newContext();
    const shared = await elsewhere.newPage();
    await shared.goto(link, { waitUntil: 'networkidle' });
    await ready(shared);
    expect(await shared.locator('.terminal pre.command').allTextContents()).toEqual([`$ ${admittedCurl}`]);
    expect(await badge(shared).innerText()).toMatch(/1 of 2 hints/);
    // Taken in: the address no longer carries the link, so a reload opens what the browser keeps.
    expect(new URL(shared.url()).hash).toBe('');

    await shared.goto(`${link.slice(0, -12)}tampered`, { waitUntil: 'networkidle' });
    await expect
      .poll(() => shared.getByTestId('message').textContent())
      .toMatch(/This link is damaged.*Your progress in this browser is kept\./);
    expect(await shared.locator('.terminal pre.command').allTextContents()).toEqual([`$ ${admittedCurl}`]);
    await elsewhere.close();
    await context.close();
  });

  it('runs the scenario’s remaining steps as its guide does, kept in the progress across a reload', async () => {
    const context = await newContext();
    const page = await openExercise(context, '/exercises/see-a-drop/');
    const widget = page.getByTestId('exercise-widget');
    const doneSteps = () => widget.locator('.steps > li.done').count();
    // The exercise starts after the scenario's first two steps.
    expect(await doneSteps()).toBe(2);
    await page.getByRole('button', { name: 'Run step 3 of 7' }).click();
    await expect.poll(doneSteps).toBe(3);
    expect(await page.getByRole('button', { name: 'Run step 4 of 7' }).count()).toBe(1);
    expect(await axeViolations(page, '[data-testid="exercise-widget"]')).toEqual([]);
    await page.reload({ waitUntil: 'networkidle' });
    await ready(page);
    await expect.poll(doneSteps).toBe(3);
    expect(await page.getByRole('button', { name: 'Run step 4 of 7' }).count()).toBe(1);
    await context.close();
  });

  it('works from the keyboard alone, on a 375 px screen', async () => {
    const context = await newContext(375);
    const page = await openExercise(context, '/exercises/see-a-drop/');
    await commandBox(page).focus();
    await page.keyboard.type(admittedCurl);
    await page.keyboard.press('Enter');
    await expect.poll(() => commandBox(page).inputValue(), { timeout: 60_000 }).toBe('');
    await ready(page);
    // Shift+Tab walks back from the command box to the Check button.
    for (let presses = 0; presses < 12; presses++) {
      await page.keyboard.press('Shift+Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Check') break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => announcement(page).textContent()).toBe('1 of 2 goals met.');
    await page.getByRole('button', { name: 'Show hint 1 of 2' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('.hints li').count()).toBe(1);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
    await context.close();
  });
});

describe('workshop pages', () => {
  it('list a workshop’s exercises with this browser’s progress, linking each in the workshop', async () => {
    const context = await newContext();
    const exercisePage = await openExercise(context, '/exercises/see-a-drop/');
    for (const line of seeADrop.solution) await run(exercisePage, line);
    await expect.poll(() => badge(exercisePage).innerText()).toMatch(/^Solved/);
    const page = await context.newPage();
    const problems = recordProblems(page);
    await page.goto(siteUrl('/workshops/mistaken-identity/'), { waitUntil: 'networkidle' });
    const item = page.locator('[data-exercise="see-a-drop"]');
    await expect.poll(() => item.locator('[data-progress]').textContent()).toBe('Solved');
    expect(await page.locator('[data-progress-summary]').textContent()).toMatch(/^1 of \d+ solved/);
    expect(await item.getByRole('link').getAttribute('href')).toBe(
      '/exercises/see-a-drop/?workshop=mistaken-identity',
    );
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('open a workshop handed out as a link, and explain a broken one', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const link = await encodeWorkshopLink({
      id: 'shared',
      title: 'Two exercises for Tuesday',
      intro: 'Start with the drop.\n\nThen the L7 rule.',
      exercises: ['see-a-drop', 'l7-get-hello'],
    });
    await page.goto(siteUrl(`/workshops/shared/#${link}`), { waitUntil: 'networkidle' });
    await page.waitForSelector('#shared-workshop[data-state="ready"]');
    expect(await page.getByRole('heading', { name: 'Two exercises for Tuesday' }).count()).toBe(1);
    expect(await page.locator('#shared-workshop li a').allTextContents()).toEqual([
      seeADrop.title,
      exercises['l7-get-hello']?.title,
    ]);
    await page.goto(siteUrl('/workshops/shared/#v3.broken'), { waitUntil: 'networkidle' });
    await page.waitForSelector('#shared-workshop[data-state="error"]');
    expect(await page.getByRole('alert').textContent()).toMatch(/damaged/);
    await context.close();
  });
});
