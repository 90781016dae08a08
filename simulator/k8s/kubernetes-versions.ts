/**
 * What a Kubernetes minor release brings along in a kind node: the etcd and CoreDNS that kubeadm
 * deploys with it (`SupportedEtcdVersion` and `CoreDNSVersion` in kubernetes/kubernetes
 * cmd/kubeadm/app/constants/constants.go at the minor's first releases), the registry its images
 * come from (k8s.gcr.io until 1.24, registry.k8s.io from 1.25: kubernetes/kubernetes#109938), and
 * the kustomize built into its kubectl (staging/src/k8s.io/kubectl go.mod).
 */

import type { Taint } from './objects';

/** The minor number of `v1.24.0` (24), or undefined. */
export function kubernetesMinor(version: string): number | undefined {
  // Read on every scheduling cycle, from the few versions a run names: each is parsed once.
  if (parsedMinors.has(version)) return parsedMinors.get(version);
  const match = /^v?1\.(\d+)\.\d+/.exec(version);
  const minor = match === null ? undefined : Number(match[1]);
  if (parsedMinors.size < 64) parsedMinors.set(version, minor);
  return minor;
}

const parsedMinors = new Map<string, number | undefined>();

/** The minor release a cluster's API server runs (24 for a version the model cannot read). */
export function serverMinor(cluster: { readonly kubernetesVersion: string }): number {
  return kubernetesMinor(cluster.kubernetesVersion) ?? 24;
}

/**
 * The taints kubeadm puts on a control-plane node (KEP-2067, kubernetes/kubeadm#2200): `master`
 * alone up to 1.23, both `master` and `control-plane` in 1.24, `control-plane` alone from 1.25.
 */
