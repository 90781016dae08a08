/**
 * Routes Istio's events (mesh/events.ts) to their handlers, so the world's dispatcher needs one line
 * per family. Also answers whether the API server serves Istio's kinds yet (the base chart's CRDs).
 */
import type { ApiObject } from '../k8s/objects';
import type { World } from '../world';
import type { MeshInputEvent, MeshInternalEvent } from './events';
import { installIstio, type IstioInstallResult } from './install';
import { istioCrdFor } from './crds';
import { handleRotation, handleSidecarCsr, handleZtunnelCsr } from './workloads';

/** Runs `istio.install`. */
export function processMeshInput(
  world: World,
  event: Extract<MeshInputEvent, { type: 'istio.install' }>,
): IstioInstallResult {
  return installIstio(world, event.request);
}

/** Runs istio-agent's, ztunnel's and istiod's own work. */
export function processMeshEvent(world: World, event: MeshInternalEvent): void {
  switch (event.type) {
    case 'mesh.sidecar.csr':
      handleSidecarCsr(world, event.podKey, event.podUid);
      return;
    case 'mesh.ztunnel.csr':
      handleZtunnelCsr(world, event.node, event.namespace, event.serviceAccount);
      return;
    case 'mesh.certificate.rotate':
      handleRotation(world, event.holder, event.spiffeId, event.serialHex);
      return;
  }
}

/** kubectl's refusal when Istio's CRDs are not installed yet, for the first Istio object applied. */
export function missingIstioCrds(world: Readonly<World>, objects: readonly ApiObject[]): string | undefined {
  if (world.cluster?.mesh?.components.base === true) return undefined;
  const object = objects.find((candidate) => istioCrdFor(candidate.kind) !== undefined);
  if (object === undefined) return undefined;
  return `resource mapping not found for name: "${object.metadata.name}" namespace: "${object.metadata.namespace ?? ''}" from "STDIN": no matches for kind "${object.kind}" in version "${object.apiVersion}"\nensure CRDs are installed first`;
}
