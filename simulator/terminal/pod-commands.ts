/**
 * Commands run inside a pod through `kubectl exec` (or `crictl exec` on a node): curl in client
 * pods (and on the kind nodes themselves), and the cilium CLI in an agent pod, which reads that
 * agent's own (possibly stale) state.
 */
import { opensslInProxy } from './mesh-tools';
import { authMapListFor } from '../cilium/auth-map';
import type { Pod } from '../k8s/objects';
import { formatIpcacheMapGet, alignColumns, ipcacheValueString } from '../cilium/cli-format';
import { listIpcache } from '../cilium/agent-ipcache';
import type { AgentState } from '../cilium/state';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { ciliumPolicyCommands } from './cilium-cli';
import { endpointConfig } from './cilium-endpoint-config';
import { ciliumMonitor } from './cilium-monitor';
import { hubbleObserve } from './hubble-observe';
import { ciliumIpList } from './cilium-ip-list';
import { wireguardStatusValue } from '../cilium/wireguard';
import { ciliumStatusVersion } from '../cilium/releases';
import { agentCliName, agentImageHas } from '../cilium/agent-image';
import { nslookup } from './net-tools';
import { ping } from './ping';
import { netcat } from './netcat';
import { grpcurl, kafkaConsumer, kafkaProducer } from './app-clients';
import { envoyAdminCurl, usesUnixSocket } from './envoy-admin';
import { isStalledOutcome } from '../cilium/envoy';
import { catInPod } from './pod-files';

const reasonPhrases: Readonly<Record<number, string>> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  403: 'Forbidden',
  404: 'Not Found',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};

/** Where curl runs: a pod's network namespace, or a kind node's own (`docker exec NODE curl …`). */
type CurlOrigin = { fromPodKey: string } | { fromPodKey: ''; fromNode: string };

