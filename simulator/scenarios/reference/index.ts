/**
 * The labs of the Cilium security reference (content/reference/): one scenario per page with a
 * walkthrough. Each opens where its page's walkthrough starts — a one-node kind cluster with Cilium
 * 1.18.5 installed from its Helm chart, as the docs' "Setup Cilium" step leaves it — so the reader
 * types the page's commands verbatim; the steps bring the lab to the stages the page reaches (the
 * demo deployed, each policy applied) for a reader who wants to skip ahead.
 *
 * Manifests come from the cilium/cilium examples the simulated machine serves
 * (cilium/example-manifests.ts), fetched by the URLs the docs give.
 */
import type { Scenario, ScenarioAction, ScenarioStep } from '../types';

/** The docs' release: the pages' URLs name it (`…/cilium/cilium/1.18.5/examples/…`). */
const ciliumVersion = '1.18.5';

/** The URL of a cilium/cilium example as the docs write it. */
export const exampleUrl = (path: string): string =>
  `https://raw.githubusercontent.com/cilium/cilium/${ciliumVersion}/examples/${path}`;

/**
 * Time for new pods to start. Not `wait-rollouts`: on one node the operator's second replica stays
 * Pending (its pod anti-affinity), as on a real one-node kind cluster, so the cluster never settles.
 */
const settle: ScenarioAction = { do: 'wait', ms: 45_000 };

/** A one-node kind cluster without kind's CNI (installation/kind in the docs). */
const kindCluster: ScenarioAction = { do: 'create-cluster', workers: 0, disableDefaultCNI: true };

/** The docs' "Setup Cilium": the cluster, then the chart with its defaults, until DNS answers. */
const setupCilium: ScenarioStep = {
  id: 'setup-cilium',
  title: `A kind cluster with Cilium ${ciliumVersion}`,
  summary: `One node without kind's CNI, then helm install cilium cilium/cilium --version ${ciliumVersion} --namespace kube-system; the agent and CoreDNS are running.`,
  actions: [
    kindCluster,
    { do: 'helm-install-cilium', version: ciliumVersion, values: {} },
    { do: 'wait-cilium-ready' },
    settle,
  ],
};

/** A step that applies examples (by their paths under examples/) and waits for their pods. */
function applying(id: string, title: string, summary: string, paths: readonly string[]): ScenarioStep {
  return {
    id,
    title,
    summary,
    actions: [
      ...paths.map((path): ScenarioAction => ({ do: 'apply-example', url: exampleUrl(path) })),
      settle,
    ],
  };
}

/** A page's lab: it opens with Cilium set up (or what `initial` says), then plays `steps`. */
function referenceLab(
  lab: Omit<Scenario, 'defaultSeed' | 'files'> & { files?: Record<string, string> },
): Scenario {
  return { defaultSeed: 1, files: {}, initial: setupCilium, ...lab };
}

const starWarsDemo = applying(
  'deploy-demo',
  'Deploy the Star Wars demo',
  'The deathstar Deployment and Service, the tiefighter and xwing pods (minikube/http-sw-app.yaml).',
  ['minikube/http-sw-app.yaml'],
);
const starWarsL3L4 = applying(
  'l3-l4-policy',
  'Apply rule1 at L3/L4: only org=empire may land',
  'sw_l3_l4_policy.yaml admits endpoints labelled org=empire on port 80 of the deathstar; the xwing is dropped.',
  ['minikube/sw_l3_l4_policy.yaml'],
);
const starWarsL7 = applying(
  'l7-policy',
  'Tighten rule1 to HTTP: only POST /v1/request-landing',
  'sw_l3_l4_l7_policy.yaml adds an HTTP rule; the exhaust-port call gets Access denied from Envoy.',
  ['minikube/sw_l3_l4_l7_policy.yaml'],
);
const dnsDemo = applying(
  'deploy-demo',
  'Deploy the mediabot pod',
  'kubernetes-dns/dns-sw-app.yaml: one pod, org=empire and class=mediabot, that calls GitHub.',
  ['kubernetes-dns/dns-sw-app.yaml'],
);

export const referenceStarWars = referenceLab({
  id: 'reference-star-wars',
  title: 'The Star Wars demo on Cilium 1.18.5',
  summary: 'Identity-aware and HTTP-aware policy: rule1 at L3/L4, then at L7.',
  steps: [starWarsDemo, starWarsL3L4, starWarsL7],
});

