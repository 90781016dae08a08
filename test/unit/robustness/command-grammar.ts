/**
 * Random command lines from the grammar the simulated terminal supports: the tools (kubectl, kind,
 * helm, docker, istioctl, openssl, step, curl, ping, jobs, cilium hubble, hubble), the programs
 * inside pods and nodes (cilium-dbg, hubble, curl, nc, nslookup, crictl, iptables), and the shell around them (pipes,
 * lists, loops, redirects, here-documents, command substitution, background jobs). Half the lines
 * come from the docs' and guides' own bash blocks. Each line is then mangled at the word level (a
 * word dropped, doubled, swapped, retyped, given a stray flag), as a reader's typos and guesses do.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeBlocks } from '../reference/pages';
import type { WorldNames } from './lab-worlds';

/** Words a reader may type where a name, number or value is expected, right or wrong. */
const oddWords = [
  '',
  '-',
  '--',
  '---',
  '=',
  '-1',
  '0',
  '1',
  '65536',
  '99999999999999999999',
  '1e309',
  'NaN',
  '0x1F',
  '1.5',
  '10s',
  '-5m',
  'true',
  'null',
  '{}',
  '[]',
  '{"a":',
  "'",
  '"',
  '\\',
  '$',
  '*',
  '?',
  '.',
  '..',
  '/',
  '~',
  '@',
  '%1',
  'a=b',
  'a=b,c',
  ',',
  ':',
  '::',
  'pod/',
  '/name',
  'ds/',
  'UPPER',
  'é',
  '😀',
  '\u0000',
  'a'.repeat(300),
  'kube-system',
  'default',
  'nope',
];

const oddFlags = [
  '-',
  '--',
  '-x',
  '--bogus',
  '--bogus=1',
  '-o',
  '-o=',
  '--output=',
  '-n',
  '-n=',
  '--namespace=',
  '-l',
  '-l=',
  '--selector=!',
  '-A',
  '-f',
  '-f=',
  '-it',
  '-c',
  '--all',
  '--help',
  '-h',
  '--context',
  '--context=nope',
  '--as',
  '--as=system:serviceaccount:',
  '--as=system:serviceaccount:default:default',
  '--timeout=-1s',
  '--timeout=abc',
  '--replicas=-3',
  '--dry-run=client',
  '--type=json',
  '-p',
  '--for',
  '--max-time',
  '-w',
  '--watch=false',
];

const outputs = [
  'wide',
  'yaml',
  'json',
  'name',
  'jsonpath={.items[*].metadata.name}',
  "jsonpath='{.items[0].status.podIP}'",
  'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
  'jsonpath={.items[?(@.spec.nodeName=="kind-worker")].metadata.name}',
  'jsonpath={',
  'jsonpath={.a[',
  'custom-columns=NAME:.metadata.name,IP:.status.podIP',
  'custom-columns=',
  'go-template={{.metadata.name}}',
  'xml',
];

const resourceWords = [
  'pods',
  'po',
  'pod',
  'deploy',
  'deployments.apps',
  'rs',
  'svc',
  'ep',
  'endpoints',
  'nodes',
  'no',
  'ns',
  'sa',
  'secrets',
  'cm',
  'configmaps',
  'ds',
  'daemonset',
  'jobs',
  'rc',
  'roles',
  'rolebindings',
  'clusterroles',
  'clusterrolebindings',
  'cep',
  'ciliumendpoints',
  'ciliumid',
  'cnp',
  'ccnp',
  'ciliumnetworkpolicies.cilium.io',
  'netpol',
  'networkpolicies',
  'crd',
  'cec',
  'ciliumenvoyconfigs',
  'authorizationpolicies',
  'peerauthentications',
  'gateways',
  'events',
  'all',
  'pods,svc',
  'pods,',
  'widgets',
];

const urls = [
  'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/minikube/http-sw-app.yaml',
  'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/minikube/sw_l3_l4_policy.yaml',
  'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/kubernetes-dns/dns-sw-app.yaml',
  'https://raw.githubusercontent.com/cilium/cilium/v1.12/examples/minikube/http-sw-app.yaml',
  'https://raw.githubusercontent.com/cilium/cilium/main/examples/nope.yaml',
  'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.0/standard-install.yaml',
  'http://deathstar.default.svc.cluster.local/v1/request-landing',
  'http://deathstar/v1/',
  'https://api.github.com',
  'https://cilium.io',
  'http://httpbin.org/anything',
  'http://nothing.invalid',
  'http://10.96.0.1:443',
  'http://172.18.0.2:30080',
  'http://[::1]:80',
  'ftp://x',
  'http://',
  '://',
];

const files = [
  'kind-config.yaml',
  'http-sw-app.yaml',
  'sw_l3_l4_l7_policy.yaml',
  'values.yaml',
  'notes.txt',
  'missing.yaml',
  'yamls/helloworld.yaml',
  'yamls/sleep.yaml',
  'yamls/policy-v1.yaml',
  'yamls/istio-policies.yaml',
  'yamls',
  '/',
  '/etc/passwd',
  '-',
  'out.txt',
];

