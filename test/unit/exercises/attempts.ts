/**
 * Attempts at each exercise, as readers make them: other correct answers than the reference
 * solution (which the goals must accept, as a Cilium or Istio expert would), and mistakes (which
 * must leave the goal that catches them unmet). `unmet` lists the indexes of the goals, in the
 * exercise file's order, that the attempt leaves unmet; an empty list means the attempt solves it.
 */

export interface Attempt {
  /** What the reader tries, as a test title. */
  name: string;
  commands: string[];
  /** Indexes of the goals left unmet; [] for a correct answer. */
  unmet: number[];
  /**
   * Goals whose answer depends on the seed's draw rather than on the attempt (whether a new pod
   * lands on a stale address): the test does not look at them.
   */
  luck?: number[];
}

/** `kubectl apply` of a manifest typed in. */
const apply = (yaml: string): string => `kubectl apply -f - <<EOF\n${yaml.trim()}\nEOF`;

const cnp = (name: string, spec: string, namespace = 'default'): string =>
  apply(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${spec.trim().replace(/^/gm, '  ')}`);

const ccnp = (name: string, spec: string): string =>
  apply(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: ${name}
spec:
${spec.trim().replace(/^/gm, '  ')}`);

const deployGuideApps = 'kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml';
const waitReady = 'kubectl wait --for=condition=Ready pod --all --timeout=120s > /dev/null';
const settle = 'sleep 5';

// ---------------------------------------------------------------------------------------------
// The mistaken-identity guide.

const seeADrop: Attempt[] = [
  {
    name: 'nc for the refused client, curl by pod address for the admitted one',
    commands: [
      'kubectl exec deploy/sleep-v2 -- nc -z -w 2 helloworld-v1 5000',
      "IP=$(kubectl get pod -l app=helloworld,version=v1 -o jsonpath='{.items[0].status.podIP}')",
      'kubectl exec deploy/sleep-v1 -- curl -s --max-time 2 http://$IP:5000/hello',
    ],
    unmet: [],
  },
  {
    name: 'only the admitted client tries',
    commands: ['kubectl exec deploy/sleep-v1 -- curl -s --max-time 2 http://helloworld-v1:5000/hello'],
    unmet: [0],
  },
  {
    name: 'each sleep calls its own helloworld, so nothing is dropped',
    commands: [
      'kubectl exec deploy/sleep-v2 -- curl -s --max-time 2 http://helloworld-v2:5000/hello',
      'kubectl exec deploy/sleep-v1 -- curl -s --max-time 2 http://helloworld-v2:5000/hello',
    ],
    unmet: [0, 1],
  },
];

const onlyClientAllow = (selector: string, from: string, ports = ''): string =>
  cnp(
    'only-sleep-v1',
    `endpointSelector:
  ${selector}
ingress:
- fromEndpoints:
  - ${from}
${ports}`,
  );

