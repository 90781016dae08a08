/**
 * Starting command lines that several exercises share: a kind cluster with Cilium, and small
 * workloads. Exercise files import these; this file is not an exercise.
 */

/** A kind cluster with two workers and no default CNI, then Cilium from its Helm chart (its repository added first). */
export function ciliumCluster(version: string, values: Record<string, string> = {}): string[] {
  const sets = Object.entries(values)
    .map(([key, value]) => ` --set ${key}=${value}`)
    .join('');
  return [
    `kind create cluster --config - <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
networking:
  disableDefaultCNI: true
EOF`,
    'helm repo add cilium https://helm.cilium.io/ > /dev/null',
    `helm install cilium cilium/cilium --version ${version} --namespace kube-system${sets} > /dev/null && sleep 60`,
  ];
}

/** A Deployment of one image with a service account of the same name, and a Service when it listens. */
export function workload(options: {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  image: string;
  port?: number;
}): string {
  const namespace = options.namespace ?? 'default';
  const labels = options.labels ?? { app: options.name };
  const lines = (indent: string): string =>
    Object.entries(labels)
      .map(([key, value]) => `${indent}${key}: ${value}`)
      .join('\n');
  const container =
    options.port === undefined
      ? `        command: ["/bin/sleep", "3650d"]`
      : `        ports:\n        - containerPort: ${options.port}`;
  const service =
    options.port === undefined
      ? ''
      : `---
apiVersion: v1
kind: Service
metadata:
  name: ${options.name}
  namespace: ${namespace}
spec:
  selector:
${lines('    ')}
  ports:
  - port: ${options.port}
`;
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${options.name}
  namespace: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${options.name}
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels:
${lines('      ')}
  template:
    metadata:
      labels:
${lines('        ')}
    spec:
      serviceAccountName: ${options.name}
      containers:
      - name: main
        image: ${options.image}
${container}
${service}`;
}

/** `kubectl apply` of manifests typed in, then a wait for every Deployment of the namespaces. */
export function applyAndWait(manifests: string, namespaces: readonly string[] = ['default']): string[] {
  return [
    `kubectl apply -f - <<EOF\n${manifests}EOF`,
    namespaces
      .map((namespace) => `kubectl -n ${namespace} wait --for=condition=Ready pod --all --timeout=120s > /dev/null`)
      .join(' && '),
  ];
}
