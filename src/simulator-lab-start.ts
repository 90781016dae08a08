/**
 * The narrowest door into the simulator core, for the scenario lab's worker before the simulator
 * has loaded (`src/widgets/scenario/lab-start.ts`): the scenario directory, the virtual clock's
 * text and the record's compact form, all small modules without the model behind them. Everything
 * else comes through `src/simulator-lab.ts`, loaded after.
 */
export { scenarioDirectory } from '../simulator/scenarios/directory';
export { startOfDay, toStampMilli } from '../simulator/engine/virtual-time';
export { compactRecord } from '../simulator/permalink';
