// Goal: the `kubectl create` generators build the objects kubectl builds from their flags
// (deployment, job, serviceaccount, configmap, role, clusterrole, rolebinding, clusterrolebinding),
// print kubectl's line or the object (`--dry-run=client -o yaml`), and refuse mistakes with
// kubectl's words; `create -f` names the file in its errors; ConfigMaps behave as the API server
// admits them, and every namespace has kube-root-ca.crt and a default ServiceAccount.
import { describe, expect, it } from 'vitest';
import { getObject } from '../../../simulator/k8s/api-store';
import { clusterCaCertificate } from '../../../simulator/k8s/cluster-ca';
import { kindShell } from './kubectl-support';

interface CreateCase {
  readonly name: string;
  readonly command: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** A stored object and fields it must have. */
  readonly stored?: readonly [kind: string, key: string, fields: Record<string, unknown>];
}

const cases: readonly CreateCase[] = [
  {
    name: 'job with a command, one container named as the Job, never restarted',
    command: 'kubectl create job hello --image=busybox -- echo hi',
    stdout: 'job.batch/hello created\n',
    stored: [
      'Job',
      'default/hello',
      {
        spec: {
          completions: 1,
          backoffLimit: 6,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'hello', image: 'busybox', command: ['echo', 'hi'] }],
            },
          },
        },
      },
    ],
  },
  {
    name: 'job without an image',
    command: 'kubectl create job hello',
    stderr: 'error: either --image or --from must be specified\n',
    exitCode: 1,
  },
  {
    name: 'deployment with replicas and a port',
    command: 'kubectl create deployment web --image=nginx:1.25 --replicas=2 --port=80',
    stdout: 'deployment.apps/web created\n',
    stored: [
      'Deployment',
      'default/web',
      {
        metadata: { labels: { app: 'web' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            spec: {
              containers: [
                {
                  name: 'nginx',
                  image: 'nginx:1.25',
                  ports: [{ containerPort: 80 }],
                },
              ],
            },
          },
        },
      },
    ],
  },
  {
    name: 'deployment with a command after --',
    command: 'kubectl create deployment sleeper --image=busybox -- sleep 3600',
    stdout: 'deployment.apps/sleeper created\n',
    stored: [
      'Deployment',
      'default/sleeper',
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'busybox', command: ['sleep', '3600'] }],
            },
          },
        },
      },
    ],
  },
  {
    name: 'deployment without --image',
    command: 'kubectl create deployment web',
    stderr: 'error: required flag(s) "image" not set\n',
    exitCode: 1,
  },
  {
    // A shrunk counterexample of the robustness properties: it used to ask for two billion pods.
    name: 'deployment with more replicas than an int32 holds',
    command: 'kubectl create deployment web --image=nginx --replicas=2147483648',
    stderr:
      'error: invalid argument "2147483648" for "--replicas" flag: strconv.ParseInt: parsing "2147483648": value out of range\n',
    exitCode: 1,
  },
  {
    name: 'deployment with a port beyond 65535',
    command: 'kubectl create deployment web --image=nginx --port=70000',
    stderr:
      'error: failed to create deployment: Deployment "web" is invalid: spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
    exitCode: 1,
  },
  {
    name: 'deployment without a name',
    command: 'kubectl create deployment --image=nginx',
    stderr:
      "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n",
    exitCode: 1,
  },
  {
    name: 'serviceaccount',
    command: 'kubectl create serviceaccount robot -n kube-system',
    stdout: 'serviceaccount/robot created\n',
    stored: ['ServiceAccount', 'kube-system/robot', { kind: 'ServiceAccount' }],
  },
  {
    name: 'configmap from literals and a file',
    command: 'kubectl create configmap settings --from-literal=mode=fast --from-file=conf=app.conf',
    stdout: 'configmap/settings created\n',
    stored: ['ConfigMap', 'default/settings', { data: { mode: 'fast', conf: 'debug: true\n' } }],
  },
  {
    name: 'configmap with a literal that has no value',
    command: 'kubectl create configmap settings --from-literal=mode',
    stderr: 'error: invalid literal source mode, expected key=value\n',
    exitCode: 1,
  },
  {
    name: 'configmap from a file that does not exist',
    command: 'kubectl create configmap settings --from-file=missing.conf',
    stderr: 'error: error reading missing.conf: no such file or directory\n',
    exitCode: 1,
  },
  {
    name: 'role with verbs and resources of two groups',
    command: 'kubectl create role reader --verb=get,list --verb=watch --resource=pods,deployments.apps',
    stdout: 'role.rbac.authorization.k8s.io/reader created\n',
    stored: [
      'Role',
      'default/reader',
      {
        rules: [
          { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
          { verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['deployments'] },
        ],
      },
    ],
  },
  {
    name: 'role on one named object and a subresource',
    command: 'kubectl create role exec-one --verb=create --resource=pods/exec --resource-name=web',
    stdout: 'role.rbac.authorization.k8s.io/exec-one created\n',
    stored: [
      'Role',
      'default/exec-one',
      { rules: [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'], resourceNames: ['web'] }] },
    ],
  },
  {
    name: 'role without verbs',
    command: 'kubectl create role reader --resource=pods',
    stderr: 'error: at least one verb must be specified\n',
    exitCode: 1,
  },
  {
    name: 'role with a special verb on the wrong resource',
    command: 'kubectl create role binder --verb=bind --resource=pods',
    stderr: "error: can not perform 'bind' on 'pods' in group ''\n",
    exitCode: 1,
  },
  {
    name: 'clusterrole with a non-resource URL',
    command: 'kubectl create clusterrole health --verb=get --non-resource-url=/healthz',
    stdout: 'clusterrole.rbac.authorization.k8s.io/health created\n',
    stored: ['ClusterRole', 'health', { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }],
  },
  {
    name: 'rolebinding to a cluster role for a user, a group and a service account',
    command:
      'kubectl create rolebinding viewers --clusterrole=view --user=jane --group=ops --serviceaccount=default:robot',
    stdout: 'rolebinding.rbac.authorization.k8s.io/viewers created\n',
    stored: [
      'RoleBinding',
      'default/viewers',
      {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' },
          { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' },
          { kind: 'ServiceAccount', namespace: 'default', name: 'robot' },
        ],
      },
    ],
  },
  {
    name: 'rolebinding with both --role and --clusterrole',
    command: 'kubectl create rolebinding x --role=a --clusterrole=b',
    stderr: 'error: exactly one of clusterrole or role must be specified\n',
    exitCode: 1,
  },
  {
    name: 'rolebinding with a malformed service account',
    command: 'kubectl create rolebinding x --clusterrole=view --serviceaccount=robot',
    stderr: 'error: serviceaccount must be <namespace>:<name>\n',
    exitCode: 1,
  },
  {
    name: 'clusterrolebinding',
    command:
      'kubectl create clusterrolebinding robots-view --clusterrole=view --serviceaccount=default:robot',
    stdout: 'clusterrolebinding.rbac.authorization.k8s.io/robots-view created\n',
    stored: ['ClusterRoleBinding', 'robots-view', { roleRef: { name: 'view' } }],
  },
  {
    name: 'clusterrolebinding without --clusterrole',
    command: 'kubectl create clusterrolebinding x --user=jane',
    stderr: 'error: required flag(s) "clusterrole" not set\n',
    exitCode: 1,
  },
  {
    name: 'a generator the simulator does not have',
    command: 'kubectl create quota q',
    stderr:
      'error: unknown command "quota" for "kubectl create"\nSupported in this simulator: namespace, deployment, job, service clusterip|nodeport|loadbalancer, serviceaccount, configmap, secret generic|tls, role, clusterrole, rolebinding, clusterrolebinding, and -f FILE\n',
    exitCode: 1,
  },
];

describe('kubectl create generators', () => {
  it.each(cases)('kubectl create: $name', async ({ command, stdout, stderr, exitCode, stored }) => {
    const session = kindShell({ 'app.conf': 'debug: true\n' });
    const result = await session.run(command);
    expect(result).toEqual({ stdout: stdout ?? '', stderr: stderr ?? '', exitCode: exitCode ?? 0 });
    if (stored === undefined) return;
    const [kind, key, fields] = stored;
    const object = getObject(session.simulation.state.cluster!.api, kind as 'Pod', key);
    expect(object).toMatchObject(fields);
  });

  it('kubectl create: an object that exists, in each generator’s words', async () => {
    const session = kindShell();
    await session.run(
      'kubectl create deployment web --image=nginx; kubectl create sa robot; kubectl create role r --verb=get --resource=pods',
    );
    expect((await session.run('kubectl create deployment web --image=nginx')).stderr).toBe(
      'error: failed to create deployment: deployments.apps "web" already exists\n',
    );
    expect((await session.run('kubectl create sa robot')).stderr).toBe(
      'error: failed to create serviceaccount: serviceaccounts "robot" already exists\n',
    );
    expect((await session.run('kubectl create role r --verb=get --resource=pods')).stderr).toBe(
      'Error from server (AlreadyExists): roles.rbac.authorization.k8s.io "r" already exists\n',
    );
  });

  it('kubectl create: --dry-run=client -o yaml prints what kubectl built and creates nothing', async () => {
    const session = kindShell();
    const result = await session.run('kubectl create deployment web --image=nginx --dry-run=client -o yaml');
    expect(result.stdout).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: nginx
        name: nginx
        resources: {}
status: {}
`);
    expect(getObject(session.simulation.state.cluster!.api, 'Deployment', 'default/web')).toBeUndefined();
  });
});

describe('kubectl create -f and apply -f: errors name the file', () => {
  const cases = [
    {
      name: 'a kind the server does not serve',
      manifest: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
      stderr:
        'error: resource mapping not found for name: "w" namespace: "" from "objects.yaml": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first\n',
    },
    {
      name: 'a ConfigMap value that is a number',
      manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: 8080\n',
      stderr:
        'Error from server (BadRequest): error when creating "objects.yaml": ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string\n',
    },
    {
      name: 'a Cilium policy before Cilium is installed',
      manifest:
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\n  ingress:\n  - {}\n',
      stderr:
        'error: resource mapping not found for name: "p" namespace: "" from "objects.yaml": no matches for kind "CiliumNetworkPolicy" in version "cilium.io/v2"\nensure CRDs are installed first\n',
    },
  ];
  it.each(cases)('kubectl apply -f: $name', async ({ manifest, stderr }) => {
    const session = kindShell({ 'objects.yaml': manifest });
    expect(await session.run('kubectl apply -f objects.yaml')).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('kubectl create -f: AlreadyExists for the one that exists, the others created', async () => {
    const session = kindShell({
      'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
    });
    await session.run('kubectl create -f a.yaml');
    const result = await session.run('kubectl create -f a.yaml -f b.yaml');
    expect(result).toEqual({
      stdout: 'configmap/b created\n',
      stderr:
        'Error from server (AlreadyExists): error when creating "a.yaml": configmaps "a" already exists\n',
      exitCode: 1,
    });
  });
});

describe('ConfigMaps every namespace has', () => {
  it('kube-root-ca.crt with the cluster CA and the default ServiceAccount, put back when deleted', async () => {
    const session = kindShell();
    await session.run('kubectl create namespace team; sleep 1');
    const api = () => session.simulation.state.cluster!.api;
    const root = getObject(api(), 'ConfigMap', 'team/kube-root-ca.crt');
    expect(root?.data?.['ca.crt']).toBe(clusterCaCertificate);
    expect(root?.metadata.annotations?.['kubernetes.io/description']).toMatch(/^Contains a CA bundle/);
    expect(getObject(api(), 'ServiceAccount', 'team/default')).toBeDefined();
    await session.run(
      'kubectl delete cm kube-root-ca.crt -n team; kubectl delete sa default -n team; sleep 1',
    );
    expect(getObject(api(), 'ConfigMap', 'team/kube-root-ca.crt')).toBeDefined();
    expect(getObject(api(), 'ServiceAccount', 'team/default')).toBeDefined();
    const table = await session.run('kubectl get cm -n team');
    expect(table.stdout).toMatch(/^NAME {15}DATA {3}AGE\nkube-root-ca\.crt {3}1 {6}\d+s\n$/);
  });
});
