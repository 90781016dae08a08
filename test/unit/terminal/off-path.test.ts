// Goal: a new user off the guides' path — a plain Deployment, the Cilium docs' Star Wars demo by
// URL, scripts that delete the kind cluster and start over, a second cluster, the docs' `kubectl
// patch` + `rollout restart ds/cilium` and `helm upgrade` routes to change Cilium's configuration,
// `auth can-i --as`, `create deployment --image`, a failing `kubectl exec` — gets what a real kind
// cluster prints, never an internal error. Each row is one thing issue 12 observed going wrong,
// typed in a fresh terminal on a fresh machine, asserting what the real tools print.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { startOfDay } from '../../../simulator/setup';
import { withSiteRepositories } from './kubectl-support';

const examples = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/minikube';

/** kind's config for a control plane and `workers` workers, with or without kind's own CNI. */
const kindConfig = (workers: number, disableDefaultCNI: boolean): string =>
  `cat > kind-config.yaml <<'EOF'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
${'- role: worker\n'.repeat(workers)}networking:
  disableDefaultCNI: ${disableDefaultCNI}
EOF
`;

/** The docs' quick start: a kind cluster without its CNI, Cilium 1.18.5 by Helm, agents rolled out. */
const ciliumCluster = `${kindConfig(2, true)}kind create cluster --config kind-config.yaml
helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system
kubectl -n kube-system rollout status ds/cilium --timeout=5m
`;

/** The Star Wars demo by URL, every pod Ready. */
const starWars = `kubectl create -f ${examples}/http-sw-app.yaml
kubectl wait --for=condition=Ready pod --all --timeout=3m
`;

const landing = 'curl -s --max-time 2 -XPOST deathstar.default.svc.cluster.local/v1/request-landing';

interface OffPathCase {
  readonly name: string;
  /** Typed first; its output is not what the row checks. */
  readonly setup?: string;
  readonly script: string;
  readonly stdout?: string;
  /** Pieces the standard output must contain, in order. */
  readonly stdoutHas?: readonly string[];
  readonly stderrHas?: readonly string[];
  readonly exitCode?: number;
  /** A check of the world or of the output that a fixed text cannot express. */
  readonly check?: (simulation: Simulation, stdout: string) => void;
}

