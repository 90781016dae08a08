// Goal: a kind node holds the images its node image preloads, at the tags of the kind release that
// built it — kubeadm's images for its Kubernetes version with the base image's own pause, then
// kindnetd and the local-path provisioner and helper — as `crictl images` in the node prints
// them. The expected tags are read from kubernetes-sigs/kind at each tag
// (pkg/build/nodeimage/const_cni.go, const_storage.go, images/base/files/etc/containerd/config.toml).
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { startOfDay } from '../../../simulator/setup';
import { TerminalSession } from '../../../simulator/terminal/session';

interface ImagesCase {
  readonly name: string;
  readonly kind: string;
  readonly day: string;
  /** `IMAGE TAG` pairs `crictl images` must list, in its (sorted) order. */
  readonly images: readonly string[];
}

const cases: readonly ImagesCase[] = [
  {
    name: 'kind v0.14.0 (the 2022 experiments): k8s.gcr.io, pause 3.6',
    kind: 'v0.14.0',
    day: '2022-07-29',
    images: [
      'docker.io/kindest/kindnetd v20220510-4929dd75',
      'docker.io/kindest/local-path-helper v20220512-507ff70b',
      'docker.io/kindest/local-path-provisioner v0.0.22-kind.0',
      'k8s.gcr.io/coredns/coredns v1.8.6',
      'k8s.gcr.io/etcd 3.5.3-0',
      'k8s.gcr.io/kube-apiserver v1.24.0',
      'k8s.gcr.io/kube-controller-manager v1.24.0',
      'k8s.gcr.io/kube-proxy v1.24.0',
      'k8s.gcr.io/kube-scheduler v1.24.0',
      'k8s.gcr.io/pause 3.6',
    ],
  },
  {
    name: 'kind v0.20.0: registry.k8s.io, pause 3.7, kindnetd and provisioner of May 2023',
    kind: 'v0.20.0',
    day: '2023-07-01',
    images: [
      'docker.io/kindest/kindnetd v20230511-dc714da8',
      'docker.io/kindest/local-path-helper v20230510-486859a6',
      'docker.io/kindest/local-path-provisioner v20230511-dc714da8',
    ],
  },
  {
    name: 'kind v0.29.0 (the Cilium 1.18 docs): Kubernetes 1.33.1, pause 3.10',
    kind: 'v0.29.0',
    day: '2025-12-18',
    images: [
      'docker.io/kindest/kindnetd v20250512-df8de77b',
      'docker.io/kindest/local-path-helper v20241212-8ac705d0',
      'docker.io/kindest/local-path-provisioner v20250214-acbabc1a',
      'registry.k8s.io/coredns/coredns v1.12.0',
      'registry.k8s.io/etcd 3.5.21-0',
      'registry.k8s.io/kube-apiserver v1.33.1',
      'registry.k8s.io/kube-controller-manager v1.33.1',
      'registry.k8s.io/kube-proxy v1.33.1',
      'registry.k8s.io/kube-scheduler v1.33.1',
      'registry.k8s.io/pause 3.10',
    ],
  },
];

describe('kind node images: what crictl images shows in a node', () => {
  it.each(cases)('node images: $name', async ({ kind, day, images }) => {
    const simulation = new Simulation(3, { setup: { startMs: startOfDay(day), kindRelease: kind } });
    const session = new TerminalSession(simulation);
    expect((await session.run('kind create cluster')).exitCode).toBe(0);
    const result = await session.run('docker exec kind-control-plane crictl images');
    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^IMAGE {3,}TAG {3,}IMAGE ID {12}SIZE$/);
    const pairs = rows.map((row) => row.split(/\s+/).slice(0, 2).join(' '));
    expect(pairs.filter((pair) => images.includes(pair))).toEqual(images);
    // Each row: a 13-digit image id and a size as go-units prints it.
    for (const row of rows) expect(row).toMatch(/ [0-9a-f]{13} {7}\d+(\.\d+)?[kMG]?B$/);
  });

  it('lists the images of the containers the kubelet started there too', async () => {
    const simulation = new Simulation(3);
    const session = new TerminalSession(simulation);
    await session.run('kind create cluster\nkubectl create deployment web --image=nginx:1.27\nsleep 30');
    const result = await session.run('docker exec kind-control-plane crictl images | grep nginx');
    expect(result.stdout).toMatch(/^docker\.io\/library\/nginx {3,}1\.27 {3,}/);
  });
});
