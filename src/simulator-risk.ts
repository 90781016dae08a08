/**
 * The risk lab's door into the simulator core: a narrow one beside `src/simulator.ts`. The main
 * door's module graph (scenarios, policy engine, XState, YAML) has top-level work that bundlers
 * keep even when nothing from it is used, about 100 KB gzip; the risk page loads its widget at once,
 * so it imports only `simulator/risk/index.ts` here, and its Web Workers and trial links load the
 * rest on their own (`loadSweepBatch`, `loadTrialLink`).
 */
export * from '../simulator/risk/index';
/** The trials of a sweep (loaded by each Web Worker). */
export const loadSweepBatch = () => import('../simulator/risk/sweep-batch');
/** A trial's lab link (loaded when a reader opens a trial). */
export const loadTrialLink = () => import('../simulator/risk/trial-link');
