/**
 * `kubectl get crd [NAME]`: every CustomResourceDefinition the cluster has, by who installed it —
 * Cilium's operator at start-up (cilium/crds.ts), Istio's base chart (mesh/crds.ts) and a Gateway
 * API bundle a reader applied (k8s/gateway-api-crds.ts). kubectl prints the CRD table the API
 * server sends: NAME and CREATED AT, sorted by name.
 */
import { toTimestamp, virtualEpochMs } from '../engine/virtual-time';
import { ciliumCrdPlurals } from '../cilium/crds';
import { installedGatewayApiCrds } from '../k8s/gateway-api-crds';
import { istioCrds, istioCrdsInstalled } from '../mesh/crds';
import { listObjects } from '../k8s/api-store';
import type { World } from '../world';
import type { CommandResult } from './context';

interface CrdRow {
  name: string;
  createdAtMs: number;
}

/** When Cilium's operator registered its CRDs, or undefined while no operator has run. */
function ciliumCrdsCreatedAtMs(world: Readonly<World>): number | undefined {
  const cilium = world.cluster?.cilium;
  if (cilium === undefined) return undefined;
  if (cilium.crdsCreatedAtMs !== undefined) return cilium.crdsCreatedAtMs;
  // No agent has started yet (or none could): the operator still registered them when it started.
  // The operator's pods are those of the chart's cilium-operator Deployment (cilium/chart.ts).
  const operators = listObjects(world.cluster!.api, 'Pod').filter(
    (pod) => pod.metadata.labels?.['io.cilium/app'] === 'operator',
  );
  const started = operators.map((pod) => Date.parse(pod.metadata.creationTimestamp)).sort((a, b) => a - b)[0];
  return started === undefined ? undefined : started - virtualEpochMs;
}

/** Every CRD the cluster serves now, with the time it was created. */
function installedCrds(world: Readonly<World>): CrdRow[] {
  const rows: CrdRow[] = [];
  const cilium = world.cluster?.cilium;
  const ciliumAt = ciliumCrdsCreatedAtMs(world);
  if (cilium !== undefined && ciliumAt !== undefined)
    for (const plural of ciliumCrdPlurals(cilium.config))
      rows.push({ name: `${plural}.cilium.io`, createdAtMs: ciliumAt });
  const mesh = world.cluster?.mesh;
  if (mesh !== undefined && istioCrdsInstalled(world))
    for (const crd of istioCrds)
      rows.push({ name: `${crd.plural}.${crd.group}`, createdAtMs: mesh.installedAtMs });
  const gatewayAt = world.cluster?.gatewayApiCrds?.createdAtMs;
  if (gatewayAt !== undefined)
    for (const name of installedGatewayApiCrds(world)) rows.push({ name, createdAtMs: gatewayAt });
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The table, or kubectl's NotFound for a name the cluster does not have. */
export function getCrds(world: Readonly<World>, name: string | undefined): CommandResult {
  const all = installedCrds(world);
  const shown = name === undefined ? all : all.filter((row) => row.name === name);
  if (name !== undefined && shown.length === 0)
    return {
      stdout: '',
      stderr: `Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "${name}" not found\n`,
      exitCode: 1,
    };
  if (shown.length === 0) return { stdout: '', stderr: 'No resources found\n', exitCode: 0 };
  const width = Math.max('NAME'.length, ...shown.map((row) => row.name.length)) + 3;
  const lines = [
    'NAME'.padEnd(width) + 'CREATED AT',
    ...shown.map((row) => row.name.padEnd(width) + toTimestamp(row.createdAtMs)),
  ];
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
}
