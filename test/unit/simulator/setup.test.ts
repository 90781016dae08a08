// Goal: versions fit together as they did on a real day — each lab starts on a day when its releases
// existed, kind's default node image runs a Kubernetes its Cilium and Istio support, and the version
// shows wherever a real cluster shows it.
import { describe, expect, it } from 'vitest';
import { chooseSetup, startOfDay, type SetupComponents } from '../../../simulator/setup';
import { scenarios } from '../../../simulator/scenarios/catalog';
import { ScenarioPlayer } from '../../../simulator/scenarios/runner';
import { scenarioSetup } from '../../../simulator/scenarios/run';
import { toTimestamp } from '../../../simulator/engine/virtual-time';
import { kindRelease } from '../../../simulator/k8s/kind-releases';
import { getObject } from '../../../simulator/k8s/api-store';

interface SetupCase {
  readonly name: string;
  readonly components: SetupComponents;
  readonly day: string;
  readonly kind: string;
  readonly kubernetes: string;
}

describe('setup: the day and the kind release', () => {
  it.each<SetupCase>([
    {
      name: 'a pinned day keeps the virtual epoch',
      components: { cilium: ['1.12.0'], date: '2022-07-29' },
      day: '2022-07-29',
      kind: 'v0.14.0',
      kubernetes: 'v1.24.0',
    },
    {
      name: 'a pinned day gives way to a variant’s later release',
      components: { cilium: ['1.15.0'], date: '2022-07-29' },
      day: '2024-02-01',
      kind: 'v0.20.0',
      kubernetes: 'v1.27.3',
    },
    {
      name: 'Cilium 1.14.5: the day after its chart, kind v0.20 with 1.27',
      components: { cilium: ['1.14.5'] },
      day: '2023-12-14',
      kind: 'v0.20.0',
      kubernetes: 'v1.27.3',
    },
    {
      name: 'Cilium 1.15.6 supports up to 1.29, so not kind v0.23’s 1.30',
      components: { cilium: ['1.15.6'] },
      day: '2024-06-11',
      kind: 'v0.22.0',
      kubernetes: 'v1.29.2',
    },
    {
      name: 'Cilium 1.18.5 supports up to 1.33, so not kind v0.30’s 1.34',
      components: { cilium: ['1.18.5'] },
      day: '2025-12-18',
      kind: 'v0.29.0',
      kubernetes: 'v1.33.1',
    },
    {
      name: 'Istio 1.24 beside Cilium 1.12: Istio’s 1.28–1.31 wins',
      components: { cilium: ['1.12.0'], istio: '1.24.0' },
      day: '2024-11-08',
      kind: 'v0.24.0',
      kubernetes: 'v1.31.0',
    },
  ])('setup: $name', ({ components, day, kind, kubernetes }) => {
    const setup = chooseSetup(components);
    expect(toTimestamp(setup.startMs)).toBe(`${day}T09:00:00Z`);
    expect(setup.kindRelease).toBe(kind);
    expect(kindRelease(kind)?.defaultImage).toMatch(new RegExp(`^kindest/node:${kubernetes}@sha256:`));
    expect(startOfDay(day)).toBe(setup.startMs);
  });
});

interface LabCase {
  readonly scenario: string;
  readonly day: string;
  readonly kubernetes: string;
  readonly osImage: string;
  readonly runtime: string;
}

describe('setup: each lab’s cluster', () => {
  it.each<LabCase>([
    {
      scenario: 'mistaken-identity',
      day: '2022-07-29',
      kubernetes: 'v1.24.0',
      osImage: 'Ubuntu 21.10',
      runtime: 'containerd://1.6.4',
    },
    {
      scenario: 'l7-cilium',
      day: '2022-07-29',
      kubernetes: 'v1.24.0',
      osImage: 'Ubuntu 21.10',
      runtime: 'containerd://1.6.4',
    },
    {
      scenario: 'mutual-auth',
      day: '2023-12-14',
      kubernetes: 'v1.27.3',
      osImage: 'Debian GNU/Linux 11 (bullseye)',
      runtime: 'containerd://1.7.1',
    },
    {
      scenario: 'istio-mistaken-identity',
      day: '2024-11-08',
      kubernetes: 'v1.31.0',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      runtime: 'containerd://1.7.18',
    },
  ])(
    'setup: $scenario runs Kubernetes $kubernetes from $day',
    ({ scenario, day, kubernetes, osImage, runtime }) => {
      const definition = scenarios[scenario];
      if (definition === undefined) throw new Error(`no scenario ${scenario}`);
      expect(toTimestamp(scenarioSetup(definition).startMs)).toBe(`${day}T09:00:00Z`);
      const player = new ScenarioPlayer(definition, definition.defaultSeed);
      player.next();
      const cluster = player.simulation.state.cluster;
      expect(cluster?.kubernetesVersion).toBe(kubernetes);
      const node = cluster === undefined ? undefined : getObject(cluster.api, 'Node', 'kind-control-plane');
      expect(node?.status.nodeInfo).toMatchObject({
        kubeletVersion: kubernetes,
        osImage,
        containerRuntimeVersion: runtime,
      });
      expect(node?.metadata.creationTimestamp.startsWith(day)).toBe(true);
    },
  );

  it('runs Istio 1.24 on a Kubernetes it supports (1.28 to 1.31)', () => {
    for (const scenario of Object.values(scenarios)) {
      const installsIstio = scenario.steps.some((step) =>
        step.actions.some((action) => action.do === 'install-istio'),
      );
      if (!installsIstio) continue;
      const image = kindRelease(scenarioSetup(scenario).kindRelease)?.defaultImage ?? '';
      const minor = Number(/kindest\/node:v1\.(\d+)\./.exec(image)?.[1]);
      expect(minor, scenario.id).toBeGreaterThanOrEqual(28);
      expect(minor, scenario.id).toBeLessThanOrEqual(31);
    }
  });

  it('starts a variant on the day its own Cilium release allows', () => {
    const mutualAuth = scenarios['mutual-auth'];
    if (mutualAuth === undefined) throw new Error('no mutual-auth scenario');
    const setup = scenarioSetup(mutualAuth, { ciliumVersion: '1.15.6' });
    expect(toTimestamp(setup.startMs)).toBe('2024-06-11T09:00:00Z');
    expect(setup.kindRelease).toBe('v0.22.0');
  });
});
