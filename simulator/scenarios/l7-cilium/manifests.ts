/**
 * The workloads and the policy of the L7 guide's Cilium half (seed 003): Istio's helloworld sample
 * (v1 only, service account `helloworld`, in a Deployment named `helloworld-v1-cross-node`), the
 * `sleep` curl client with its own service account, and the article's CiliumNetworkPolicy
 * `service-account`, which adds an HTTP rule (GET /hello) to an L4 rule on port 5000.
 * Pod anti-affinity keeps helloworld and sleep on different nodes, as the pod name suggests, and a
 * nodeSelector puts helloworld on kind-worker, the node whose Envoy the article inspects (the
 * article does not show its manifests; a real scheduler would otherwise pick any worker).
 */
export const helloworldYaml = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: helloworld
---
apiVersion: v1
kind: Service
metadata:
  name: helloworld
  labels:
    app: helloworld
    service: helloworld
spec:
  ports:
  - port: 5000
    name: http
  selector:
    app: helloworld
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: helloworld-v1-cross-node
  labels:
    app: helloworld
    version: v1
spec:
  replicas: 1
  selector:
    matchLabels:
      app: helloworld
      version: v1
  template:
    metadata:
      labels:
        app: helloworld
        version: v1
    spec:
      serviceAccountName: helloworld
      nodeSelector:
        kubernetes.io/hostname: kind-worker
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: sleep
            topologyKey: kubernetes.io/hostname
      containers:
      - name: helloworld
        image: docker.io/istio/examples-helloworld-v1
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 5000
`;

export const sleepYaml = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: sleep
---
apiVersion: v1
kind: Service
metadata:
  name: sleep
  labels:
    app: sleep
    service: sleep
spec:
  ports:
  - port: 80
    name: http
  selector:
    app: sleep
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
spec:
  replicas: 1
  selector:
    matchLabels:
      app: sleep
  template:
    metadata:
      labels:
        app: sleep
    spec:
      serviceAccountName: sleep
      terminationGracePeriodSeconds: 0
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                app: helloworld
            topologyKey: kubernetes.io/hostname
      containers:
      - name: sleep
        image: curlimages/curl
        command: ["/bin/sleep", "3650d"]
        imagePullPolicy: IfNotPresent
`;

/** The article's policy, re-indented with spaces (its tabs came from the blog's formatting). */
export const serviceAccountPolicyYaml = `apiVersion: "cilium.io/v2"
kind: CiliumNetworkPolicy
metadata:
  name: "service-account"
spec:
  endpointSelector:
    matchLabels:
      io.cilium.k8s.policy.serviceaccount: helloworld
  ingress:
  - fromEndpoints:
    - matchLabels:
        io.cilium.k8s.policy.serviceaccount: sleep
    toPorts:
    - ports:
      - port: "5000"
        protocol: TCP
      rules:
        http:
        - method: GET
          path: "/hello"
`;

/** The same policy with another path, to watch the proxy's policy follow an edit. */
export const serviceAccountPolicyHello3Yaml = serviceAccountPolicyYaml.replace(
  'path: "/hello"',
  'path: "/hello3"',
);