const cases: readonly OffPathCase[] = [
  {
    name: 'a plain Deployment of 15 replicas spreads over 3 workers',
    setup: `${kindConfig(3, false)}kind create cluster --config kind-config.yaml
cat > web.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 15
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF
kubectl apply -f web.yaml
kubectl rollout status deployment/web
`,
    script: `kubectl get pods -l app=web -o wide --no-headers | awk '{print $7}' | sort | uniq -c`,
    check: (_simulation, stdout) => {
      const counts = new Map(
        stdout
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+/))
          .map(([count, node]) => [node ?? '', Number(count)]),
      );
      expect([...counts.keys()].sort()).toEqual(['kind-worker', 'kind-worker2', 'kind-worker3']);
      // PodTopologySpread's system default (hostname, maxSkew 3) and LeastAllocated keep it even.
      for (const count of counts.values()) expect(count).toBeLessThanOrEqual(7);
    },
  },
  {
    name: 'the Star Wars demo by URL, bare Pods tiefighter and xwing included, lists and runs',
    setup: ciliumCluster,
    script: `kubectl create -f ${examples}/http-sw-app.yaml
kubectl wait --for=condition=Ready pod/tiefighter pod/xwing --timeout=3m
kubectl get pods tiefighter xwing
kubectl exec xwing -- ${landing}
`,
    stdoutHas: [
      'service/deathstar created\ndeployment.apps/deathstar created\npod/tiefighter created\npod/xwing created\n',
      'pod/tiefighter condition met\npod/xwing condition met\n',
      'NAME         READY   STATUS    RESTARTS   AGE\ntiefighter   1/1     Running   0',
      'Ship landed\n',
    ],
    exitCode: 0,
  },
  {
    name: 'sw_l3_l4_policy.yaml by URL: xwing times out, curl exits 28 through kubectl exec',
    setup: ciliumCluster + starWars,
    script: `kubectl create -f ${examples}/sw_l3_l4_policy.yaml
kubectl exec tiefighter -- ${landing}
kubectl exec xwing -- ${landing}
`,
    stdout: 'ciliumnetworkpolicy.cilium.io/rule1 created\nShip landed\n',
    stderrHas: ['command terminated with exit code 28\n'],
    exitCode: 28,
  },
  {
    name: 'sw_l3_l4_l7_policy.yaml by URL: PUT /v1/exhaust-port is denied by the proxy, landing allowed',
    setup: ciliumCluster + starWars + `kubectl create -f ${examples}/sw_l3_l4_policy.yaml\n`,
    script: `kubectl apply -f ${examples}/sw_l3_l4_l7_policy.yaml
kubectl exec tiefighter -- curl -s -XPUT deathstar.default.svc.cluster.local/v1/exhaust-port
kubectl exec tiefighter -- ${landing}
kubectl get cnp
`,
    stdoutHas: [
      'ciliumnetworkpolicy.cilium.io/rule1 configured\n',
      // Envoy's 403 body, as cilium's proxy writes it (with a CRLF).
      'Access denied\r\n',
      'Ship landed\n',
      'NAME    AGE   VALID\nrule1   ',
    ],
    exitCode: 0,
  },
  {
    name: 'a script that deletes the cluster and starts over with its config file, Cilium and the demo',
    setup: `${ciliumCluster}${starWars}kubectl apply -f ${examples}/sw_l3_l4_policy.yaml\n`,
    script: `kind delete cluster
kind create cluster --config=kind-config.yaml
helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system > /dev/null
kubectl -n kube-system rollout status ds/cilium --timeout=5m > /dev/null
kubectl apply -f ${examples}/http-sw-app.yaml
kubectl apply -f ${examples}/sw_l3_l4_policy.yaml
kubectl wait --for=condition=Ready pod --all --timeout=3m > /dev/null
kubectl exec xwing -- ${landing}
`,
    stdout:
      'service/deathstar created\ndeployment.apps/deathstar created\npod/tiefighter created\npod/xwing created\nciliumnetworkpolicy.cilium.io/rule1 created\n',
    stderrHas: [
      'Deleting cluster "kind" ...\nDeleted nodes: ["kind-control-plane" "kind-worker" "kind-worker2"]\n',
      'Creating cluster "kind" ...\n',
      'Set kubectl context to "kind-kind"\n',
      'command terminated with exit code 28\n',
    ],
    exitCode: 28,
  },
  {
    name: 'kind create cluster --name two beside the first: its own nodes and context',
    setup: `${kindConfig(1, false)}kind create cluster --config kind-config.yaml\n`,
    script: `kind create cluster --name two
kind get clusters
kubectl config current-context
kubectl get nodes -o name
kubectl --context kind-kind get nodes -o name
`,
    stdout: 'kind\ntwo\nkind-two\nnode/two-control-plane\nnode/kind-control-plane\nnode/kind-worker\n',
    stderrHas: ['Creating cluster "two" ...\n', 'Set kubectl context to "kind-two"\n'],
    exitCode: 0,
  },
  {
    name: 'kubectl delete cnp --all -A deletes the policies of every namespace',
    setup: `${ciliumCluster}${starWars}kubectl create namespace other
kubectl apply -f ${examples}/sw_l3_l4_policy.yaml
kubectl apply -n other -f ${examples}/sw_l3_l4_policy.yaml
`,
    script: 'kubectl delete cnp --all -A\nkubectl get cnp -A\n',
    // kubectl 1.33 (beside kind v0.29.0's default image) does not name the namespace yet.
    stdout: 'ciliumnetworkpolicy.cilium.io "rule1" deleted\nciliumnetworkpolicy.cilium.io "rule1" deleted\n',
    stderrHas: ['No resources found\n'],
    exitCode: 0,
  },
  {
    name: 'ConfigMaps from two files: applied, listed and deleted with both -f',
    setup: `${kindConfig(1, false)}kind create cluster --config kind-config.yaml
printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: a\\ndata:\\n  x: "1"\\n' > a.yaml
printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: b\\ndata:\\n  y: "2"\\n' > b.yaml
`,
    script: `kubectl apply -f a.yaml -f b.yaml
kubectl get configmap a -o jsonpath='{.data.x}{"\\n"}'
kubectl delete -f a.yaml -f b.yaml
kubectl get cm --no-headers | awk '{print $1}'
`,
    stdout:
      'configmap/a created\nconfigmap/b created\n1\nconfigmap "a" deleted\nconfigmap "b" deleted\nkube-root-ca.crt\n',
    exitCode: 0,
  },
  {
    name: 'an unknown kind in a file is reported with the file’s name, not STDIN',
    setup: `${kindConfig(1, false)}kind create cluster --config kind-config.yaml
printf 'apiVersion: v1\\nkind: Widget\\nmetadata:\\n  name: a\\n' > w.yaml
`,
    script: 'kubectl apply -f w.yaml\n',
    stdout: '',
    stderrHas: [
      'error: resource mapping not found for name: "a" namespace: "" from "w.yaml": no matches for kind "Widget" in version "v1"\nensure CRDs are installed first\n',
    ],
    exitCode: 1,
  },
  {
    name: 'kubectl patch cilium-config enable-policy=always, then rollout restart: the new agents enforce it',
    setup: ciliumCluster + starWars,
    script: `kubectl patch configmap cilium-config -n kube-system --type merge -p '{"data":{"enable-policy":"always"}}'
kubectl exec xwing -- ${landing}
kubectl -n kube-system rollout restart ds/cilium
kubectl -n kube-system rollout status ds/cilium
kubectl exec xwing -- ${landing}
sleep 15
kubectl exec xwing -- ${landing}
`,
    stdoutHas: [
      'configmap/cilium-config patched\n',
      // Agents read cilium-config when they start: until the restart nothing changes.
      'Ship landed\n',
      'daemonset.apps/cilium restarted\n',
      'daemon set "cilium" successfully rolled out\n',
      // The new agents are Ready before they regenerated the endpoints they restored.
      'Ship landed\n',
    ],
    stderrHas: ['command terminated with exit code 28\n'],
    exitCode: 28,
    check: (simulation) => {
      expect(simulation.state.cluster?.cilium?.config.policyEnforcementMode).toBe('always');
    },
  },
  {
    name: 'helm upgrade --reuse-values --set policyEnforcementMode=always reaches cilium-config; the agents restart on rollout restart',
    setup: ciliumCluster + starWars,
    script: `helm upgrade cilium cilium/cilium --version 1.18.5 -n kube-system --reuse-values --set policyEnforcementMode=always > /dev/null
kubectl -n kube-system get configmap cilium-config -o jsonpath='{.data.enable-policy}{"\\n"}'
helm get values cilium -n kube-system
kubectl exec xwing -- ${landing}
kubectl -n kube-system rollout restart ds/cilium > /dev/null
kubectl -n kube-system rollout status ds/cilium > /dev/null
sleep 15
kubectl exec xwing -- ${landing}
`,
    // The chart rolls the agents only with rollOutCiliumPods=true (off by default): the running
    // agents keep the old setting until they restart, and the new ones enforce it once they
    // regenerated the endpoints they restored, seconds after the rollout's status returned.
    stdout: 'always\nUSER-SUPPLIED VALUES:\npolicyEnforcementMode: always\nShip landed\n',
    stderrHas: ['command terminated with exit code 28\n'],
    exitCode: 28,
  },
  {
    name: 'helm upgrade with rollOutCiliumPods=true restarts the agents by itself (the config checksum)',
    setup: ciliumCluster + starWars,
    script: `helm upgrade cilium cilium/cilium --version 1.18.5 -n kube-system --reuse-values --set policyEnforcementMode=always --set rollOutCiliumPods=true > /dev/null
kubectl -n kube-system rollout status ds/cilium > /dev/null
sleep 15
kubectl exec xwing -- ${landing}
`,
    stdout: '',
    stderrHas: ['command terminated with exit code 28\n'],
    exitCode: 28,
  },
  {
    name: 'kubectl auth can-i --as a service account: answers, and exit 1 for no',
    setup: ciliumCluster,
    script: `kubectl auth can-i list pods --as=system:serviceaccount:kube-system:cilium -n kube-system
kubectl auth can-i create pods/exec -n kube-system --as=system:serviceaccount:default:default
`,
    stdout: 'yes\nno\n',
    exitCode: 1,
  },
  {
    name: 'kubectl exec into the agent as a service account without RBAC is Forbidden',
    setup: ciliumCluster,
    script:
      'kubectl -n kube-system exec ds/cilium --as=system:serviceaccount:default:default -- cilium-dbg status\n',
    stdout: '',
    stderrHas: [
      'Error from server (Forbidden): daemonsets.apps "cilium" is forbidden: User "system:serviceaccount:default:default" cannot get resource "daemonsets" in API group "apps" in the namespace "kube-system"\n',
    ],
    exitCode: 1,
  },
  {
    name: 'kubectl create deployment --image --replicas rolls out',
    setup: `${kindConfig(2, false)}kind create cluster --config kind-config.yaml\n`,
    script: `kubectl create deployment hello --image=nginx --replicas=3
kubectl rollout status deploy/hello
kubectl get deploy hello --no-headers | awk '{print $1, $2}'
`,
    stdoutHas: [
      'deployment.apps/hello created\n',
      'deployment "hello" successfully rolled out\n',
      'hello 3/3\n',
    ],
    exitCode: 0,
  },
  {
    name: 'kubectl exec of a failing command prints command terminated with exit code N and returns N',
    setup: ciliumCluster + starWars,
    script: "kubectl exec xwing -- sh -c 'exit 3'\n",
    stdout: '',
    stderrHas: ['command terminated with exit code 3\n'],
    exitCode: 3,
  },
  {
    name: 'kubectl exec of a program the image lacks: containerd’s error, exit 1 (not Docker’s 126)',
    setup: ciliumCluster + starWars,
    script: 'kubectl exec xwing -- nosuchcmd\n',
    stdout: '',
    stderrHas: [
      'error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "',
      '": OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown\n',
    ],
    exitCode: 1,
    check: (_simulation, stdout) => expect(stdout).not.toContain('command terminated'),
  },
  {
    name: 'curl -sL and -w with escapes inside a pod',
    setup: ciliumCluster + starWars,
    script: `kubectl exec tiefighter -- curl -sL -o /dev/null -w '%{http_code}\\n' http://deathstar/v1/
kubectl exec tiefighter -- curl -sSf http://deathstar/nope
`,
    stdout: '200\n',
    stderrHas: [
      'curl: (22) The requested URL returned error: 404\n',
      'command terminated with exit code 22\n',
    ],
    exitCode: 22,
  },
  {
    name: 'a DNS query dropped by policy: curl waits for --max-time and exits 28',
    setup: `${ciliumCluster}${starWars}cat > tf-egress.yaml <<'EOF'
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: tf-egress
spec:
  endpointSelector:
    matchLabels:
      class: tiefighter
  egress:
  - toEndpoints:
    - matchLabels:
        class: deathstar
EOF
kubectl apply -f tf-egress.yaml
`,
    script: 'kubectl exec tiefighter -- curl -sS --max-time 5 http://deathstar/v1/\n',
    stdout: '',
    stderrHas: [
      'curl: (28) Resolving timed out after 5001 milliseconds\n',
      'command terminated with exit code 28\n',
    ],
    exitCode: 28,
  },
  {
    name: 'kind’s own CNI: host-local hands out .2, .3 … (CoreDNS first), and cluster DNS answers',
    setup: 'kind create cluster\nsleep 30\n',
    script: `kubectl -n kube-system get pods -l k8s-app=kube-dns -o jsonpath='{range .items[*]}{.status.podIP}{"\\n"}{end}' | sort
kubectl create deployment web --image=nginx > /dev/null
kubectl expose deployment web --port=80
kubectl create deployment client --image=curlimages/curl -- sleep 3600 > /dev/null
kubectl rollout status deployment/client > /dev/null
kubectl rollout status deployment/web > /dev/null
kubectl exec deploy/client -- curl -s http://web/ | grep title
`,
    stdout: '10.244.0.2\n10.244.0.3\nservice/web exposed\n<title>Welcome to nginx!</title>\n',
    exitCode: 0,
  },
  {
    name: 'kubectl create service nodeport and loadbalancer: the node port answers, the load balancer is pending on kind',
    setup: `${kindConfig(1, false)}kind create cluster --config kind-config.yaml
kubectl create deployment web --image=nginx > /dev/null
kubectl rollout status deployment/web > /dev/null
`,
    script: `kubectl create service nodeport web --tcp=80:80 --node-port=30090
kubectl create service loadbalancer lb --tcp=80
kubectl get svc web lb --no-headers | awk '{print $1, $2, $4}'
NODE_IP=$(kubectl get node kind-worker -o jsonpath='{.status.addresses[0].address}')
curl -s http://$NODE_IP:30090/ | grep -c 'Welcome to nginx'
kubectl create service clusterip nope
`,
    stdout: 'service/web created\nservice/lb created\nweb NodePort <none>\nlb LoadBalancer <pending>\n2\n',
    stderrHas: ['error: at least one tcp port specifier must be provided\n'],
    exitCode: 1,
  },
  {
    name: 'a NodePort Service answers at a node’s address from the reader’s machine and from a pod',
    setup: `${ciliumCluster}${starWars}cat > np.yaml <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: deathstar-np
spec:
  type: NodePort
  selector:
    org: empire
    class: deathstar
  ports:
  - port: 80
    nodePort: 30080
EOF
kubectl apply -f np.yaml
`,
    script: `kubectl get svc deathstar-np --no-headers | awk '{print $2, $5}'
NODE_IP=$(kubectl get node kind-worker -o jsonpath='{.status.addresses[0].address}')
curl -s -XPOST http://$NODE_IP:30080/v1/request-landing
kubectl exec xwing -- curl -s -XPOST http://$NODE_IP:30080/v1/request-landing
`,
    stdout: 'NodePort 80:30080/TCP\nShip landed\nShip landed\n',
    exitCode: 0,
  },
];

