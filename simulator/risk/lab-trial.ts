/**
 * A trial as a session of the mistaken-identity lab: the command lines a reader would type to build
 * the trial's cluster in the lab's terminal (kind, helm, kubectl apply), cut the protected
 * workload's node off from the API server as the experiment does, and restart Deployments at the
 * trial's moments. The lab replays those lines on the full simulator, so a permalink of this record
 * rebuilds exactly the full-model run that `runFullTrial` measures, seed for seed. Not every trial
 * fits the lab: `labReplay` says why when one does not.
 */
import type { LabRecord } from '../permalink';
import { clientWorkloads, type RiskParameters } from './parameters';
import { trialSchedule } from './restart-schedule';
import type { RiskSetup } from './setups';

/** The lab scenario trials open in. */
export const labScenarioId = 'mistaken-identity';

/** The port the protected workload (the experiment's helloworld image) listens on. */
export const protectedPort = 5000;

/** Largest trial the lab replays in a reader's browser within a few seconds. */
const labLimits = { nodes: 6, pods: 120, windowSeconds: 1800, restarts: 400 } as const;

/** Whether the lab can replay a trial, and if not, every reason why. */
export type LabReplay = { ok: true } | { ok: false; reasons: string[] };

/** Whether the full simulator in the lab can replay a trial with these parameters and this setup. */
export function labReplay(parameters: RiskParameters, setup: RiskSetup): LabReplay {
  const reasons: string[] = [];
  if (setup.install.kind !== 'cilium')
    reasons.push(
      'the lab replays Cilium setups; Istio has its own lab (the istio-mistaken-identity scenario)',
    );
  if (parameters.podCidrPrefix !== 24)
    reasons.push('kind in the simulator gives every node a /24, as kube-controller-manager does by default');
  if (parameters.window.kind !== 'cut-off')
    reasons.push(
      "the simulator's agents all hear the API server after the same watch latency; the lab can replay a cut-off, not one lagging agent",
    );
  else if (parameters.window.seconds > labLimits.windowSeconds)
    reasons.push(`windows over ${labLimits.windowSeconds / 60} minutes take too long to replay in a browser`);
  if (parameters.nodes > labLimits.nodes)
    reasons.push(`the lab replays clusters of up to ${labLimits.nodes} nodes`);
  if (clientWorkloads(parameters).pods > labLimits.pods)
    reasons.push(`the lab replays up to ${labLimits.pods} client pods`);
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}

const indent = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : ' '.repeat(spaces) + line))
    .join('\n');

/** The protected workload: the experiment's helloworld, which stays on its node through the cut. */
function protectedManifest(): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: protected
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: protected
spec:
  replicas: 1
  selector:
    matchLabels:
      app: protected
  template:
    metadata:
      labels:
        app: protected
    spec:
      serviceAccountName: protected
      # Stay bound to the cut-off node for the whole window instead of being evicted after 300 s.
      tolerations:
      - key: node.kubernetes.io/unreachable
        operator: Exists
        effect: NoExecute
      containers:
      - name: helloworld
        image: docker.io/istio/examples-helloworld-v1
        ports:
        - containerPort: ${protectedPort}
`;
}

/** Client Deployment i: its own service account (its own identity), kept off the protected node. */
function clientManifest(index: number, replicas: number): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: client-${index}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: client-${index}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: client-${index}
  template:
    metadata:
      labels:
        app: client-${index}
    spec:
      serviceAccountName: client-${index}
      terminationGracePeriodSeconds: 0
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: protected
            topologyKey: kubernetes.io/hostname
      containers:
      - name: sleep
        image: docker.io/curlimages/curl
        command: ["/bin/sleep", "3650d"]
`;
}

