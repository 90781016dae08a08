import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { toGroupsPollMs } from '../../../simulator/cilium/to-groups';
import { defaultSetup } from '../reference/walkthrough';

// Goal: the operator's toGroups derivation as Cilium 1.18's operator does it (pkg/policy/groups):
// for a CiliumNetworkPolicy with `toGroups: [{aws: {securityGroupsIds: […]}}]` an operator built
// with the AWS provider and holding credentials writes `<name>-groups-<uid>`, labelled as a
// derivative of its parent and owned by it, with the group's private and public addresses as
// /32s in `toCIDRSet`; it asks again every 5 minutes, so instances the reader launches or
// terminates with `aws ec2` join or leave it then; the chart's operator-generic has no provider,
// and an AWS operator without credentials cannot ask: both leave the error in the parent's status.

const examples = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/minikube';
const group = 'sg-0f2146100a88d03c3';

const toGroupsPolicy = `kubectl apply -f - <<'EOF'
kind: CiliumNetworkPolicy
apiVersion: cilium.io/v2
metadata:
  name: to-groups-sample
  namespace: default
spec:
  endpointSelector:
    matchLabels:
      org: alliance
      class: xwing
  egress:
  - toPorts:
    - ports:
      - port: '80'
        protocol: TCP
    toGroups:
    - aws:
        securityGroupsIds:
        - '${group}'
EOF`;

/** The docs' Secret, with example credentials and the region eu-west-1. */
const secret = `kubectl create -f - <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: cilium-aws
  namespace: kube-system
type: Opaque
data:
  AWS_ACCESS_KEY_ID: "QUtJQUlPU0ZPRE5ON0VYQU1QTEU="
  AWS_SECRET_ACCESS_KEY: "d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ=="
  AWS_DEFAULT_REGION: "ZXUtd2VzdC0x"
EOF`;

const secretEnv = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION'].map((name) => ({
  name,
  valueFrom: { secretKeyRef: { name: 'cilium-aws', key: name, optional: true } },
}));

/** The docs' AWS CLI pod, its credentials from the Secret. */
const cliPod = `kubectl apply -f - <<'EOF'
${JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'testing-aws-pod', namespace: 'kube-system' },
  spec: {
    containers: [
      { name: 'aws-cli', image: 'mesosphere/aws-cli', command: ['sh', '-c', 'sleep 3600'], env: secretEnv },
    ],
  },
})}
EOF`;

/** Runs the operator's AWS build with the Secret in its environment (the chart does so in ENI mode). */
const awsOperator = `kubectl -n kube-system patch deployment cilium-operator --type json -p '${JSON.stringify(
  [
    {
      op: 'replace',
      path: '/spec/template/spec/containers/0/image',
      value: 'quay.io/cilium/operator-aws:v1.18.5',
    },
    { op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['cilium-operator-aws'] },
    { op: 'add', path: '/spec/template/spec/containers/0/env', value: secretEnv },
  ],
)}'`;