export function controlPlaneTaints(version: string): Taint[] {
  const minor = kubernetesMinor(version) ?? 24;
  const taints: Taint[] = [];
  if (minor <= 24) taints.push({ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' });
  if (minor >= 24) taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  return taints;
}

/**
 * kubeadm's CoreDNS Deployment tolerates the control plane's taints of its release: the `master`
 * one too up to 1.24 (cmd/kubeadm/app/phases/addons/dns/manifests.go).
 */
export function coreDnsMasterToleration(version: string): boolean {
  return (kubernetesMinor(version) ?? 24) <= 24;
}

/** What kubeadm deploys beside a minor release, and the kustomize its kubectl carries. */
interface MinorRelease {
  etcd: string;
  coreDns: string;
  kustomize: string;
}

const minors: Readonly<Record<number, MinorRelease>> = {
  18: { etcd: '3.4.3-0', coreDns: '1.6.7', kustomize: 'v2.0.3' },
  19: { etcd: '3.4.13-0', coreDns: '1.7.0', kustomize: 'v2.0.3' },
  20: { etcd: '3.4.13-0', coreDns: '1.7.0', kustomize: 'v2.0.3' },
  21: { etcd: '3.4.13-0', coreDns: 'v1.8.0', kustomize: 'v4.0.5' },
  22: { etcd: '3.5.0-0', coreDns: 'v1.8.4', kustomize: 'v4.2.0' },
  23: { etcd: '3.5.1-0', coreDns: 'v1.8.6', kustomize: 'v4.4.1' },
  24: { etcd: '3.5.3-0', coreDns: 'v1.8.6', kustomize: 'v4.5.4' },
  25: { etcd: '3.5.4-0', coreDns: 'v1.9.3', kustomize: 'v4.5.7' },
  26: { etcd: '3.5.6-0', coreDns: 'v1.9.3', kustomize: 'v4.5.7' },
  27: { etcd: '3.5.7-0', coreDns: 'v1.10.1', kustomize: 'v5.0.1' },
  28: { etcd: '3.5.9-0', coreDns: 'v1.10.1', kustomize: 'v5.0.4-0.20230601165947-6ce0bf390ce3' },
  29: { etcd: '3.5.10-0', coreDns: 'v1.11.1', kustomize: 'v5.0.4-0.20230601165947-6ce0bf390ce3' },
  30: { etcd: '3.5.12-0', coreDns: 'v1.11.1', kustomize: 'v5.0.4-0.20230601165947-6ce0bf390ce3' },
  31: { etcd: '3.5.15-0', coreDns: 'v1.11.3', kustomize: 'v5.4.2' },
  32: { etcd: '3.5.16-0', coreDns: 'v1.11.3', kustomize: 'v5.5.0' },
  33: { etcd: '3.5.21-0', coreDns: 'v1.12.0', kustomize: 'v5.6.0' },
  34: { etcd: '3.6.4-0', coreDns: 'v1.12.1', kustomize: 'v5.7.1' },
  35: { etcd: '3.6.5-0', coreDns: 'v1.13.1', kustomize: 'v5.7.1' },
  // CHANGELOG/CHANGELOG-1.36.md, v1.36.0: etcd images 3.6.8 (#137107), CoreDNS v1.14.2 (#137605),
  // kustomize v5.8.1 (#136892); its pause 3.10.2 (#138199) kind's node image replaces with the
  // base image's (k8s/kind-releases.ts).
  36: { etcd: '3.6.8-0', coreDns: 'v1.14.2', kustomize: 'v5.8.1' },
};

const knownMinors = Object.keys(minors).map(Number);
const oldestKnownMinor = Math.min(...knownMinors);
const newestKnownMinor = Math.max(...knownMinors);

/**
 * The release table's row for a version; a minor outside the table takes the nearest row, the
 * oldest or the newest, as kubeadm picks the nearest etcd it knows for a release it does not
 * (EtcdSupportedVersion in cmd/kubeadm/app/constants/constants.go). A version the model cannot read
 * is 1.24, as elsewhere in this module.
 */
function minorRelease(version: string): MinorRelease {
  const minor = kubernetesMinor(version) ?? 24;
  const nearest = Math.min(Math.max(minor, oldestKnownMinor), newestKnownMinor);
  return minors[nearest] as MinorRelease;
}

/** The registry kubeadm pulls the control plane's images from for a version. */
function controlPlaneRegistry(version: string): string {
  return (kubernetesMinor(version) ?? 24) <= 24 ? 'k8s.gcr.io' : 'registry.k8s.io';
}

/** The image of a control-plane component (`kube-apiserver`, …) for a version. */
export function controlPlaneImage(component: string, version: string): string {
  return `${controlPlaneRegistry(version)}/${component}:${version}`;
}

/** The etcd image kubeadm runs beside a version. */
export function etcdImage(version: string): string {
  return `${controlPlaneRegistry(version)}/etcd:${minorRelease(version).etcd}`;
}

/** The CoreDNS image kubeadm deploys with a version. */
export function coreDnsImage(version: string): string {
  // Before 1.21 the image sat at the registry's top level (k8s.gcr.io/coredns:1.7.0).
  const path = (kubernetesMinor(version) ?? 24) <= 20 ? 'coredns' : 'coredns/coredns';
  return `${controlPlaneRegistry(version)}/${path}:${minorRelease(version).coreDns}`;
}

/** The kustomize version `kubectl version` reports. */
export function kustomizeVersion(version: string): string {
  return minorRelease(version).kustomize;
}

/**
 * Build facts of the release binaries that `kubectl version` prints in full up to 1.27 (the
 * `version.Info` form, since dropped): the commit, the build date and the Go that built them, as
 * the release's own kubectl reports them.
 */
export interface BuildInfo {
  gitCommit: string;
  buildDate: string;
  goVersion: string;
}

const builds: Readonly<Record<string, BuildInfo>> = {
  'v1.24.0': {
    gitCommit: '4ce5a8954017644c5420bae81d72b09b735c21f0',
    buildDate: '2022-05-03T13:46:05Z',
    goVersion: 'go1.18.1',
  },
  'v1.27.3': {
    gitCommit: '25b4e43193bcda6c7328a6d147b1fb73a33f1598',
    buildDate: '2023-06-14T09:53:42Z',
    goVersion: 'go1.20.5',
  },
};

/** The build facts of a release, when the model knows them. */
export function buildInfo(version: string): BuildInfo | undefined {
  return builds[version];
}