/** A pool's words, plus the odd words, with the pool's words likelier. */
function wordFrom(pool: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.constantFrom(...oddWords) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

type Words = fc.Arbitrary<string[]>;

/** Concatenates arbitraries of word lists. */
function words(...parts: (fc.Arbitrary<string> | fc.Arbitrary<string | string[]> | Words | string)[]): Words {
  const pieces: fc.Arbitrary<string | string[]>[] = parts.map((part) =>
    typeof part === 'string' ? fc.constant([part]) : (part as fc.Arbitrary<string | string[]>),
  );
  return fc
    .tuple(...pieces)
    .map((chosen) => chosen.flatMap((piece): string[] => (Array.isArray(piece) ? piece : [piece])));
}

/** An optional group of words. */
function maybe(part: Words): Words {
  return fc.oneof(fc.constant<string[]>([]), part);
}

/** Some flags from a list of flag word groups, in any order. */
function someFlags(groups: readonly Words[], maxLength = 3): Words {
  return fc.array(fc.oneof(...groups), { maxLength }).map((chosen) => chosen.flat());
}

/** The words kubectl lines are made of, from the world's names and the shared pools. */
function kubectlVocabulary(names: WorldNames) {
  const pod = wordFrom(names.pods);
  const namespace = wordFrom(names.namespaces);
  const deployment = wordFrom(names.deployments);
  const node = wordFrom(names.nodes);
  const anyName = wordFrom([
    ...names.pods,
    ...names.deployments,
    ...names.services,
    ...names.policies,
    'cilium',
  ]);
  const resource = wordFrom(resourceWords);
  const common = [
    words('-n', namespace),
    words(fc.constantFrom('-A', '--all-namespaces')),
    words('-o', wordFrom(outputs)),
    words(wordFrom(outputs).map((output) => `-o=${output}`)),
    words(
      '-l',
      wordFrom(['app=deathstar', 'org=empire', 'k8s-app=cilium', 'app', '!app', 'a in (b,c)', 'x==']),
    ),
    words('--field-selector', wordFrom(['spec.nodeName=kind-worker', 'status.phase=Running', 'a'])),
    words(fc.constantFrom('--show-labels', '--no-headers', '-w', '--watch-only')),
    words('--as', wordFrom(['system:serviceaccount:default:default', 'jane', 'system:anonymous'])),
    words('--context', wordFrom(['kind-kind', 'kind-two', 'nope'])),
    words(fc.constantFrom(...oddFlags)),
  ];
  const file = wordFrom(files);
  const ciliumPod = wordFrom(names.ciliumPods);
  return { pod, ciliumPod, namespace, deployment, node, anyName, resource, common, file };
}

type KubectlVocabulary = ReturnType<typeof kubectlVocabulary>;

/** curl as the docs run it in a pod. */
function curlInPod(): Words {
  return words(
    'curl',
    someFlags([words(fc.constantFrom('-s', '-sS', '-sL', '-I', '-v', '-k', '-f', '-fsSL'))]),
    maybe(words('--max-time', wordFrom(['1', '3', '0', '-1', 'x']))),
    maybe(words('-X', wordFrom(['POST', 'PUT', 'GET', 'FOO']))),
    maybe(words('-w', wordFrom(['%{http_code}\\n', '%{', '%{nope}']))),
    wordFrom(urls),
  );
}

/** The agent’s CLI, `cilium-dbg` (or `cilium` before 1.15). */
function ciliumDbg(): Words {
  return words(
    fc.constantFrom('cilium-dbg', 'cilium'),
    fc.oneof(
      words('status', maybe(words(fc.constantFrom('--brief', '--verbose', '-o', 'json')))),
      words(
        fc.constantFrom('endpoint', 'ep'),
        fc.constantFrom('list', 'get', 'config', 'ls', 'log'),
        maybe(
          words(
            wordFrom([
              '1',
              '23453',
              '-l',
              'reserved:host',
              'PolicyAuditMode=Enabled',
              '-o',
              'json',
              'jsonpath={[*].id}',
            ]),
          ),
        ),
      ),
      words(
        'identity',
        fc.constantFrom('list', 'get'),
        maybe(words(wordFrom(['1', '2', '256', '70000', 'x']))),
      ),
      words('policy', 'get', maybe(words(wordFrom(['-o', 'json', 'k8s:io.cilium.k8s.policy.name=rule1'])))),
      words('policy', 'selectors', maybe(words(wordFrom(['-o', 'json', '-v', '--verbose', 'x'])))),
      words(
        'bpf',
        fc.constantFrom('policy', 'ipcache', 'ct', 'lb', 'auth'),
        fc.constantFrom('get', 'list'),
        maybe(words(wordFrom(['--all', '1', 'global']))),
      ),
      words('map', 'get', wordFrom(['cilium_ipcache', 'cilium_nope'])),
      words('fqdn', 'cache', 'list'),
      words('ip', fc.constantFrom('list', 'ls'), maybe(words(wordFrom(['-o', 'json', '-n'])))),
      words(
        'monitor',
        someFlags([
          words(fc.constantFrom('-t', '--type'), wordFrom(['drop', 'policy-verdict', 'l7', 'trace', 'x'])),
          words(fc.constantFrom('-v', '--related-to', '1')),
        ]),
      ),
      words(wordFrom(['service', 'node', 'version', 'config', 'nope'])),
    ),
  );
}

/** `hubble observe` with its filters. */
function hubbleObserve(): Words {
  return words(
    'hubble',
    'observe',
    someFlags(
      [
        words(
          fc.constantFrom('--from-pod', '--to-pod', '--pod'),
          wordFrom(['default/xwing', 'xwing', 'kube-system/', '/']),
        ),
        words(
          fc.constantFrom(
            '-t',
            '--type',
            '--verdict',
            '--protocol',
            '--port',
            '--identity',
            '--ip',
            '-n',
            '--namespace',
          ),
          wordFrom(['policy-verdict', 'drop', 'DROPPED', 'tcp', '80', '2', '10.0.0.1', 'default']),
        ),
        words(fc.constantFrom('--last', '-o'), wordFrom(['1', '20', 'json', 'compact', '-1', 'x'])),
        words(fc.constantFrom('--all', '--follow', '-f', 'flows')),
      ],
      4,
    ),
  );
}

/** Other programs a reader runs in a pod, some of which the image lacks. */
function otherPrograms(): Words {
  return words(
    fc.constantFrom(
      'ping',
      'nc',
      'nslookup',
      'cat',
      'openssl',
      'grpcurl',
      'python3',
      'sh',
      'bash',
      'ls',
      'nope',
    ),
    fc.array(
      wordFrom([
        '-c',
        '1',
        '-z',
        '-v',
        '-u',
        '-w',
        '2',
        'deathstar',
        '80',
        'kube-dns.kube-system',
        '/etc/resolv.conf',
        's_client',
        '-connect',
        'deathstar:80',
        '-c',
        'echo hi',
      ]),
      { maxLength: 4 },
    ),
  );
}

/** A program run under `kubectl exec`. */
function programInPod(): Words {
  return fc.oneof(curlInPod(), ciliumDbg(), hubbleObserve(), otherPrograms());
}

/** Lines that read the cluster: get, describe, logs. */
function kubectlReads(v: KubectlVocabulary): Words {
  const { pod, namespace, anyName, resource, common } = v;
  return fc.oneof(
    words('kubectl', 'get', resource, maybe(words(anyName)), someFlags(common)),
    words('kubectl', 'describe', resource, maybe(words(anyName)), someFlags(common, 2)),
    words(
      'kubectl',
      'logs',
      fc.oneof(pod, words(wordFrom(['ds/cilium', 'deploy/deathstar']))),
      someFlags(
        [words('-n', namespace), words(wordFrom(['-f', '--tail=5', '-c', '--previous', '--since=1m']))],
        2,
      ),
    ),
  );
}

/** Lines that apply or delete objects: apply, create and delete -f, and delete by name. */
function kubectlFileWrites(v: KubectlVocabulary): Words {
  const { anyName, resource, common, file } = v;
  return fc.oneof(
    words(
      'kubectl',
      fc.constantFrom('apply', 'create', 'delete'),
      someFlags(
        [words('-f', file), words('-f', wordFrom(urls)), words(`--filename=${'http-sw-app.yaml'}`)],
        3,
      ),
      someFlags(common, 1),
    ),
    words(
      'kubectl',
      'delete',
      resource,
      maybe(words(anyName)),
      someFlags([
        ...common,
        words(
          fc.constantFrom(
            '--all',
            '--now',
            '--force',
            '--ignore-not-found',
            '--grace-period=0',
            '--wait=false',
          ),
        ),
      ]),
    ),
  );
}

/** Lines that change stored objects: label, scale, patch. */
function kubectlEdits(v: KubectlVocabulary): Words {
  const { namespace, deployment, anyName, resource, common } = v;
  return fc.oneof(
    words(
      'kubectl',
      'label',
      resource,
      anyName,
      wordFrom(['a=b', 'a-', 'node-access=ssh', 'bad key=v', 'app=x']),
      someFlags([...common, words(fc.constantFrom('--overwrite', '--list', '--all'))], 2),
    ),
    words(
      'kubectl',
      'scale',
      fc.oneof(
        words(wordFrom(['deployment', 'deploy', 'rs', 'ds'])),
        words(deployment.map((name) => `deploy/${name}`)),
      ),
      maybe(words(deployment)),
      words(
        wordFrom([
          '--replicas=0',
          '--replicas=5',
          '--replicas=12',
          '--replicas=2147483647',
          '--replicas=99999999999',
          '--replicas',
          '--replicas=x',
        ]),
      ),
      someFlags(common, 1),
    ),
    words(
      'kubectl',
      'patch',
      resource,
      anyName,
      someFlags(
        [
          words('--type', wordFrom(['merge', 'json', 'strategic', 'nope'])),
          words(
            fc.constantFrom('-p', '--patch'),
            wordFrom([
              '{"spec":{"replicas":2}}',
              '{"data":{"policy-audit-mode":"true"}}',
              '[{"op":"replace","path":"/spec/replicas","value":1}]',
              '[{"op":"remove","path":"/nope"}]',
              '{"metadata":{"labels":{"a":null}}}',
              '{',
              '[]',
              'null',
              '{"spec":{"template":{"spec":{"containers":[{"name":"x"}]}}}}',
              '{"spec":{"replicas":"2"}}',
              '{"spec":{"replicas":2147483647}}',
              '{"spec":{"template":null}}',
              '{"spec":{"selector":{"matchLabels":{}}}}',
              '{"spec":{"ports":[{"port":"80"}]}}',
              '{"spec":{"ports":null}}',
              '{"spec":{"type":"NodePort"}}',
              '{"metadata":{"labels":{"app":1}}}',
              '[{"op":"remove","path":"/spec/template"}]',
              '[{"op":"replace","path":"/spec/selector","value":null}]',
              '[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"b"}}]',
            ]),
          ),
          words('-n', namespace),
        ],
        3,
      ),
    ),
  );
}

/** Lines that write objects. */
function kubectlWrites(v: KubectlVocabulary): Words {
  return fc.oneof(kubectlFileWrites(v), kubectlEdits(v));
}

/** `kubectl create` of workloads and their configuration: deployment, namespace, account, configmap, secret. */
function createWorkloadArgs(namespace: fc.Arbitrary<string>): Words {
  return fc.oneof(
    words(
      fc.constantFrom('deployment', 'deploy'),
      wordFrom(['web', 'nginx', 'Bad_Name', 'deathstar']),
      someFlags([
        words(`--image=${'nginx'}`),
        words('--image', wordFrom(['nginx', 'quay.io/cilium/starwars:v2.1', ''])),
        words(
          wordFrom([
            '--replicas=3',
            '--replicas=0',
            '--replicas=2147483647',
            '--port=70000',
            '-r',
            '--port=80',
          ]),
        ),
      ]),
    ),
    words(
      fc.constantFrom('namespace', 'ns', 'serviceaccount', 'sa'),
      wordFrom(['demo', 'default', 'Demo', 'a.b']),
    ),
    words(
      fc.constantFrom('configmap', 'cm'),
      wordFrom(['cfg', 'cilium-config']),
      someFlags([
        words(
          wordFrom([
            '--from-literal=a=b',
            '--from-literal=a',
            '--from-file=values.yaml',
            '--from-file=missing',
          ]),
        ),
        words('-n', namespace),
      ]),
    ),
    words(
      'secret',
      fc.constantFrom('generic', 'tls', 'docker-registry'),
      wordFrom(['s1', 'tls-orig-data']),
      someFlags([
        words(
          wordFrom([
            '--from-literal=k=v',
            '--from-file=ca.crt=notes.txt',
            '--cert=notes.txt',
            '--key=missing.key',
            '--type=Opaque',
          ]),
        ),
      ]),
    ),
  );
}

/** `kubectl create` of RBAC objects, and of a resource type no generator makes. */
function createAccessArgs(resource: fc.Arbitrary<string>, anyName: fc.Arbitrary<string>): Words {
  return fc.oneof(
    words(
      fc.constantFrom('role', 'clusterrole'),
      wordFrom(['reader', 'admin']),
      someFlags(
        [
          words(
            wordFrom([
              '--verb=get,list',
              '--verb=*',
              '--resource=pods',
              '--resource=nopes',
              '--resource=pods/exec',
              '--resource-name=x',
              '--non-resource-url=/logs',
            ]),
          ),
        ],
        3,
      ),
    ),
    words(
      fc.constantFrom('rolebinding', 'clusterrolebinding'),
      wordFrom(['rb', 'crb']),
      someFlags(
        [
          words(
            wordFrom([
              '--role=reader',
              '--clusterrole=view',
              '--clusterrole=nope',
              '--user=jane',
              '--group=g',
              '--serviceaccount=default:default',
              '--serviceaccount=bad',
            ]),
          ),
        ],
        3,
      ),
    ),
    words(resource, anyName),
  );
}

/** The `kubectl create` generators. */
function kubectlCreate(v: KubectlVocabulary): Words {
  return words(
    'kubectl',
    'create',
    fc.oneof(createWorkloadArgs(v.namespace), createAccessArgs(v.resource, v.anyName)),
  );
}

/** Lines that act on running workloads: rollout, wait, exec, cp. */
function kubectlWorkloads(v: KubectlVocabulary): Words {
  const { pod, ciliumPod, namespace, common } = v;
  return fc.oneof(
    words(
      'kubectl',
      'rollout',
      wordFrom(['restart', 'status', 'history', 'undo', 'pause', 'resume']),
      wordFrom([
        'ds/cilium',
        'daemonset/cilium',
        'deploy/deathstar',
        'deployment/coredns',
        'deployment',
        'rs/x',
        'pod/xwing',
      ]),
      someFlags(
        [
          words('-n', namespace),
          words(wordFrom(['--timeout=5s', '--to-revision=1', '--to-revision=99', '-w=false'])),
        ],
        2,
      ),
    ),
    words(
      'kubectl',
      'wait',
      wordFrom(['pod/xwing', 'pod', 'pods', 'deploy/deathstar', '--all']),
      someFlags(
        [
          words(
            wordFrom([
              '--for=condition=Ready',
              '--for=delete',
              '--for=jsonpath={.status.phase}=Running',
              '--for=condition=Available',
              '--for',
              '--for=nope',
            ]),
          ),
          words(wordFrom(['--timeout=1s', '--timeout=30s', '--timeout=0', '--timeout=-1s', '--timeout=x'])),
          ...common.slice(0, 5),
        ],
        3,
      ),
    ),
    words(
      'kubectl',
      'exec',
      maybe(words(fc.constantFrom('-it', '-i', '-ti', '-q'))),
      fc.oneof(pod, words(wordFrom(['ds/cilium', 'deploy/deathstar', 'svc/deathstar'])), ciliumPod),
      someFlags(
        [words('-n', namespace), words('-c', wordFrom(['cilium-agent', 'spaceship', 'istio-proxy', 'nope']))],
        2,
      ),
      maybe(words('--')),
      programInPod(),
    ),
    words(
      'kubectl',
      'cp',
      wordFrom([
        'notes.txt',
        'default/xwing:/tmp/n',
        'xwing:/etc/resolv.conf',
        'default/mediabot:/etc/ssl/certs/ca-certificates.crt',
        ':',
        'xwing:',
      ]),
      wordFrom(['out.txt', 'xwing:/tmp/x', '/tmp', 'nope:/x', '.']),
      someFlags([words('-c', wordFrom(['spaceship', 'x']))], 1),
    ),
  );
}

/** Lines about access and configuration, unknown subcommands, flags first, and `k`. */
function kubectlAccess(v: KubectlVocabulary): Words {
  const { namespace, resource, common } = v;
  return fc.oneof(
    words(
      'kubectl',
      'auth',
      wordFrom(['can-i', 'whoami', 'reconcile']),
      someFlags(
        [
          words(wordFrom(['get', 'create', 'exec', '*', 'list', 'delete'])),
          words(wordFrom(['pods', 'pods/exec', 'deployments.apps', '*', 'nodes', 'secrets'])),
          words(
            wordFrom([
              '--as=system:serviceaccount:default:default',
              '--as=jane',
              '--list',
              '-A',
              '--subresource=log',
            ]),
          ),
          words('-n', namespace),
        ],
        4,
      ),
    ),
    words(
      'kubectl',
      'config',
      wordFrom(['get-contexts', 'current-context', 'use-context', 'view', 'set-context']),
      maybe(words(wordFrom(['kind-kind', 'kind-two', 'nope', '--current', '--namespace=kube-system']))),
    ),
    words(
      'kubectl',
      wordFrom([
        'version',
        'cluster-info',
        'api-resources',
        'top',
        'edit',
        'port-forward',
        'proxy',
        'run',
        'expose',
        'annotate',
        'taint',
        'drain',
        'cordon',
      ]),
      fc.array(wordFrom(['--client', 'pods', 'xwing', 'node', '-o', 'json', '--image=nginx']), {
        maxLength: 3,
      }),
    ),
    words(
      'kubectl',
      fc.array(wordFrom(['-n', 'kube-system', '--context', 'kind-kind', '-v=6', '--as', 'x']), {
        maxLength: 3,
      }),
      wordFrom(['get', 'exec', 'delete']),
      resource,
      someFlags(common, 1),
    ),
    words('k', 'get', resource, someFlags(common, 1)),
    words(
      'kubectl',
      'port-forward',
      wordFrom(['svc/deathstar', 'deploy/deathstar', 'xwing', 'pod/nope', 'svc/nope', '-n', 'kube-system']),
      fc.array(wordFrom(['8080:80', '80', ':80', '80:81', 'x', '99999', '--address', '0.0.0.0', '&']), {
        maxLength: 2,
      }),
    ),
  );
}

/** docker: exec into a node, and the subcommands kind users try. */
function dockerLines(v: KubectlVocabulary): Words {
  const { node } = v;
  return fc.oneof(
    words('docker', 'exec', maybe(words(fc.constantFrom('-it', '-i'))), node, programOnNode()),
    words(
      'docker',
      wordFrom(['ps', 'pull', 'images', 'run', 'network', 'inspect']),
      fc.array(wordFrom(['-a', '--format', '{{.Names}}', 'nginx', 'kind', 'quay.io/cilium/cilium:v1.18.5']), {
        maxLength: 2,
      }),
    ),
  );
}

/** Every kubectl (and docker) line of the grammar. */
function kubectlLines(names: WorldNames): Words {
  const v = kubectlVocabulary(names);
  return fc.oneof(
    kubectlReads(v),
    kubectlWrites(v),
    kubectlCreate(v),
    kubectlWorkloads(v),
    kubectlAccess(v),
    dockerLines(v),
  );
}

function programOnNode(): Words {
  return fc.oneof(
    words(
      'crictl',
      wordFrom(['ps', 'pods', 'images', 'exec', 'inspect', 'logs']),
      fc.array(
        wordFrom([
          '-q',
          '--label',
          'io.kubernetes.container.name=cilium-agent',
          '-it',
          'abc',
          'cilium-dbg',
          'status',
          '--name',
          'cilium',
        ]),
        { maxLength: 4 },
      ),
    ),
    words(
      'iptables',
      fc.array(
        wordFrom([
          '-t',
          'mangle',
          'filter',
          'nat',
          '-I',
          '-A',
          '-D',
          '-L',
          'INPUT',
          'OUTPUT',
          '-p',
          'tcp',
          '-s',
          '172.18.0.2',
          '10.0.0.0/8',
          '-j',
          'DROP',
          'ACCEPT',
          '-n',
        ]),
        { maxLength: 10 },
      ),
    ),
    words(
      'curl',
      someFlags([words(fc.constantFrom('-s', '-k', '-v', '-sL', '--max-time', '2'))]),
      wordFrom(urls),
    ),
    words(
      fc.constantFrom('bash', 'sh'),
      '-c',
      wordFrom([
        'kubectl get nodes',
        'crictl ps | head -2',
        'iptables -L',
        'cilium-dbg status',
        'exit 3',
        'echo $(',
        'kubectl --kubeconfig /etc/kubernetes/admin.conf get pods -A',
      ]),
    ),
    words(
      wordFrom(['ping', 'ip', 'ls', 'cat', 'nope', 'kubectl']),
      fc.array(wordFrom(['a', '-c', '1', 'route', '/etc/hosts', 'get', 'nodes']), { maxLength: 3 }),
    ),
  );
}

/** kind: create (with and without configs), delete, get, and the rest of its command tree. */
function kindLines(): Words {
  const clusterName = wordFrom(['kind', 'two', 'Three', 'a_b', 'kind-kind']);
  return words(
    'kind',
    fc.oneof(
      words(
        'create',
        'cluster',
        someFlags(
          [
            words('--name', clusterName),
            words(
              wordFrom([
                '--config',
                '--config=kind-config.yaml',
                '--config=missing.yaml',
                '--config=-',
                '--config=notes.txt',
              ]),
            ),
            words(wordFrom(['kind-config.yaml', 'notes.txt'])),
            words('--image', wordFrom(['kindest/node:v1.29.2', 'kindest/node:v9.9.9', 'nginx'])),
            words(wordFrom(['--wait', '60s', '--retain', '-q', '-v', '3'])),
          ],
          3,
        ),
      ),
      words(
        'delete',
        wordFrom(['cluster', 'clusters']),
        someFlags([words('--name', clusterName), words(wordFrom(['--all', 'kind', 'two']))], 2),
      ),
      words(
        'get',
        wordFrom(['clusters', 'nodes', 'kubeconfig']),
        someFlags([words('--name', clusterName), words(wordFrom(['--internal', '--all-clusters']))], 2),
      ),
      words(
        wordFrom(['export', 'load', 'build', 'version', 'help', 'nope']),
        fc.array(
          wordFrom([
            'kubeconfig',
            'docker-image',
            'node-image',
            'nginx',
            '--name',
            'two',
            '--nodes',
            'kind-worker',
          ]),
          { maxLength: 4 },
        ),
      ),
    ),
  );
}

/** helm: repositories, installs and upgrades of Cilium's and Istio's charts, and the rest. */
function helmLines(): Words {
  return words(
    'helm',
    fc.oneof(
      words(
        'repo',
        wordFrom(['add', 'update', 'list', 'remove']),
        fc.array(
          wordFrom([
            'cilium',
            'https://helm.cilium.io/',
            'istio',
            'https://istio-release.storage.googleapis.com/charts',
          ]),
          { maxLength: 2 },
        ),
      ),
      words(
        wordFrom(['install', 'upgrade', 'template']),
        maybe(words('--install')),
        wordFrom(['cilium', 'istio-base', 'istiod', 'x']),
        wordFrom([
          'cilium/cilium',
          'istio/base',
          'istio/istiod',
          'istio/cni',
          'istio/ztunnel',
          'nope/chart',
          'cilium',
        ]),
        someFlags(
          [
            words('--version', wordFrom(['1.18.5', '1.12.0', '1.14.5', '1.17.0', '9.9.9', '1.18'])),
            words(fc.constantFrom('--namespace', '-n'), wordFrom(['kube-system', 'istio-system', 'default'])),
            words(
              '--set',
              wordFrom([
                'hubble.relay.enabled=true',
                'policyAuditMode=true',
                'encryption.enabled=true,encryption.type=wireguard',
                'l7Proxy=false',
                'kubeProxyReplacement=true',
                'hostFirewall.enabled=true',
                'ipam.mode=kubernetes',
                'debug.enabled',
                'a=',
                '=b',
                'devices={ethX,ethY}',
                'profile=ambient',
              ]),
            ),
            words(
              fc.constantFrom(
                '--reuse-values',
                '--create-namespace',
                '--wait',
                '--reset-values',
                '--dry-run',
              ),
            ),
            words(fc.constantFrom('-f', '--values'), wordFrom(['values.yaml', 'missing.yaml', 'notes.txt'])),
          ],
          5,
        ),
      ),
      words(
        wordFrom(['list', 'ls', 'uninstall', 'get', 'status', 'history', 'rollback', 'version']),
        fc.array(wordFrom(['values', 'cilium', 'all', '-n', 'kube-system', '-A', '-o', 'yaml', '1']), {
          maxLength: 4,
        }),
      ),
    ),
  );
}

/** istioctl: install, waypoints, and subcommands the simulator does not have. */
function istioctlLines(): Words {
  return words(
    'istioctl',
    fc.oneof(
      words(
        'install',
        someFlags(
          [
            words(wordFrom(['-y', '--skip-confirmation'])),
            words(
              '--set',
              wordFrom(['profile=default', 'profile=ambient', 'profile=demo', 'profile=nope', 'values.x=1']),
            ),
          ],
          3,
        ),
      ),
      words(
        'x',
        'waypoint',
        wordFrom(['apply', 'list', 'delete', 'generate']),
        someFlags(
          [
            words(wordFrom(['-n', '--namespace']), wordFrom(['default', 'nope'])),
            words('--name', wordFrom(['waypoint', 'w'])),
            words(wordFrom(['--enroll-namespace', '--wait'])),
            words('--for', wordFrom(['service', 'workload', 'all', 'x'])),
          ],
          3,
        ),
      ),
      words(
        'waypoint',
        wordFrom(['apply', 'list']),
        someFlags([words(wordFrom(['--enroll-namespace', '--wait', '-n', 'default']))], 2),
      ),
      words(
        wordFrom(['version', 'proxy-config', 'proxy-status', 'analyze', 'pc', 'nope']),
        fc.array(wordFrom(['secret', 'cluster', 'sleep-v1', '-o', 'json', '--remote=false']), {
          maxLength: 3,
        }),
      ),
    ),
  );
}

/** openssl and step on the reader's machine. */
function certificateLines(): Words {
  return fc.oneof(
    words(
      'openssl',
      fc.oneof(
        words(
          's_client',
          someFlags(
            [
              words(
                '-connect',
                wordFrom(['deathstar:80', 'helloworld:5000', '172.18.0.2:6443', 'x', ':', 'a:b']),
              ),
              words(wordFrom(['-showcerts', '-servername', 'x', '-brief'])),
            ],
            3,
          ),
        ),
        words(
          'x509',
          someFlags(
            [
              words('-in', wordFrom(files)),
              words(wordFrom(['-noout', '-text', '-subject', '-dates', '-ext', 'subjectAltName'])),
            ],
            4,
          ),
        ),
        words(
          wordFrom(['genrsa', 'req', 'rand', 'version', 'nope', 'verify']),
          fc.array(
            wordFrom(['-out', 'k.key', '2048', '-new', '-x509', '-nodes', '-key', 'k.key', '-hex', '16']),
            { maxLength: 5 },
          ),
        ),
      ),
    ),
    words(
      'step',
      wordFrom(['certificate', 'crypto', 'ca', 'nope']),
      fc.array(wordFrom(['inspect', 'fingerprint', '--short', 'notes.txt', 'missing.crt', '-']), {
        maxLength: 3,
      }),
    ),
  );
}

/** curl, ping and job control on the reader's machine. */
function machineLines(): Words {
  return fc.oneof(
    words(
      'curl',
      someFlags(
        [
          words(
            fc.constantFrom(
              '-s',
              '-S',
              '-sS',
              '-sL',
              '-L',
              '-k',
              '-I',
              '-v',
              '-f',
              '-fsSL',
              '-sSf',
              '-o',
              '-O',
              '-i',
              '--http2',
              '-4',
              '-6',
            ),
          ),
          words(
            fc.constantFrom('--max-time', '-m', '--connect-timeout'),
            wordFrom(['1', '5', '0', '-1', 'x', '0.5']),
          ),
          words(
            fc.constantFrom('-w', '--write-out'),
            wordFrom(['%{http_code}\\n', '%{remote_ip}\\t%{time_total}', '%{', '@-', '%{json}']),
          ),
          words(
            fc.constantFrom('-d', '--data', '-X', '-H', '--resolve'),
            wordFrom([
              '{}',
              '@notes.txt',
              '@missing',
              'POST',
              'Host: x',
              'cilium.io:443:172.18.0.2',
              'a:b:c',
            ]),
          ),
        ],
        4,
      ),
      wordFrom(urls),
    ),
    words(
      'ping',
      someFlags(
        [words('-c', wordFrom(['1', '3', '0', '-1', 'x'])), words(wordFrom(['-W', '1', '-i', '0.2', '-q']))],
        2,
      ),
      wordFrom(['172.18.0.2', '172.18.0.99', '10.96.0.10', 'kind-worker', 'cilium.io', '256.1.1.1', '']),
    ),
    words(
      wordFrom(['jobs', 'fg', 'kill']),
      fc.array(wordFrom(['%1', '%2', '%', '-9', '1', '%nope']), { maxLength: 2 }),
    ),
    words(
      'cilium',
      'hubble',
      wordFrom(['enable', 'disable', 'port-forward', 'ui', 'nope']),
      fc.array(wordFrom(['--ui', '--relay=false', '--port-forward', '4245', '0', 'x', '-n', 'kube-system']), {
        maxLength: 2,
      }),
    ),
    words(
      'hubble',
      wordFrom(['status', 'observe', 'list', 'nodes', 'version', '--help']),
      fc.array(
        wordFrom([
          '-P',
          '--server',
          'localhost:4245',
          'x:1',
          '--last',
          '3',
          '--pod',
          'xwing',
          '-o',
          'json',
          'nodes',
        ]),
        { maxLength: 3 },
      ),
    ),
  );
}

/** Every line of the tools besides kubectl and docker. */
function toolLines(): Words {
  return fc.oneof(kindLines(), helmLines(), istioctlLines(), certificateLines(), machineLines());
}

/** Quotes a word for the shell unless it is plain. */
function quote(word: string): string {
  if (/^[A-Za-z0-9_./:=,@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number }
  | { kind: 'retype'; at: number; word: string }
  | { kind: 'insert'; at: number; word: string }
  | { kind: 'raw' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('retype' as const),
    at: fc.nat(),
    word: fc.oneof(fc.constantFrom(...oddWords), fc.string({ maxLength: 8 })),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    word: fc.constantFrom(...oddFlags, ...oddWords),
  }),
  fc.record({ kind: fc.constant('raw' as const) }),
);

/** No mutation half the time, so that well-formed lines reach deep into the tools too. */
function someMutations(maxLength: number): fc.Arbitrary<Mutation[]> {
  return fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutation, { minLength: 1, maxLength }));
}

