import { describe, expect, it } from 'vitest';
import { listObjects } from '../../../simulator/k8s/api-store';
import type { Pod } from '../../../simulator/k8s/objects';
import { apply, clusterWithCilium, deploymentYaml, settle } from './support';

function runningPods(simulation: ReturnType<typeof clusterWithCilium>): Pod[] {
  const pods = listObjects(simulation.state.cluster!.api, 'Pod');
  return pods.filter(
    (pod) => pod.metadata.namespace === 'default' && pod.metadata.deletionTimestamp === undefined,
  );
}

function condition(pod: Pod, type: string): { status: string; lastTransitionTime: string } | undefined {
  return pod.status.conditions?.find((candidate) => candidate.type === type);
}

// The kubelet's status of a pod whose containers started (generateAPIPodStatus in
// pkg/kubelet/kubelet_pods.go): the pod is Running, each container running since the report, and
// Initialized, ContainersReady and Ready became True then; PodScheduled keeps the scheduler's time.
describe('pod status: the kubelet reports each pod from its own sandbox', () => {
  it('gives every pod of rollouts started at different times its own start and transition times', () => {
    const simulation = clusterWithCilium(11, 3);
    apply(simulation, deploymentYaml('alpha', 4, { app: 'alpha' }));
    apply(simulation, deploymentYaml('beta', 3, { app: 'beta' }));
    settle(simulation);
    for (let round = 0; round < 3; round += 1) {
      simulation.input({
        type: 'deployment.restart',
        key: round % 2 === 0 ? 'default/alpha' : 'default/beta',
      });
      simulation.advance(1_700);
    }
    settle(simulation);
    const pods = runningPods(simulation);
    expect(pods).toHaveLength(7);
    // The restarts came 1.7 s apart, so the pods did not all start in the same second.
    expect(new Set(pods.map((pod) => pod.status.startTime)).size).toBeGreaterThan(1);
    for (const pod of pods) {
      const started = pod.status.startTime!;
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.podIP).toBe(pod.status.podIPs?.[0]?.ip);
      for (const type of ['Initialized', 'ContainersReady', 'Ready'])
        expect(condition(pod, type), `${pod.metadata.name} ${type}`).toEqual({
          type,
          status: 'True',
          lastTransitionTime: started,
        });
      const scheduled = condition(pod, 'PodScheduled');
      expect(scheduled?.status).toBe('True');
      expect(scheduled!.lastTransitionTime <= started).toBe(true);
      expect(pod.status.containerStatuses).toEqual([
        {
          name: 'main',
          image: 'docker.io/curlimages/curl',
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: started } },
        },
      ]);
    }
  });
});
