// Goal: Jobs run pods to completion as pkg/controller/job does (completions, parallelism,
// backoffLimit with its back-off, OnFailure restarts counted as failures), ReplicationControllers
// and bare ReplicaSets keep their replicas, the garbage collector deletes what an owner leaves
// behind, the kubelet restarts a crashing container with CrashLoopBackOff, and the API server
// refuses a workload whose template cannot run.
// Sources: kubernetes/kubernetes pkg/controller/job/job_controller.go, pkg/controller/replication,
// pkg/controller/garbagecollector, pkg/kubelet/kuberuntime (the back-off), pkg/apis/*/validation.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { getObject, listObjects } from '../../../simulator/k8s/api-store';
import { parseManifests } from '../../../simulator/k8s/manifests';
import type { Job, Pod } from '../../../simulator/k8s/objects';
import { apply } from './support';
import { refusalForKubectl } from '../../../simulator/k8s/api-errors';

/**
 * A kind cluster with kindnet, so pods run without Cilium, on a node image of the given Kubernetes
 * release (1.24 unless a case says otherwise: the Job controller's conditions and labels changed later).
 */
function kindCluster(seed: number, workers = 2, kubernetes = 'v1.24.0'): Simulation {
  const simulation = new Simulation(seed);
  const image = `kindest/node:${kubernetes}`;
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [
        { role: 'control-plane', image },
        ...Array.from({ length: workers }, () => ({ role: 'worker' as const, image })),
      ],
      disableDefaultCNI: false,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  simulation.advance(5_000);
  return simulation;
}

function jobYaml(name: string, command: string, spec: string, restartPolicy = 'Never'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}
  template:
    spec:
      restartPolicy: ${restartPolicy}
      containers:
      - name: main
        image: docker.io/library/busybox:1.36
        command: ["sh", "-c", "${command}"]