/** Applies mutations to a command's words; the first word (the program) is kept. */
function mutate(commandWords: readonly string[], mutations: readonly Mutation[]): string {
  const list = [...commandWords];
  let raw = false;
  for (const change of mutations) {
    if (change.kind === 'raw') {
      raw = true;
      continue;
    }
    const at = 1 + (list.length > 1 ? change.at % (list.length - 1) : 0);
    if (change.kind === 'drop' && list.length > 1) list.splice(at, 1);
    else if (change.kind === 'duplicate' && list[at] !== undefined) list.splice(at, 0, list[at] ?? '');
    else if (change.kind === 'swap' && list[at + 1] !== undefined)
      [list[at], list[at + 1]] = [list[at + 1] ?? '', list[at] ?? ''];
    else if (change.kind === 'retype' && list[at] !== undefined) list[at] = change.word;
    else if (change.kind === 'insert') list.splice(at, 0, change.word);
  }
  // Unquoted, a word may carry shell syntax of its own: some lines go to the shell as typed.
  return raw ? list.join(' ') : list.map(quote).join(' ');
}

/** One simulated command, as words, from the grammar. */
export function grammarCommand(names: WorldNames): Words {
  return fc.oneof({ weight: 3, arbitrary: kubectlLines(names) }, { weight: 1, arbitrary: toolLines() });
}

