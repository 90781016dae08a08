/**
 * The control plane kubeadm sets up in a kind cluster: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler run as static pods, which the control-plane node's
 * kubelet starts from manifests in /etc/kubernetes/manifests, not from the API server. The kubelet
 * posts a mirror pod for each to kube-system so that kubectl can see it: host network, the node's
 * address, the labels `component` and `tier: control-plane`, and the `kubernetes.io/config.*`
 * annotations that mark it as a mirror (kubernetes/kubernetes cmd/kubeadm/app/phases/controlplane
 * and phases/etcd; pkg/kubelet/types/pod_update.go for the annotations).
 *
 * Their identifiers come from a hash of the seed and the pod's name, not from the seeded generator:
 * adding them leaves every random draw of the rest of the model where it was.
 */
import { hashString64 } from '../engine/state-hash';
import { toTimestamp } from '../engine/virtual-time';
import type { NodeRuntime, World } from '../world';
import { requireCluster } from '../world';
import { getObject } from './api-store';
import { apiPut, apiRemove } from './api-writes';
import { controlPlaneImage, etcdImage } from './kubernetes-versions';
import type { Container, OwnerReference, Pod } from './objects';

/** The annotation that marks a mirror pod (the kubelet's ConfigMirrorAnnotationKey). */
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

/** Whether a pod is a static pod's mirror, which the kubelet runs from a file rather than the API. */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[mirrorPodAnnotation] !== undefined;
}

/** A 32-hex-digit value derived from a label (uids, config hashes). */
function derivedHex(world: World, label: string): string {
  return hashString64(`${world.seed}/${label}`) + hashString64(`${world.seed}/${label}#2`);
}

