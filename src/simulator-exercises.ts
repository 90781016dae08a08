/**
 * The door for exercise pages: exercises, their sessions, progress records and links
 * (`simulator/exercises/index.ts`). Kept apart from `src/simulator.ts` so that a guide's lab, which
 * imports that door, never bundles the exercise code, and an exercise page gets both.
 */
export * from '../simulator/exercises/index';
