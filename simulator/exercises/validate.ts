/**
 * Checks an exercise or workshop file beyond what its type says: ids that can be URLs, a scenario
 * the simulator has, a starting point within the scenario's steps, and the parts a reader needs.
 * The catalogue runs these when it loads, so a typo fails the build and the tests, not a reader.
 */
import { scenarioIds, scenarios } from '../scenarios/catalog';
import type { Exercise, ExerciseControl, Workshop } from './types';
import { workshopProblems } from './workshop';

const kebabCase = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The problems of one exercise, as sentences; empty when it is fine. */
export function exerciseProblems(exercise: Exercise): string[] {
  const problems: string[] = [];
  if (!kebabCase.test(exercise.id)) problems.push(`id "${exercise.id}" is not kebab-case`);
  const scenario = scenarios[exercise.start.scenario];
  if (scenario === undefined)
    problems.push(`unknown scenario id "${exercise.start.scenario}"; known ids: ${scenarioIds.join(', ')}`);
  else if (
    !Number.isInteger(exercise.start.steps) ||
    exercise.start.steps < 0 ||
    exercise.start.steps > scenario.steps.length
  )
    problems.push(`start.steps must be 0 to ${scenario.steps.length} for scenario ${scenario.id}`);
  const seed = exercise.start.seed;
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff))
    problems.push('start.seed must be a whole number between 0 and 4294967295');
  if (exercise.title.trim() === '') problems.push('the title is empty');
  if (exercise.task.trim().length < 20) problems.push('the task needs at least a sentence');
  if (exercise.goals.length === 0) problems.push('an exercise needs at least one goal');
  for (const [index, goal] of exercise.goals.entries())
    if (goal.met.trim() === '' || goal.unmet.trim() === '')
      problems.push(`goal ${index + 1} needs both sentences`);
  if (exercise.hints.length === 0) problems.push('an exercise needs at least one hint');
  if (exercise.solution.length === 0) problems.push('an exercise needs a reference solution');
  problems.push(...controlProblems(exercise.controls ?? []));
  return problems.map((problem) => `exercise ${exercise.id}: ${problem}`);
}

/** The problems of an exercise's controls: each needs a label of its own and a command line. */
function controlProblems(controls: readonly ExerciseControl[]): string[] {
  const problems: string[] = [];
  const labels = controls.map((control) => control.label.trim());
  for (const [index, control] of controls.entries()) {
    const label = labels[index] ?? '';
    if (label === '') problems.push(`control ${index + 1} needs a label`);
    else if (labels.indexOf(label) !== index) problems.push(`control "${label}" is listed twice`);
    if (control.commands.length === 0 || control.commands.some((line) => line.trim() === ''))
      problems.push(`control ${index + 1} needs command lines, none of them empty`);
  }
  return problems;
}

/**
 * Indexes exercises by id, throwing on the first catalogue with problems (duplicate ids, unknown
 * scenarios, …), so the site build and the test suite both stop on a bad file.
 */
export function exerciseCatalogue(exercises: readonly Exercise[]): Readonly<Record<string, Exercise>> {
  const problems = exercises.flatMap(exerciseProblems);
  const byId: Record<string, Exercise> = {};
  for (const exercise of exercises) {
    if (byId[exercise.id] !== undefined) problems.push(`exercise ${exercise.id}: the id is used twice`);
    byId[exercise.id] = exercise;
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return byId;
}

/** Indexes workshops by id, throwing when one names an exercise that does not exist. */
export function workshopCatalogue(
  workshops: readonly Workshop[],
  exercises: Readonly<Record<string, Exercise>>,
): Readonly<Record<string, Workshop>> {
  const ids = new Set(Object.keys(exercises));
  const problems = workshops.flatMap((workshop) => workshopProblems(workshop, ids));
  // The site's page for workshops handed out as links is /workshops/shared/.
  for (const workshop of workshops)
    if (workshop.id === 'shared')
      problems.push('workshop shared: the id "shared" is the page of shared workshops');
  const byId: Record<string, Workshop> = {};
  for (const workshop of workshops) {
    if (byId[workshop.id] !== undefined) problems.push(`workshop ${workshop.id}: the id is used twice`);
    byId[workshop.id] = workshop;
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return byId;
}
