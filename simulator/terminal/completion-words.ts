/**
 * The fixed words tab completion offers: the commands this terminal has, and the subcommand trees
 * and flags of the tools whose grammar is small enough to write down here (kind, helm, docker,
 * istioctl, cilium-dbg, hubble). kubectl's words come from kubectl.ts itself, so completion and
 * the parser cannot disagree. Each tree lists what the simulator runs, so a completed line works.
 */
import { simulatedPodPrograms } from './pod-shell';
import { ciliumHostCommands } from './cilium-host';
import { ciliumHubbleCommands } from './cilium-hubble';

/** A command's words: subcommands (each with its own tree), flags, and what each flag's value may be. */
export interface CommandTree {
  subcommands?: Readonly<Record<string, CommandTree>>;
  flags?: readonly string[];
  /** Values a flag takes (`--type` → `drop`, …); a flag listed here takes the next word as its value. */
  values?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The tools the simulator adds to the reader's shell (session.ts registers them, names them in its
 * "command not found" hint, and tab completion offers them).
 */
export const simulatedMachineTools = [
  'kubectl',
  'kind',
  'helm',
  'cilium',
  'docker',
  'istioctl',
  'openssl',
  'step',
  'hubble',
] as const;

/** The commands on the reader's machine: the simulated tools, and the shell's usual ones. */
export const machineCommands = [
  ...simulatedMachineTools,
  // `k`, the alias for kubectl most readers' shells have.
  'k',
  'curl',
  'ping',
  'jobs',
  'kill',
  'cat',
  'cd',
  'echo',
  'export',
  'grep',
  'head',
  'jq',
  'ls',
  'mkdir',
  'rm',
  'sed',
  'awk',
  'sleep',
  'sort',
  'tail',
  'wc',
  'xargs',
  'base64',
  'clear',
  'history',
] as const;

/** The commands inside a container (`kubectl exec POD -- <Tab>`). */
export const podCommands = [...simulatedPodPrograms, 'sh', 'bash', 'cat', 'ls', 'env', 'echo'] as const;

const monitorTypes = ['drop', 'policy-verdict', 'l7'];

/** cilium-cli on the reader's machine: the commands cilium-host.ts answers, with their flags. */
export const ciliumHostTree: CommandTree = {
  subcommands: Object.fromEntries(
    Object.entries(ciliumHostCommands).map(([name, flags]) => [
      name,
      name === 'status'
        ? { flags, values: { '--output': ['json', 'summary'], '-o': ['json', 'summary'] } }
        : name === 'hubble'
          ? { subcommands: Object.fromEntries(ciliumHubbleCommands.map((command) => [command, { flags }])) }
          : { flags },
    ]),
  ),
};

/** cilium-dbg (cilium before 1.15) inside an agent pod: the commands cilium-cli.ts answers. */
export const ciliumDbgTree: CommandTree = {
  subcommands: {
    status: { flags: ['--brief', '--verbose'] },
    endpoint: { subcommands: { list: { flags: ['-o'] }, get: {}, config: {}, log: { flags: ['-o'] } } },
    identity: { subcommands: { list: {}, get: {} } },
    ip: { subcommands: { list: { flags: ['-o', '-n'] } } },
    map: { subcommands: { get: { subcommands: { cilium_ipcache: {} } } } },
    bpf: {
      subcommands: {
        ipcache: { subcommands: { list: {} } },
        policy: { subcommands: { get: { flags: ['--all'] } } },
        auth: { subcommands: { list: { flags: ['-o'] } } },
      },
    },
    policy: { subcommands: { get: {}, selectors: { flags: ['-o', '-v'] } } },
    fqdn: { subcommands: { cache: { subcommands: { list: {} } } } },
    monitor: {
      flags: ['--type', '-t', '--related-to', '--from', '--to', '--numeric', '-n', '--verbose', '-v'],
      values: { '--type': monitorTypes, '-t': monitorTypes },
    },
  },
};

const flowTypes = ['trace', 'drop', 'l7', 'policy-verdict', 'trace-sock'];
const verdicts = ['FORWARDED', 'DROPPED', 'AUDIT', 'REDIRECTED', 'ERROR', 'TRACED', 'TRANSLATED'];
const protocols = ['tcp', 'udp', 'icmp', 'http', 'dns', 'kafka'];

