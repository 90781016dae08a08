// Goal: the build-time check of a page's references to scenario labs refuses every broken one — an
// unknown scenario, a step the scenario does not have, a scenario missing from the frontmatter, a
// button with no lab on its page, a value the build cannot read — and accepts the guides as written.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labReferenceProblems, referenceOf, type LabReference } from '../../../src/content/lab-references';

const steps = { 'mistaken-identity': 7, 'mutual-auth': 7 };
const widget = (scenario: string): LabReference => ({
  element: 'ScenarioWidget',
  line: 9,
  attributes: { scenario: { literal: scenario } },
});
const button = (attributes: LabReference['attributes']): LabReference => ({
  element: 'LabButton',
  line: 4,
  attributes,
});

describe('lab references: problems', () => {
  it.each<{ name: string; references: LabReference[]; listed: string[]; problem: RegExp | undefined }>([
    {
      name: 'a lab and its buttons, listed: fine',
      references: [
        button({ scenario: { literal: 'mistaken-identity' }, step: { expression: '5' } }),
        button({ scenario: { literal: 'mistaken-identity' }, command: { literal: 'kubectl get pods' } }),
        button({ scenario: { literal: 'mistaken-identity' }, workspace: { expression: 'true' } }),
        widget('mistaken-identity'),
      ],
      listed: ['mistaken-identity'],
      problem: undefined,
    },
    {
      name: 'an unknown scenario',
      references: [widget('mistaken-identiy')],
      listed: ['mistaken-identiy'],
      problem: /<ScenarioWidget> on line 9: unknown scenario "mistaken-identiy"/,
    },
    {
      name: 'a scenario missing from the frontmatter',
      references: [widget('mutual-auth')],
      listed: ['mistaken-identity'],
      problem: /add "mutual-auth" to the page's frontmatter scenarios/,
    },
    {
      name: 'a step past the last',
      references: [
        button({ scenario: { literal: 'mutual-auth' }, step: { expression: '8' } }),
        widget('mutual-auth'),
      ],
      listed: ['mutual-auth'],
      problem: /mutual-auth has 7 steps, so there is no step 8/,
    },
    {
      name: 'a step that is not a number',
      references: [
        button({ scenario: { literal: 'mutual-auth' }, step: { expression: 'last' } }),
        widget('mutual-auth'),
      ],
      listed: ['mutual-auth'],
      problem: /step must be a whole number/,
    },
    {
      name: 'both a step and a command',
      references: [
        button({
          scenario: { literal: 'mutual-auth' },
          step: { expression: '1' },
          command: { literal: 'ls' },
        }),
        widget('mutual-auth'),
      ],
      listed: ['mutual-auth'],
      problem: /give exactly one of step, command and workspace/,
    },
    {
      name: 'a workspace button that also names a step',
      references: [
        button({
          scenario: { literal: 'mutual-auth' },
          step: { expression: '1' },
          workspace: { expression: 'true' },
        }),
        widget('mutual-auth'),
      ],
      listed: ['mutual-auth'],
      problem: /give exactly one of step, command and workspace/,
    },
    {
      name: 'a button with no lab on its page',
      references: [button({ scenario: { literal: 'mutual-auth' }, step: { expression: '1' } })],
      listed: ['mutual-auth'],
      problem: /the page has no <ScenarioWidget scenario="mutual-auth">/,
    },
    {
      name: 'a scenario the build cannot read',
      references: [{ element: 'ScenarioWidget', line: 2, attributes: { scenario: { expression: 'id' } } }],
      listed: [],
      problem: /write scenario as a literal/,
    },
  ])('$name', ({ references, listed, problem }) => {
    const problems = labReferenceProblems(references, listed, steps);
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems.join('\n')).toMatch(problem);
  });
});

describe('lab references: reading elements', () => {
  it('reads literals and expressions, and ignores other elements', () => {
    const reference = referenceOf({
      name: 'LabButton',
      attributes: [
        { type: 'mdxJsxAttribute', name: 'scenario', value: 'mistaken-identity' },
        {
          type: 'mdxJsxAttribute',
          name: 'step',
          value: { type: 'mdxJsxAttributeValueExpression', value: '3' },
        },
      ],
      position: { start: { line: 12 } },
    });
    expect(reference).toEqual({
      element: 'LabButton',
      line: 12,
      attributes: { scenario: { literal: 'mistaken-identity' }, step: { expression: '3' } },
    });
    expect(referenceOf({ name: 'Aside', attributes: [] })).toBeUndefined();
  });
});

describe('lab references: the guides', () => {
  // The build runs the check on every page; this reads the guides' tags the simple way, to catch a
  // broken reference without a build.
  const folder = join(process.cwd(), 'content', 'guides');
  it.each(readdirSync(folder).filter((name) => name.endsWith('.mdx')))('%s', (name) => {
    const text = readFileSync(join(folder, name), 'utf8');
    const listed = [...(/^scenarios:\n((?:\s+- .+\n)+)/m.exec(text)?.[1] ?? '').matchAll(/- (\S+)/g)].map(
      (match) => match[1] ?? '',
    );
    const references = [...text.matchAll(/<(ScenarioWidget|LabButton)\s([^>]*?)\/>/g)].map((match) => {
      const attributes: Record<string, LabReference['attributes'][string]> = {};
      for (const [, key = '', literal, expression] of (match[2] ?? '').matchAll(
        /(\w+)=(?:"([^"]*)"|\{([^}]*)\})/g,
      ))
        attributes[key] = literal !== undefined ? { literal } : { expression: expression ?? '' };
      return { element: match[1] as LabReference['element'], line: undefined, attributes };
    });
    expect(references.length > 0).toBe(text.includes('<ScenarioWidget'));
    expect(labReferenceProblems(references, listed)).toEqual([]);
  });
});
