/**
 * Goal: a world runs with the layers its Simulation was built with, and with nothing else. Importing
 * the simulator plugs nothing in; a world without layers is plain kind (kindnet, no CRDs); the lab's
 * layers make Cilium the pods' CNI and serve Cilium's and Istio's kinds once these are installed;
 * a checkpoint's copy runs with the same layers as the world it was copied from.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, cloneWorld } from '../../../simulator/simulation';
import { createWorld } from '../../../simulator/world';
import { ciliumLayer, istioLayer, labLayers, type Layer } from '../../../simulator/composition';
import { customKinds } from '../../../simulator/k8s/extension-points';
import { groupServed, kindServed } from '../../../simulator/k8s/discovery';
import { listObjects } from '../../../simulator/k8s/api-store';
import { apply, deploymentYaml, settle } from './support';

/** A kind cluster with its default CNI and two pods of a Deployment, in a world with these layers. */
function clusterWithPods(layers: readonly Layer[]): Simulation {
  const simulation = new Simulation(7, { layers });
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [{ role: 'control-plane' }, { role: 'worker' }],
      disableDefaultCNI: false,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  settle(simulation);
  apply(simulation, deploymentYaml('client', 2, { app: 'client' }));
  settle(simulation);
  return simulation;
}

describe('composition: the layers a world runs with', () => {
  it('a world nobody composed has no CRDs, though every module of the simulator is loaded', () => {
    expect(customKinds(createWorld(1)).size).toBe(0);
  });

  const cases: {
    name: string;
    layers: readonly Layer[];
    ciliumKindsKnown: boolean;
    istioKindsKnown: boolean;
  }[] = [
    { name: 'plain Kubernetes', layers: [], ciliumKindsKnown: false, istioKindsKnown: false },
    { name: 'Cilium without Istio', layers: [ciliumLayer], ciliumKindsKnown: true, istioKindsKnown: false },
    {
      name: 'Istio on kind\u2019s network',
      layers: [istioLayer],
      ciliumKindsKnown: false,
      istioKindsKnown: true,
    },
    { name: 'the lab (Cilium and Istio)', layers: labLayers, ciliumKindsKnown: true, istioKindsKnown: true },
  ];
  for (const { name, layers, ciliumKindsKnown, istioKindsKnown } of cases) {
    describe(name, () => {
      it('runs the pods on kind\u2019s kindnet while no other CNI is installed', () => {
        const simulation = clusterWithPods(layers);
        const api = simulation.state.cluster!.api;
        const pods = listObjects(api, 'Pod').filter((pod) => pod.metadata.labels?.['app'] === 'client');
        expect(pods.map((pod) => pod.status.phase)).toEqual(['Running', 'Running']);
        expect(pods.every((pod) => pod.status.podIP?.startsWith('10.244.') === true)).toBe(true);
        expect(listObjects(api, 'CiliumEndpoint')).toEqual([]);
      });

      it('registers the CRDs of its layers only', () => {
        const kinds = customKinds(new Simulation(1, { layers }).state);
        expect(kinds.has('CiliumNetworkPolicy')).toBe(ciliumKindsKnown);
        expect(kinds.has('AuthorizationPolicy')).toBe(istioKindsKnown);
      });

      it('serves Kubernetes\u2019 own kinds and groups, and no CRD before it is installed', () => {
        const simulation = clusterWithPods(layers);
        const world = simulation.state;
        const cluster = world.cluster!;
        expect(kindServed(world, cluster, 'Deployment')).toBe(true);
        expect(groupServed(world, cluster, 'apps')).toBe(true);
        expect(groupServed(world, cluster, 'networking.k8s.io')).toBe(true);
        expect(groupServed(world, cluster, 'cilium.io')).toBe(false);
        expect(groupServed(world, cluster, 'security.istio.io')).toBe(false);
        if (ciliumKindsKnown) expect(kindServed(world, cluster, 'CiliumNetworkPolicy')).toBe(false);
      });

      it('keeps its layers in a checkpoint\u2019s copy', () => {
        const world = new Simulation(1, { layers }).state;
        expect([...customKinds(cloneWorld(world)).keys()]).toEqual([...customKinds(world).keys()]);
      });
    });
  }

  it('the lab\u2019s layers serve Cilium\u2019s kinds once Cilium is installed', () => {
    const simulation = clusterWithPods(labLayers);
    simulation.input({ type: 'cilium.install', request: { version: '1.18.5', values: {} } });
    settle(simulation);
    const world = simulation.state;
    expect(kindServed(world, world.cluster!, 'CiliumNetworkPolicy')).toBe(true);
    expect(groupServed(world, world.cluster!, 'cilium.io')).toBe(true);
  });
});
