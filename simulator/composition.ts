/**
 * The one place where the layers above Kubernetes plug into it (ARCHITECTURE.md, "Layers"):
 * Cilium as the kubelet's CNI plugin, the agent's pod hooks and the watchers of the API server;
 * Istio's sidecar injection as mutating admission, its CRDs as custom kinds, its sidecars and
 * ztunnel as proxies in front of applications. dispatch.ts composes the layers before any event
 * runs; composing twice changes nothing.
 */
import { ciliumWatchesChange } from './cilium/api-watchers';
import { agentContainerStarted, agentContainerStopped } from './cilium/agent-pod';
import { registerApplicationProxy } from './cilium/application-proxies';
import { cniAdd, cniDel, cniReady } from './cilium/cni';
import {
  registerApiWatcher,
  registerCniPlugin,
  registerCustomKind,
  registerPodHooks,
  registerPodMutation,
} from './k8s/extension-points';
import { istioCrds, istioVersionServed } from './mesh/crds';
import { istioSecurityKinds, validateIstioSecurityObject } from './mesh/policies';
import { answerInMesh } from './mesh/traffic';
import { injectSidecar, meshContainersStarted, meshSandboxRemoved } from './mesh/workloads';

let composed = false;

/** Plugs Cilium and Istio into the Kubernetes layer, once. */
export function composeLayers(): void {
  if (composed) return;
  composed = true;
  registerCniPlugin({ ready: cniReady, add: cniAdd, del: cniDel });
  // Cilium's agent first: the order in which pod hooks run is part of the replayed behaviour.
  registerPodHooks({ containersStarted: agentContainerStarted, containersStopped: agentContainerStopped });
  registerPodHooks({ sandboxStarted: meshContainersStarted, sandboxRemoved: meshSandboxRemoved });
  registerApiWatcher(ciliumWatchesChange);
  registerPodMutation(injectSidecar);
  for (const crd of istioCrds) {
    registerCustomKind(crd.kind, {
      served: (cluster) => cluster.mesh?.components.base === true,
      versionServed: (apiVersion) => istioVersionServed(crd, apiVersion),
      ...(istioSecurityKinds.has(crd.kind)
        ? {
            refusal: (apiVersion, name, body) =>
              validateIstioSecurityObject(crd.kind, apiVersion, name, body),
          }
        : {}),
    });
  }
  registerApplicationProxy(answerInMesh);
}
