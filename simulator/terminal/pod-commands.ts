/**
 * Commands run inside a pod through `kubectl exec` (or `crictl exec` on a node): curl in client
 * pods (and on the kind nodes themselves; curl.ts), and the cilium CLI in an agent pod, which reads
 * that agent's own (possibly stale) state.
 */
import { agentHubbleStatus } from './hubble-server-status';
import { opensslInProxy } from './mesh-tools';
import { authMapListFor } from '../cilium/auth-map';
import type { Pod } from '../k8s/objects';
import { formatIpcacheMapGet, alignColumns, ipcacheValueString } from '../cilium/cli-format';
import { listIpcache } from '../cilium/agent-ipcache';
import type { AgentState } from '../cilium/state';
import type { CiliumConfig } from '../cilium/config';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { ciliumPolicyCommands } from './cilium-cli';
import { endpointConfig } from './cilium-endpoint-config';
import { ciliumConfig } from './cilium-config';
import { ciliumMonitor } from './cilium-monitor';
import { hubbleObserve } from './hubble-observe';
import { ciliumIpList } from './cilium-ip-list';
import { wireguardStatusValue } from '../cilium/wireguard';
import { ciliumStatusVersion } from '../cilium/releases';
import { agentCliName, agentImageHas } from '../cilium/agent-image';
import { nslookup } from './net-tools';
import { ping } from './ping';
import { netcat } from './netcat';
import { grpcurl } from './app-clients';
import { kafkaConsumer, kafkaProducer } from './kafka-console';
import { envoyAdminCurl, usesUnixSocket } from './envoy-admin';
import { runCurl } from './curl';
import { catInPod, notFoundInImage } from './pod-files';
import { containerImage } from '../k8s/container-files';
import { imageContents, type ShellName } from '../k8s/image-contents';
import { PodShell, shellQuote } from './pod-shell';
import { python } from './python-clients';
import { awsCli } from './aws-cli';
import { updateCaCertificates } from './ca-certificates';