/** Joins a bash block's lines continued with a backslash into one command each. */
function commandsOfBlock(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/^\$ /, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The command lines of the site's own pages (the reference and the guides) and the scenarios' scripts. */
export function documentedCommands(): string[] {
  const lines = new Set<string>();
  for (const directory of ['reference', 'guides']) {
    const folder = join(process.cwd(), 'content', directory);
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.mdx'))) {
      for (const block of codeBlocks(readFileSync(join(folder, file), 'utf8')))
        if (['bash', 'sh', 'shell', 'console'].includes(block.lang))
          for (const line of commandsOfBlock(block.text)) lines.add(line);
    }
  }
  return [...lines].sort();
}

/** Splits a documented line into words, roughly as the shell would (quotes kept together). */
function splitWords(line: string): string[] {
  return line.match(/'[^']*'|"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

/** A single command, from the grammar or the docs, mangled or not. */
function oneCommand(names: WorldNames, documented: readonly string[]): fc.Arbitrary<string> {
  const fromGrammar = fc
    .tuple(grammarCommand(names), someMutations(3))
    .map(([commandWords, mutations]) => mutate(commandWords, mutations));
  const fromDocs = fc
    .tuple(fc.constantFrom(...documented), someMutations(2))
    .map(([line, mutations]) =>
      mutations.length === 0 ? line : mutate(splitWords(line), [{ kind: 'raw' }, ...mutations]),
    );
  return fc.oneof({ weight: 3, arbitrary: fromGrammar }, { weight: 2, arbitrary: fromDocs });
}

/** Where a command line sends its output. */
const pipes = [
  '| head -n 3',
  '| grep -c Running',
  '| jq .',
  '| wc -l',
  '| tail -1',
  "| awk '{print $1}'",
  '2>&1 | sort',
  '| xargs echo',
];

/** Redirections, the last into a directory. */
const redirects = [
  '> out.txt',
  '>> out.txt',
  '2> err.txt',
  '> /dev/null 2>&1',
  '&> out.txt',
  '< notes.txt',
  '> /',
];

/** Commands that read a here-document. */
const hereDocumentReaders = [
  'kubectl apply -f -',
  'kubectl create -f -',
  'kubectl delete -f -',
  'cat > new.yaml && kubectl apply -f new.yaml',
  'kubectl exec -i xwing -- nc deathstar 80',
  'openssl x509 -noout -text',
  'kind create cluster --name two --config -',
];

/** Here-documents: manifests, a broken one, an empty one, empty documents. */
const hereDocuments = [
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n',
  'kind: [\n',
  '',
  '---\n---\n',
  'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\nspec:\n  endpointSelector: {}\n  ingress:\n  - {}\n',
];

/** The shell around commands: lists, pipes, loops, redirects, here-documents, substitutions. */
function shellAround(command: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const hereDocument = fc.constantFrom(...hereDocuments);
  return fc.oneof(
    { weight: 6, arbitrary: command },
    {
      weight: 1,
      arbitrary: fc.tuple(command, fc.constantFrom(...pipes)).map(([a, pipe]) => `${a} ${pipe}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(command, fc.constantFrom(' && ', ' || ', '; ', ' | ', ' & '), command)
        .map(([a, join, b]) => `${a}${join}${b}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('1 2', 'a b c', '$(seq 1 3)', ''), command)
        .map(([items, body]) => `for i in ${items}; do ${body}; done`),
    },
    { weight: 1, arbitrary: command.map((body) => `n=0; while [ $n -lt 3 ]; do ${body}; n=$((n+1)); done`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(command, fc.constantFrom(...redirects))
        .map(([a, redirect]) => `${a} ${redirect}; cat out.txt 2>/dev/null | head -2`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...hereDocumentReaders), hereDocument)
        .map(([a, body]) => `${a} <<'EOF'\n${body}EOF`),
    },
    { weight: 1, arbitrary: command.map((body) => `X=$(${body}); echo "[$X]" | head -c 200`) },
    { weight: 1, arbitrary: command.map((body) => `if ${body}; then echo yes; else echo no; fi`) },
    { weight: 1, arbitrary: command.map((body) => `${body} &\njobs; kill %1`) },
  );
}

/** A command line: one to three commands, in the shell's constructs. */
export function commandLine(names: WorldNames, documented: readonly string[]): fc.Arbitrary<string> {
  return shellAround(oneCommand(names, documented));
}
