import { describe, expect, it } from 'vitest';
import { threatLabs, threatModelScenario } from '../../../content/reference/threat-model-labs';
import { LabSession } from '../../../simulator/scenarios/lab-session';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { referencePages } from './pages';

// Goal: every row of the threat model page's lab table opens a state that shows what the row says:
// its command lines, replayed on the page's lab after the row's steps, print what the row expects
// (the threat getting through, or the control refusing it), and its attacker links to a section
// of the page.

const loadTerminal = () => import('../../../simulator/terminal/session');

/** The `#anchors` of a page's `##` headings, as Starlight makes them. */
function headingAnchors(source: string): string[] {
  return [...source.matchAll(/^##+ (.+)$/gm)].map((match) =>
    (match[1] ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9 -]/g, '')
      .trim()
      .replace(/ +/g, '-'),
  );
}

describe('reference: threat model lab rows', () => {
  const scenario = scenarios[threatModelScenario];
  if (scenario === undefined) throw new Error(`no scenario ${threatModelScenario}`);
  const page = referencePages().find((candidate) => candidate.slug === 'threat-model');

  it.each(threatLabs.map((row) => [row.id, row] as const))(
    '%s: the state shows what the row says',
    async (_id, row) => {
      expect(row.steps).toBeLessThanOrEqual(scenario.steps.length);
      expect(row.expect).toHaveLength(row.commands.length);
      const session = new LabSession(scenario, scenario.defaultSeed, loadTerminal);
      for (let step = 0; step < row.steps; step++) session.next();
      for (const [index, command] of row.commands.entries()) {
        const entry = await session.run(command);
        const pattern = row.expect[index];
        if (pattern !== undefined) expect(`${entry.stdout}${entry.stderr}`, command).toMatch(pattern);
      }
    },
  );

  it.each(threatLabs.map((row) => [row.id, row.anchor] as const))(
    '%s: links to a section of the page',
    (_id, anchor) => {
      expect(headingAnchors(page?.source ?? '')).toContain(anchor);
    },
  );
});