export const referenceDns = referenceLab({
  id: 'reference-dns',
  title: 'DNS-based policies on Cilium 1.18.5',
  summary: 'toFQDNs rules for the mediabot pod: one name, a pattern, then a pattern and a port.',
  steps: [
    dnsDemo,
    applying(
      'match-name',
      'Allow api.github.com by name',
      'dns-matchname.yaml: egress to DNS through the proxy, and to api.github.com.',
      ['kubernetes-dns/dns-matchname.yaml'],
    ),
    applying(
      'match-pattern',
      'Allow *.github.com by pattern',
      'dns-pattern.yaml: every subdomain of github.com, not github.com itself.',
      ['kubernetes-dns/dns-pattern.yaml'],
    ),
    applying(
      'match-port',
      'Allow *.github.com on port 443 only',
      'dns-port.yaml: the pattern combined with toPorts 443/TCP.',
      ['kubernetes-dns/dns-port.yaml'],
    ),
  ],
});

export const referenceGrpc = referenceLab({
  id: 'reference-grpc',
  title: 'Cloud City’s doors: gRPC on Cilium 1.18.5',
  summary: 'The door manager and the public terminal, then an L7 rule on the gRPC methods.',
  steps: [
    applying(
      'deploy-demo',
      'Deploy the door manager and terminal-87',
      'kubernetes-grpc/cc-door-app.yaml: cc-door-mgr, its Service on 50051, and terminal-87.',
      ['kubernetes-grpc/cc-door-app.yaml'],
    ),
    applying(
      'l7-policy',
      'Allow only GetName and GetLocation',
      'cc-door-ingress-security.yaml: HTTP rules on the gRPC paths; SetAccessCode is refused.',
      ['kubernetes-grpc/cc-door-ingress-security.yaml'],
    ),
  ],
});

export const referenceKafka = referenceLab({
  id: 'reference-kafka',
  title: 'The Empire’s Kafka on Cilium 1.18.5',
  summary: 'A Kafka broker with its clients, then a policy on Kafka API keys and topics.',
  steps: [
    applying(
      'deploy-demo',
      'Deploy Kafka, empire-hq, empire-backup and the outposts',
      'kubernetes-kafka/kafka-sw-app.yaml.',
      ['kubernetes-kafka/kafka-sw-app.yaml'],
    ),
    applying(
      'kafka-policy',
      'Apply secure-empire-kafka',
      'Outposts may only consume empire-announce; empire-hq may produce.',
      ['kubernetes-kafka/kafka-sw-security-policy.yaml'],
    ),
  ],
});

export const referenceElasticsearch = referenceLab({
  id: 'reference-elasticsearch',
  title: 'Securing Elasticsearch on Cilium 1.18.5',
  summary: 'Elasticsearch with its Python clients, then a policy on its REST paths.',
  steps: [
    applying(
      'deploy-demo',
      'Deploy Elasticsearch, empire-hq, the outpost and the spaceship',
      'kubernetes-es/es-sw-app.yaml.',
      ['kubernetes-es/es-sw-app.yaml'],
    ),
    applying(
      'es-policy',
      'Apply secure-empire-elasticsearch',
      'es-sw-policy.yaml: each client only the index operations it needs.',
      ['kubernetes-es/es-sw-policy.yaml'],
    ),
  ],
});

export const referenceTls = referenceLab({
  id: 'reference-tls',
  title: 'TLS inspection on Cilium 1.18.5',
  summary: 'The mediabot pod; the reader builds a CA, trusts it in the pod and lets Envoy look inside TLS.',
  steps: [dnsDemo],
});

export const referenceHostFirewall = referenceLab({
  id: 'reference-host-firewall',
  title: 'The host firewall on a kind cluster',
  summary: 'A kind cluster without CNI; the page installs Cilium with the host firewall on.',
  // The page's first command adds the cilium repository, as its reader does.
  helmRepositories: {},
  initial: {
    id: 'kind-cluster',
    title: 'A kind cluster without a CNI',
    summary: "One node with kind's CNI disabled; Cilium is the page's first command.",
    actions: [kindCluster],
  },
  steps: [
    {
      id: 'install-cilium',
      title: 'Install Cilium 1.18.5 with the host firewall',
      summary: 'helm install … --set hostFirewall.enabled=true; the host endpoint gets policy enforcement.',
      actions: [
        { do: 'helm-install-cilium', version: ciliumVersion, values: { 'hostFirewall.enabled': 'true' } },
        { do: 'wait-cilium-ready' },
        settle,
      ],
    },
  ],
});