describe('kubectl 1.34 names the namespace of what it deletes', () => {
  it('kubectl delete -A: deleted from NS namespace', async () => {
    const simulation = new Simulation(12, {
      setup: { startMs: startOfDay('2025-09-01'), kindRelease: 'v0.30.0' },
    });
    const session = new TerminalSession(simulation, {}, withSiteRepositories);
    await session.run(
      'kind create cluster\nkubectl create namespace other\nkubectl create configmap a\nkubectl create configmap a -n other\n',
    );
    const result = await session.run('kubectl delete cm a -n other\nkubectl delete ns other --wait=false\n');
    expect(result.stdout).toBe('configmap "a" deleted from other namespace\nnamespace "other" deleted\n');
  });
});

describe('off the guides’ path: what a new user types on a kind cluster', () => {
  it.each(cases)(
    'off path: $name',
    async ({ setup, script, stdout, stdoutHas, stderrHas, exitCode, check }) => {
      const simulation = new Simulation(12);
      const session = new TerminalSession(simulation, {}, withSiteRepositories);
      if (setup !== undefined) await session.run(setup);
      const result = await session.run(script);
      expect(result.stderr).not.toContain('internal error');
      if (stdout !== undefined) expect(result.stdout).toBe(stdout);
      let from = 0;
      for (const piece of stdoutHas ?? []) {
        const at = result.stdout.indexOf(piece, from);
        expect(at, `stdout has ${JSON.stringify(piece)}:\n${result.stdout}`).toBeGreaterThanOrEqual(0);
        from = at + piece.length;
      }
      for (const piece of stderrHas ?? []) expect(result.stderr).toContain(piece);
      if (exitCode !== undefined) expect(result.exitCode).toBe(exitCode);
      check?.(simulation, result.stdout);
    },
  );
});
