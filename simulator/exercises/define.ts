/** Helpers for exercise and workshop files: identity functions that give the file its type. */
import type { Exercise, Workshop } from './types';

/** Declares an exercise; a misspelt field or goal kind fails the type check. */
export function defineExercise(exercise: Exercise): Exercise {
  return exercise;
}

/** Declares a workshop. */
export function defineWorkshop(workshop: Workshop): Workshop {
  return workshop;
}
