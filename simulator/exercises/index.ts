/** Exercises and workshops: types, the goal library, sessions, validation and progress records. */
export * from './types';
export { evaluateGoals, checkHolds, goalContext, type GoalContext } from './goals/index';
export { ExerciseSession, allMet, startRecord } from './session';
export { exerciseCatalogue, exerciseProblems, workshopCatalogue, workshopProblems } from './validate';
export { Prober, probeConnection, probeInput, outcomeOf, readerReachesApiServer } from './probe';
export { defineExercise, defineWorkshop } from './define';
export {
  compactProgress,
  decodeExercisePermalink,
  encodeExercisePermalink,
  freshProgress,
  labRecordOf,
  parseProgress,
  progressVersion,
  type DecodedProgress,
  type ExerciseProgress,
} from './progress';
