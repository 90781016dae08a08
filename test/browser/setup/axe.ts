import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * An axe run on `page` that gathers only violations, the one result type the tests assert on.
 * Axe still runs every rule on every node; what it skips is building a selector and a summary for
 * each passing node, about a fifth of a run on a long reference page
 * (https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#options-parameter, `resultTypes`).
 */
export function axeFor(page: Page): AxeBuilder {
  return new AxeBuilder({ page }).options({ resultTypes: ['violations'] });
}
