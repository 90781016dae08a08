/**
 * `helm install`, `helm upgrade [--install]` and `helm uninstall` of the cilium chart, with Helm's
 * value semantics (pkg/action/upgrade.go reuseValues): without --reuse-values an upgrade that sets
 * anything starts again from the chart's defaults plus what it sets, and one that sets nothing
 * keeps the last release's values; --reuse-values merges the new values over the last release's;
 * --reset-values drops them. An upgrade changes the live objects with Helm's three-way merge
 * (helm/three-way-merge.ts), so a changed DaemonSet template rolls the agents, a changed
 * cilium-config waits for their next restart, and what others added to the objects stays.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { applyObjects } from '../k8s/apply';
import { eachObject, getObject, keyOf } from '../k8s/api-store';
import { apiRemove } from '../k8s/api-writes';
import type { ApiKind, ApiObject } from '../k8s/objects';
import { threeWayMerge } from './three-way-merge';
import { renderCiliumChart } from '../cilium/chart';
import { agentConfigFromConfigMap, renderCiliumConfigMap } from '../cilium/chart-config';
import { resolveCiliumConfig } from '../cilium/config';
import { initCiliumState } from '../cilium/install';
import { deleteReleaseHistory, releaseHistory, storeRelease, type HelmRelease } from './releases';
import { flattenValues, mergeValues, valuesFromFlat, type HelmValues } from './values';
import { istioNamespace, istioVersion } from '../mesh/state';
import type { HelmRequest } from './request';
export type { HelmRequest } from './request';

/** The chart version `helm install|upgrade cilium/cilium` picks without --version. */
const latestCiliumChart = '1.18.5';

/** What an operation did, for the command's output. */
export type HelmOutcome =
  { ok: true; release: HelmRelease; installed: boolean; warnings: string[] } | { ok: false; error: string };

/** The cilium chart's NOTES.txt, as Helm prints it (trimmed). */
function ciliumNotes(version: string, values: Record<string, string>): string {
  const hubble = values['hubble.enabled'] !== 'false';
  const relay = hubble && values['hubble.relay.enabled'] === 'true';
  const ui = values['hubble.ui.enabled'] === 'true';
  const what = relay
    ? ui
      ? 'Cilium with Hubble Relay and Hubble UI'
      : 'Cilium with Hubble Relay'
    : hubble
      ? 'Cilium with Hubble'
      : ui
        ? 'Cilium with Hubble UI'
        : 'Cilium';
  const minor = /^\d+\.\d+/.exec(version)?.[0] ?? version;
  return `You have successfully installed ${what}.\n\nYour release version is ${version}.\n\nFor any further help, visit https://docs.cilium.io/en/v${minor}/gettinghelp`;
}

