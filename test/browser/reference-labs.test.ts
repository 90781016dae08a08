import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLabPermalink, type LabRecord } from '../../simulator/permalink';
import { scenarioDirectory } from '../../simulator/scenarios/directory';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// Goal: the labs of the Cilium security reference work in a browser. Each page's lab restores the
// state a link carries; the commands a page prints, typed into its lab's terminal or run by the
// button under them, give the page's results; and with JavaScript off every page still shows its
// text and the outputs it prints.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

/** The reference pages with a lab, and the lab each embeds. */
const labPages: { page: string; scenario: string }[] = [
  { page: 'http-aware-policy', scenario: 'reference-star-wars' },
  { page: 'dns-based-policy', scenario: 'reference-dns' },
  { page: 'grpc', scenario: 'reference-grpc' },
  { page: 'kafka', scenario: 'reference-kafka' },
  { page: 'elasticsearch', scenario: 'reference-elasticsearch' },
  { page: 'tls-inspection', scenario: 'reference-tls' },
  { page: 'host-firewall', scenario: 'reference-host-firewall' },
  { page: 'policies-from-verdicts', scenario: 'reference-verdicts' },
  { page: 'enforcement-modes', scenario: 'reference-enforcement-modes' },
  { page: 'troubleshooting', scenario: 'reference-troubleshooting' },
  { page: 'restrict-cilium-pod-access', scenario: 'reference-pod-access' },
  { page: 'threat-model', scenario: 'reference-threat-model' },
  { page: 'aws-metadata', scenario: 'reference-aws' },
  { page: 'endpoint-lifecycle', scenario: 'reference-endpoint-lifecycle' },
];

const widget = (page: Page) => page.locator('[data-testid="scenario-widget"]');
const runButton = (page: Page) => page.getByRole('button', { name: /Run step|Finished/ });
const terminalText = async (page: Page) =>
  (await page.getByRole('log', { name: 'Terminal output' }).allTextContents()).join('\n');

/** Opens a reference page in a fresh browser profile, scrolls to its lab and waits for it. */
async function openLab(slug: string, hash = ''): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(siteUrl(`/reference/${slug}/${hash}`), { waitUntil: 'networkidle' });
  await widget(page).scrollIntoViewIfNeeded();
  await page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 60_000 });
  return page;
}

/** A link to a lab after some steps and command lines, as the lab's Share button writes it. */
async function linkTo(scenario: string, steps: number, commands: readonly string[] = [], seed = 7) {
  const record: LabRecord = {
    scenario,
    seed,
    actions: [
      ...Array.from({ length: steps }, () => ({ kind: 'step' }) as const),
      ...commands.map((line) => ({ kind: 'command', line }) as const),
    ],
    cursor: undefined,
  };
  return `#${await encodeLabPermalink(record)}`;
}

