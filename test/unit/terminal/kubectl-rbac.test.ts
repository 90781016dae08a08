// Goal: RBAC as the API server enforces it when kubectl impersonates someone (`--as`): the
// bootstrap roles and bindings of a kind cluster and Cilium's chart roles decide, `auth can-i`
// answers yes/no (with RBAC's reason) and lists rules as kubectl prints them, a denied request ends
// in the API server's Forbidden message, and nobody can grant what they do not hold. The reader's
// own kubeconfig stays cluster-admin.
import { describe, expect, it } from 'vitest';
import { authorize, impersonatedUser } from '../../../simulator/k8s/rbac-authorizer';
import { ciliumShell, kindShell } from './kubectl-support';

const ciliumAgent = '--as=system:serviceaccount:kube-system:cilium';
const operator = '--as=system:serviceaccount:kube-system:cilium-operator';

interface CanICase {
  readonly name: string;
  readonly command: string;
  readonly answer: 'yes' | 'no';
}

const canI: readonly CanICase[] = [
  { name: 'the admin may do anything', command: 'create pods/exec -n kube-system', answer: 'yes' },
  { name: 'the agent may list pods', command: `list pods -n kube-system ${ciliumAgent}`, answer: 'yes' },
  {
    name: 'the agent may not exec into pods',
    command: `create pods/exec -n kube-system ${ciliumAgent}`,
    answer: 'no',
  },
  {
    name: 'the agent may not read Secrets',
    command: `get secrets -n kube-system ${ciliumAgent}`,
    answer: 'no',
  },
  {
    name: 'the agent may create CiliumIdentities',
    command: `create ciliumidentities ${ciliumAgent}`,
    answer: 'yes',
  },
  {
    name: 'the agent may read its ConfigMaps in kube-system',
    command: `get configmaps -n kube-system ${ciliumAgent}`,
    answer: 'yes',
  },
  { name: 'but not elsewhere', command: `get configmaps -n default ${ciliumAgent}`, answer: 'no' },
  {
    name: 'the operator may patch cilium-config by name',
    command: `patch configmaps/cilium-config -n kube-system ${operator}`,
    answer: 'yes',
  },
  {
    name: 'the operator may not patch another ConfigMap',
    command: `patch configmaps/other -n kube-system ${operator}`,
    answer: 'no',
  },
  { name: 'the operator may delete pods', command: `delete pods -n default ${operator}`, answer: 'yes' },
  {
    name: 'a default service account may do nothing',
    command: 'list pods --as=system:serviceaccount:default:default',
    answer: 'no',
  },
  {
    name: 'any user may create access reviews',
    command: 'create selfsubjectaccessreviews --as=jane',
    answer: 'yes',
  },
  { name: 'any user may read /healthz', command: 'get /healthz --as=jane', answer: 'yes' },
  {
    name: 'a group given with --as-group counts',
    command: 'delete nodes --as=jane --as-group=system:masters',
    answer: 'yes',
  },
];