async function lab(operator: 'generic' | 'aws' | 'aws without credentials') {
  const simulation = new Simulation(21);
  const shell = new TerminalSession(simulation);
  const run = async (line: string) => {
    const result = await shell.run(line);
    expect(result.exitCode, `${line}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  for (const line of defaultSetup) await run(line);
  simulation.advance(90_000);
  if (operator !== 'aws without credentials') await run(secret);
  await run(cliPod);
  if (operator !== 'generic') await run(awsOperator);
  await run(`kubectl create -f ${examples}/http-sw-app.yaml`);
  simulation.advance(60_000);
  await run(toGroupsPolicy);
  simulation.advance(3000);
  const uid = await run("kubectl get cnp to-groups-sample -o jsonpath='{.metadata.uid}'");
  const derivative = `to-groups-sample-groups-${uid}`;
  const cidrs = async () =>
    (await run(`kubectl get cnp ${derivative} -o jsonpath='{.specs[0].egress[0].toCIDRSet[*].cidr}'`)).split(
      ' ',
    );
  const outcome = async () =>
    JSON.parse(
      await run(`kubectl get cnp to-groups-sample -o jsonpath='{.status.derivativePolicies.${derivative}}'`),
    ) as { ok?: boolean; error?: string };
  return { simulation, shell, run, uid, derivative, cidrs, outcome };
}

describe('the operator derives toGroups policies from the simulated AWS account', () => {
  it('writes the derivative as 1.18 names, labels and owns it, with the group addresses', async () => {
    const { run, uid, derivative, cidrs, outcome } = await lab('aws');
    const written = JSON.parse(await run(`kubectl get cnp ${derivative} -o json`)) as {
      metadata: { labels: Record<string, string>; ownerReferences: unknown[] };
      specs: { endpointSelector: unknown; labels: { key: string; value: string }[]; egress: unknown[] }[];
    };
    expect(written.metadata.labels).toEqual({
      'io.cilium.network.policy.kind': 'derivative',
      'io.cilium.network.policy.parent.uuid': uid,
    });
    expect(written.metadata.ownerReferences).toEqual([
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', name: 'to-groups-sample', uid },
    ]);
    expect(written.specs[0]?.endpointSelector).toEqual({
      matchLabels: {
        'any:class': 'xwing',
        'any:org': 'alliance',
        'k8s:io.kubernetes.pod.namespace': 'default',
      },
    });
    expect(written.specs[0]?.labels.map((label) => `${label.key}=${label.value}`)).toEqual([
      'io.cilium.k8s.policy.name=to-groups-sample',
      `io.cilium.k8s.policy.uid=${uid}`,
      'io.cilium.k8s.policy.namespace=default',
      'io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy',
    ]);
    expect(written.specs[0]?.egress).toEqual([
      {
        toCIDRSet: [{ cidr: '34.254.113.42/32' }, { cidr: '172.31.44.160/32' }],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }],
      },
    ]);
    expect(await cidrs()).toEqual(['34.254.113.42/32', '172.31.44.160/32']);
    expect(await outcome()).toMatchObject({ ok: true });
    // The xwing is now enforced on egress only.
    const endpoints = await run('kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint list');
    expect(endpoints).toMatch(/^\d+ +Disabled +Enabled +\d+ +k8s:app\.kubernetes\.io\/name=xwing/m);
  }, 60_000);

  it('follows instances that join and leave the group at the next 5-minute poll', async () => {
    const { simulation, run, cidrs } = await lab('aws');
    const launched = JSON.parse(
      await run(
        `kubectl -n kube-system exec testing-aws-pod -- aws ec2 run-instances --image-id ami-0bdb1d6c15a40392c --count 1 --instance-type t2.micro --security-group-ids ${group}`,
      ),
    ) as { Instances: { InstanceId: string; PrivateIpAddress: string; PublicIpAddress: string }[] };
    const instance = launched.Instances[0];
    expect(await cidrs()).toHaveLength(2);
    simulation.advance(toGroupsPollMs);
    expect(await cidrs()).toEqual(
      expect.arrayContaining([`${instance?.PrivateIpAddress}/32`, `${instance?.PublicIpAddress}/32`]),
    );
    expect(await cidrs()).toHaveLength(4);
    await run(
      `kubectl -n kube-system exec testing-aws-pod -- aws ec2 terminate-instances --instance-ids ${instance?.InstanceId}`,
    );
    simulation.advance(toGroupsPollMs);
    expect(await cidrs()).toEqual(['34.254.113.42/32', '172.31.44.160/32']);
  }, 60_000);

  it('derives an ingress fromGroups the same way, into fromCIDRSet (IngressCommonRule.CreateDerivative)', async () => {
    const { simulation, run } = await lab('aws');
    await run(`kubectl apply -f - <<'EOF'
kind: CiliumNetworkPolicy
apiVersion: cilium.io/v2
metadata:
  name: from-groups-sample
spec:
  endpointSelector:
    matchLabels:
      org: empire
  ingress:
  - fromGroups:
    - aws:
        securityGroupsIds:
        - '${group}'
    toPorts:
    - ports:
      - port: '80'
        protocol: TCP
EOF`);
    simulation.advance(3000);
    const uid = await run("kubectl get cnp from-groups-sample -o jsonpath='{.metadata.uid}'");
    const derived = JSON.parse(await run(`kubectl get cnp from-groups-sample-groups-${uid} -o json`)) as {
      specs: { ingress: unknown[] }[];
    };
    expect(derived.specs[0]?.ingress).toEqual([
      {
        fromCIDRSet: [{ cidr: '34.254.113.42/32' }, { cidr: '172.31.44.160/32' }],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }],
      },
    ]);
  }, 60_000);

  it('deletes the derivative with its parent', async () => {
    const { simulation, run, derivative } = await lab('aws');
    await run('kubectl delete cnp to-groups-sample');
    simulation.advance(2000);
    const left = await run('kubectl get cnp -o name');
    expect(left).not.toContain(derivative);
  }, 60_000);

  const failures = [
    {
      name: "the chart's operator-generic has no AWS provider",
      operator: 'generic',
      error: /^Provider aws is not registered$/,
    },
    {
      name: 'the AWS operator without credentials cannot ask',
      operator: 'aws without credentials',
      error: /^Cannot retrieve data from aws provider: .*no EC2 IMDS role found/,
    },
  ] as const;
  for (const { name, operator, error } of failures) {
    it(`records why there is no derivative: ${name}`, async () => {
      const { run, derivative, outcome } = await lab(operator);
      expect((await outcome()).error).toMatch(error);
      expect(await run('kubectl get cnp -o name')).not.toContain(derivative);
    }, 60_000);
  }

  it('the AWS CLI needs the credentials the test pod takes from the Secret', async () => {
    const { shell } = await lab('aws without credentials');
    const described = await shell.run(
      'kubectl -n kube-system exec testing-aws-pod -- aws ec2 describe-instances',
    );
    expect(described.stderr).toContain(
      'Unable to locate credentials. You can configure credentials by running "aws configure".',
    );
    expect(described.exitCode).toBe(255);
  }, 60_000);
});
