import { describe, expect, it } from 'vitest';
import { ScenarioPlayer, scenarios } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';

// The seed installs Cilium 1.12 with l7Proxy=false. An L7 rule is then something the API server
// stores but every agent refuses: the refusal shows in the agent's log (the chart's default leaves
// 1.12's per-node policy status off, see policy-refusal-display.test.ts), and the previous version
// of the policy stays enforced.
const scenario = scenarios['mistaken-identity'];
if (scenario === undefined) throw new Error('scenario missing');

const l7Policy = `cat > l7.yaml <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: v1
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceaccount: helloworld-v1
  ingress:
    - fromEndpoints:
        - matchLabels:
            io.cilium.k8s.policy.serviceaccount: sleep-v1
      toPorts:
        - ports:
            - port: '5000'
              protocol: TCP
          rules:
            http:
              - method: GET
                path: /hello
YAML
kubectl apply -f l7.yaml && sleep 2`;

function session(): TerminalSession {
  const player = new ScenarioPlayer(scenario!);
  for (let step = 0; step < 3; step++) player.next();
  return new TerminalSession(player.simulation, scenario!.files);
}

describe('terminal: a policy the agents refuse', () => {
  it('applies a file the reader wrote in the shell, and every agent refuses its L7 rule', async () => {
    const terminal = session();
    const applied = await terminal.run(l7Policy);
    expect(applied.stdout).toBe('ciliumnetworkpolicy.cilium.io/v1 configured\n');
    const described = await terminal.run('kubectl describe cnp v1');
    // enableCnpStatusUpdates is false in the chart: the agents write no status.
    expect(described.stdout).not.toContain('Status:');
    const logs = await terminal.run('kubectl -n kube-system logs ds/cilium');
    expect(logs.stdout).toContain(
      // logrus sorts the fields by key (pkg/k8s/watchers/cilium_network_policy.go at v1.12).
      'level=warning msg="Unable to add CiliumNetworkPolicy" ciliumNetworkPolicyName=v1 error="Invalid CiliumNetworkPolicy spec: L7 policy is not supported since L7 proxy is not enabled" k8sApiVersion=cilium.io/v2 k8sNamespace=default subsys=k8s-watcher',
    );
  });

  it('keeps enforcing the version it had imported: /hello3 is not answered by a proxy', async () => {
    const terminal = session();
    await terminal.run(l7Policy);
    const allowed = await terminal.run(
      'kubectl exec deploy/sleep-v1 -- curl -s -o /dev/null -w "%{http_code}" --max-time 2 http://helloworld-v1:5000/hello3',
    );
    // The L4 rule still admits sleep-v1; the application answers 404, not the proxy's 403.
    expect(allowed.stdout).toBe('404');
    const denied = await terminal.run(
      'kubectl exec deploy/sleep-v2 -- curl -s --max-time 2 http://helloworld-v1:5000/hello',
    );
    expect(denied.exitCode).toBe(28);
  });
});

describe('terminal: cilium status', () => {
  it('reports the agent, its node’s IPAM and WireGuard, and the cut-off agent’s failure', async () => {
    const player = new ScenarioPlayer(scenario);
    for (let step = 0; step < 5; step++) player.next();
    const terminal = new TerminalSession(player.simulation, scenario.files);
    const healthy = await terminal.run('kubectl -n kube-system exec ds/cilium -- cilium status');
    expect(healthy.stdout).toMatch(/^KVStore: {17}Ok {3}Disabled\nKubernetes: {14}Ok /);
    expect(healthy.stdout).toMatch(/IPAM: {20}IPv4: \d+\/254 allocated from 10\.244\.\d+\.0\/24,/);
    expect(healthy.stdout).toMatch(
      /\nEncryption: {14}Wireguard {3}\[cilium_wg0 \(Pubkey: [A-Za-z0-9+/]{43}=, Port: 51871, Peers: 3\)\]\n/,
    );
    expect(healthy.stdout).toContain('\nCilium:                  Ok   1.12.0 (v1.12.0-9447cd1)\n');
    const cut = await terminal.run(
      "NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o=jsonpath='{.items[0].spec.nodeName}'); docker exec $NODEV1 /bin/bash -c 'crictl exec $(crictl ps --name cilium-agent -q) cilium status'",
    );
    expect(cut.stdout).toMatch(
      /Kubernetes: {14}Failure {3}Get "https:\/\/10\.96\.0\.1:443\/version\?timeout=32s": dial tcp 10\.96\.0\.1:443: i\/o timeout/,
    );
  });
});