export const referenceVerdicts = referenceLab({
  id: 'reference-verdicts',
  title: 'Policies from verdicts on Cilium 1.18.5',
  summary: 'The Star Wars demo with one deathstar, for audit mode and the verdicts it logs.',
  steps: [
    {
      ...starWarsDemo,
      actions: [...starWarsDemo.actions, { do: 'scale', deployment: 'deathstar', replicas: 1 }, settle],
      summary: 'http-sw-app.yaml, with deathstar scaled to one replica as the page does.',
    },
  ],
});

export const referenceEnforcementModes = referenceLab({
  id: 'reference-enforcement-modes',
  title: 'Policy enforcement modes on Cilium 1.18.5',
  summary: 'The Star Wars demo in default mode: try always and never with helm upgrade.',
  steps: [starWarsDemo, starWarsL3L4],
});

export const referenceTroubleshooting = referenceLab({
  id: 'reference-troubleshooting',
  title: 'Troubleshooting policy on Cilium 1.18.5',
  summary: 'The Star Wars demo with its L7 rule and the DNS demo with dns-matchname, to inspect.',
  steps: [
    applying(
      'star-wars',
      'The Star Wars demo with rule1 at L7',
      'http-sw-app.yaml and sw_l3_l4_l7_policy.yaml.',
      ['minikube/http-sw-app.yaml', 'minikube/sw_l3_l4_l7_policy.yaml'],
    ),
    applying('dns-demo', 'The DNS demo with dns-matchname', 'dns-sw-app.yaml and dns-matchname.yaml.', [
      'kubernetes-dns/dns-sw-app.yaml',
      'kubernetes-dns/dns-matchname.yaml',
    ]),
  ],
});

export const referenceThreatModel = referenceLab({
  id: 'reference-threat-model',
  title: 'Threats and controls on Cilium 1.18.5',
  summary: 'The Star Wars demo under rule1: what each attacker position can and cannot do.',
  steps: [starWarsDemo, starWarsL3L4],
});

/** The restrict-pod-access page's ClusterRole (ours, not the docs'), bound to the user jane. */
const readPodsNoExecYaml = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: read-pods-no-exec
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: jane-reads-pods
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: read-pods-no-exec
  apiGroup: rbac.authorization.k8s.io
`;

export const referencePodAccess = referenceLab({
  id: 'reference-pod-access',
  title: 'Who may exec into the Cilium agent',
  summary: 'A user jane who may read pods and their logs everywhere, but not exec into them.',
  files: { 'read-pods-no-exec.yaml': readPodsNoExecYaml },
  steps: [
    {
      id: 'read-only-role',
      title: 'Bind read-pods-no-exec to the user jane',
      summary: 'kubectl apply -f read-pods-no-exec.yaml: the ClusterRole and a ClusterRoleBinding for jane.',
      actions: [{ do: 'apply', file: 'read-pods-no-exec.yaml' }],
    },
  ],
});

/**
 * The operator as the chart runs it on AWS (`eni.enabled=true`): the AWS build, whose toGroups
 * provider asks EC2, with the Secret `cilium-aws`'s keys in its environment (optional, so it starts
 * before the Secret exists and reads them only when it next starts). On kind the lab keeps the
 * chart's IPAM and only swaps the operator (install/kubernetes/cilium/templates/cilium-operator/
 * deployment.yaml at v1.18.5).
 */
const awsOperatorYaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cilium-operator
  namespace: kube-system
  labels:
    app.kubernetes.io/name: cilium-operator
    app.kubernetes.io/part-of: cilium
    io.cilium/app: operator
    name: cilium-operator
spec:
  replicas: 2
  selector:
    matchLabels:
      io.cilium/app: operator
      name: cilium-operator
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 50%
    type: RollingUpdate
  template:
    metadata:
      labels:
        app.kubernetes.io/name: cilium-operator
        app.kubernetes.io/part-of: cilium
        io.cilium/app: operator
        name: cilium-operator
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels:
                io.cilium/app: operator
            topologyKey: kubernetes.io/hostname
      containers:
      - name: cilium-operator
        image: quay.io/cilium/operator-aws:v${ciliumVersion}
        imagePullPolicy: IfNotPresent
        command:
        - cilium-operator-aws
        args:
        - --config-dir=/tmp/cilium/config-map
        - --debug=$(CILIUM_DEBUG)
        env:
${['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION']
  .map(
    (key) => `        - name: ${key}
          valueFrom:
            secretKeyRef:
              name: cilium-aws
              key: ${key}
              optional: true`,
  )
  .join('\n')}
      hostNetwork: true
      nodeSelector:
        kubernetes.io/os: linux
      priorityClassName: system-cluster-critical
      restartPolicy: Always
      serviceAccountName: cilium-operator
      tolerations:
      - operator: Exists
`;