/** curl in a pod's network namespace; files it writes stay in the container. */
function curl(context: TerminalContext, pod: Pod, args: string[], stdin: string): CommandResult {
  const origin = { fromPodKey: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}` };
  return runCurl(context, { origin, stdin, files: {} }, args);
}

/** curl in a kind node's own network namespace: the node's stack, so the host firewall's egress policy applies. */
export function curlOnNode(context: TerminalContext, node: string, args: string[]): CommandResult {
  return runCurl(context, { origin: { fromPodKey: '', fromNode: node }, stdin: '', files: {} }, args);
}

/**
 * The KubeProxyReplacement line: 1.12 and 1.13 name the mode (`Disabled`, `Strict`, …), later
 * releases say True or False; with the replacement, the device it serves and its address.
 */
function kubeProxyReplacementStatus(config: CiliumConfig, nodeIP: string): string {
  const raw = config.values.kubeProxyReplacement ?? (config.versionMinor <= 13 ? 'disabled' : 'false');
  const on = config.serviceLoadBalancing.kubeProxyReplacement;
  const word =
    config.versionMinor <= 13 ? `${raw.charAt(0).toUpperCase()}${raw.slice(1)}` : on ? 'True' : 'False';
  return on ? `${word}   [eth0   ${nodeIP} (Direct Routing)]` : word;
}

/**
 * `cilium status` in an agent pod, the lines the model can answer: the API server connection as the
 * agent sees it, the version, IPAM on its node, encryption and how many nodes' health it hears.
 */
function ciliumStatus(context: TerminalContext, agent: AgentState, brief: boolean): CommandResult {
  const cluster = context.simulation.state.cluster;
  const config = cluster?.cilium?.config;
  if (cluster === undefined || config === undefined) return fail('no cluster');
  const connected = agent.connection === 'connected';
  if (brief) return connected ? ok('OK\n') : fail('error: Kubernetes: Failure', 1);
  const node = cluster.nodes[agent.node];
  const allocated =
    Object.values(node?.kubelet.sandboxes ?? {}).filter((sandbox) => sandbox.ip !== undefined).length + 2;
  const peers = Object.keys(cluster.cilium?.agents ?? {}).length - 1;
  const kubernetes = connected
    ? `Ok   ${cluster.kubernetesVersion.replace(/^v(\d+\.\d+)\..*$/, '$1')} (${cluster.kubernetesVersion}) [linux/amd64]`
    : 'Failure   Get "https://10.96.0.1:443/version?timeout=32s": dial tcp 10.96.0.1:443: i/o timeout';
  const encryption =
    config.encryption === 'wireguard'
      ? wireguardStatusValue(config, agent, peers)
      : config.encryption === 'ipsec'
        ? 'IPsec'
        : 'Disabled';
  const rows = [
    ['KVStore:', 'Ok   Disabled'],
    ['Kubernetes:', kubernetes],
    ['KubeProxyReplacement:', kubeProxyReplacementStatus(config, node?.internalIP ?? '')],
    ['Cilium:', `Ok   ${ciliumStatusVersion(config.version)}`],
    ['IPAM:', `IPv4: ${allocated}/254 allocated from ${node?.podCIDR ?? ''},`],
    ['Encryption:', encryption],
    // Shown only when enabled, so outputs of clusters without the host firewall keep their shape.
    ...(config.hostFirewall ? [['Host firewall:', 'Enabled   [eth0]']] : []),
  ];
  // The real output is one tabwriter block whose longest label ("Global Identity Range:") sets 25.
  const width = 25;
  return ok(rows.map(([label = '', value = '']) => `${label.padEnd(width)}${value}\n`).join(''));
}

/** The cilium (cilium-dbg from 1.15) CLI inside an agent pod; `program` is the CLI's own name. */
function ciliumCli(
  context: TerminalContext,
  agent: AgentState,
  args: string[],
  program: 'cilium' | 'cilium-dbg' = 'cilium-dbg',
): CommandResult | Promise<CommandResult> {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const command = args.join(' ');
  const [group, verb, ...rest] = args;
  if ((group === 'endpoint' || group === 'ep') && verb === 'config')
    return endpointConfig(context, agent, rest, program);
  if (group === 'monitor') return ciliumMonitor(context, agent, args.slice(1));
  if (group === 'config') return ciliumConfig(context, agent, args.slice(1));
  if (command === 'map get cilium_ipcache') return ok(`${formatIpcacheMapGet(cluster, agent)}\n`);
  // `bpf ipcache list` dumps the kernel map (cilium/cmd/bpf_ipcache_list.go): each value as
  // RemoteEndpointInfo.String prints it, in the version's format, as `map get` does.
  if (command === 'bpf ipcache list') {
    const rows = [
      ['IP PREFIX/ADDRESS', 'IDENTITY'],
      ...listIpcache(cluster, agent).map((row) => [
        row.prefix,
        ipcacheValueString(cluster, agent, row.entry),
      ]),
    ];
    return ok(`${alignColumns(rows)}\n`);
  }
  if (group === 'ip' && (verb === 'list' || verb === 'ls')) return ciliumIpList(cluster, agent, rest);
  if (command === 'status' || command === 'status --brief')
    return ciliumStatus(context, agent, command.endsWith('--brief'));
  if (command === 'status --verbose' || command === 'status -v') {
    const status = ciliumStatus(context, agent, false);
    return {
      ...status,
      stderr: `${status.stderr}(the simulated status prints the lines the model answers; the verbose sections (controllers, proxy, allocated addresses…) are not modelled)\n`,
    };
  }
  const authList = /^bpf auth list(?: (?:-o|--output)[ =](json))?$/.exec(command);
  if (authList !== null) {
    const output = authList[1] === 'json' ? { output: 'json' as const } : {};
    return authMapListFor(cluster, agent.node, output);
  }
  const policyCommand = ciliumPolicyCommands(cluster, agent, args, context.simulation.state.timeMs);
  if (policyCommand !== undefined) return policyCommand;
  return fail(
    `Error: unknown command "${command}" for "${program}"\nSupported in this simulator: config [-a|-r|--list-options] [Option=value…], map get cilium_ipcache, bpf ipcache list, ip list, endpoint list, endpoint get ID, endpoint config ID [Option=value…], identity list, identity get ID, policy get, bpf policy get ID|--all, bpf auth list, fqdn cache list, monitor [-t policy-verdict|drop] [--related-to ID]`,
  );
}

/** Runs a command inside a cilium-agent container (through kubectl exec or crictl exec). */
export function runInAgent(
  context: TerminalContext,
  agent: AgentState,
  argv: string[],
  options: ExecOptions = {},
): CommandResult | Promise<CommandResult> {
  const [program, ...args] = argv;
  const minor = context.simulation.state.cluster?.cilium?.config.versionMinor ?? 12;
  if (!agentImageHas(minor, program)) return notInContainer(program);
  if (program === 'hubble' && args[0] === 'status')
    return ok(agentHubbleStatus(context.simulation.state, agent));
  if (program === 'hubble') return hubbleObserve(context, (flow) => flow.node === agent.node, args, options);
  return ciliumCli(context, agent, args, agentCliName(minor));
}

function notInContainer(program: string | undefined): CommandResult {
  return notFoundInImage(program ?? '');
}

/** How `kubectl exec` attached the terminal: `-t` with `-i` gives the program a terminal. */
export interface ExecOptions {
  tty?: boolean;
}

/** The file a program path names, resolved against the image's working directory. */
function resolveInImage(workdir: string, program: string): string {
  if (program.startsWith('/')) return program;
  const base = workdir.endsWith('/') ? workdir : `${workdir}/`;
  return `${base}${program.replace(/^\.\//, '')}`;
}

/**
 * A shell in the container (`sh -c SCRIPT`, `bash`, or a script file of the image): runs the
 * script in a PodShell, or, for an interactive shell on a terminal, hands the shell to the session.
 */
async function runShell(
  context: TerminalContext,
  pod: Pod,
  container: string,
  shellName: ShellName,
  script: { text: string; args?: string[] } | undefined,
  stdin: string,
  options: ExecOptions,
): Promise<CommandResult> {
  const tty = options.tty === true && context.enterShell !== undefined;
  const shell = new PodShell(context, pod, container, shellName, tty, (current, argv, input) =>
    runInPod(context, current, argv, container, input, options),
  );
  if (script === undefined) {
    if (tty) {
      context.enterShell?.(shell);
      return ok();
    }
    // Without a terminal the shell reads its commands from standard input and ends with it.
    if (stdin === '') return ok();
    return (await shell.run(stdin)).result;
  }
  const run = await shell.run(script.text, {
    stdin,
    ...(script.args !== undefined ? { args: script.args } : {}),
  });
  if (run.interactive !== undefined) {
    shell.adoptEnvironment(run.interactive);
    context.enterShell?.(shell);
  }
  return run.result;
}

/** `sh`/`bash` arguments: `-c SCRIPT [NAME ARGS…]`, `SCRIPTFILE [ARGS…]`, or nothing (interactive). */
function shellArguments(
  shell: ShellName,
  args: readonly string[],
): { script?: { text: string; args?: string[] } } | CommandResult {
  const [first, ...rest] = args;
  if (first === undefined || first === '-i' || first === '-l' || first === '--login') return {};
  if (first === '-c') {
    const [text, , ...positional] = rest;
    if (text === undefined) return fail(`${shell}: -c: option requires an argument`, 2);
    return { script: { text, args: positional } };
  }
  return { script: { text: [first, ...rest].map(shellQuote).join(' ') } };
}

/** Runs a command line inside a pod. */
export function runInPod(
  context: TerminalContext,
  pod: Pod,
  argv: string[],
  container?: string,
  stdin = '',
  options: ExecOptions = {},
): CommandResult | Promise<CommandResult> {
  const [program, ...args] = argv;
  const containerName = container ?? pod.spec.containers[0]?.name ?? '';
  const image = containerImage(pod, containerName);
  const contents = imageContents(image);
  const tool = (program ?? '').split('/').pop() ?? '';
  if (tool === 'sh' || tool === 'bash') {
    if (!contents.shells.includes(tool)) return notInContainer(program);
    const parsed = shellArguments(tool, args);
    if ('exitCode' in parsed) return parsed;
    return runShell(context, pod, containerName, tool, parsed.script, stdin, options);
  }
  // A script the image ships (`./kafka-produce.sh`) runs in the image's shell.
  const scriptPath = resolveInImage(contents.workdir, program ?? '');
  if ((program ?? '').includes('/') && contents.scripts[scriptPath] !== undefined) {
    const line = [scriptPath, ...args].map(shellQuote).join(' ');
    return runShell(context, pod, containerName, 'bash', { text: line }, stdin, options);
  }
  return runProgramInPod(context, pod, program, args, containerName, stdin, options);
}

/** One program (not a shell) in a container. */
function runProgramInPod(
  context: TerminalContext,
  pod: Pod,
  program: string | undefined,
  args: string[],
  container: string,
  stdin: string,
  options: ExecOptions,
): CommandResult | Promise<CommandResult> {
  const argv = [program ?? '', ...args];
  const agent = Object.values(context.simulation.state.cluster?.cilium?.agents ?? {}).find(
    (candidate) => candidate.podName === pod.metadata.name,
  );
  // In an agent pod, curl over the unix socket talks to the node's Envoy admin API.
  if (program === 'curl' && agent !== undefined && usesUnixSocket(args))
    return envoyAdminCurl(context, agent, args);
  if (program === 'curl') return curl(context, pod, args, stdin);
  if (agent !== undefined) return runInAgent(context, agent, argv, options);
  if (program === 'openssl' && container === 'istio-proxy') return opensslInProxy(context, pod, args);
  if (program === 'ping') return ping(context, pod, args);
  if (program === 'nc') return netcat(context, pod, args, stdin);
  if (program === 'nslookup') return nslookup(context, pod, args);
  if (program === 'cat') return catInPod(context, pod, container, args);
  const image = containerImage(pod, container);
  const tool = (program ?? '').split('/').pop() ?? '';
  const contents = imageContents(image);
  if (contents.pythonNames.includes(tool)) return python(context, pod, container, tool, args);
  // The docs' AWS test pod (security/aws) runs the AWS CLI against the simulated account.
  if (tool === 'aws' && /aws-cli/.test(image)) return awsCli(context, pod, args);
  if (tool === 'update-ca-certificates' && contents.updateCaCertificates)
    return updateCaCertificates(context, pod, container, args);
  // netshoot ships grpcurl; Kafka's images (brokers and the docs' kafkaclient) ship its console tools.
  if (tool === 'grpcurl' && /netshoot/.test(image)) return grpcurl(context, pod, args);
  if (/kafka/.test(image)) {
    if (tool === 'kafka-console-producer.sh') return kafkaProducer(context, pod, args, stdin);
    if (tool === 'kafka-console-consumer.sh') return kafkaConsumer(context, pod, args);
  }
  return notInContainer(program);
}
