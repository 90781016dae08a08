import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * An axe run on `page` that gathers only violations, the one result type the tests assert on.
 * Axe still runs every rule on every node; what it skips is building a selector and a summary for
 * each passing node, about a fifth of a run on a long reference page
 * (https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#options-parameter, `resultTypes`).
 *
 * Legacy mode runs `axe.run` in the page itself. The default mode runs `axe.runPartial`, ships every
 * partial result to Node, opens a blank page, injects axe there and merges the results in it: on a
 * long reference page that took two to three times as long as the same rules in legacy mode
 * (BENCHMARKS.md, 2026-12-07 ci17). What the default mode adds is testing cross-origin iframes, and
 * the site has no iframe at all; were one added, legacy mode still tests same-origin frames and its
 * `frame-tested` rule reports any frame it could not reach
 * (https://github.com/dequelabs/axe-core-npm/tree/develop/packages/playwright#axebuildersetlegacymodelegacymode-boolean--true).
 */
export function axeFor(page: Page): AxeBuilder {
  return new AxeBuilder({ page }).setLegacyMode(true).options({ resultTypes: ['violations'] });
}

/** Each violation as `rule: target, target`, so a failing test names what to fix. */
export function violationSummary(results: Awaited<ReturnType<AxeBuilder['analyze']>>): string[] {
  return results.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}