`;
}

const job = (simulation: Simulation, name: string): Job =>
  getObject(simulation.state.cluster!.api, 'Job', `default/${name}`)!;
const jobPods = (simulation: Simulation, name: string): Pod[] =>
  listObjects(simulation.state.cluster!.api, 'Pod').filter(
    (pod) => pod.metadata.labels?.['job-name'] === name,
  );

interface JobCase {
  readonly name: string;
  readonly command: string;
  readonly spec: string;
  readonly restartPolicy?: string;
  readonly advanceMs: number;
  readonly condition: 'Complete' | 'Failed';
  readonly succeeded: number;
  readonly failedPods: number;
  readonly maxActive: number;
}

const jobCases: readonly JobCase[] = [
  {
    name: 'one pod that succeeds completes the Job',
    command: 'echo hello; sleep 2',
    spec: '  backoffLimit: 4',
    advanceMs: 30_000,
    condition: 'Complete',
    succeeded: 1,
    failedPods: 0,
    maxActive: 1,
  },
  {
    name: 'five completions, two at a time',
    command: 'sleep 3',
    spec: '  completions: 5\n  parallelism: 2',
    advanceMs: 60_000,
    condition: 'Complete',
    succeeded: 5,
    failedPods: 0,
    maxActive: 2,
  },
  {
    name: 'a failing pod is replaced until backoffLimit is passed',
    command: 'exit 3',
    spec: '  backoffLimit: 2',
    advanceMs: 600_000,
    condition: 'Failed',
    succeeded: 0,
    failedPods: 3,
    maxActive: 1,
  },
  {
    name: 'OnFailure restarts the container in place, and the restarts count against backoffLimit',
    command: 'exit 1',
    spec: '  backoffLimit: 2',
    restartPolicy: 'OnFailure',
    advanceMs: 600_000,
    condition: 'Failed',
    succeeded: 0,
    failedPods: 0,
    maxActive: 1,
  },
];

/**
 * The conditions a finished Job carries, in order: from Kubernetes 1.31 the controller first adds
 * SuccessCriteriaMet or FailureTarget (kubernetes pkg/controller/job/job_controller.go at v1.31.0).
 */
const finishedConditions: Readonly<Record<string, Record<JobCase['condition'], string[]>>> = {
  'v1.24.0': { Complete: ['Complete'], Failed: ['Failed'] },
  'v1.33.1': { Complete: ['SuccessCriteriaMet', 'Complete'], Failed: ['FailureTarget', 'Failed'] },
};

const jobRuns = jobCases.flatMap((each) =>
  Object.keys(finishedConditions).map((kubernetes) => ({ ...each, kubernetes })),
);

describe('Job controller', () => {
  it.each(jobRuns)(
    'Job on Kubernetes $kubernetes: $name',
    ({
      command,
      spec,
      restartPolicy,
      advanceMs,
      condition,
      succeeded,
      failedPods,
      maxActive,
      kubernetes,
    }) => {
      const simulation = kindCluster(21, 2, kubernetes);
      apply(simulation, jobYaml('work', command, spec, restartPolicy));
      let active = 0;
      for (let elapsed = 0; elapsed < advanceMs; elapsed += 500) {
        simulation.advance(500);
        active = Math.max(active, job(simulation, 'work').status.active ?? 0);
      }
      const status = job(simulation, 'work').status;
      expect(status.conditions?.filter((item) => item.status === 'True').map((item) => item.type)).toEqual(
        finishedConditions[kubernetes]?.[condition],
      );
      expect(status.succeeded ?? 0).toBe(succeeded);
      expect(jobPods(simulation, 'work').filter((pod) => pod.status.phase === 'Failed')).toHaveLength(
        failedPods,
      );
      expect(active).toBe(maxActive);
      if (condition === 'Failed')
        expect(status.conditions?.[0]).toMatchObject({
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        });
    },
  );

  it('labels its pods with the controller uid and job name, and selects them by uid', () => {
    const simulation = kindCluster(22);
    apply(simulation, jobYaml('pi', 'sleep 1', '  backoffLimit: 4'));
    simulation.advance(20_000);
    const created = job(simulation, 'pi');
    expect(created.spec.selector.matchLabels).toEqual({ 'controller-uid': created.metadata.uid });
    const [pod] = jobPods(simulation, 'pi');
    expect(pod?.metadata.labels).toMatchObject({ 'controller-uid': created.metadata.uid, 'job-name': 'pi' });
    expect(pod?.status.phase).toBe('Succeeded');
    expect(pod?.status.containerStatuses?.[0]?.state.terminated).toMatchObject({
      reason: 'Completed',
      exitCode: 0,
    });
    expect(created.status.completionTime).toBeDefined();
  });

  it('is deleted with its pods ttlSecondsAfterFinished after it finished', () => {
    const simulation = kindCluster(23);
    apply(simulation, jobYaml('short', 'true', '  ttlSecondsAfterFinished: 30'));
    simulation.advance(10_000);
    expect(job(simulation, 'short').status.succeeded).toBe(1);
    simulation.advance(40_000);
    expect(getObject(simulation.state.cluster!.api, 'Job', 'default/short')).toBeUndefined();
    expect(jobPods(simulation, 'short')).toHaveLength(0);
  });
});

describe('kubelet: a container that exits under restartPolicy Always', () => {
  it('restarts at once, then waits 10 s, 20 s, 40 s in CrashLoopBackOff', () => {
    const simulation = kindCluster(24);
    apply(
      simulation,
      `apiVersion: v1
kind: ReplicationController
metadata:
  name: crasher
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: crasher
    spec:
      containers:
      - name: main
        image: docker.io/library/busybox:1.36
        command: ["sh", "-c", "echo boom; exit 1"]
`,
    );
    const restarts: number[] = [];
    let waiting = false;
    for (let elapsed = 0; elapsed < 120_000; elapsed += 500) {
      simulation.advance(500);
      const pod = listObjects(simulation.state.cluster!.api, 'Pod').find(
        (candidate) => candidate.metadata.labels?.app === 'crasher',
      );
      const status = pod?.status.containerStatuses?.[0];
      if (status !== undefined && restarts[restarts.length - 1] !== status.restartCount)
        restarts.push(status.restartCount);
      if (status?.state.waiting?.reason === 'CrashLoopBackOff') waiting = true;
    }
    expect(restarts.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(waiting).toBe(true);
    const pod = listObjects(simulation.state.cluster!.api, 'Pod').find(
      (candidate) => candidate.metadata.labels?.app === 'crasher',
    );
    expect(pod?.status.phase).toBe('Running');
    expect(pod?.status.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({
      reason: 'Error',
      exitCode: 1,
    });
  });
});

describe('ReplicationController, ReplicaSet and the garbage collector', () => {
  it('keeps an RC at its replicas and scales it', () => {
    const simulation = kindCluster(25);
    apply(
      simulation,
      `apiVersion: v1