function derivedUid(world: World, label: string): string {
  const hex = derivedHex(world, label);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface StaticPodSpec {
  component: string;
  image: string;
  command: string[];
  annotations: Record<string, string>;
}

/** kubeadm's flags for each component, as kind's kubeadm config makes them. */
function controlPlaneSpecs(world: World, node: NodeRuntime, podSubnet: string): StaticPodSpec[] {
  const cluster = requireCluster(world);
  const ip = node.internalIP;
  const version = cluster.kubernetesVersion;
  const pki = '/etc/kubernetes/pki';
  return [
    {
      component: 'etcd',
      image: etcdImage(version),
      annotations: { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` },
      command: [
        'etcd',
        `--advertise-client-urls=https://${ip}:2379`,
        `--cert-file=${pki}/etcd/server.crt`,
        '--client-cert-auth=true',
        '--data-dir=/var/lib/etcd',
        `--initial-advertise-peer-urls=https://${ip}:2380`,
        `--initial-cluster=${node.name}=https://${ip}:2380`,
        `--key-file=${pki}/etcd/server.key`,
        `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
        '--listen-metrics-urls=http://127.0.0.1:2381',
        `--listen-peer-urls=https://${ip}:2380`,
        `--name=${node.name}`,
        `--peer-cert-file=${pki}/etcd/peer.crt`,
        '--peer-client-cert-auth=true',
        `--peer-key-file=${pki}/etcd/peer.key`,
        `--peer-trusted-ca-file=${pki}/etcd/ca.crt`,
        '--snapshot-count=10000',
        `--trusted-ca-file=${pki}/etcd/ca.crt`,
      ],
    },
    {
      component: 'kube-apiserver',
      image: controlPlaneImage('kube-apiserver', version),
      annotations: { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` },
      command: [
        'kube-apiserver',
        `--advertise-address=${ip}`,
        '--allow-privileged=true',
        '--authorization-mode=Node,RBAC',
        `--client-ca-file=${pki}/ca.crt`,
        '--enable-admission-plugins=NodeRestriction',
        '--enable-bootstrap-token-auth=true',
        `--etcd-cafile=${pki}/etcd/ca.crt`,
        `--etcd-certfile=${pki}/apiserver-etcd-client.crt`,
        `--etcd-keyfile=${pki}/apiserver-etcd-client.key`,
        '--etcd-servers=https://127.0.0.1:2379',
        `--kubelet-client-certificate=${pki}/apiserver-kubelet-client.crt`,
        `--kubelet-client-key=${pki}/apiserver-kubelet-client.key`,
        '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
        `--proxy-client-cert-file=${pki}/front-proxy-client.crt`,
        `--proxy-client-key-file=${pki}/front-proxy-client.key`,
        '--requestheader-allowed-names=front-proxy-client',
        `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-username-headers=X-Remote-User',
        '--runtime-config=',
        '--secure-port=6443',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki}/sa.pub`,
        `--service-account-signing-key-file=${pki}/sa.key`,
        `--service-cluster-ip-range=${cluster.serviceCIDR}`,
        `--tls-cert-file=${pki}/apiserver.crt`,
        `--tls-private-key-file=${pki}/apiserver.key`,
      ],
    },
    {
      component: 'kube-controller-manager',
      image: controlPlaneImage('kube-controller-manager', version),
      annotations: {},
      command: [
        'kube-controller-manager',
        '--allocate-node-cidrs=true',
        '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--bind-address=127.0.0.1',
        `--client-ca-file=${pki}/ca.crt`,
        `--cluster-cidr=${podSubnet}`,
        `--cluster-name=${cluster.name}`,
        `--cluster-signing-cert-file=${pki}/ca.crt`,
        `--cluster-signing-key-file=${pki}/ca.key`,
        '--controllers=*,bootstrapsigner,tokencleaner',
        '--enable-hostpath-provisioner=true',
        '--kubeconfig=/etc/kubernetes/controller-manager.conf',
        '--leader-elect=true',
        `--requestheader-client-ca-file=${pki}/front-proxy-ca.crt`,
        `--root-ca-file=${pki}/ca.crt`,
        `--service-account-private-key-file=${pki}/sa.key`,
        `--service-cluster-ip-range=${cluster.serviceCIDR}`,
        '--use-service-account-credentials=true',
      ],
    },
    {
      component: 'kube-scheduler',
      image: controlPlaneImage('kube-scheduler', version),
      annotations: {},
      command: [
        'kube-scheduler',
        '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
        '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
        '--bind-address=127.0.0.1',
        '--kubeconfig=/etc/kubernetes/scheduler.conf',
        '--leader-elect=true',
      ],
    },
  ];
}

/** The mirror pod the kubelet posts for one static pod, already running. */
function mirrorPod(world: World, node: NodeRuntime, spec: StaticPodSpec): Pod {
  const cluster = requireCluster(world);
  const name = `${spec.component}-${node.name}`;
  const now = toTimestamp(world.timeMs);
  const configHash = derivedHex(world, `${cluster.name}/${name}/config`);
  const nodeObject = getObject(cluster.api, 'Node', node.name);
  // Mirror pods are owned by their Node (controller: true, no blockOwnerDeletion).
  const owner = {
    apiVersion: 'v1',
    kind: 'Node',
    name: node.name,
    uid: nodeObject?.metadata.uid ?? '',
    controller: true,
  } as OwnerReference;
  const container: Container = {
    name: spec.component,
    image: spec.image,
    command: spec.command,
    imagePullPolicy: 'IfNotPresent',
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      uid: derivedUid(world, `${cluster.name}/${name}/uid`),
      resourceVersion: '0',
      creationTimestamp: now,
      labels: { component: spec.component, tier: 'control-plane' },
      annotations: {
        ...spec.annotations,
        'kubernetes.io/config.hash': configHash,
        [mirrorPodAnnotation]: configHash,
        // When the kubelet first saw the manifest, with the nanoseconds Go prints.
        'kubernetes.io/config.seen': now.replace(
          'Z',
          `.${String(parseInt(configHash.slice(0, 8), 16) % 1e9).padStart(9, '0')}Z`,
        ),
        'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [owner],
    },
    spec: {
      containers: [container],
      nodeName: node.name,
      hostNetwork: true,
      tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      ],
      hostIP: node.internalIP,
      podIP: node.internalIP,
      podIPs: [{ ip: node.internalIP }],
      startTime: now,
      containerStatuses: [
        {
          name: spec.component,
          image: spec.image,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: now } },
        },
      ],
    },
  };
}

/**
 * A deleted mirror pod comes back: the kubelet still runs the static pod from its file, so it
 * removes the old mirror and posts a new one, with a new uid (pkg/kubelet/pod/mirror_client.go).
 */
export function replaceDeletedMirrorPod(world: World, pod: Pod, key: string): void {
  const cluster = requireCluster(world);
  apiRemove(world, 'Pod', key);
  const now = toTimestamp(world.timeMs);
  const uid = derivedUid(world, `${cluster.name}/${pod.metadata.name}/uid/${world.timeMs}`);
  const fresh: Pod = {
    ...pod,
    metadata: { ...pod.metadata, uid, creationTimestamp: now, resourceVersion: '0' },
  };
  delete fresh.metadata.deletionTimestamp;
  delete fresh.metadata.deletionGracePeriodSeconds;
  apiPut(world, fresh);
}

/** Posts the mirror pods of the control plane's static pods, running on the control-plane node. */
export function addControlPlaneMirrorPods(world: World, node: NodeRuntime, podSubnet: string): void {
  for (const spec of controlPlaneSpecs(world, node, podSubnet)) apiPut(world, mirrorPod(world, node, spec));
}