/** The docs' Secret, its empty strings filled with the simulated account's example keys (base64). */
const awsSecretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: cilium-aws
  namespace: kube-system
type: Opaque
data:
  AWS_ACCESS_KEY_ID: "QUtJQUlPU0ZPRE5ON0VYQU1QTEU="
  AWS_SECRET_ACCESS_KEY: "d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ=="
  AWS_DEFAULT_REGION: "ZXUtd2VzdC0x"
`;

/** The docs' pod with the AWS CLI, its credentials from the Secret. */
const testingAwsPodYaml = `apiVersion: v1
kind: Pod
metadata:
  name: testing-aws-pod
  namespace: kube-system
spec:
  containers:
  - name: aws-cli
    image: mesosphere/aws-cli
    command: ['sh', '-c', 'sleep 3600']
    env:
${['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION']
  .map(
    (key) => `      - name: ${key}
        valueFrom:
          secretKeyRef:
            name: cilium-aws
            key: ${key}
            optional: true`,
  )
  .join('\n')}
`;

/** The docs' security group, which the simulated account's first instance is in. */
const docsSecurityGroup = 'sg-0f2146100a88d03c3';

/** The docs' toGroups policy. */
const toGroupsYaml = `---
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
        - '${docsSecurityGroup}'
`;

export const referenceAws = referenceLab({
  id: 'reference-aws',
  title: 'toGroups from the AWS account on Cilium 1.18.5',
  summary: "The operator's AWS build asks a simulated EC2 account for a security group's addresses.",
  files: {
    'cilium-secret.yaml': awsSecretYaml,
    'testing-aws-pod.yaml': testingAwsPodYaml,
    'to-groups-sample.yaml': toGroupsYaml,
    'cilium-operator-aws.yaml': awsOperatorYaml,
  },
  initial: {
    id: 'setup-cilium-aws-operator',
    title: `A kind cluster with Cilium ${ciliumVersion} and the operator's AWS build`,
    summary:
      'Cilium from its chart, then the operator swapped for quay.io/cilium/operator-aws with the Secret cilium-aws in its environment, as the chart runs it in ENI mode.',
    actions: [...setupCilium.actions, { do: 'apply', file: 'cilium-operator-aws.yaml' }, settle],
  },
  steps: [
    {
      id: 'aws-secret',
      title: 'Store the AWS credentials and restart the operator',
      summary:
        'kubectl create -f cilium-secret.yaml and the AWS CLI pod; the operator pods are deleted so the new one reads the keys.',
      actions: [
        { do: 'apply', file: 'cilium-secret.yaml' },
        { do: 'apply', file: 'testing-aws-pod.yaml' },
        { do: 'delete-pods', of: { namespace: 'kube-system', labels: { name: 'cilium-operator' } } },
        settle,
      ],
    },
    starWarsDemo,
    {
      id: 'to-groups-policy',
      title: 'Apply the toGroups policy',
      summary:
        "to-groups-sample lets the xwing reach TCP 80 in the security group; the operator writes the derivative with the group's two addresses.",
      actions: [
        { do: 'apply', file: 'to-groups-sample.yaml' },
        { do: 'wait', ms: 5000 },
      ],
    },
    {
      id: 'launch-instance',
      title: 'Launch an instance into the group, and wait for the next poll',
      summary:
        'A second instance joins the security group; 5 minutes later the operator asks AWS again and the derivative holds four addresses.',
      actions: [
        { do: 'aws-run-instances', securityGroupIds: [docsSecurityGroup], count: 1 },
        { do: 'wait', ms: 5 * 60_000 },
      ],
    },
  ],
});

export const referenceEndpointLifecycle = referenceLab({
  id: 'reference-endpoint-lifecycle',
  title: 'Endpoint states on Cilium 1.18.5',
  summary: "The Star Wars demo's endpoints through their states, an agent restart, and the init policy.",
  steps: [
    starWarsDemo,
    applying(
      'init-policy',
      'Apply the init policy',
      'policies/l4/init.yaml: what endpoints labelled reserved:init may do while their labels are unknown.',
      ['policies/l4/init.yaml'],
    ),
  ],
});

/** Every reference lab. */
export const referenceLabs: readonly Scenario[] = [
  referenceStarWars,
  referenceDns,
  referenceGrpc,
  referenceKafka,
  referenceElasticsearch,
  referenceTls,
  referenceHostFirewall,
  referenceVerdicts,
  referenceEnforcementModes,
  referenceTroubleshooting,
  referenceThreatModel,
  referencePodAccess,
  referenceAws,
  referenceEndpointLifecycle,
];
