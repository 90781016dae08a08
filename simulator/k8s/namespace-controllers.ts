/**
 * The kube-controller-manager controllers that look after every namespace: the service account
 * controller keeps a `default` ServiceAccount in each active namespace, the root CA publisher keeps
 * a `kube-root-ca.crt` ConfigMap with the cluster CA (kubernetes pkg/controller/serviceaccount and
 * pkg/controller/certificates/rootcacertpublisher/publisher.go), and the namespace controller
 * empties a namespace that is being deleted before the API server removes it
 * (pkg/controller/namespace). Each reacts through the work queue, so a burst of changes costs one
 * sync, and each recreates what a reader deletes, as the real controllers do.
 */
import type { World } from '../world';
import { requireCluster, schedule } from '../world';
import { getObject, listObjects } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { clusterCaCertificate } from './cluster-ca';
import { controlPlaneMetadata, newMetadata } from './metadata';
import { customKinds } from './extension-points';
import {
  isNamespacedKind,
  type ApiKind,
  type ConfigMap,
  type Namespace,
  type ServiceAccount,
} from './objects';
import { requestPodDeletion } from './workloads';

const rootCaConfigMapName = 'kube-root-ca.crt';
const descriptionAnnotation = 'kubernetes.io/description';
const description =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

function activeNamespace(world: World, name: string): Namespace | undefined {
  const namespace = getObject(requireCluster(world).api, 'Namespace', name);
  return namespace === undefined || namespace.status.phase !== 'Active' ? undefined : namespace;
}

/** The service account controller: every active namespace has a `default` ServiceAccount. */
export function syncDefaultServiceAccount(world: World, namespace: string): void {
  if (activeNamespace(world, namespace) === undefined) return;
  const api = requireCluster(world).api;
  if (getObject(api, 'ServiceAccount', `${namespace}/default`) !== undefined) return;
  const account: ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: controlPlaneMetadata(world, 'ServiceAccount', 'default', namespace),
  };
  apiPut(world, account);
}

/** The root CA publisher: every active namespace has the cluster CA bundle, as published. */
export function syncRootCaConfigMap(world: World, namespace: string): void {
  if (activeNamespace(world, namespace) === undefined) return;
  const api = requireCluster(world).api;
  const key = `${namespace}/${rootCaConfigMapName}`;
  const existing = getObject(api, 'ConfigMap', key);
  const data = { 'ca.crt': clusterCaCertificate };
  if (
    existing !== undefined &&
    existing.data?.['ca.crt'] === clusterCaCertificate &&
    Object.keys(existing.data).length === 1 &&
    (existing.metadata.annotations?.[descriptionAnnotation] ?? '') !== ''
  )
    return;
  const metadata =
    existing?.metadata ?? controlPlaneMetadata(world, 'ConfigMap', rootCaConfigMapName, namespace);
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...metadata, annotations: { ...metadata.annotations, [descriptionAnnotation]: description } },
    data,
  };
  apiPut(world, configMap, key);
}

/** How often the namespace controller looks again at a namespace whose pods are still terminating. */
const namespaceRequeueMs = 1_000;

/**
 * The namespace controller: deletes everything in a Terminating namespace (pods gracefully), and
 * once nothing is left removes the namespace itself, which is when `kubectl delete namespace` returns.
 */
export function syncTerminatingNamespace(world: World, name: string): void {
  const cluster = requireCluster(world);
  const namespace = getObject(cluster.api, 'Namespace', name);
  if (namespace?.status.phase !== 'Terminating') return;
  let remaining = 0;
  for (const kind of Object.keys(cluster.api.objects).sort() as ApiKind[]) {
    if (!isNamespacedKind(kind, customKinds(world))) continue;
    for (const object of listObjects(cluster.api, kind)) {
      if ((object.metadata.namespace ?? 'default') !== name) continue;
      if (object.kind === 'Pod') {
        requestPodDeletion(world, object);
        if (getObject(cluster.api, 'Pod', `${name}/${object.metadata.name}`) !== undefined) remaining += 1;
      } else apiRemove(world, object.kind, `${name}/${object.metadata.name}`);
    }
  }
  if (remaining === 0) apiRemove(world, 'Namespace', name);
  else schedule(world, namespaceRequeueMs, { type: 'controller.namespace.sync', key: name });
}

/**
 * A new Namespace as the API server stores it: the `kubernetes.io/metadata.name` label the
 * NamespaceDefaultLabelName feature sets, the `kubernetes` finalizer and phase Active
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name,
 * kubernetes pkg/registry/core/namespace/strategy.go).
 */
export function newNamespace(world: World, name: string): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: newMetadata(world, name, undefined, { 'kubernetes.io/metadata.name': name }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