/**
 * hubble inside an agent pod (`observe` and the filters hubble-observe.ts reads); on the reader's
 * machine the same CLI also has `status` and `list nodes` through Hubble Relay (hubble-cli.ts).
 */
export const hubbleTree: CommandTree = {
  subcommands: {
    observe: {
      flags: [
        '--follow',
        '-f',
        '--last',
        '--all',
        '--output',
        '-o',
        '--verdict',
        '--type',
        '-t',
        '--protocol',
        '--pod',
        '--from-pod',
        '--to-pod',
        '--namespace',
        '-n',
        '--from-namespace',
        '--to-namespace',
        '--ip',
        '--from-ip',
        '--to-ip',
        '--port',
        '--from-port',
        '--to-port',
        '--identity',
        '--from-identity',
        '--to-identity',
      ],
      values: {
        '--type': flowTypes,
        '-t': flowTypes,
        '--verdict': verdicts,
        '--protocol': protocols,
        '--output': ['compact', 'json'],
        '-o': ['compact', 'json'],
      },
    },
    status: { flags: ['--server', '-P', '--port-forward'] },
    list: { subcommands: { nodes: {} } },
  },
};

const kindNameFlag = ['--name'];

/** kind: the commands kind-cli.ts runs. */
export const kindTree: CommandTree = {
  subcommands: {
    create: {
      subcommands: {
        cluster: { flags: [...kindNameFlag, '--config', '--image', '--wait', '--retain', '--kubeconfig'] },
      },
    },
    delete: { subcommands: { cluster: { flags: kindNameFlag }, clusters: { flags: ['--all'] } } },
    get: {
      subcommands: { clusters: {}, nodes: { flags: kindNameFlag }, kubeconfig: { flags: kindNameFlag } },
    },
    export: { subcommands: { kubeconfig: { flags: kindNameFlag } } },
    load: { subcommands: { 'docker-image': { flags: kindNameFlag } } },
    version: {},
  },
};

/** helm: the commands helm-cli.ts runs. */
export const helmTree: CommandTree = {
  subcommands: {
    repo: { subcommands: { add: {}, list: {}, update: {}, remove: {} } },
    install: {
      flags: ['--namespace', '-n', '--version', '--set', '--values', '-f', '--create-namespace', '--wait'],
    },
    upgrade: {
      flags: [
        '--namespace',
        '-n',
        '--version',
        '--set',
        '--values',
        '-f',
        '--reuse-values',
        '--install',
        '--wait',
      ],
    },
    list: { flags: ['--namespace', '-n', '--all-namespaces', '-A'] },
    status: { flags: ['--namespace', '-n'] },
    history: { flags: ['--namespace', '-n'] },
    get: { subcommands: { values: { flags: ['--namespace', '-n', '--all'] } } },
    uninstall: { flags: ['--namespace', '-n'] },
  },
};

/** docker on the reader's machine: what tools.ts runs (`exec` takes a node's container name). */
export const dockerTree: CommandTree = {
  subcommands: { exec: { flags: ['-i', '-t', '-it'] }, ps: { flags: ['-a', '--format'] }, pull: {} },
};

/** istioctl: what mesh-tools.ts runs. */
export const istioctlTree: CommandTree = {
  subcommands: {
    install: { flags: ['--set', '-y', '--skip-confirmation'] },
    waypoint: { subcommands: { apply: { flags: ['--namespace', '-n', '--enroll-namespace'] } } },
    version: {},
  },
};

/** Values of kubectl's flags that are a fixed list. */
export const kubectlFlagValues: Readonly<Record<string, readonly string[]>> = {
  '-o': ['json', 'yaml', 'wide', 'name', 'jsonpath=', 'custom-columns='],
  '--output': ['json', 'yaml', 'wide', 'name', 'jsonpath=', 'custom-columns='],
  '--dry-run': ['client', 'server', 'none'],
};

/** Second words of kubectl subcommands that take one (`kubectl rollout status`, `create secret`). */
export const kubectlSecondWords: Readonly<Record<string, readonly string[]>> = {
  rollout: ['status', 'restart', 'history', 'undo'],
  auth: ['can-i', 'whoami'],
  create: [
    'namespace',
    'secret',
    'configmap',
    'deployment',
    'job',
    'serviceaccount',
    'role',
    'clusterrole',
    'rolebinding',
    'clusterrolebinding',
  ],
  config: ['current-context', 'get-contexts', 'use-context', 'view'],
  top: ['node', 'pod'],
};
