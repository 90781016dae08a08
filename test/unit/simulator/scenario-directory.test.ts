// Goal: the scenario directory, which lets a lab load only its own scenario and a link decoder check
// a record before any scenario loads, says the same as the catalogue: the same ids, the same step
// counts, loaders that yield the catalogue's own scenario objects, and the same start (seed and day)
// for a scenario without an initial state.
import { describe, expect, it } from 'vitest';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { scenarioDirectory } from '../../../simulator/scenarios/directory';
import { ScenarioPlayer } from '../../../simulator/scenarios/runner';
import { startOfDay } from '../../../simulator/engine/virtual-time';

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

  it.each(Object.keys(scenarios))('%s: start matches the scenario', (id) => {
    const scenario = scenarios[id]!;
    const start = scenarioDirectory[id]?.start;
    if (scenario.initial !== undefined) {
      expect(start, `"${id}" has an initial state: no start in directory.ts`).toBeUndefined();
      return;
    }
    const { simulation } = new ScenarioPlayer(scenario);
    expect(start, `start of "${id}" in directory.ts`).toEqual({
      seed: scenario.defaultSeed,
      day: start?.day,
    });
    expect(startOfDay(start?.day ?? ''), `day of "${id}" in directory.ts`).toBe(simulation.setup.startMs);
  });
});