/** The identity of a rendered object, to pair it with its earlier rendering and its live version. */
const objectId = (object: ApiObject): string =>
  `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/**
 * The objects an upgrade writes: each rendered object three-way merged with what the chart rendered
 * for the previous revision and what the cluster holds (helm/three-way-merge.ts); a new one as rendered.
 */
function upgradedObjects(
  world: World,
  rendered: readonly ApiObject[],
  previous: readonly ApiObject[],
): ApiObject[] {
  const api = requireCluster(world).api;
  const before = new Map(previous.map((object) => [objectId(object), object]));
  return rendered.map((object) => {
    const live = getObject(api, object.kind, keyOf(object));
    if (live === undefined) return object;
    return threeWayMerge(before.get(objectId(object)), object, live) as ApiObject;
  });
}

/**
 * Renders and applies the cilium chart for a revision; returns warnings, or the error that stops
 * it. `previous` is the revision an upgrade replaces, whose rendering is the patch's original.
 */
function deployCilium(
  world: World,
  request: HelmRequest,
  version: string,
  values: HelmValues,
  previous?: HelmRelease,
): { warnings: string[] } | { error: string } {
  const flat = flattenValues(values);
  const resolved = resolveCiliumConfig({ version, values: flat });
  if (resolved.config === undefined) return { error: resolved.error ?? 'invalid values' };
  if (world.cluster?.cilium === undefined) {
    // The agents' first configuration is what they will read from the ConfigMap the chart renders.
    const fromConfigMap = agentConfigFromConfigMap(version, renderCiliumConfigMap(version, flat));
    initCiliumState(world, 'config' in fromConfigMap ? fromConfigMap.config : resolved.config);
  }
  const rendered = renderCiliumChart(version, flat, request.release, request.namespace);
  const original =
    previous === undefined
      ? []
      : renderCiliumChart(
          previous.chart.version,
          flattenValues(previous.config),
          request.release,
          request.namespace,
        );
  applyObjects(world, previous === undefined ? rendered : upgradedObjects(world, rendered, original));
  // What the previous revision rendered and this one does not goes (Helm's update deletes it).
  const kept = new Set(rendered.map(objectId));
  for (const object of original)
    if (!kept.has(objectId(object))) apiRemove(world, object.kind, keyOf(object));
  return { warnings: resolved.warnings };
}

/** The chart version a request asks for, or Helm's error for one the repository does not have. */
function chartVersion(request: HelmRequest): { version: string } | { error: string } {
  if (request.chart !== 'cilium/cilium')
    return {
      error: `repo ${request.chart.split('/')[0] ?? request.chart} not found (the simulator upgrades only cilium/cilium)`,
    };
  const version = (request.version ?? latestCiliumChart).replace(/^v/, '');
  if (!/^1\.1[2-8]\.\d+$/.test(version))
    return {
      error: `chart "cilium" matching ${request.version ?? ''} not found in cilium index. (try 'helm repo update'): no chart version found for cilium-${request.version ?? ''} (the simulator models charts 1.12 to 1.18)`,
    };
  return { version };
}

/** `helm install RELEASE cilium/cilium`. */
export function helmInstall(world: World, request: HelmRequest): HelmOutcome {
  const history = releaseHistory(world, request.release, request.namespace);
  const last = history[history.length - 1];
  if (last !== undefined && last.info.status !== 'uninstalled')
    return { ok: false, error: 'INSTALLATION FAILED: cannot re-use a name that is still in use' };
  const chart = chartVersion(request);
  if ('error' in chart) return { ok: false, error: `INSTALLATION FAILED: ${chart.error}` };
  const deployed = deployCilium(world, request, chart.version, request.values);
  if ('error' in deployed) return { ok: false, error: `INSTALLATION FAILED: ${deployed.error}` };
  const release: HelmRelease = {
    name: request.release,
    namespace: request.namespace,
    version: (last?.version ?? 0) + 1,
    chart: { name: 'cilium', version: chart.version, appVersion: chart.version },
    config: request.values,
    info: {
      status: 'deployed',
      firstDeployedMs: world.timeMs,
      lastDeployedMs: world.timeMs,
      description: request.description ?? 'Install complete',
      notes: ciliumNotes(chart.version, flattenValues(request.values)),
    },
  };
  storeRelease(world, release);
  return { ok: true, release, installed: true, warnings: deployed.warnings };
}

/** The values an upgrade deploys, from the request and the current release (Upgrade.reuseValues). */
function upgradeValues(request: HelmRequest, current: HelmRelease): HelmValues {
  if (request.resetValues === true) return request.values;
  if (request.reuseValues === true || request.resetThenReuseValues === true)
    return mergeValues(current.config, request.values);
  return request.valuesGiven ? request.values : current.config;
}

/** `helm upgrade [--install] RELEASE cilium/cilium`. */
export function helmUpgrade(world: World, request: HelmRequest): HelmOutcome {
  const history = releaseHistory(world, request.release, request.namespace);
  const last = history[history.length - 1];
  if (last === undefined || last.info.status === 'uninstalled') {
    if (request.install === true) return helmInstall(world, request);
    return { ok: false, error: `UPGRADE FAILED: "${request.release}" has no deployed releases` };
  }
  const chart = chartVersion(request);
  if ('error' in chart) return { ok: false, error: chart.error };
  const current = [...history].reverse().find((release) => release.info.status === 'deployed') ?? last;
  const values = upgradeValues(request, current);
  const deployed = deployCilium(world, request, chart.version, values, current);
  if ('error' in deployed) return { ok: false, error: `UPGRADE FAILED: ${deployed.error}` };
  for (const release of history)
    if (release.info.status === 'deployed')
      storeRelease(world, { ...release, info: { ...release.info, status: 'superseded' } });
  const release: HelmRelease = {
    name: request.release,
    namespace: request.namespace,
    version: last.version + 1,
    chart: { name: 'cilium', version: chart.version, appVersion: chart.version },
    config: values,
    info: {
      status: 'deployed',
      firstDeployedMs: current.info.firstDeployedMs,
      lastDeployedMs: world.timeMs,
      description: request.description ?? 'Upgrade complete',
      notes: ciliumNotes(chart.version, flattenValues(values)),
    },
  };
  storeRelease(world, release);
  return { ok: true, release, installed: false, warnings: deployed.warnings };
}

/**
 * Records a release of one of Istio's charts, which the mesh model installs (mesh/install.ts), so
 * that `helm list` and `helm history` show it. Istio's charts are versioned as Istio itself.
 */
export function recordIstioRelease(
  world: World,
  name: string,
  chart: string,
  flat: Record<string, string>,
): void {
  storeRelease(world, {
    name,
    namespace: istioNamespace,
    version: 1,
    chart: { name: chart, version: istioVersion, appVersion: istioVersion },
    config: valuesFromFlat(flat),
    info: {
      status: 'deployed',
      firstDeployedMs: world.timeMs,
      lastDeployedMs: world.timeMs,
      description: 'Install complete',
      notes: '',
    },
  });
}

/** The kinds the cilium chart's objects are of, which `helm uninstall` deletes. */
const releaseKinds: readonly ApiKind[] = [
  'DaemonSet',
  'Deployment',
  'ConfigMap',
  'RoleBinding',
  'ClusterRoleBinding',
  'Role',
  'ClusterRole',
  'ServiceAccount',
];

/** `helm uninstall RELEASE`: deletes what the release created (its pods go with their owners), then its history. */
export function helmUninstall(
  world: World,
  name: string,
  namespace: string,
  keepHistory: boolean,
): HelmOutcome {
  const history = releaseHistory(world, name, namespace);
  const last = history[history.length - 1];
  if (last === undefined || (last.info.status === 'uninstalled' && !keepHistory))
    return { ok: false, error: `uninstall: Release not loaded: ${name}: release: not found` };
  const api = requireCluster(world).api;
  for (const kind of releaseKinds)
    for (const object of eachObject(api, kind)) {
      const annotations = object.metadata.annotations;
      if (
        annotations?.['meta.helm.sh/release-name'] === name &&
        annotations['meta.helm.sh/release-namespace'] === namespace
      )
        apiRemove(world, kind, keyOf(object));
    }
  const release: HelmRelease = {
    ...last,
    info: { ...last.info, status: 'uninstalled', description: 'Uninstallation complete' },
  };
  if (keepHistory) storeRelease(world, release);
  else deleteReleaseHistory(world, name, namespace);
  return { ok: true, release, installed: false, warnings: [] };
}
