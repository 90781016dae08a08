// Goal: a kind node runs the etcd and CoreDNS that kubeadm deploys with its Kubernetes minor, and a
// minor the release table does not list takes its nearest row, as kubeadm falls back to the nearest
// etcd it knows, never an unrelated old release.
import { describe, expect, it } from 'vitest';
import { coreDnsImage, etcdImage, kustomizeVersion } from '../../../simulator/k8s/kubernetes-versions';

interface ReleaseCase {
  readonly name: string;
  readonly version: string;
  readonly etcd: string;
  readonly coreDns: string;
  readonly kustomize: string;
}

describe('kubernetes: what a minor release brings', () => {
  it.each<ReleaseCase>([
    {
      name: '1.24, the mistaken-identity lab’s',
      version: 'v1.24.0',
      etcd: 'k8s.gcr.io/etcd:3.5.3-0',
      coreDns: 'k8s.gcr.io/coredns/coredns:v1.8.6',
      kustomize: 'v4.5.4',
    },
    {
      name: '1.35, the last row before 1.36',
      version: 'v1.35.0',
      etcd: 'registry.k8s.io/etcd:3.6.5-0',
      coreDns: 'registry.k8s.io/coredns/coredns:v1.13.1',
      kustomize: 'v5.7.1',
    },
    {
      name: '1.36, kind v0.32’s default node image',
      version: 'v1.36.1',
      etcd: 'registry.k8s.io/etcd:3.6.8-0',
      coreDns: 'registry.k8s.io/coredns/coredns:v1.14.2',
      kustomize: 'v5.8.1',
    },
    {
      name: 'a minor newer than the table takes the newest row',
      version: 'v1.38.0',
      etcd: 'registry.k8s.io/etcd:3.6.8-0',
      coreDns: 'registry.k8s.io/coredns/coredns:v1.14.2',
      kustomize: 'v5.8.1',
    },
    {
      name: 'a minor older than the table takes the oldest row',
      version: 'v1.17.4',
      etcd: 'k8s.gcr.io/etcd:3.4.3-0',
      coreDns: 'k8s.gcr.io/coredns:1.6.7',
      kustomize: 'v2.0.3',
    },
  ])('$name', ({ version, etcd, coreDns, kustomize }) => {
    expect(etcdImage(version)).toBe(etcd);
    expect(coreDnsImage(version)).toBe(coreDns);
    expect(kustomizeVersion(version)).toBe(kustomize);
  });
});
