import { axeFor } from './setup/axe';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// The lab's terminal works as a reader's own does, by keyboard alone: Tab completes from the
// simulated cluster, ↑ and Ctrl-R recall, Ctrl-L clears, a pasted script runs command by command
// (and a typed here-document waits for its delimiter),
// and a second tab watches (`hubble observe -f`) the traffic the first one makes.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

/** The mistaken-identity guide with its workloads running (two steps) and the terminal open. */
async function labWithTerminal(colorScheme: 'light' | 'dark' = 'dark'): Promise<Page> {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  await page.goto(siteUrl('/guides/mistaken-identity/'), { waitUntil: 'networkidle' });
  const widget = page.locator('[data-testid="scenario-widget"]');
  await widget.scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 60_000 });
  const runStep = page.getByRole('button', { name: /Run step/ });
  await runStep.click();
  await runStep.click();
  await expect.poll(() => runStep.textContent(), { timeout: 60_000 }).toBe('Run step 3 of 7');
  await page.getByRole('button', { name: /Open a terminal/ }).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
  return page;
}

const commandBox = (page: Page) => page.getByLabel(/Command \(Enter runs it/);
const log = (page: Page) => page.getByRole('log', { name: 'Terminal output' });

/** Types a line in the command box and runs it, waiting until its echo is in the log. */
async function runLine(page: Page, line: string, expected: string): Promise<void> {
  await commandBox(page).fill(line);
  await commandBox(page).press('Enter');
  await expect.poll(() => log(page).textContent(), { timeout: 60_000 }).toContain(expected);
}

async function axeViolations(page: Page): Promise<string[]> {
  const results = await axeFor(page).include('section[aria-label="Terminal"]').analyze();
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

describe('lab terminal: keys', () => {
  it('completes with Tab from the cluster, and lists candidates on a second Tab', async () => {
    const page = await labWithTerminal();
    const box = commandBox(page);
    await box.fill('kubectl get po');
    await box.press('Tab');
    await expect.poll(() => box.inputValue()).toBe('kubectl get pods ');
    await box.fill('kubectl -n kube-system get pods cil');
    await box.press('Tab');
    await expect.poll(() => box.inputValue()).toBe('kubectl -n kube-system get pods cilium-');
    await box.press('Tab');
    await expect.poll(() => log(page).textContent()).toMatch(/cilium-operator-\S+ {2}cilium-/);
    // Escape, then Tab leaves the box: completion never traps the keyboard.
    await box.press('Escape');
    await box.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('TEXTAREA');
    await page.context().close();
  });

  it('recalls with ↑, searches with Ctrl-R and clears with Ctrl-L', async () => {
    const page = await labWithTerminal();
    const box = commandBox(page);
    await runLine(page, 'kubectl get nodes --no-headers | wc -l', '4');
    await runLine(page, 'echo second', 'second');
    await box.press('ArrowUp');
    await expect.poll(() => box.inputValue()).toBe('echo second');
    await box.press('ArrowUp');
    await expect.poll(() => box.inputValue()).toBe('kubectl get nodes --no-headers | wc -l');
    await box.fill('');
    await box.press('Control+r');
    const search = page.getByLabel(/reverse-i-search/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    await search.pressSequentially('nodes');
    await search.press('Enter');
    await expect
      .poll(async () => ((await log(page).textContent()) ?? '').split('$ kubectl get nodes').length)
      .toBe(3);
    await box.press('Control+l');
    await expect.poll(() => log(page).textContent()).not.toContain('second');
    await runLine(page, 'echo after', 'after');
    await page.context().close();
  });

  it('runs a pasted script command by command, and an unfinished typed line waits for the rest', async () => {
    const page = await labWithTerminal();
    await commandBox(page).focus();
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'echo one\nfor i in 2 3; do\n  echo n$i\ndone\necho last');
      document.activeElement?.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    await expect.poll(() => log(page).textContent()).toContain('n3');
    const text = (await log(page).textContent()) ?? '';
    expect(text).toContain('$ echo one');
    expect(text).toContain('$ for i in 2 3; do\n>   echo n$i\n> done');
    expect(text).not.toContain('$ echo last');
    expect(await commandBox(page).inputValue()).toBe('echo last');
    // Typed line by line, a here-document waits for its delimiter (bash's `> ` prompt) before it runs.
    const box = commandBox(page);
    await box.fill('');
    for (const line of ['cat <<EOF', 'typed body', 'EOF']) {
      await box.pressSequentially(line);
      await box.press('Enter');
    }
    await expect.poll(() => log(page).textContent()).toContain('$ cat <<EOF\n> typed body\n> EOF');
    expect(((await log(page).textContent()) ?? '').split('typed body').length).toBe(3);
    await page.context().close();
  });
});

describe('lab terminal: tabs', () => {
  // The tab is opened and the line typed at once after the steps and the terminal: the line waits
  // for the tab's recorded opening (and the shell's loading) instead of being refused.
  it('watches in a second tab the traffic the first one makes, and stops the watch with Ctrl-C', async () => {
    const page = await labWithTerminal();
    const problems = recordProblems(page);
    await page.getByRole('button', { name: '+ New tab' }).click();
    const second = page.getByRole('tab', { name: /Terminal 2/ });
    await expect.poll(() => second.getAttribute('aria-selected')).toBe('true');
    // The Cilium agent on the node of sleep-v2 sees its flows.
    await runLine(
      page,
      "N=$(kubectl get pods -o wide | awk '/^sleep-v2/{print $7}'); A=$(kubectl -n kube-system get pods -o wide | awk -v n=$N '$1 ~ /^cilium-[a-z0-9]+$/ && $7 == n {print $1}')",
      '$ N=',
    );
    await runLine(
      page,
      'kubectl -n kube-system exec $A -- hubble observe -f --pod default/sleep-v2',
      'runs here until Ctrl+C',
    );
    await expect.poll(() => second.textContent()).toContain('watching');

    // Keyboard: ← goes to the first tab, as the tabs pattern has it.
    await second.focus();
    await page.keyboard.press('ArrowLeft');
    const first = page.getByRole('tab', { name: /Terminal 1/ });
    await expect.poll(() => first.getAttribute('aria-selected')).toBe('true');
    await runLine(
      page,
      'kubectl exec deploy/sleep-v2 -- curl -s helloworld-v2:5000/hello',
      'Hello version: v2',
    );
    await expect.poll(() => second.textContent()).toContain('new output');
    expect(await axeViolations(page)).toEqual([]);

    await second.click();
    await expect
      .poll(() => log(page).textContent())
      .toMatch(/default\/sleep-v2-\S+ .*default\/helloworld-v2-\S+:5000/);
    await commandBox(page).press('Control+c');
    await expect.poll(() => log(page).textContent()).toContain('^C');
    await expect.poll(() => second.textContent()).not.toContain('watching');
    await runLine(page, 'echo free again', 'free again');
    expect(problems.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('shows a running command beside Stop without moving the page, and Stop interrupts it', async () => {
    const page = await labWithTerminal();
    const terminal = page.locator('section[aria-label="Terminal"]');
    const loop =
      'for i in $(seq 400); do kubectl rollout restart deployment sleep-v2; kubectl rollout status deployment sleep-v2; done';
    await commandBox(page).fill(loop);
    const before = (await terminal.boundingBox())?.height;
    await commandBox(page).press('Enter');
    const stop = page.getByRole('button', { name: 'Stop' });
    await stop.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('.running').textContent())
      .toMatch(/running… [\d.]+ s of simulated time/);
    // The note is not in the live log (which would read out every tick) and the terminal keeps its height.
    expect(await log(page).textContent()).not.toContain('running…');
    expect((await terminal.boundingBox())?.height).toBe(before);
    expect(await page.getByRole('status').allTextContents()).toContain(
      'The command runs; Ctrl+C or Stop interrupts it.',
    );
    await stop.click();
    await expect.poll(() => page.locator('.running').count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => log(page).textContent()).toMatch(/\^C\s*$/);
    const rolledOut = ((await log(page).textContent()) ?? '').split('successfully rolled out').length - 1;
    expect(rolledOut).toBeLessThan(400);
    expect(await page.getByRole('status').allTextContents()).not.toContain(
      'The command runs; Ctrl+C or Stop interrupts it.',
    );
    await page.context().close();
  });

  it.each(['light', 'dark'] as const)(
    'has no axe violations with two tabs and a search open (%s)',
    async (theme) => {
      const page = await labWithTerminal(theme);
      await page.getByRole('button', { name: '+ New tab' }).click();
      await commandBox(page).fill('kubectl get po');
      await commandBox(page).press('Tab');
      await commandBox(page).press('Control+r');
      await expect.poll(() => page.getByLabel(/reverse-i-search/).count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await page.context().close();
    },
  );
});