describe('kubectl auth can-i', () => {
  it.each(canI)('kubectl auth can-i: $name', async ({ command, answer }) => {
    const session = ciliumShell();
    const result = await session.run(`kubectl auth can-i ${command}`);
    expect(result.stdout).toBe(`${answer}\n`);
    expect(result.exitCode).toBe(answer === 'yes' ? 0 : 1);
  });

  const mistakes = [
    {
      name: 'one argument',
      command: 'kubectl auth can-i get',
      stdout: '',
      stderr:
        "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.\n",
      exitCode: 1,
    },
    {
      name: 'an unknown resource warns and answers no',
      command: 'kubectl auth can-i get frobs --as=jane',
      stdout: 'no\n',
      stderr: "Warning: the server doesn't have a resource type 'frobs'\n",
      exitCode: 1,
    },
    {
      name: 'a cluster-scoped resource warns that it has no namespace',
      command: 'kubectl auth can-i list nodes',
      stdout: 'yes\n',
      stderr: "Warning: resource 'nodes' is not namespace scoped\n",
      exitCode: 0,
    },
    {
      name: 'an unknown verb warns',
      command: 'kubectl auth can-i frob pods',
      stdout: 'yes\n',
      stderr: "Warning: verb 'frob' is not a known verb\n",
      exitCode: 0,
    },
    {
      name: '--list with arguments',
      command: 'kubectl auth can-i --list get pods',
      stdout: '',
      stderr: 'error: list option must be specified with no arguments\n',
      exitCode: 1,
    },
    {
      name: '--quiet prints nothing',
      command: 'kubectl auth can-i create pods/exec -q --as=jane',
      stdout: '',
      stderr: '',
      exitCode: 1,
    },
  ];
  it.each(mistakes)('kubectl auth can-i: $name', async ({ command, stdout, stderr, exitCode }) => {
    const session = kindShell();
    expect(await session.run(command)).toEqual({ stdout, stderr, exitCode });
  });

  it('kubectl auth can-i: a binding to a missing role is RBAC’s reason', async () => {
    const session = kindShell();
    await session.run('kubectl create rolebinding broken --role=ghost --user=jane');
    const result = await session.run('kubectl auth can-i get pods --as=jane');
    expect(result).toEqual({
      stdout: 'no - RBAC: role.rbac.authorization.k8s.io "ghost" not found\n',
      stderr: '',
      exitCode: 1,
    });
  });

  it('kubectl auth can-i --list: a service account with nothing bound sees the discovery rules', async () => {
    const session = kindShell();
    const result = await session.run('kubectl auth can-i --list --as=system:serviceaccount:default:default');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Resources {3,}Non-Resource URLs {3,}Resource Names {3}Verbs$/);
    expect(lines[1]).toMatch(
      /^selfsubjectreviews\.authentication\.k8s\.io {3,}\[\] {3,}\[\] {3,}\[create\]$/,
    );
    expect(lines[2]).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io /);
    expect(result.stdout).toMatch(/\n {40,}\[\/api\/\*\] {3,}\[\] {3,}\[get\]\n {40,}\[\/api\] /);
  });

  it('kubectl auth whoami: the impersonated user and its groups (Kubernetes 1.28 on)', async () => {
    const session = kindShell();
    session.simulation.state.cluster!.kubernetesVersion = 'v1.24.0';
    const old = await session.run('kubectl auth whoami');
    expect(old.stderr).toMatch(/^error: the selfsubjectreviews API is not enabled in the cluster\n/);
    session.simulation.state.cluster!.kubernetesVersion = 'v1.33.1';
    const result = await session.run('kubectl auth whoami --as=system:serviceaccount:default:robot');
    expect(result.stdout).toBe(
      'ATTRIBUTE   VALUE\nUsername    system:serviceaccount:default:robot\nGroups      [system:serviceaccounts system:serviceaccounts:default system:authenticated]\n',
    );
  });
});

