/** Exercises and workshops: types, the goal library, sessions, validation and progress records. */
export * from './types';
export { evaluateGoals, checkHolds, goalContext, type GoalContext, type GoalHistory } from './goals/index';
export { ExerciseSession, allMet } from './session';
export { scenarioOf, startFingerprint, startRecord } from './start';
export { exerciseCatalogue, exerciseProblems, workshopCatalogue } from './validate';
export {
  decodeWorkshopLink,
  encodeWorkshopLink,
  workshopLimits,
  workshopLinkVersion,
  workshopProblems,
  type DecodedWorkshop,
} from './workshop';
export { checkReport, runExerciseCheck, type CheckRun } from './check-report';
export { Prober, probeConnection, probeInput, outcomeOf, readerReachesApiServer } from './probe';
export { defineExercise, defineWorkshop } from './define';
export {
  compactProgress,
  decodeExercisePermalink,
  encodeExercisePermalink,
  exerciseLinkVersion,
  freshProgress,
  labRecordOf,
  parseProgress,
  type DecodedProgress,
  type ExerciseProgress,
} from './progress';
export {
  hasProgress,
  loadStoredExercise,
  openExercise,
  saveStoredExercise,
  type OpenedExercise,
  type StoredExercise,
} from './progress-store';
export {
  progressStorageKey,
  readProgressSummary,
  summarizeStoredProgress,
  type KeyValueStorage,
  type ProgressSummary,
} from './progress-summary';
