// Goal: several clusters live in one world without touching each other — each event runs in the
// cluster that scheduled it, inputs land where they are aimed — and the world stays a function of
// its seed and timeline: replay and seeking give back the live state byte for byte.
import { describe, expect, it } from 'vitest';
import { replay, Simulation } from '../../../simulator/simulation';
import { allClusters, clusterNamed, homeClusterName } from '../../../simulator/k8s/clusters';
import { getObject, listObjects } from '../../../simulator/k8s/api-store';
import type { KindClusterConfig } from '../../../simulator/k8s/kind-config';
import { isMirrorPod } from '../../../simulator/k8s/static-pods';
import { apply, deploymentYaml } from './support';

const config = (name: string, workers: number): KindClusterConfig => ({
  name,
  nodes: [{ role: 'control-plane' }, ...Array.from({ length: workers }, () => ({ role: 'worker' as const }))],
  disableDefaultCNI: true,
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/16',
});

/** Two clusters with Cilium, both busy at once: the second is the current context. */
function twoBusyClusters(seed: number): Simulation {
  const simulation = new Simulation(seed, { checkpointInterval: 16 });
  simulation.input({ type: 'kind.cluster.create', config: config('kind', 2) });
  simulation.input({ type: 'cilium.install', request: { version: '1.18.5', values: {} } });
  simulation.input({ type: 'kind.cluster.create', config: config('two', 1) });
  simulation.input({ type: 'cilium.install', request: { version: '1.14.5', values: {} } });
  simulation.advance(20_000);
  apply(simulation, deploymentYaml('web', 4, { app: 'web' }));
  // Aimed at the other cluster, where there is no such Deployment.
  const scaled = simulation.input({ type: 'deployment.scale', key: 'default/web', replicas: 3 }, 'kind');
  expect(scaled).toEqual({ ok: false, error: 'deployments.apps "web" not found' });
  simulation.advance(30_000);
  return simulation;
}

describe('clusters: side by side', () => {
  it('keeps each cluster’s objects, agents and addresses to itself', () => {
    const simulation = twoBusyClusters(31);
    const world = simulation.state;
    expect(homeClusterName(world)).toBe('two');
    expect(allClusters(world).map((cluster) => cluster.name)).toEqual(['kind', 'two']);
    const kind = clusterNamed(world, 'kind');
    const two = clusterNamed(world, 'two');
    expect(kind?.cilium?.config.version).toBe('1.18.5');
    expect(two?.cilium?.config.version).toBe('1.14.5');
    // The Deployment was applied to the current context's cluster; the scale input named "kind",
    // where no such Deployment exists.
    expect(kind === undefined ? undefined : getObject(kind.api, 'Deployment', 'default/web')).toBeUndefined();
    const pods =
      two === undefined
        ? []
        : listObjects(two.api, 'Pod').filter(
            (pod) => pod.metadata.namespace === 'default' && pod.status.phase === 'Running',
          );
    expect(pods).toHaveLength(4);
    expect(Object.keys(two?.cilium?.agents ?? {}).sort()).toEqual(['two-control-plane', 'two-worker']);
    const addresses = allClusters(world).flatMap((cluster) =>
      Object.values(cluster.nodes).map((node) => node.internalIP),
    );
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('replays and seeks to the same world', () => {
    const simulation = twoBusyClusters(32);
    const live = simulation.hash();
    expect(replay(32, simulation.steps).hash()).toBe(live);
    const middle = Math.floor(simulation.length / 2);
    simulation.seek(middle);
    const atMiddle = simulation.hash();
    simulation.seek(0);
    simulation.seek(middle);
    expect(simulation.hash()).toBe(atMiddle);
    simulation.seek(simulation.length);
    expect(simulation.hash()).toBe(live);
  });
});

describe('clusters: the control plane kind creates', () => {
  const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

  it.each(components)('clusters: %s runs as a mirror pod on the control-plane node', (component) => {
    const simulation = new Simulation(33);
    simulation.input({ type: 'kind.cluster.create', config: config('kind', 1) });
    const cluster = simulation.state.cluster;
    const node = cluster?.nodes['kind-control-plane'];
    const pod =
      cluster === undefined
        ? undefined
        : getObject(cluster.api, 'Pod', `kube-system/${component}-kind-control-plane`);
    expect(pod?.metadata.labels).toEqual({ component, tier: 'control-plane' });
    expect(pod?.spec).toMatchObject({ nodeName: 'kind-control-plane', hostNetwork: true });
    expect(pod?.status).toMatchObject({
      phase: 'Running',
      podIP: node?.internalIP,
      hostIP: node?.internalIP,
    });
    expect(pod?.metadata.annotations?.['kubernetes.io/config.source']).toBe('file');
    expect(pod !== undefined && isMirrorPod(pod)).toBe(true);
    expect(pod?.spec.containers[0]?.image).toMatch(
      component === 'etcd'
        ? /^registry\.k8s\.io\/etcd:3\.5\.21-0$/
        : new RegExp(`^registry\\.k8s\\.io/${component}:v1\\.33\\.1$`),
    );
    // The kubelet runs static pods from their manifests: no sandbox comes from the API's mirror.
    simulation.advance(10_000);
    expect(
      Object.values(node?.kubelet.sandboxes ?? {}).filter((sandbox) => sandbox.podKey.includes(component)),
    ).toEqual([]);
  });

  it('posts a deleted mirror pod again, with a new uid', () => {
    const simulation = new Simulation(35);
    simulation.input({ type: 'kind.cluster.create', config: config('kind', 0) });
    const key = 'kube-system/kube-scheduler-kind-control-plane';
    const podNow = () => {
      const api = simulation.state.cluster?.api;
      return api === undefined ? undefined : getObject(api, 'Pod', key);
    };
    const before = podNow();
    expect(simulation.input({ type: 'api.delete', kind: 'Pod', key })).toEqual({ ok: true });
    simulation.advance(2_000);
    const after = podNow();
    expect(after?.metadata.deletionTimestamp).toBeUndefined();
    expect(after?.status.phase).toBe('Running');
    expect(after?.metadata.uid).not.toBe(before?.metadata.uid);
  });

  it('pulls the control plane of Kubernetes 1.24 from k8s.gcr.io', () => {
    const simulation = new Simulation(34, { setup: { startMs: 0, kindRelease: 'v0.14.0' } });
    simulation.input({ type: 'kind.cluster.create', config: config('kind', 0) });
    const api = simulation.state.cluster?.api;
    const image = (name: string): string | undefined =>
      api === undefined
        ? undefined
        : getObject(api, 'Pod', `kube-system/${name}-kind-control-plane`)?.spec.containers[0]?.image;
    expect(image('kube-apiserver')).toBe('k8s.gcr.io/kube-apiserver:v1.24.0');
    expect(image('etcd')).toBe('k8s.gcr.io/etcd:3.5.3-0');
    const coredns = api === undefined ? undefined : getObject(api, 'Deployment', 'kube-system/coredns');
    expect(coredns?.spec.template.spec.containers[0]?.image).toBe('k8s.gcr.io/coredns/coredns:v1.8.6');
  });
});