/** The policy: the protected workload admits the first `admitted` clients, by service account. */
function policyManifest(admitted: number, mutualAuth: boolean): string {
  const peers = Array.from(
    { length: admitted },
    (_, index) => `  - matchLabels:\n      io.cilium.k8s.policy.serviceaccount: client-${index}`,
  ).join('\n');
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: protected
spec:
  endpointSelector:
    matchLabels:
      app: protected
  ingress:
  - fromEndpoints:
${indent(peers, 2)}
${mutualAuth ? '    authentication:\n      mode: required\n' : ''}    toPorts:
    - ports:
      - port: "${protectedPort}"
        protocol: TCP
`;
}

/** The manifests of a trial's workloads, as one file. */
function trialManifests(parameters: RiskParameters, setup: RiskSetup): string {
  const workloads = clientWorkloads(parameters);
  const mutualAuth =
    setup.install.kind === 'cilium' && setup.install.values['authentication.mutual.spire.enabled'] === 'true';
  const documents = [
    protectedManifest(),
    ...Array.from({ length: workloads.deployments }, (_, index) => clientManifest(index, workloads.replicas)),
    policyManifest(parameters.admittedIdentities, mutualAuth),
  ];
  return documents.join('---\n');
}

/** The command line that builds the cluster, installs the setup and deploys the workloads. */
function setupCommand(parameters: RiskParameters, setup: RiskSetup): string {
  if (setup.install.kind !== 'cilium') throw new RangeError(`the lab cannot install ${setup.id}`);
  const workers = Array.from({ length: parameters.nodes }, () => '- role: worker').join('\n');
  const values = Object.entries({ ...setup.install.values, 'ipam.mode': parameters.ipamMode })
    .map(([key, value]) => ` --set ${key}=${value}`)
    .join('');
  return `cat > kind.yaml <<'EOF'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
${workers}
networking:
  disableDefaultCNI: true
EOF
kind create cluster --config kind.yaml
helm install cilium cilium/cilium --version ${setup.install.version} --namespace kube-system${values}
kubectl wait --for=condition=Ready nodes --all --timeout=300s
cat > risk.yaml <<'EOF'
${trialManifests(parameters, setup)}EOF
kubectl apply -f risk.yaml
kubectl wait --for=condition=Available deployment --all --timeout=600s`;
}

/** The command line that cuts the protected workload's node off, as the experiment's two rules do. */
const cutOffCommand = `NODE=$(kubectl get pod -l app=protected -o jsonpath='{.items[0].spec.nodeName}')
API_SERVER=$(kubectl get svc kubernetes -o jsonpath='{.spec.clusterIP}')
API_SERVEREP=$(kubectl get endpoints kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}')
docker exec $NODE iptables -t mangle -I INPUT -p tcp -s $API_SERVER -j DROP
docker exec $NODE iptables -t mangle -I INPUT -p tcp -s $API_SERVEREP -j DROP`;

const seconds = (ms: number): string => (Math.round(ms) / 1000).toFixed(3);

/** The command lines of a trial's restarts, each waiting for its moment, then the rest of the window. */
function churnCommands(parameters: RiskParameters, seed: number): string[] {
  const schedule = trialSchedule(parameters, seed);
  const lines: string[] = [];
  let previousMs = 0;
  for (const restart of schedule.restarts) {
    const waitMs = Math.max(0, restart.atMs - previousMs);
    lines.push(`sleep ${seconds(waitMs)}; kubectl rollout restart deployment/client-${restart.deployment}`);
    previousMs = restart.atMs;
  }
  const endMs = parameters.window.kind === 'cut-off' ? parameters.window.seconds * 1000 : previousMs;
  if (endMs > previousMs) lines.push(`sleep ${seconds(endMs - previousMs)}`);
  lines.push('kubectl get pods -o wide');
  return lines;
}

/** The lab record of a trial: no scenario steps, only the reader's command lines. */
export function trialLabRecord(parameters: RiskParameters, setup: RiskSetup, seed: number): LabRecord {
  const lines = [setupCommand(parameters, setup), cutOffCommand, ...churnCommands(parameters, seed)];
  return {
    scenario: labScenarioId,
    seed,
    actions: lines.map((line) => ({ kind: 'command', line })),
    cursor: undefined,
  };
}
