/**
 * One handler per scenario action kind. The table's type names every kind of `ScenarioAction`, so
 * an action added to the vocabulary without a handler (or a handler for a kind that does not exist)
 * fails to compile.
 */
import type { ScenarioRun } from './run';
import type { ActionOf, ScenarioAction } from './types';
import {
  apply,
  applyExample,
  createCluster,
  deletePods,
  helmInstallCilium,
  installCilium,
  scale,
  wait,
  waitCiliumReady,
  waitRollouts,
} from './actions/cluster';
import { awsRunInstances } from './actions/aws';
import { connectivityMatrix, curl, curlFromRecorded } from './actions/connectivity';
import {
  checkStaleEntry,
  cutOff,
  recordAddresses,
  recordIdentity,
  restartUntilReuse,
  showIpcache,
} from './actions/stale-ipcache';
import { showAuthMap } from './actions/mutual-auth';
import { execCurl, getYaml, hubbleObserve, showEnvoyConfig, showNpds } from './actions/l7';
import {
  applyEnvoyConfig,
  compareProxyBlastRadius,
  curlUntilEnvoyStuck,
  deleteEnvoyConfig,
  probePods,
  restartEnvoy,
} from './actions/envoy-lab';
import {
  enrollNamespace,
  installIstio,
  meshCurlFromRecorded,
  meshMatrix,
  showMeshIdentities,
} from './actions/mesh';

/** Runs one action: reads the world, gives the simulation inputs, and writes the step. */
export type Handler<K extends ScenarioAction['do']> = (run: ScenarioRun, action: ActionOf<K>) => void;

const actionHandlers: { readonly [K in ScenarioAction['do']]: Handler<K> } = {
  'create-cluster': createCluster,
  'install-cilium': installCilium,
  'helm-install-cilium': helmInstallCilium,
  'wait-cilium-ready': waitCiliumReady,
  apply,
  'apply-example': applyExample,
  'wait-rollouts': waitRollouts,
  scale,
  'delete-pods': deletePods,
  'aws-run-instances': awsRunInstances,
  wait,
  'connectivity-matrix': connectivityMatrix,
  curl,
  'curl-from-recorded': curlFromRecorded,
  'show-ipcache': showIpcache,
  'record-identity': recordIdentity,
  'cut-off': cutOff,
  'record-addresses': recordAddresses,
  'restart-until-reuse': restartUntilReuse,
  'check-stale-entry': checkStaleEntry,
  'show-auth-map': showAuthMap,
  'exec-curl': execCurl,
  'hubble-observe': hubbleObserve,
  'show-npds': showNpds,
  'show-envoy-config': showEnvoyConfig,
  'get-yaml': getYaml,
  'apply-envoy-config': applyEnvoyConfig,
  'delete-envoy-config': deleteEnvoyConfig,
  'curl-until-envoy-stuck': curlUntilEnvoyStuck,
  'restart-envoy': restartEnvoy,
  'probe-pods': probePods,
  'compare-proxy-blast-radius': compareProxyBlastRadius,
  'install-istio': installIstio,
  'enroll-namespace': enrollNamespace,
  'show-mesh-identities': showMeshIdentities,
  'mesh-matrix': meshMatrix,
  'mesh-curl-from-recorded': meshCurlFromRecorded,
};

/** Runs an action with its kind's handler. */
export function runAction(run: ScenarioRun, action: ScenarioAction): void {
  // TypeScript cannot relate `actionHandlers[action.do]` to the narrowed action, so the lookup is
  // widened once here; the table's type already guarantees each handler takes its own kind.
  const handler = actionHandlers[action.do] as Handler<ScenarioAction['do']>;
  handler(run, action);
}
