/**
 * An exercise's starting point as the lab replays it: the scenario's first steps, then the start's
 * command lines, with the start's files in the home directory; and a fingerprint of all that, so a
 * progress record made on another start is recognised as such.
 */
import { canonicalJson, hashString64 } from '../engine/state-hash';
import type { LabAction, LabRecord } from '../permalink';
import { scenarios } from '../scenarios/catalog';
import type { Scenario } from '../scenarios/types';
import type { Exercise } from './types';

/** The scenario an exercise starts from; its id is checked when the exercise is validated. */
export function scenarioOf(exercise: Exercise): Scenario {
  const scenario = scenarios[exercise.start.scenario];
  if (scenario === undefined)
    throw new Error(`exercise ${exercise.id}: unknown scenario ${exercise.start.scenario}`);
  return scenario;
}

/** The lab record of an exercise's starting point: its steps and its start command lines. */
export function startRecord(exercise: Exercise): LabRecord {
  const scenario = scenarioOf(exercise);
  const actions: LabAction[] = [
    ...Array.from({ length: exercise.start.steps }, (): LabAction => ({ kind: 'step' })),
    ...(exercise.start.commands ?? []).map((line): LabAction => ({ kind: 'command', line })),
  ];
  return {
    scenario: scenario.id,
    seed: exercise.start.seed ?? scenario.defaultSeed,
    actions,
    cursor: undefined,
  };
}

/**
 * Twelve hex digits that change whenever the start does (scenario, seed, steps, commands, files):
 * a reader's actions replay to the same world only on the start they were made on.
 */
export function startFingerprint(exercise: Exercise): string {
  return hashString64(
    canonicalJson({ record: startRecord(exercise), files: exercise.start.files ?? {} }),
  ).slice(0, 12);
}
