/**
 * The workloads `kind create cluster` starts besides CoreDNS (k8s/cluster-dns.ts): kubeadm's
 * kube-proxy DaemonSet (not with `kubeProxyMode: none`), kind's kindnet DaemonSet (not with
 * `disableDefaultCNI: true`) and kind's local-path-provisioner Deployment in local-path-storage
 * (kubernetes-sigs/kind pkg/build/nodeimage const_cni.go and const_storage.go, images per release in
 * k8s/kind-releases.ts; kubeadm's addon/kube-proxy manifest). local-path-provisioner is an ordinary pod: without a CNI it stays
 * Pending, and once Cilium runs it gets an address, a CiliumEndpoint and an identity.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { applyObjects } from './apply';
import type { KindClusterConfig } from './kind-config';
import { parseManifests } from './manifests';
import type { ApiObject } from './objects';
import { controlPlaneImage } from './kubernetes-versions';
import { dayOf, installedKind } from './cluster-create';
import { releaseOfImage, type KindRelease } from './kind-releases';

function kubeProxyManifest(version: string, podSubnet: string, mode: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: kube-proxy
  namespace: kube-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
  labels:
    app: kube-proxy
data:
  config.conf: |-
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    bindAddress: 0.0.0.0
    clusterCIDR: ${podSubnet}
    conntrack:
      maxPerCore: 0
    iptables:
      minSyncPeriod: 1s
    kind: KubeProxyConfiguration
    mode: ${mode}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-proxy
  namespace: kube-system
  labels:
    k8s-app: kube-proxy
spec:
  selector:
    matchLabels:
      k8s-app: kube-proxy
  updateStrategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        k8s-app: kube-proxy
    spec:
      priorityClassName: system-node-critical
      hostNetwork: true
      serviceAccountName: kube-proxy
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - operator: Exists
      containers:
      - name: kube-proxy
        image: ${controlPlaneImage('kube-proxy', version)}
        imagePullPolicy: IfNotPresent
        command:
        - /usr/local/bin/kube-proxy
        - --config=/var/lib/kube-proxy/config.conf
        - --hostname-override=$(NODE_NAME)
`;
}

/** Whether a kind release's kindnet runs on Linux nodes only (a nodeSelector since kind v0.18.0). */
function kindnetLinuxOnly(release: KindRelease): boolean {
  return Number(/^v0\.(\d+)\./.exec(release.version)?.[1] ?? '0') >= 18;
}

function kindnetManifest(release: KindRelease): string {
  const addons = release.addons;
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: kindnet
  namespace: kube-system
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kindnet
  namespace: kube-system
  labels:
    tier: node
    app: kindnet
    k8s-app: kindnet
spec:
  selector:
    matchLabels:
      app: kindnet
  template:
    metadata:
      labels:
        tier: node
        app: kindnet
        k8s-app: kindnet
    spec:
      hostNetwork: true${kindnetLinuxOnly(release) ? '\n      nodeSelector:\n        kubernetes.io/os: linux' : ''}
      tolerations:
      - operator: Exists
      serviceAccountName: kindnet
      containers:
      - name: kindnet-cni
        image: docker.io/kindest/kindnetd:${addons.kindnetd}
`;
}

function localPathManifest(addons: KindRelease['addons']): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: local-path-provisioner-service-account
  namespace: local-path-storage
---
kind: ConfigMap
apiVersion: v1
metadata:
  name: local-path-config
  namespace: local-path-storage
data:
  config.json: |-
    {
            "nodePathMap":[
            {
                    "node":"DEFAULT_PATH_FOR_NON_LISTED_NODES",
                    "paths":["/var/local-path-provisioner"]
            }
            ]
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: local-path-provisioner
  namespace: local-path-storage
spec:
  replicas: 1
  selector:
    matchLabels:
      app: local-path-provisioner
  template:
    metadata:
      labels:
        app: local-path-provisioner
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Equal
        effect: NoSchedule
      - key: node-role.kubernetes.io/master
        operator: Equal
        effect: NoSchedule
      serviceAccountName: local-path-provisioner-service-account
      containers:
      - name: local-path-provisioner
        image: docker.io/kindest/local-path-provisioner:${addons.localPathProvisioner}
        imagePullPolicy: IfNotPresent
        command:
        - local-path-provisioner
        - --debug
        - start
        - --helper-image
        - docker.io/kindest/local-path-helper:${addons.localPathHelper}
        - --config
        - /etc/config/config.json
`;
}

/**
 * Creates kind's own workloads for a cluster just created with this config, in the versions the
 * release that built its control-plane node image ships.
 */
export function addKindAddons(world: World, config: KindClusterConfig): void {
  const cluster = requireCluster(world);
  const controlPlane = Object.values(cluster.nodes).find((node) => node.role === 'control-plane');
  const release =
    (controlPlane === undefined ? undefined : releaseOfImage(controlPlane.image, dayOf(world))) ??
    installedKind(world);
  const manifests: string[] = [];
  if (config.kubeProxyMode !== 'none')
    manifests.push(
      kubeProxyManifest(cluster.kubernetesVersion, config.podSubnet, config.kubeProxyMode ?? 'iptables'),
    );
  if (!config.disableDefaultCNI) manifests.push(kindnetManifest(release));
  manifests.push(localPathManifest(release.addons));
  applyObjects(world, parsedOnce(manifests.join('---\n')));
}

/** Parsed manifests by their text: parsing is pure, and applyObjects copies what it stores. */
const parsedManifests = new Map<string, readonly ApiObject[]>();

function parsedOnce(text: string): readonly ApiObject[] {
  let objects = parsedManifests.get(text);
  if (objects === undefined) {
    const parsed = parseManifests(text);
    if (parsed.errors.length > 0) throw new Error(parsed.errors.join('\n'));
    objects = parsed.objects;
    if (parsedManifests.size >= 16) parsedManifests.clear();
    parsedManifests.set(text, objects);
  }
  return objects;
}
