/**
 * Public surface of the simulator core, shared by the site, the command line and the tests.
 * Nothing here may depend on a browser, a framework or the wall clock.
 */
export { scenarioIds, scenarios } from './scenarios/catalog';
export type {
  Scenario,
  ScenarioStep,
  ScenarioAction,
  ScenarioFacts,
  ScenarioVariant,
} from './scenarios/types';
export type { Observation, CurlObservation } from './scenarios/observations';
export { runScenario, type ScenarioTranscript, type StepTranscript } from './scenarios/runner';
export { Simulation, replay, type TimelineStep, type LogEntry } from './simulation';
export type { World, Cluster } from './world';
export type { InputEvent, SimEvent } from './events';
export type { InputResult } from './dispatch';
export { stateHash } from './engine/state-hash';
export { toStampMilli, toTimestamp } from './engine/virtual-time';
export { ScenarioPlayer } from './scenarios/runner';
export {
  architectureCases,
  runArchitecture,
  type ArchitectureCase,
  type ArchitectureVerdict,
} from './scenarios/comparison';
export {
  clusterPicture,
  ipcachePicture,
  flowPicture,
  identityAddressesPicture,
  authPicture,
  authFlowPicture,
  keyHoldersPicture,
  type AuthFlowPicture,
  type KeyHolderPicture,
  type AuthPicture,
  type IdentityAddressesPicture,
  type FlowPicture,
  type WatchPicture,
  type NodePicture,
  type PodPicture,
  type IpcacheRowPicture,
} from './pictures/cluster-picture';
export { formatIpcacheMapGet } from './cilium/cli-format';
export {
  encodeLabPermalink,
  decodeLabPermalink,
  parseLabRecord,
  compactRecord,
  readPermalinkFragment,
  encodeScenarioPermalink,
  decodeScenarioPermalink,
  maxLinkLength,
  type LabAction,
  type LabRecord,
  type DecodedLab,
  type ScenarioPermalink,
  type DecodedPermalink,
} from './permalink';
export {
  LabSession,
  withoutLastStep,
  type TerminalEntry,
  type TerminalLoader,
  type RestoreResult,
} from './scenarios/lab-session';
/**
 * Loads the certificate layer (deterministic X.509, Istio's CA, SPIRE, the TLS handshake machine)
 * on demand: it brings the crypto libraries, which no page should pay for until it shows a
 * certificate or a handshake.
 */
export const loadIdentityPki = () => import('./identity-pki');
/** Loads the terminal (and its shell interpreter) on demand, so pages without one never download it. */
export const loadTerminal = () => import('./terminal/session');