kind: ReplicationController
metadata:
  name: web
spec:
  replicas: 3
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
`,
    );
    simulation.advance(10_000);
    const api = simulation.state.cluster!.api;
    const running = (): number =>
      listObjects(api, 'Pod').filter(
        (pod) => pod.metadata.labels?.app === 'web' && pod.metadata.deletionTimestamp === undefined,
      ).length;
    expect(running()).toBe(3);
    expect(getObject(api, 'ReplicationController', 'default/web')?.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
    });
    simulation.input({
      type: 'workload.scale',
      kind: 'ReplicationController',
      key: 'default/web',
      replicas: 1,
    });
    simulation.advance(40_000);
    expect(running()).toBe(1);
  });

  it('deletes a Deployment’s ReplicaSets and their pods once the Deployment is gone', () => {
    const simulation = kindCluster(26);
    apply(
      simulation,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
`,
    );
    simulation.advance(10_000);
    simulation.input({ type: 'api.delete', kind: 'Deployment', key: 'default/web' });
    simulation.advance(10_000);
    const api = simulation.state.cluster!.api;
    expect(listObjects(api, 'ReplicaSet').filter((set) => set.metadata.name.startsWith('web-'))).toHaveLength(
      0,
    );
    expect(listObjects(api, 'Pod').filter((pod) => pod.metadata.labels?.app === 'web')).toHaveLength(0);
  });
});

interface RefusalCase {
  readonly name: string;
  readonly yaml: string;
  readonly error: string;
}

const refusals: readonly RefusalCase[] = [
  {
    name: 'a Job whose pods would restart forever',
    yaml: jobYaml('bad', 'true', '  backoffLimit: 1', 'Always'),
    error:
      'The Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  },
  {
    name: 'a DaemonSet whose selector does not match its template',
    yaml: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers:\n      - name: c\n        image: busybox\n',
    error:
      'The DaemonSet "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
  },
  {
    name: 'a DaemonSet without a selector',
    yaml: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers:\n      - name: c\n        image: busybox\n',
    error:
      // ValidateDaemonSetSpec has no Required check (unlike Deployments): a missing selector
      // selects nothing, so only the template check fails.
      'The DaemonSet "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
  },
  {
    name: 'a DaemonSet with an empty selector and no template',
    yaml: 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  selector: {}\n',
    error:
      // kubectl lists several causes one per line (cmdutil.checkErr's MultilineError).
      'The DaemonSet "d" is invalid: \n* spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset\n* spec.template.spec.containers: Required value',
  },
  {
    name: 'a ReplicaSet with an empty selector (upstream words it for a deployment)',
    yaml: 'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: r\nspec:\n  selector:\n    matchLabels: {}\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers:\n      - name: c\n        image: busybox\n',
    error:
      'The ReplicaSet "r" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  },
  {
    name: 'a Deployment with negative replicas and a selector its template does not satisfy (every cause)',
    yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  replicas: -2\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers:\n      - name: c\n        image: busybox\n',
    error:
      'The Deployment "w" is invalid: \n* spec.replicas: Invalid value: -2: must be greater than or equal to 0\n* spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
  },
  {
    name: 'a ReplicationController whose template has no labels to default its selector from',
    yaml: 'apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n',
    error:
      'The ReplicationController "rc" is invalid: \n* spec.selector: Required value\n* spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  },
];

describe('API server validation of workloads', () => {
  it.each(refusals)('validation: refuses $name', ({ yaml, error }) => {
    const simulation = kindCluster(27, 1);
    const parsed = parseManifests(yaml);
    expect(parsed.errors).toEqual([]);
    const result = simulation.input({ type: 'api.apply', objects: parsed.objects });
    const refusal = result.ok ? result.applied?.[0]?.refusal : undefined;
    expect(refusal === undefined ? undefined : refusalForKubectl(refusal)).toBe(error);
    // Nothing was stored in the namespace the object was meant for.
    const api = simulation.state.cluster!.api;
    expect(
      [
        ...listObjects(api, 'Job'),
        ...listObjects(api, 'DaemonSet'),
        ...listObjects(api, 'ReplicaSet'),
        ...listObjects(api, 'ReplicationController'),
        ...listObjects(api, 'Deployment'),
      ].filter((object) => object.metadata.namespace === 'default'),
    ).toEqual([]);
  });
});
