/**
 * The second door into the simulator core, for pages that must stay light (a workshop's list of
 * exercises): it re-exports only modules that import nothing heavy (the progress summary and the
 * workshop link), so such a page never pulls in the model. Everything else goes through
 * `src/simulator.ts`.
 */
export {
  readProgressSummary,
  type KeyValueStorage,
  type ProgressSummary,
} from '../simulator/exercises/progress-summary';
export { decodeWorkshopLink, type DecodedWorkshop } from '../simulator/exercises/workshop';
export type { Workshop } from '../simulator/exercises/types';
