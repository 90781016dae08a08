// Goal: a script that deletes its kind cluster and creates it again — what readers do to start
// over — ends in a new cluster with nothing of the old one (objects, addresses, Cilium, pending
// work), while the files the reader wrote stay, and the run replays to the same world.
import { describe, expect, it } from 'vitest';
import { replay, Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { withSiteRepositories } from './kubectl-support';

const script = `cat > kind-config.yaml <<'EOF'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
networking:
  disableDefaultCNI: true
EOF
cat > demo.yaml <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny-all
  namespace: demo
spec:
  endpointSelector: {}
  ingress:
  - {}
EOF
start() {
  kind create cluster --config kind-config.yaml
  helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system > /dev/null
  sleep 60
}
start
kubectl apply -f demo.yaml
kind delete cluster
start
`;

describe('kind: delete the cluster and create it again', () => {
  it('ends in a fresh cluster and keeps the reader’s files', async () => {
    const simulation = new Simulation(11);
    const session = new TerminalSession(simulation, {}, withSiteRepositories);
    const result = await session.run(script);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'Deleting cluster "kind" ...\nDeleted nodes: ["kind-control-plane" "kind-worker" "kind-worker2"]\n',
    );
    expect(result.stderr.match(/Set kubectl context to "kind-kind"/g)).toHaveLength(2);

    // The second cluster's API store knows nothing of the first one's namespace and policy.
    expect((await session.run('kubectl get namespace demo')).stderr).toBe(
      'Error from server (NotFound): namespaces "demo" not found\n',
    );
    // Docker's IPAM hands the freed addresses out again, and each node has a fresh pod range.
    const cluster = simulation.state.cluster;
    expect(
      Object.values(cluster?.nodes ?? {})
        .map((node) => node.internalIP)
        .sort(),
    ).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
    expect(simulation.state.otherClusters).toBeUndefined();
    // Cilium was installed again by the script, from scratch: one agent per new node, all running.
    expect(Object.keys(cluster?.cilium?.agents ?? {}).sort()).toEqual([
      'kind-control-plane',
      'kind-worker',
      'kind-worker2',
    ]);
    expect(Object.values(cluster?.cilium?.agents ?? {}).every((agent) => agent.running)).toBe(true);
    // Nothing scheduled by the first cluster is left to fire in the second.
    const nodeUids = new Set(
      Object.values(cluster?.api.objects.Node ?? {}).map((node) => node?.metadata.uid),
    );
    expect(nodeUids.size).toBe(3);
    expect((await session.run('head -1 kind-config.yaml demo.yaml')).stdout).toBe(
      '==> kind-config.yaml <==\nkind: Cluster\n\n==> demo.yaml <==\napiVersion: v1\n',
    );

    // Replaying the timeline from the seed rebuilds the same world.
    expect(replay(11, simulation.steps).hash()).toBe(simulation.hash());
  }, 60_000);

  it('leaves no Cilium behind until the reader installs it again', async () => {
    const session = new TerminalSession(new Simulation(12), {}, withSiteRepositories);
    await session.run(
      'kind create cluster && helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system >/dev/null && sleep 30',
    );
    await session.run('kind delete cluster');
    // Nothing the first cluster scheduled (kubelets, agents, watches) is left to fire in the next.
    expect(session.simulation.state.queue.filter((entry) => entry.cluster === 'kind')).toEqual([]);
    await session.run('kind create cluster');
    expect(session.simulation.state.cluster?.cilium).toBeUndefined();
    const pods = await session.run('kubectl get pods -A -o name');
    expect(pods.stdout.split('\n').filter((line) => line.includes('cilium'))).toEqual([]);
    const again = await session.run(
      'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system',
    );
    expect(again.exitCode).toBe(0);
  });
});