describe('kubectl --as: requests the API server refuses', () => {
  it('a service account cannot exec into the Cilium agent', async () => {
    const session = ciliumShell();
    const agent = (
      await session.run('kubectl -n kube-system get pods -l k8s-app=cilium -o name')
    ).stdout.split('\n')[0]!;
    const name = agent.split('/')[1]!;
    const result = await session.run(
      `kubectl -n kube-system exec ${name} ${ciliumAgent} -- cilium-dbg status`,
    );
    expect(result).toEqual({
      stdout: '',
      stderr: `Error from server (Forbidden): pods "${name}" is forbidden: User "system:serviceaccount:kube-system:cilium" cannot create resource "pods/exec" in API group "" in the namespace "kube-system"\n`,
      exitCode: 1,
    });
    // The reader's own kubeconfig may.
    expect(
      (await session.run(`kubectl -n kube-system exec ${name} -- cilium-dbg status --brief`)).stdout,
    ).toBe('OK\n');
  });

  const refused = [
    {
      name: 'listing across namespaces',
      command: 'kubectl get pods -A --as=jane',
      stderr:
        'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope\n',
    },
    {
      name: 'getting one object',
      command: 'kubectl get deploy coredns -n kube-system --as=jane',
      stderr:
        'Error from server (Forbidden): deployments.apps "coredns" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "kube-system"\n',
    },
    {
      name: 'creating from a file',
      command: 'kubectl create -f cm.yaml --as=jane',
      stderr:
        'Error from server (Forbidden): error when creating "cm.yaml": configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "default"\n',
    },
    {
      name: 'deleting',
      command: 'kubectl delete ns kube-public --as=jane',
      stderr:
        'Error from server (Forbidden): namespaces "kube-public" is forbidden: User "jane" cannot delete resource "namespaces" in API group "" at the cluster scope\n',
    },
    {
      name: 'granting what the granter does not hold',
      command: 'kubectl create role big --verb=get --resource=secrets --as=jane --as-group=deployers',
      stderr:
        'Error from server (Forbidden): roles.rbac.authorization.k8s.io "big" is forbidden: user "jane" (groups=["deployers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}\n',
    },
  ];
  it.each(refused)('kubectl --as: $name', async ({ command, stderr }) => {
    const session = kindShell({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' });
    // deployers may manage roles in default, but hold nothing on secrets.
    await session.run(
      'kubectl create role role-admin --verb=create,get --resource=roles.rbac.authorization.k8s.io; kubectl create rolebinding deployers --role=role-admin --group=deployers',
    );
    expect(await session.run(command)).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('a role granted to a service account lets it list what it names, and nothing else', async () => {
    const session = kindShell();
    await session.run(
      'kubectl create sa robot; kubectl create role pod-reader --verb=get,list --resource=pods; kubectl create rolebinding robot-reads --role=pod-reader --serviceaccount=default:robot',
    );
    const as = '--as=system:serviceaccount:default:robot';
    expect((await session.run(`kubectl get pods ${as}`)).exitCode).toBe(0);
    expect((await session.run(`kubectl get pods -n kube-system ${as}`)).exitCode).toBe(1);
    expect((await session.run(`kubectl get svc ${as}`)).exitCode).toBe(1);
  });

  it('the edit role aggregates a custom role labelled aggregate-to-edit', async () => {
    const session = kindShell({
      'agg.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels:
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
rules:
- apiGroups: ["example.com"]
  resources: ["widgets"]
  verbs: ["create"]
`,
    });
    await session.run(
      'kubectl apply -f agg.yaml; kubectl create rolebinding editors --clusterrole=edit --user=jane; sleep 1',
    );
    const cluster = session.simulation.state.cluster!;
    const request = { verb: 'create', apiGroup: 'example.com', resource: 'widgets', namespace: 'default' };
    expect(authorize(cluster, impersonatedUser('jane'), request).allowed).toBe(true);
    // admin aggregates edit, so the new rule reaches admin too.
    const admin = (await session.run('kubectl get clusterrole admin -o yaml')).stdout;
    expect(admin).toContain('- widgets');
  });

  it('takes a rule two aggregated roles share once, whatever order its fields come in', async () => {
    const role = (name: string, rule: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
rules:
${rule}`;
    const session = kindShell({
      'a.yaml': role(
        'gadgets-a',
        '- apiGroups: ["example.com"]\n  resources: ["gadgets"]\n  verbs: ["get"]\n',
      ),
      'b.yaml': role(
        'gadgets-b',
        '- verbs: ["get"]\n  resources: ["gadgets"]\n  apiGroups: ["example.com"]\n',
      ),
    });
    await session.run('kubectl apply -f a.yaml -f b.yaml; sleep 1');
    const view = (await session.run('kubectl get clusterrole view -o yaml')).stdout;
    expect(view.match(/- gadgets\n/g)).toHaveLength(1);
  });
});