function curl(context: TerminalContext, pod: Pod, args: string[]): CommandResult {
  return curlFrom(
    context,
    { fromPodKey: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}` },
    args,
  );
}

/** curl in a kind node's own network namespace: the node's stack, so the host firewall's egress policy applies. */
export function curlOnNode(context: TerminalContext, node: string, args: string[]): CommandResult {
  return curlFrom(context, { fromPodKey: '', fromNode: node }, args);
}

function curlFrom(context: TerminalContext, origin: CurlOrigin, args: string[]): CommandResult {
  let silent = false;
  let showErrors = false;
  let verbose = false;
  let head = false;
  let outputFile: string | undefined;
  let writeOut: string | undefined;
  let insecure = false;
  let caFile: string | undefined;
  let maxTimeMs = 120_000;
  let method: string | undefined;
  const headers: Record<string, string> = {};
  let url: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const value = (): string => args[++i] ?? '';
    if (/^-[sSvIok]+$/.test(arg) && !arg.startsWith('--')) {
      if (arg.includes('I')) head = true;
      if (arg.includes('k')) insecure = true;
      if (arg.includes('s')) silent = true;
      if (arg.includes('S')) showErrors = true;
      if (arg.includes('v')) verbose = true;
      if (arg.endsWith('o')) outputFile = value();
    } else if (arg === '--silent') silent = true;
    else if (arg === '--show-error') showErrors = true;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--head') head = true;
    else if (arg === '--output') outputFile = value();
    else if (arg === '--insecure') insecure = true;
    else if (arg === '--cacert') caFile = value();
    else if (arg === '-w' || arg === '--write-out') writeOut = value();
    else if (arg === '-m' || arg === '--max-time' || arg === '--connect-timeout')
      maxTimeMs = Math.round(Number(value()) * 1000);
    else if (arg.startsWith('--max-time=')) maxTimeMs = Math.round(Number(arg.slice(11)) * 1000);
    else if (arg === '-X' || arg === '--request') method = value();
    else if (arg.startsWith('-X') && arg.length > 2) method = arg.slice(2);
    else if (arg === '-H' || arg === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      if (colon > 0) headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (arg.startsWith('-'))
      return fail(`curl: option ${arg}: is unknown\ncurl: try 'curl --help' for more information`, 2);
    else url = arg;
  }
  if (!Number.isFinite(maxTimeMs) || maxTimeMs <= 0)
    return fail('curl: (2) option --max-time: expected a proper numerical parameter', 2);
  if (url === undefined)
    return fail("curl: no URL specified!\ncurl: try 'curl --help' for more information", 2);
  const match = /^(?:(https?):\/\/)?([^/:]+)(?::(\d+))?(\/[^\s]*)?$/.exec(url);
  if (match === null) return fail(`curl: (3) URL using bad/illegal format or missing URL`, 3);
  const [, scheme = 'http', host = '', portText, path = '/'] = match;
  const port = portText === undefined ? (scheme === 'https' ? 443 : 80) : Number(portText);
  const result = context.input({
    type: 'pod.connect',
    request: {
      ...origin,
      host,
      port,
      protocol: 'TCP',
      http: { method: method ?? (head ? 'HEAD' : 'GET'), path, headers },
      timeoutMs: maxTimeMs,
      // curl sends the host name as SNI in its ClientHello, never an IP address.
      ...(scheme === 'https' && !/^\d+\.\d+\.\d+\.\d+$/.test(host) ? { tlsServerName: host } : {}),
      ...(scheme === 'https' ? { tls: { insecure, ...(caFile !== undefined ? { caFile } : {}) } } : {}),
    },
  });
  if (!result.ok || result.connection === undefined)
    return fail(`curl: (7) ${result.ok ? 'no connection' : result.error}`, 7);
  const outcome = result.connection;
  context.spend(outcome.elapsedMs);
  const errors = !silent || showErrors;
  const trace = verbose ? outcome.explanation.map((line) => `* ${line}\n`).join('') : '';
  switch (outcome.kind) {
    case 'response': {
      // -I prints the status line and headers (HTTP/2 over TLS, as curl negotiates with ALPN).
      const headLines = head
        ? `HTTP/${scheme === 'https' ? '2' : '1.1'} ${outcome.response.status}${scheme === 'https' ? ' ' : ` ${reasonPhrases[outcome.response.status] ?? ''}`}\r\n${Object.entries(
            outcome.response.headers,
          )
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join('')}\r\n`
        : '';
      const body = head ? headLines : outputFile === undefined ? outcome.response.body : '';
      const written =
        writeOut === undefined
          ? ''
          : writeOut.replace(/%\{http_code\}/g, String(outcome.response.status)).replace(/\\n/g, '\n');
      return { stdout: body + written, stderr: trace, exitCode: 0 };
    }
    case 'timeout':
      return {
        stdout: writeOut?.replace(/%\{http_code\}/g, '000') ?? '',
        stderr:
          trace +
          (errors
            ? isStalledOutcome(outcome)
              ? // The proxy accepted the connection and never answered.
                `curl: (28) Operation timed out after ${maxTimeMs + 1} milliseconds with 0 bytes received\n`
              : `curl: (28) Connection timed out after ${maxTimeMs + 1} milliseconds\n`
            : ''),
        exitCode: 28,
      };
    case 'refused':
      return {
        stdout: writeOut?.replace(/%\{http_code\}/g, '000') ?? '',
        stderr:
          trace +
          (errors
            ? `curl: (7) Failed to connect to ${host} port ${port} after ${outcome.elapsedMs} ms: Connection refused\n`
            : ''),
        exitCode: 7,
      };
    case 'resolve-failed':
      return {
        stdout: '',
        stderr: trace + (errors ? `curl: (6) Could not resolve host: ${host}\n` : ''),
        exitCode: 6,
      };
    case 'error': {
      // curl's own failures carry their exit code (56 for a connection reset, …); -s hides the text.
      const code = /^curl: \((\d+)\)/.exec(outcome.message);
      if (code === null) return fail(outcome.message, 1);
      return {
        stdout: '',
        stderr: trace + (errors ? `${outcome.message}\n` : ''),
        exitCode: Number(code[1]),
      };
    }
  }
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
export function ciliumCli(
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
    `Error: unknown command "${command}" for "${program}"\nSupported in this simulator: map get cilium_ipcache, bpf ipcache list, ip list, endpoint list, endpoint get ID, endpoint config ID [Option=value…], identity list, identity get ID, policy get, bpf policy get ID|--all, bpf auth list, fqdn cache list, monitor [-t policy-verdict|drop] [--related-to ID]`,
  );
}

/** Runs a command inside a cilium-agent container (through kubectl exec or crictl exec). */
export function runInAgent(
  context: TerminalContext,
  agent: AgentState,
  argv: string[],
): CommandResult | Promise<CommandResult> {
  const [program, ...args] = argv;
  const minor = context.simulation.state.cluster?.cilium?.config.versionMinor ?? 12;
  if (!agentImageHas(minor, program)) return notInContainer(program);
  if (program === 'hubble') return hubbleObserve(context, agent, args);
  return ciliumCli(context, agent, args, agentCliName(minor));
}

function notInContainer(program: string | undefined): CommandResult {
  return fail(
    `OCI runtime exec failed: exec failed: unable to start container process: exec: "${program ?? ''}": executable file not found in $PATH: unknown\ncommand terminated with exit code 126`,
    126,
  );
}

/** Runs a command line inside a pod. */
export function runInPod(
  context: TerminalContext,
  pod: Pod,
  argv: string[],
  container?: string,
  stdin = '',
): CommandResult | Promise<CommandResult> {
  const [program, ...args] = argv;
  const agent = Object.values(context.simulation.state.cluster?.cilium?.agents ?? {}).find(
    (candidate) => candidate.podName === pod.metadata.name,
  );
  // In an agent pod, curl over the unix socket talks to the node's Envoy admin API.
  if (program === 'curl' && agent !== undefined && usesUnixSocket(args))
    return envoyAdminCurl(context, agent, args);
  if (program === 'curl') return curl(context, pod, args);
  if (agent !== undefined) return runInAgent(context, agent, argv);
  if (program === 'openssl' && container === 'istio-proxy') return opensslInProxy(context, pod, args);
  if (program === 'ping') return ping(context, pod, args);
  if (program === 'nc') return netcat(context, pod, args, stdin);
  if (program === 'nslookup') return nslookup(context, pod, args);
  if (program === 'cat') return catInPod(context, pod, container ?? pod.spec.containers[0]?.name ?? '', args);
  const image = (
    pod.spec.containers.find((candidate) => candidate.name === container) ?? pod.spec.containers[0]
  )?.image;
  const tool = (program ?? '').split('/').pop() ?? '';
  // netshoot ships grpcurl; Kafka's images (brokers and the docs' kafkaclient) ship its console tools.
  if (tool === 'grpcurl' && /netshoot/.test(image ?? '')) return grpcurl(context, pod, args);
  if (/kafka/.test(image ?? '')) {
    if (tool === 'kafka-console-producer.sh') return kafkaProducer(context, pod, args, stdin);
    if (tool === 'kafka-console-consumer.sh') return kafkaConsumer(context, pod, args);
    // The docs' kafkaclient image wraps them with the broker preset to kafka-service:9092.
    if (tool === 'kafka-produce.sh') return kafkaProducer(context, pod, args, stdin, 'kafka-service:9092');
    if (tool === 'kafka-consume.sh') return kafkaConsumer(context, pod, args, 'kafka-service:9092');
  }
  return notInContainer(program);
}