/** Types a command line into the lab's terminal and runs it. */
async function type(page: Page, line: string): Promise<void> {
  const box = page.getByRole('textbox', { name: /^Command \(Enter runs it/ });
  if ((await box.count()) === 0) await page.getByRole('button', { name: /Open a terminal/ }).click();
  await box.fill(line);
  await box.press('Enter');
}

describe('reference labs', () => {
  describe('each lab restores the state of a link', () => {
    it.each(labPages)('$page', async ({ page: slug, scenario }) => {
      const steps = scenarioDirectory[scenario]?.steps ?? 0;
      const page = await openLab(slug, await linkTo(scenario, 1));
      const problems = recordProblems(page);
      await expect
        .poll(() => runButton(page).textContent())
        .toBe(steps > 1 ? `Run step 2 of ${steps}` : 'Finished');
      expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('7');
      expect(problems.consoleErrors).toEqual([]);
      await page.context().close();
    });
  });

  describe("a page's command typed into its lab gives the page's result", () => {
    it.each([
      {
        name: 'Star Wars: PUT /v1/exhaust-port panics the deathstar before the L7 rule',
        slug: 'http-aware-policy',
        scenario: 'reference-star-wars',
        steps: 2,
        command:
          'kubectl exec tiefighter -- curl -s -XPUT deathstar.default.svc.cluster.local/v1/exhaust-port',
        result: 'Panic: deathstar exploded',
      },
      {
        name: 'DNS: a toFQDNs rule lets mediabot reach api.github.com',
        slug: 'dns-based-policy',
        scenario: 'reference-dns',
        steps: 2,
        command: 'kubectl exec mediabot -- curl -I -s https://api.github.com | head -1',
        result: 'HTTP/2 200',
      },
      {
        name: "gRPC: the door client reads door 1's name",
        slug: 'grpc',
        scenario: 'reference-grpc',
        steps: 1,
        command: 'kubectl exec terminal-87 -- python3 /cloudcity/cc_door_client.py GetName 1',
        result: 'Door name is: Spaceport Door #1',
      },
      {
        name: "AWS: the derivative holds the security group's addresses",
        slug: 'aws-metadata',
        scenario: 'reference-aws',
        steps: 3,
        command:
          "kubectl get cnp -l io.cilium.network.policy.kind=derivative -o jsonpath='{.items[0].specs[0].egress[0].toCIDRSet[*].cidr}'",
        result: '34.254.113.42/32 172.31.44.160/32',
      },
      {
        name: 'gRPC: SetAccessCode is denied under the L7 rule',
        slug: 'grpc',
        scenario: 'reference-grpc',
        steps: 2,
        command: 'kubectl exec terminal-87 -- python3 /cloudcity/cc_door_client.py SetAccessCode 1 999',
        result: 'PERMISSION_DENIED',
      },
    ])('$name', async ({ slug, scenario, steps, command, result }) => {
      const page = await openLab(slug, await linkTo(scenario, steps));
      await expect.poll(() => widget(page).getAttribute('data-ready')).toBe('true');
      await type(page, command);
      await expect.poll(() => terminalText(page), { timeout: 60_000 }).toContain(result);
      await page.context().close();
    });

    it("runs the page's first command from the button under it", async () => {
      const page = await openLab('http-aware-policy');
      const create = page.locator('button.lab-button[data-lab-command*="http-sw-app.yaml"]').first();
      await create.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => terminalText(page), { timeout: 60_000 }).toContain('pod/xwing created');
      await page.context().close();
    });
  });

  describe('threat model: each row opens a lab state', () => {
    it.each([
      { row: 'workload-reach', shows: 'command terminated with exit code 28' },
      { row: 'api-relabel-identity', shows: 'Ship landed' },
    ])('$row, from the keyboard', async ({ row, shows }) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = recordProblems(page);
      await page.goto(siteUrl('/reference/threat-model/'), { waitUntil: 'networkidle' });
      const link = page.locator(`#threat-${row} a.threat-lab-link`);
      await link.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid="scenario-widget"][data-ready="true"]', { timeout: 60_000 });
      await expect.poll(() => terminalText(page), { timeout: 60_000 }).toContain(shows);
      await expect.poll(() => runButton(page).textContent()).toBe('Finished');
      expect(problems.consoleErrors).toEqual([]);
      await context.close();
    });

    it('reads as a table without JavaScript', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(siteUrl('/reference/threat-model/'));
      const table = page.getByRole('table', { name: 'Threats you can open in the lab below' });
      expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(5);
      expect(await table.getByRole('link', { name: /^Open in the lab/ }).count()).toBe(
        await table.locator('tbody tr').count(),
      );
      await context.close();
    });
  });

  describe('without JavaScript, each page still reads completely', () => {
    it.each(labPages)('$page', async ({ page: slug }) => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(siteUrl(`/reference/${slug}/`));
      const main = page.locator('main');
      expect(await main.getByRole('heading', { name: 'Source' }).count()).toBe(1);
      // The static outputs: a walkthrough's command blocks are followed by the outputs it expects
      // (the threat model has tables, and its lab's commands, instead).
      if (slug !== 'threat-model') expect(await main.locator('pre').count()).toBeGreaterThan(0);
      // The lab's outline (its steps) is in the markup, for a reader who cannot run it.
      expect(await widget(page).textContent()).toMatch(/Run step 1 of \d+/);
      await context.close();
    });

    it('shows the Star Wars outputs the walkthrough ends in', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(siteUrl('/reference/http-aware-policy/'));
      const text = await page.locator('main').textContent();
      expect(text).toContain('Panic: deathstar exploded');
      expect(text).toContain('Access denied');
      await context.close();
    });
  });
});
