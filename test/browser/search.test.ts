import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordProblems, siteUrl } from './setup/browser';

// Search (src/components/Search.astro) fetches Pagefind's UI only when its dialog first opens, stays
// usable from the keyboard, and finds each reference page by the terms it is about.
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

const pagefindRequest = (url: string): boolean => /pagefind|ui-core/i.test(url);

async function openReferencePage(): Promise<{ page: Page; requested: string[] }> {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(siteUrl('/reference/policy-language/'), { waitUntil: 'networkidle' });
  return { page, requested };
}

const resultLinks = (page: Page) => page.locator('#starlight__search .pagefind-ui__result-link');

/** The pages of the result links Pagefind shows now. */
async function resultPaths(page: Page): Promise<string[]> {
  return resultLinks(page).evaluateAll((links) =>
    links.map((link) => new URL((link as HTMLAnchorElement).href).pathname),
  );
}

/** Empties the open dialog's field until no result shows, then types a query into it. */
async function search(page: Page, query: string): Promise<void> {
  const input = page.getByRole('dialog').locator('input');
  await input.fill('');
  await expect.poll(() => resultLinks(page).count()).toBe(0);
  await input.fill(query);
  await resultLinks(page).first().waitFor();
}

describe('search: loaded on first use', () => {
  it('fetches nothing of Pagefind until the dialog opens', async () => {
    const { page, requested } = await openReferencePage();
    await page.waitForTimeout(1_500);
    expect(requested.filter(pagefindRequest)).toEqual([]);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => requested.some(pagefindRequest)).toBe(true);
    await page.close();
  });

  it('opens with "/" and Ctrl+K, focuses its field, and closes with Escape', async () => {
    const { page } = await openReferencePage();
    const problems = recordProblems(page);
    await page.keyboard.press('/');
    const dialog = page.getByRole('dialog', { name: 'Search' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.keyboard.press('Control+k');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Control+k');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });
});

describe('search: the reference pages by their terms', () => {
  const cases = [
    { term: 'toFQDNs', page: '/reference/dns-based-policy/' },
    { term: 'toFQDNs', page: '/reference/policy-language/dns-names/' },
    { term: 'enableDefaultDeny', page: '/reference/enforcement-modes/' },
    { term: 'PolicyAuditMode', page: '/reference/policies-from-verdicts/' },
    { term: 'terminatingTLS', page: '/reference/tls-inspection/' },
    { term: 'toGroups', page: '/reference/aws-metadata/' },
    { term: 'STRIDE', page: '/reference/threat-model/' },
    { term: 'reserved:init', page: '/reference/endpoint-lifecycle/' },
    { term: 'ADA-CIL-18', page: '/reference/security-audit-2022/' },
    { term: 'fromRequires', page: '/reference/policy-language/layer-3/' },
    { term: 'ingressDeny', page: '/reference/policy-language/deny-policies/' },
    { term: 'io.cilium.k8s.namespace.labels', page: '/reference/kubernetes-constructs/' },
    { term: 'cluster-scoped', page: '/reference/security-identities/' },
    { term: 'exhaust-port', page: '/reference/http-aware-policy/' },
    { term: 'GetLocation', page: '/reference/grpc/' },
    { term: 'empire-announce', page: '/reference/kafka/' },
    { term: 'Elasticsearch', page: '/reference/elasticsearch/' },
    { term: 'hostFirewall', page: '/reference/host-firewall/' },
    { term: 'derived-from-rules', page: '/reference/troubleshooting/' },
    { term: 'NodePort', page: '/reference/caveats/' },
    { term: 'read-pods-no-exec', page: '/reference/restrict-cilium-pod-access/' },
  ];

  // One page and one open dialog for every term: a load per term cost ~10 s each on CI.
  let page: Page;
  beforeAll(async () => {
    ({ page } = await openReferencePage());
    await page.getByRole('button', { name: 'Search' }).click();
  });
  afterAll(async () => {
    await page.close();
  });

  it.each(cases)('"$term" finds $page', async ({ term, page: expected }) => {
    await search(page, term);
    // Pagefind may show a first part of the results and add more: poll until the page is there.
    await expect.poll(() => resultPaths(page), { timeout: 10_000 }).toContain(expected);
  });
});
