import { axeFor } from './setup/axe';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exercises } from '../../content/exercises/index';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// A reader who would rather not type solves an exercise through its controls, from the keyboard
// alone: each button types its command lines into the terminal (the terminal shows them as typed),
// the goals are checked after each, and a reload replays what the buttons did.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const seeADrop = exercises['see-a-drop'];
if (seeADrop?.controls === undefined) throw new Error('the see-a-drop exercise has no controls');
const [refusedControl, admittedControl] = seeADrop.controls;
if (refusedControl === undefined || admittedControl === undefined)
  throw new Error('see-a-drop needs two controls');

const ready = (page: Page) =>
  page.waitForSelector('[data-testid="exercise-widget"][data-ready="true"]', { timeout: 60_000 });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

/** Presses Tab until the element whose text is `text` has the focus (at most `limit` presses). */
async function tabTo(page: Page, text: string, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    if ((await focusedText(page)) === text) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached "${text}"`);
}

describe('exercise controls', () => {
  it('solve an exercise from the keyboard alone, typing the same commands the terminal shows', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = recordProblems(page);
    await page.goto(siteUrl('/exercises/see-a-drop/'), { waitUntil: 'networkidle' });
    await ready(page);
    expect(await page.getByRole('group', { name: 'Controls' }).getByRole('button').count()).toBe(
      seeADrop.controls?.length,
    );

    await tabTo(page, admittedControl.label);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.goals li.met').count(), { timeout: 60_000 }).toBe(1);
    await ready(page);
    // Still on the button pressed: the next one is a Shift+Tab or a Tab away.
    expect(await focusedText(page)).toBe(admittedControl.label);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedText(page)).toBe(refusedControl.label);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('announcement').textContent(), { timeout: 60_000 })
      .toMatch(/^Solved: all 2 goals are met\./);
    await ready(page);
    expect(await page.locator('.terminal pre.command').allTextContents()).toEqual([
      `$ ${admittedControl.commands.join('')}`,
      `$ ${refusedControl.commands.join('')}`,
    ]);
    expect(await page.getByTestId('progress-badge').innerText()).toMatch(/^Solved · 0 checks/);
    const results = await axeFor(page).include('[data-testid="exercise-widget"]').analyze();
    expect(results.violations.map((violation) => violation.id)).toEqual([]);

    // What the buttons did is the reader's record: a reload replays it.
    await page.waitForTimeout(500);
    await page.reload({ waitUntil: 'networkidle' });
    await ready(page);
    expect(await page.locator('.terminal pre.command').count()).toBe(2);
    expect(await page.getByTestId('progress-badge').innerText()).toMatch(/^Solved/);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
