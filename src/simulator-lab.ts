/**
 * The scenario lab's door into the simulator core, used by its Web Worker (`src/widgets/scenario/`):
 * a narrow one beside `src/simulator.ts`, whose module graph holds every scenario. Through this door
 * the worker loads the session, the pictures and the link codec, and then only the scenario it plays
 * (`scenarioDirectory`), the terminal when a reader first runs a command (`loadTerminal`).
 */
export {
  LabSession,
  withoutLastStep,
  type TerminalEntry,
  type TerminalLoader,
} from '../simulator/scenarios/lab-session';
export type { StepTranscript } from '../simulator/scenarios/runner';
export type { Scenario } from '../simulator/scenarios/types';
export { scenarioDirectory } from '../simulator/scenarios/directory';
export {
  compactRecord,
  encodeLabPermalink,
  parseLabRecord,
  readPermalinkFragment,
  type LabRecord,
} from '../simulator/permalink';
export {
  authFlowPicture,
  authPicture,
  clusterPicture,
  flowPicture,
  identityAddressesPicture,
  ipcachePicture,
  keyHoldersPicture,
  type AuthFlowPicture,
  type AuthPicture,
  type FlowPicture,
  type IdentityAddressesPicture,
  type IpcacheRowPicture,
  type KeyHolderPicture,
  type NodePicture,
} from '../simulator/pictures/cluster-picture';
export { toStampMilli } from '../simulator/engine/virtual-time';
/** Loads the terminal (and its shell interpreter) when a reader first runs a command. */
export const loadTerminal = () => import('../simulator/terminal/session');
