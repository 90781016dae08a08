// Goal: the scenario directory, which lets a lab load only its own scenario and a link decoder check
// a record before any scenario loads, says the same as the catalogue: the same ids, the same step
// counts, and loaders that yield the catalogue's own scenario objects.
import { describe, expect, it } from 'vitest';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { scenarioDirectory } from '../../../simulator/scenarios/directory';

describe('scenarios: directory', () => {
  it('lists exactly the catalogue ids', () => {
    expect(Object.keys(scenarioDirectory).sort()).toEqual(Object.keys(scenarios).sort());
  });

  it.each(Object.keys(scenarios))('%s: step count and loader match the catalogue', async (id) => {
    const entry = scenarioDirectory[id];
    const scenario = scenarios[id];
    // A failure here names the directory entry to update (simulator/scenarios/directory.ts).
    expect(entry?.steps, `steps of "${id}" in directory.ts`).toBe(scenario?.steps.length);
    expect(await entry?.load()).toBe(scenario);
  });
});
