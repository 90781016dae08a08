/**
 * The Kubernetes Gateway API CRDs. Neither kind nor Istio installs them: Istio's ambient guides
 * apply a release bundle first (`kubectl apply -f
 * https://github.com/kubernetes-sigs/gateway-api/releases/download/vX.Y.Z/standard-install.yaml`),
 * and `istioctl waypoint apply` fails without them, because a waypoint is a Gateway object.
 *
 * The model keeps which bundle is installed, not the CRD objects themselves (the API store serves
 * only the kinds the model simulates). Bundles are known from v1.0 to v1.3 of the standard
 * channel: four CRDs in v1.0, GRPCRoute joining the standard channel in v1.1. The experimental
 * channel, and v1.4+ (BackendTLSPolicy in standard, and from v1.5 the safe-upgrades admission
 * policy), are refused with a sentence rather than modelled loosely.
 */
import type { World } from '../world';
export type { GatewayApiCrds } from '../world';

const releaseUrl =
  /^https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/(?:download\/(v\d+\.\d+\.\d+)|latest\/download)\/(standard|experimental)-install\.yaml$/;

/** The CRD group's suffix, as the CRD names carry it. */
const group = 'gateway.networking.k8s.io';

/** The standard channel's CRDs of a release, or undefined for a release the model does not know. */
function standardCrds(version: string): string[] | undefined {
  const match = /^v1\.(\d+)\.\d+$/.exec(version);
  const minor = match === null ? undefined : Number(match[1]);
  if (minor === undefined || minor > 3) return undefined;
  const kinds = [
    'gatewayclasses',
    'gateways',
    ...(minor >= 1 ? ['grpcroutes'] : []),
    'httproutes',
    'referencegrants',
  ];
  return kinds.map((kind) => `${kind}.${group}`);
}

/** What `kubectl apply -f URL` asks for, when the URL is a Gateway API release bundle. */
export type GatewayApiBundleRequest = { ok: true; version: string } | { ok: false; error: string };

/** Reads a release bundle URL; undefined when the URL is not a Gateway API bundle at all. */
export function gatewayApiBundle(url: string): GatewayApiBundleRequest | undefined {
  const match = releaseUrl.exec(url);
  if (match === null) return undefined;
  const [, version, channel] = match;
  if (version === undefined)
    return {
      ok: false,
      error: `the simulator cannot follow "latest" (the bundle changes with each release); name a release, e.g. .../releases/download/v1.2.1/standard-install.yaml`,
    };
  if (channel === 'experimental')
    return {
      ok: false,
      error: `the simulator models the standard channel of the Gateway API only; apply ${url.replace('experimental-install', 'standard-install')}`,
    };
  if (standardCrds(version) === undefined)
    return {
      ok: false,
      error: `the simulator knows the Gateway API bundles v1.0 to v1.3 (Istio 1.24's guides use v1.2); ${version} is not modelled`,
    };
  return { ok: true, version };
}

/** The CRD names of the installed bundle (none when there is none). */
export function installedGatewayApiCrds(world: Readonly<World>): string[] {
  const installed = world.cluster?.gatewayApiCrds;
  return installed === undefined ? [] : (standardCrds(installed.version) ?? []);
}

/**
 * Installs (or replaces) the bundle and says what kubectl prints for each CRD: created, unchanged
 * when the same release is applied again, configured when another release replaces it.
 */
export function applyGatewayApiCrds(world: World, version: string): string[] {
  const cluster = world.cluster;
  const names = standardCrds(version);
  if (cluster === undefined || names === undefined) return [];
  const before = new Set(installedGatewayApiCrds(world));
  const previous = cluster.gatewayApiCrds;
  cluster.gatewayApiCrds = { version, createdAtMs: previous?.createdAtMs ?? world.timeMs };
  return names.map((name) => {
    const verb = !before.has(name) ? 'created' : previous?.version === version ? 'unchanged' : 'configured';
    return `customresourcedefinition.apiextensions.k8s.io/${name} ${verb}`;
  });
}
