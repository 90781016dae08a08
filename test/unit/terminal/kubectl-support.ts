/** Small worlds for kubectl tests: a kind cluster with its default CNI, and manifests we did not write. */
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';

/**
 * The Star Wars demo of Cilium's getting-started guide, as cilium/cilium ships it in
 * examples/minikube/http-sw-app.yaml (v1.18.5): a Service and a Deployment for the deathstar, and two
 * bare Pods, tiefighter and xwing, with no owner.
 */
export const starWarsDemo = `---
apiVersion: v1
kind: Service
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  type: ClusterIP
  ports:
  - port: 80
  selector:
    org: empire
    class: deathstar
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deathstar
  labels:
    app.kubernetes.io/name: deathstar
spec:
  replicas: 2
  selector:
    matchLabels:
      org: empire
      class: deathstar
  template:
    metadata:
      labels:
        org: empire
        class: deathstar
        app.kubernetes.io/name: deathstar
    spec:
      containers:
      - name: deathstar
        image: quay.io/cilium/starwars:v2.1@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8
---
apiVersion: v1
kind: Pod
metadata:
  name: tiefighter
  labels:
    org: empire
    class: tiefighter
    app.kubernetes.io/name: tiefighter
spec:
  containers:
  - name: spaceship
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
---
apiVersion: v1
kind: Pod
metadata:
  name: xwing
  labels:
    app.kubernetes.io/name: xwing
    org: alliance
    class: xwing
spec:
  containers:
  - name: spaceship
    image: quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603
`;

/** A kind cluster with kindnet (no Cilium): one control plane and one worker, nodes Ready. */
export function kindCluster(seed = 5, workers = 1): Simulation {
  const simulation = new Simulation(seed);
  simulation.input({
    type: 'kind.cluster.create',
    config: {
      name: 'kind',
      nodes: [
        { role: 'control-plane' },
        ...Array.from({ length: workers }, () => ({ role: 'worker' as const })),
      ],
      disableDefaultCNI: false,
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    },
  });
  simulation.advance(5_000);
  return simulation;
}

/** A terminal on a fresh kind cluster, with files in its home directory. */
export function kindShell(files: Record<string, string> = {}, seed = 5): TerminalSession {
  return new TerminalSession(kindCluster(seed), files);
}

/** A terminal on a kind cluster with Cilium 1.18 (its agents, operator and chart RBAC). */
export function ciliumShell(files: Record<string, string> = {}, seed = 7): TerminalSession {
  return new TerminalSession(clusterWithCilium(seed, 1, '1.18.5', { 'encryption.enabled': 'false' }), files);
}
