import { describe, expect, it } from 'vitest';
import { pageFrontmatterSchema } from '../../src/content/frontmatter';

// Frontmatter is validated at build time, so a typo in a page fails the build instead of rendering nothing.
describe('content: frontmatter schema', () => {
  const valid = { description: 'A page that explains something in enough words.' };

  it('accepts a page that embeds no scenario', () => {
    expect(pageFrontmatterSchema.parse(valid)).toEqual({ ...valid, scenarios: [] });
  });

  it('refuses a scenario id the simulator does not know, naming the id', () => {
    const result = pageFrontmatterSchema.safeParse({ ...valid, scenarios: ['no-such-scenario'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('unknown scenario id "no-such-scenario"');
  });

  it('refuses a missing or too short description', () => {
    expect(pageFrontmatterSchema.safeParse({}).success).toBe(false);
    expect(pageFrontmatterSchema.safeParse({ description: 'Short.' }).success).toBe(false);
  });
});