const onlyClient: Attempt[] = [
  {
    name: "the guide's own policy-v1.yaml",
    commands: [deployGuideApps, 'kubectl apply -f yamls/policy-v1.yaml', waitReady],
    unmet: [],
  },
  {
    name: 'app and version labels, every port',
    commands: [
      deployGuideApps,
      onlyClientAllow(
        'matchLabels: {app: helloworld, version: v1}',
        'matchLabels: {app: sleep, version: v1}',
      ),
      waitReady,
    ],
    unmet: [],
  },
  {
    name: 'matchExpressions',
    commands: [
      deployGuideApps,
      onlyClientAllow(
        'matchExpressions: [{key: version, operator: In, values: [v1]}, {key: app, operator: In, values: [helloworld]}]',
        'matchExpressions: [{key: io.cilium.k8s.policy.serviceaccount, operator: In, values: [sleep-v1]}]',
      ),
      waitReady,
    ],
    unmet: [],
  },
  {
    name: 'a Kubernetes NetworkPolicy, which Cilium enforces too',
    commands: [
      deployGuideApps,
      apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: only-sleep-v1
spec:
  podSelector:
    matchLabels: {app: helloworld, version: v1}
  ingress:
  - from:
    - podSelector:
        matchLabels: {app: sleep, version: v1}
    ports:
    - port: 5000
      protocol: TCP`),
      waitReady,
    ],
    unmet: [],
  },
  {
    name: 'deployed, but no policy yet',
    commands: [deployGuideApps, waitReady],
    unmet: [1, 2],
  },
  {
    name: 'the policy selects every helloworld, so sleep-v2 loses helloworld-v2',
    commands: [
      deployGuideApps,
      onlyClientAllow('matchLabels: {app: helloworld}', 'matchLabels: {app: sleep, version: v1}'),
      waitReady,
    ],
    unmet: [3],
  },
  {
    name: 'the wrong port',
    commands: [
      deployGuideApps,
      onlyClientAllow(
        'matchLabels: {app: helloworld, version: v1}',
        'matchLabels: {app: sleep, version: v1}',
        `  toPorts:
  - ports:
    - port: "8080"
      protocol: TCP`,
      ),
      waitReady,
    ],
    unmet: [0],
  },
  {
    name: 'everyone allowed but sleep-v2 denied: not an allow-list',
    commands: [
      deployGuideApps,
      cnp(
        'not-sleep-v2',
        `endpointSelector:
  matchLabels: {app: helloworld, version: v1}
ingress:
- fromEntities: [all]
ingressDeny:
- fromEndpoints:
  - matchLabels: {app: sleep, version: v2}`,
      ),
      waitReady,
    ],
    unmet: [2],
  },
];

const scaleOneIdentity: Attempt[] = [
  {
    name: 'kubectl patch of the replica count',
    commands: [
      `kubectl patch deployment sleep-v2 -p '{"spec":{"replicas":3}}'`,
      'kubectl rollout status deployment/sleep-v2',
    ],
    unmet: [],
  },
  {
    name: 'two replicas',
    commands: [
      'kubectl scale deployment sleep-v2 --replicas=2',
      'kubectl rollout status deployment/sleep-v2',
    ],
    unmet: [0],
  },
  {
    name: 'a restart on top of the scaling',
    commands: [
      'kubectl scale deployment sleep-v2 --replicas=3',
      'kubectl rollout restart deployment/sleep-v2',
      'kubectl rollout status deployment/sleep-v2',
    ],
    unmet: [4],
  },
];

const staleIpcacheEntry: Attempt[] = [
  {
    name: 'every sleep-v2 pod labelled, stale or not',
    commands: ['kubectl label pods -l app=sleep,version=v2 stale=true'],
    unmet: [1],
  },
];

const healTheNode: Attempt[] = [
  {
    name: 'flushing the mangle INPUT chain',
    commands: [
      "NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o=jsonpath='{.items[0].spec.nodeName}')",
      'docker exec $NODEV1 iptables -t mangle -F INPUT',
      'sleep 60',
    ],
    unmet: [],
  },
  {
    name: 'deleting the sleep-v2 pods instead of healing the node',
    commands: ['kubectl delete pods -l app=sleep,version=v2', 'kubectl rollout status deployment/sleep-v2'],
    unmet: [0, 2],
    // The new pods may land on stale addresses again, or not: the node stays unhealed either way.
    luck: [1],
  },
  {
    name: 'one rule of two deleted',
    commands: [
      "NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o=jsonpath='{.items[0].spec.nodeName}')",
      "API_SERVER=$(kubectl get service -n default kubernetes -o=jsonpath='{.spec.clusterIP}')",
      'docker exec $NODEV1 iptables -t mangle -D INPUT -p tcp -s $API_SERVER -j DROP',
      'sleep 60',
    ],
    unmet: [0, 2],
  },
  {
    name: 'the rules deleted, but no time for the agent to re-list',
    commands: [
      "NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o=jsonpath='{.items[0].spec.nodeName}')",
      'docker exec $NODEV1 iptables -t mangle -F INPUT',
    ],
    unmet: [0, 1, 2],
  },
];

const bypassSeed42: Attempt[] = [
  {
    name: 'waiting for every pod to be ready instead of for the rollout',
    commands: [
      'kubectl scale deploy sleep-v1 --replicas=0',
      'kubectl scale deploy sleep-v2 --replicas=15',
      'kubectl wait --for=condition=Ready pod -l app=sleep,version=v2 --timeout=120s > /dev/null',
      'for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done',
    ],
    unmet: [],
  },
  {
    // With this seed the script's first look already finds a former sleep-v1 address, so it never
    // restarts; with another seed it would, and the restart goal would say so.
    name: "the guide's script, which finds a reused address at its first look with this seed",
    commands: ['bash run-test.sh'],
    unmet: [],
  },
  {
    name: 'curl from sleep-v2 before any address is reused',
    commands: ['kubectl exec deploy/sleep-v2 -- curl -s --max-time 2 http://helloworld-v1:5000/hello'],
    unmet: [0],
  },
  {
    name: 'a restart "to be sure" before trying',
    commands: [
      'kubectl scale deploy sleep-v1 --replicas=0',
      'kubectl scale deploy sleep-v2 --replicas=15',
      'kubectl rollout restart deployment/sleep-v2',
      'kubectl rollout status deployment/sleep-v2 > /dev/null',
    ],
    unmet: [0, 1],
  },
];

// ---------------------------------------------------------------------------------------------
// The mutual-authentication guide.

const mutualAuthDoesNotHelp: Attempt[] = [
  {
    name: 'pods listed by jsonpath',
    commands: [
      "for p in $(kubectl get pods -l app=sleep,version=v2 -o jsonpath='{.items[*].metadata.name}'); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v1:5000/hello; done",
    ],
    unmet: [],
  },
  {
    name: 'calling helloworld-v2, which sleep-v2 may reach anyway',
    commands: [
      'for p in $(kubectl get pods -l app=sleep,version=v2 -o name); do kubectl exec $p -- curl -s --max-time 2 http://helloworld-v2:5000/hello; done',
    ],
    unmet: [1],
  },
];

// ---------------------------------------------------------------------------------------------
// The L7 guide: Cilium's HTTP rules and Istio's AuthorizationPolicy.

const allowGet = (rules: string, port = '5000', name = 'allow-get'): string =>
  cnp(
    name,
    `endpointSelector:
  matchLabels: {app: helloworld}
ingress:
- fromEndpoints:
  - matchLabels: {app: sleep}
  toPorts:
  - ports:
    - port: "${port}"
      protocol: TCP
${rules}`,
  );

const l7GetHello: Attempt[] = [
  {
    name: 'an anchored regular expression',
    commands: [
      deployGuideApps,
      allowGet('    rules:\n      http:\n      - method: GET\n        path: "^/hello$"'),
      waitReady,
    ],
    unmet: [],
  },
  {
    name: "the guide's service-account policy under the asked name",
    commands: [
      deployGuideApps,
      'sed \'s/name: "service-account"/name: allow-get/\' yamls/service-account-policy.yaml | kubectl apply -f -',
      waitReady,
    ],
    unmet: [],
  },
  {
    name: 'an L4 rule only',
    commands: [deployGuideApps, allowGet(''), waitReady],
    unmet: [0, 2, 3],
  },
  {
    name: 'a path that also matches /hello3',
    commands: [
      deployGuideApps,
      allowGet('    rules:\n      http:\n      - method: GET\n        path: "/hello.*"'),
      waitReady,
    ],
    unmet: [2],
  },
  {
    name: 'a path without a method',
    commands: [deployGuideApps, allowGet('    rules:\n      http:\n      - path: "/hello"'), waitReady],
    unmet: [3],
  },
  {
    name: 'the right rule under another name',
    commands: [
      deployGuideApps,
      allowGet('    rules:\n      http:\n      - method: GET\n        path: "/hello"', '5000', 'get-only'),
      waitReady,
    ],
    unmet: [0],
  },
  {
    name: 'the HTTP rule on the wrong port',
    commands: [
      deployGuideApps,
      allowGet('    rules:\n      http:\n      - method: GET\n        path: "/hello"', '80'),
      waitReady,
    ],
    unmet: [1],
  },
];

const authorizationPolicy = (spec: string, apiVersion = 'security.istio.io/v1'): string =>
  apply(`apiVersion: ${apiVersion}
kind: AuthorizationPolicy
metadata:
  name: helloworld-v1
  namespace: default
spec:
${spec.trim().replace(/^/gm, '  ')}`);

const helloworldV1Selector = `selector:
  matchLabels: {app: helloworld, version: v1}`;

const istioOnlySleepV1: Attempt[] = [
  {
    name: 'a DENY policy for every principal but sleep-v1 (v1beta1)',
    commands: [
      deployGuideApps,
      authorizationPolicy(
        `${helloworldV1Selector}
action: DENY
rules:
- from:
  - source:
      notPrincipals: ["cluster.local/ns/default/sa/sleep-v1"]`,
        'security.istio.io/v1beta1',
      ),
      waitReady,
    ],
    unmet: [],
  },
  {
    name: 'a principal with a wildcard prefix',
    commands: [
      deployGuideApps,
      authorizationPolicy(`${helloworldV1Selector}
action: ALLOW
rules:
- from:
  - source:
      principals: ["*/sa/sleep-v1"]`),
      waitReady,
    ],
    unmet: [],
  },
  {
    name: 'every helloworld selected, so sleep-v2 loses helloworld-v2',
    commands: [
      deployGuideApps,
      authorizationPolicy(`selector:
  matchLabels: {app: helloworld}
rules:
- from:
  - source:
      principals: ["cluster.local/ns/default/sa/sleep-v1"]`),
      waitReady,
    ],
    unmet: [2],
  },
  {
    name: 'the namespace admitted instead of the service account',
    commands: [
      deployGuideApps,
      authorizationPolicy(`${helloworldV1Selector}
rules:
- from:
  - source:
      namespaces: ["default"]`),
      waitReady,
    ],
    unmet: [1],
  },
  {
    name: 'a principal written with spiffe://, which matches no one',
    commands: [
      deployGuideApps,
      authorizationPolicy(`${helloworldV1Selector}
rules:
- from:
  - source:
      principals: ["spiffe://cluster.local/ns/default/sa/sleep-v1"]`),
      waitReady,
    ],
    unmet: [1],
  },
];

// ---------------------------------------------------------------------------------------------
// The Cilium security reference.

const dnsThroughProxy = (protocol: string, pattern: string): string => `- toEndpoints:
  - matchLabels:
      k8s:io.kubernetes.pod.namespace: kube-system
      k8s:k8s-app: kube-dns
  toPorts:
  - ports:
    - port: "53"
      protocol: ${protocol}
    rules:
      dns:
      - ${pattern}`;

const githubOnly = (egress: string): string =>
  cnp('github-only', `endpointSelector: {}\negress:\n${egress}`, 'prod');

const toGithub = (match: string, port = '443'): string => `- toFQDNs:
  - ${match}
  toPorts:
  - ports:
    - port: "${port}"
      protocol: TCP`;

const egressToGithub: Attempt[] = [
  {
    name: 'DNS over UDP only',
    commands: [
      githubOnly(`${dnsThroughProxy('UDP', 'matchPattern: "*"')}\n${toGithub('matchName: api.github.com')}`),
      settle,
    ],
    unmet: [],
  },
  {
    // The resolver tries the search domains first (ndots:5): the proxy refuses
    // api.github.com.prod.svc.cluster.local, and musl's resolver gives up on a refusal.
    name: 'the DNS proxy answers only for api.github.com, so the search-domain lookups are refused',
    commands: [
      githubOnly(
        `${dnsThroughProxy('ANY', 'matchName: api.github.com')}\n${toGithub('matchName: api.github.com')}`,
      ),
      settle,
    ],
    unmet: [0],
  },
  {
    name: 'matchPattern naming the one host',
    commands: [
      githubOnly(
        `${dnsThroughProxy('ANY', 'matchPattern: "*"')}\n${toGithub('matchPattern: api.github.com')}`,
      ),
      settle,
    ],
    unmet: [],
  },
  {
    name: 'toFQDNs with no DNS allowed',
    commands: [githubOnly(toGithub('matchName: api.github.com')), settle],
    unmet: [0],
  },
  {
    name: 'DNS allowed at L4 only, so the proxy never learns the address',
    commands: [
      githubOnly(`- toEndpoints:
  - matchLabels:
      k8s:io.kubernetes.pod.namespace: kube-system
      k8s:k8s-app: kube-dns
  toPorts:
  - ports:
    - port: "53"
      protocol: ANY
${toGithub('matchName: api.github.com')}`),
      settle,
    ],
    unmet: [0],
  },
  {
    name: 'the whole of GitHub by pattern',
    commands: [
      githubOnly(
        `${dnsThroughProxy('ANY', 'matchPattern: "*"')}\n${toGithub('matchPattern: "*.github.com"')}`,
      ),
      settle,
    ],
    unmet: [1],
  },
  {
    name: 'the world on 443',
    commands: [
      githubOnly(`${dnsThroughProxy('ANY', 'matchPattern: "*"')}
- toEntities: [world]
  toPorts:
  - ports:
    - port: "443"
      protocol: TCP`),
      settle,
    ],
    unmet: [1],
  },
];

const kafkaRules = (hq: string, outpost: string): string =>
  cnp(
    'empire-kafka',
    `endpointSelector:
  matchLabels: {app: kafka}
ingress:
- fromEndpoints:
  - matchLabels: {app: empire-hq}
  toPorts:
  - ports:
    - port: "9092"
      protocol: TCP
${hq}
- fromEndpoints:
  - matchLabels: {app: empire-outpost}
  toPorts:
  - ports:
    - port: "9092"
      protocol: TCP
${outpost}`,
  );

const kafkaList = (entries: string[]): string =>
  `    rules:\n      kafka:\n${entries.map((entry) => `      - ${entry}`).join('\n')}`;

const consumeKeys = ['fetch', 'offsets', 'findcoordinator', 'joingroup', 'syncgroup', 'offsetfetch'];

const kafkaTopicAcl: Attempt[] = [
  {
    name: "API keys one by one, as Cilium's example lists them",
    commands: [
      kafkaRules(
        kafkaList([
          'apiKey: apiversions',
          'apiKey: metadata',
          'apiKey: produce\n        topic: empire-announce',
        ]),
        kafkaList([
          'apiKey: apiversions',
          'apiKey: metadata',
          ...consumeKeys.map((key) => `apiKey: ${key}\n        topic: empire-announce`),
        ]),
      ),
      settle,
    ],
    unmet: [],
  },
  {
    name: 'apiKey produce alone, so the producer cannot read the metadata',
    commands: [
      kafkaRules(
        kafkaList(['apiKey: produce\n        topic: empire-announce']),
        kafkaList(['role: consume\n        topic: empire-announce']),
      ),
      settle,
    ],
    unmet: [0],
  },
  {
    name: 'roles without topics',
    commands: [kafkaRules(kafkaList(['role: produce']), kafkaList(['role: consume'])), settle],
    unmet: [1, 4],
  },
  {
    name: 'an L4 rule for each client',
    commands: [kafkaRules('', ''), settle],
    unmet: [1, 3, 4],
  },
];

const serverPolicy = (name: string, spec: string): string =>
  cnp(name, `endpointSelector:\n  matchLabels: {app: server}\n${spec}`);

const denyBeatsAllow: Attempt[] = [
  {
    name: 'a clusterwide deny',
    commands: [
      ccnp(
        'deny-intruder',
        `endpointSelector:
  matchLabels: {app: server, k8s:io.kubernetes.pod.namespace: default}
ingressDeny:
- fromEndpoints:
  - matchLabels: {app: intruder, k8s:io.kubernetes.pod.namespace: default}`,
      ),
      settle,
    ],
    unmet: [],
  },
  {
    name: "a deny on the intruder's egress",
    commands: [
      cnp(
        'intruder-out',
        `endpointSelector:
  matchLabels: {app: intruder}
egressDeny:
- toEndpoints:
  - matchLabels: {app: server}`,
      ),
      settle,
    ],
    unmet: [],
  },
  {
    name: 'a deny that adds no default deny (enableDefaultDeny, Cilium 1.16+)',
    commands: [
      serverPolicy(
        'deny-intruder',
        `enableDefaultDeny:
  ingress: false
ingressDeny:
- fromEndpoints:
  - matchLabels: {app: intruder}`,
      ),
      settle,
    ],
    unmet: [],
  },
  {
    name: 'another allow policy, which cannot take anything away',
    commands: [
      serverPolicy(
        'only-clients',
        `ingress:
- fromEndpoints:
  - matchExpressions: [{key: app, operator: In, values: [frontend, batch]}]`,
      ),
      settle,
    ],
    unmet: [1],
  },
  {
    name: "allow-cluster rewritten, which was the platform team's",
    commands: [
      serverPolicy(
        'allow-cluster',
        `ingress:
- fromEndpoints:
  - matchExpressions: [{key: app, operator: In, values: [frontend, batch]}]`,
      ),
      settle,
    ],
    unmet: [0],
  },
  {
    name: 'allow-cluster deleted',
    commands: ['kubectl delete cnp allow-cluster', settle],
    unmet: [0, 1],
  },
  {
    name: 'the intruder deleted rather than denied',
    commands: ['kubectl delete deployment intruder', 'sleep 40'],
    unmet: [1],
  },
];

const frontendEgress = cnp(
  'frontend-egress',
  `endpointSelector:
  matchLabels: {app: frontend}
egress:
- toEndpoints:
  - matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
  toPorts:
  - ports:
    - port: "53"
      protocol: ANY
- toEndpoints:
  - matchLabels: {app: server}
  toPorts:
  - ports:
    - port: "80"
      protocol: TCP`,
);
const serverFromFrontend = serverPolicy(
  'server-ingress',
  `ingress:
- fromEndpoints:
  - matchLabels: {app: frontend}
  toPorts:
  - ports:
    - port: "80"
      protocol: TCP`,
);

const enforcementAlways: Attempt[] = [
  {
    name: 'clusterwide DNS for everyone, then the two rules for frontend and the server',
    commands: [
      ccnp(
        'dns-egress',
        `endpointSelector: {}
egress:
- toEndpoints:
  - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
  toPorts:
  - ports:
    - port: "53"
      protocol: UDP
    - port: "53"
      protocol: TCP`,
      ),
      ccnp(
        'dns-ingress',
        `endpointSelector:
  matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}
ingress:
- fromEntities: [cluster]
  toPorts:
  - ports:
    - port: "53"
      protocol: ANY`,
      ),
      cnp(
        'frontend-to-server',
        `endpointSelector:
  matchLabels: {app: frontend}
egress:
- toEndpoints:
  - matchLabels: {app: server}`,
      ),
      serverFromFrontend,
      settle,
    ],
    unmet: [],
  },
  {
    name: "the server's ingress only",
    commands: [serverFromFrontend, settle],
    unmet: [0],
  },
  {
    name: "frontend's egress and the server's ingress, but kube-dns may not receive",
    commands: [frontendEgress, serverFromFrontend, settle],
    unmet: [0],
  },
];

const agentOfServer = [
  "NODE=$(kubectl get pod -l app=server -o jsonpath='{.items[0].spec.nodeName}')",
  "AGENT=$(kubectl -n kube-system get pods -l k8s-app=cilium --field-selector spec.nodeName=$NODE -o jsonpath='{.items[0].metadata.name}')",
  "EP=$(kubectl get cep -l app=server -o jsonpath='{.items[0].status.id}')",
];
const auditOff =
  'kubectl -n kube-system exec $AGENT -- cilium-dbg endpoint config $EP PolicyAuditMode=Disabled';
const clientsRule = (from: string): string =>
  serverPolicy(
    'server-clients',
    `ingress:
- fromEndpoints:
${from}
  toPorts:
  - ports:
    - port: "80"
      protocol: TCP`,
  );
const bothClients = clientsRule(`  - matchLabels: {app: frontend}
  - matchLabels: {app: batch}`);

const auditToPolicy: Attempt[] = [
  {
    name: 'the clients added to server-lockdown itself, then audit mode off',
    commands: [
      serverPolicy(
        'server-lockdown',
        `ingress:
- fromEndpoints:
  - matchLabels: {app: monitoring}
  - matchLabels: {app: frontend}
  - matchLabels: {app: batch}`,
      ),
      settle,
      ...agentOfServer,
      auditOff,
    ],
    unmet: [],
  },
  {
    name: 'audit mode off first: the clients are dropped until the policy comes',
    commands: [...agentOfServer, auditOff, bothClients, settle],
    unmet: [1, 2],
  },
  {
    name: 'frontend admitted, batch forgotten',
    commands: [clientsRule('  - matchLabels: {app: frontend}'), settle, ...agentOfServer, auditOff],
    unmet: [2],
  },
  {
    name: 'the whole cluster admitted',
    commands: [
      serverPolicy('server-clients', 'ingress:\n- fromEntities: [cluster]'),
      settle,
      ...agentOfServer,
      auditOff,
    ],
    unmet: [3],
  },
  {
    name: 'the policy written, audit mode left on, so the intruder still gets in',
    commands: [bothClients, settle],
    unmet: [0, 3],
  },
];

const hostPolicy = (ingress: string, selector = 'nodeSelector: {}'): string =>
  ccnp('host-lockdown', `${selector}\ningress:\n${ingress}`);
const worldOn = (port: string): string => `- fromEntities: [world]
  toPorts:
  - ports:
    - port: "${port}"
      protocol: TCP`;

const hostFirewallNoLockout: Attempt[] = [
  {
    name: "the reader's machine by address (kind's Docker gateway) on 6443",
    commands: [
      hostPolicy(`- fromEntities: [cluster]
- fromCIDR: [172.18.0.1/32]
  toPorts:
  - ports:
    - port: "6443"
      protocol: TCP`),
      settle,
    ],
    unmet: [],
  },
  {
    name: 'the cluster only: kubectl is locked out',
    commands: [hostPolicy('- fromEntities: [cluster]'), settle],
    unmet: [1],
  },
  {
    name: 'the world on 443 instead of 6443',
    commands: [hostPolicy(`- fromEntities: [cluster]\n${worldOn('443')}`), settle],
    unmet: [1],
  },
  {
    name: 'endpointSelector instead of nodeSelector: pods, not hosts',
    commands: [hostPolicy(`- fromEntities: [cluster]\n${worldOn('6443')}`, 'endpointSelector: {}'), settle],
    unmet: [0],
  },
];

/** Attempts by exercise id. */
export const attempts: Readonly<Record<string, readonly Attempt[]>> = {
  'see-a-drop': seeADrop,
  'only-client': onlyClient,
  'scale-one-identity': scaleOneIdentity,
  'stale-ipcache-entry': staleIpcacheEntry,
  'heal-the-node': healTheNode,
  'bypass-seed-42': bypassSeed42,
  'mutual-auth-does-not-help': mutualAuthDoesNotHelp,
  'l7-get-hello': l7GetHello,
  'istio-only-sleep-v1': istioOnlySleepV1,
  'egress-to-github': egressToGithub,
  'kafka-topic-acl': kafkaTopicAcl,
  'deny-beats-allow': denyBeatsAllow,
  'enforcement-always': enforcementAlways,
  'audit-to-policy': auditToPolicy,
  'host-firewall-no-lockout': hostFirewallNoLockout,
};
