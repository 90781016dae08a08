import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { ExerciseSession, allMet } from '../../../simulator/exercises/index';
import { TerminalSession } from '../../../simulator/terminal/session';

// Every exercise is a regression test of the model: from its starting point, doing nothing leaves
// at least one goal unmet, and its reference solution meets every goal. Checking the goals never
// changes the reader's world (probes run on a copy). Each exercise gets its own lab.

const loadTerminal = () => Promise.resolve({ TerminalSession });
const exerciseList = Object.values(exercises).map((exercise) => [exercise.id, exercise] as const);

describe('exercises: the catalogue', () => {
  it('lists every exercise file of content/exercises', () => {
    const shared = new Set(['index.ts', 'setups.ts', 'apps.ts']);
    const files = readdirSync(new URL('../../../content/exercises/', import.meta.url))
      .filter((file) => file.endsWith('.ts') && !shared.has(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(exercises).sort()).toEqual(files);
  });

  it('has at least fifteen exercises across the three guides and the reference, at every level', () => {
    const list = Object.values(exercises);
    expect(list.length).toBeGreaterThanOrEqual(15);
    expect(new Set(list.map((exercise) => exercise.source))).toEqual(
      new Set(['mistaken-identity', 'mutual-auth', 'l7-cilium-vs-istio', 'reference']),
    );
    expect(new Set(list.map((exercise) => exercise.level))).toEqual(
      new Set(['first-steps', 'intermediate', 'hard']),
    );
  });
});

describe('exercises: reference solutions', () => {
  it.each(exerciseList)(
    '%s: nothing done leaves a goal unmet, checking changes nothing, the solution meets every goal',
    async (_id, exercise) => {
      const session = await ExerciseSession.start(exercise, loadTerminal);
      const before = session.lab.simulation.hash();
      expect(allMet(session.check())).toBe(false);
      expect(session.lab.simulation.hash()).toBe(before);
      for (const line of exercise.solution) await session.run(line);
      const unmet = session.check().flatMap((result, index) => (result.met ? [] : [index]));
      expect(unmet).toEqual([]);
    },
    60_000,
  );
});
