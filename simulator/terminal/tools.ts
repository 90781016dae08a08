/**
 * The tools a reader runs on their own machine besides kubectl: kind, helm, docker (pull and exec
 * into a kind node container), and, inside a node, iptables, crictl and curl. Output follows the real
 * tools' wording so the article's transcripts look familiar.
 */
import { helmInstallOutput } from '../mesh/install';
import type { IstioHelmChart } from '../mesh/events';
import { kindConfigFromDocument, kindNodeNames, type KindClusterConfig } from '../k8s/kind-config';
import { kindKubernetesVersion } from '../k8s/cluster-create';
import { hashString64 } from '../engine/state-hash';
import { toAnsiC } from '../engine/virtual-time';
import { parse as parseYaml } from 'yaml';
import type { FirewallRule } from '../world';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { curlOnNode, runInAgent } from './pod-commands';
import { agentImageHas } from '../cilium/agent-image';

const digest = (text: string): string =>
  `sha256:${hashString64(text)}${hashString64(`${text}#2`)}${hashString64(`${text}#3`)}${hashString64(`${text}#4`)}`;

/** `kind create cluster [--config FILE|-] [--name NAME]`, `kind load docker-image IMAGE`. */
export function kind(context: TerminalContext, args: string[], stdin: string): CommandResult {
  const [verb, noun, ...rest] = args;
  if (verb === 'create' && noun === 'cluster') {
    let configText: string | undefined;
    let name = 'kind';
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i] ?? '';
      if (arg === '--config') configText = rest[++i];
      else if (arg.startsWith('--config=')) configText = arg.slice('--config='.length);
      else if (arg === '--name') name = rest[++i] ?? name;
      else if (arg.startsWith('--name=')) name = arg.slice(7);
      else if (arg.startsWith('--')) return fail(`ERROR: unknown flag: ${arg}`);
    }
    let yamlDocument: unknown = null;
    if (configText !== undefined) {
      const text = configText === '-' ? stdin : context.files[configText.replace(/^\.\//, '')];
      if (text === undefined)
        return fail(
          `ERROR: failed to create cluster: failed to read config file: open ${configText}: no such file or directory`,
        );
      try {
        yamlDocument = parseYaml(text, { maxAliasCount: 10 });
      } catch (error) {
        return fail(
          `ERROR: failed to create cluster: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid YAML'}`,
        );
      }
    }
    const { config, errors } = kindConfigFromDocument(yamlDocument, name);
    if (config === undefined)
      return fail(
        `ERROR: failed to create cluster: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`,
      );
    const result = context.input({ type: 'kind.cluster.create', config });
    if (!result.ok) return fail(`ERROR: failed to create cluster: ${result.error}`);
    context.spend(45_000);
    return { stdout: '', stderr: kindCreateLog(config), exitCode: 0 };
  }
  if (verb === 'load' && noun === 'docker-image') {
    const image = rest.find((arg) => !arg.startsWith('-'));
    const cluster = context.simulation.state.cluster;
    if (image === undefined) return fail('ERROR: a list of image names is required');
    if (cluster === undefined) return fail('ERROR: no nodes found for cluster "kind"');
    context.spend(8_000);
    const id = digest(image);
    return {
      stdout: '',
      stderr: Object.keys(cluster.nodes)
        .sort()
        .map((node) => `Image: "${image}" with ID "${id}" not yet present on node "${node}", loading...\n`)
        .join(''),
      exitCode: 0,
    };
  }
  if (verb === 'get' && noun === 'nodes') {
    return ok(
      Object.keys(context.simulation.state.cluster?.nodes ?? {})
        .sort()
        .map((node) => `${node}\n`)
        .join(''),
    );
  }
  return fail(
    `ERROR: unknown command "${[verb, noun].filter(Boolean).join(' ')}" for "kind"\nSupported in this simulator: kind create cluster, kind load docker-image, kind get nodes`,
  );
}

function kindCreateLog(config: KindClusterConfig): string {
  const nodes = kindNodeNames(config);
  const lines = [
    `Creating cluster "${config.name}" ...`,
    ` ✓ Ensuring node image (kindest/node:${kindKubernetesVersion}) 🖼`,
    ` ✓ Preparing nodes ${nodes.map(() => '📦').join(' ')}`,
    ' ✓ Writing configuration 📜',
    ' ✓ Starting control-plane 🕹️',
    ...(config.disableDefaultCNI ? [] : [' ✓ Installing CNI 🔌']),
    ' ✓ Installing StorageClass 💾',
    ...(nodes.length > 1 ? [' ✓ Joining worker nodes 🚜'] : []),
    `Set kubectl context to "kind-${config.name}"`,
    'You can now use your cluster with:',
    '',
    `kubectl cluster-info --context kind-${config.name}`,
    '',
    'Have a nice day! 👋',
  ];
  return `${lines.join('\n')}\n`;
}

/** `helm repo add`, `helm install cilium cilium/cilium …`. */
export function helm(context: TerminalContext, args: string[]): CommandResult {
  const [verb, ...rest] = args;
  if (verb === 'repo' && rest[0] === 'add')
    return ok(`"${rest[1] ?? ''}" has been added to your repositories\n`);
  if (verb === 'repo' && rest[0] === 'update')
    return ok(
      'Hang tight while we grab the latest from your chart repositories...\nUpdate Complete. ⎈Happy Helming!⎈\n',
    );
  if (verb !== 'install')
    return fail(
      `Error: unknown command "${verb ?? ''}" for "helm"\nSupported in this simulator: helm repo add, helm repo update, helm install`,
    );
  const positionals: string[] = [];
  const values: Record<string, string> = {};
  let version: string | undefined;
  let namespace = 'default';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const value = (): string => rest[++i] ?? '';
    if (arg === '--version') version = value();
    else if (arg.startsWith('--version=')) version = arg.slice(10);
    else if (arg === '--namespace' || arg === '-n') namespace = value();
    else if (arg.startsWith('--namespace=')) namespace = arg.slice(12);
    else if (arg === '--create-namespace' || arg === '--wait') continue;
    else if (arg === '--set') {
      for (const pair of value().split(',')) {
        const equals = pair.indexOf('=');
        if (equals <= 0) return fail(`Error: failed parsing --set data: key "${pair}" has no value`);
        values[pair.slice(0, equals)] = pair.slice(equals + 1);
      }
    } else if (arg.startsWith('-')) return fail(`Error: unknown flag: ${arg}`);
    else positionals.push(arg);
  }
  const [release, chart] = positionals;
  if (release === undefined || chart === undefined)
    return fail('Error: INSTALLATION FAILED: must either provide a name or specify --generate-name');
  const istioChart = /^istio\/(base|istiod|cni|ztunnel)$/.exec(chart)?.[1] as IstioHelmChart | undefined;
  if (istioChart !== undefined) {
    // Istio's charts go into istio-system (created with --create-namespace, as the Istio docs do).
    if (namespace !== 'istio-system')
      return fail(
        'Error: INSTALLATION FAILED: the simulator installs Istio into istio-system; add -n istio-system --create-namespace',
      );
    const installed = context.input({
      type: 'istio.install',
      request: { tool: 'helm', chart: istioChart, values },
    });
    if (!installed.ok) return fail(`Error: INSTALLATION FAILED: ${installed.error}`);
    if (installed.istio === undefined || !installed.istio.ok)
      return fail(
        `Error: INSTALLATION FAILED: ${installed.istio?.ok === false ? installed.istio.error : 'unknown error'}`,
      );
    context.spend(3_000);
    // helm prints when the release was deployed right after its name.
    return ok(
      helmInstallOutput(istioChart, release, installed.istio).replace(
        /^NAME: .*\n/,
        (line) => `${line}LAST DEPLOYED: ${toAnsiC(context.simulation.nowMs)}\n`,
      ),
    );
  }
  if (chart !== 'cilium/cilium')
    return fail(
      `Error: INSTALLATION FAILED: repo ${chart.split('/')[0] ?? chart} not found (the simulator installs cilium/cilium and istio/base, istio/istiod, istio/cni, istio/ztunnel)`,
    );
  if (namespace !== 'kube-system')
    return fail(
      'Error: INSTALLATION FAILED: the simulator installs Cilium into kube-system; add --namespace kube-system',
    );
  const result = context.input({ type: 'cilium.install', request: { version: version ?? '1.18.5', values } });
  if (!result.ok) return fail(`Error: ${result.error}`);
  context.spend(3_000);
  const config = context.simulation.state.cluster?.cilium?.config;
  const warnings = (result.warnings ?? []).map((warning) => `WARNING: ${warning}\n`).join('');
  const minor = config?.versionMinor ?? 18;
  return {
    stdout: `NAME: ${release}\nLAST DEPLOYED: ${toAnsiC(context.simulation.nowMs)}\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: 1\nTEST SUITE: None\nNOTES:\nYou have successfully installed Cilium${values['hubble.relay.enabled'] === 'true' ? ' with Hubble Relay' : ''}.\n\nYour release version is ${config?.version ?? version ?? ''}.\n\nFor any further help, visit https://docs.cilium.io/en/v1.${minor}/gettinghelp\n`,
    stderr: warnings,
    exitCode: 0,
  };
}

/** Parses `iptables -t TABLE -I|-A|-D CHAIN -p PROTO -s SOURCE -j TARGET` and `-L`. */
function iptables(context: TerminalContext, node: string, args: string[]): CommandResult {
  let table: FirewallRule['table'] = 'filter';
  let operation: 'insert' | 'delete' | 'list' | undefined;
  let chain = '';
  let protocol: FirewallRule['protocol'] = 'all';
  let source = '';
  let target: FirewallRule['target'] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const value = (): string => args[++i] ?? '';
    if (arg === '-t' || arg === '--table') {
      const name = value();
      if (name !== 'mangle' && name !== 'filter' && name !== 'raw')
        return fail(`iptables v1.8.7 (nf_tables): table '${name}' does not exist`, 3);
      table = name;
    } else if (arg === '-I' || arg === '--insert' || arg === '-A' || arg === '--append') {
      operation = 'insert';
      chain = value();
    } else if (arg === '-D' || arg === '--delete') {
      operation = 'delete';
      chain = value();
    } else if (arg === '-L' || arg === '--list') {
      operation = 'list';
      chain = args[i + 1]?.startsWith('-') === false ? value() : '';
    } else if (arg === '-p' || arg === '--protocol') {
      const name = value();
      if (name !== 'tcp' && name !== 'udp' && name !== 'all')
        return fail(`iptables v1.8.7 (nf_tables): unknown protocol "${name}" specified`, 2);
      protocol = name;
    } else if (arg === '-s' || arg === '--source') source = value();
    else if (arg === '-j' || arg === '--jump') {
      const name = value();
      if (name !== 'DROP' && name !== 'REJECT' && name !== 'ACCEPT')
        return fail(`iptables v1.8.7 (nf_tables): Couldn't load target \`${name}'`, 2);
      target = name;
    } else if (arg === '-n' || arg === '-v') continue;
    else
      return fail(
        `iptables v1.8.7 (nf_tables): unknown option "${arg}"\nTry \`iptables -h' or 'iptables --help' for more information.`,
        2,
      );
  }
  const runtime = context.simulation.state.cluster?.nodes[node];
  if (runtime === undefined) return fail(`Error response from daemon: No such container: ${node}`);
  if (operation === 'list') {
    const rules = runtime.firewall.filter(
      (rule) => rule.table === table && (chain === '' || rule.chain === chain),
    );
    const lines = [
      `Chain ${chain || 'INPUT'} (policy ACCEPT)`,
      'target     prot opt source               destination',
      ...rules.map(
        (rule) =>
          `${rule.target.padEnd(10)} ${rule.protocol.padEnd(4)} --  ${rule.source.padEnd(20)} anywhere`,
      ),
    ];
    return ok(`${lines.join('\n')}\n`);
  }
  if (operation === undefined || chain === '' || target === undefined)
    return fail(
      "iptables v1.8.7 (nf_tables): no command specified\nTry `iptables -h' or 'iptables --help' for more information.",
      2,
    );
  const rule: FirewallRule = { table, chain, protocol, source: source.replace(/\/32$/, ''), target };
  const result = context.input({
    type: operation === 'insert' ? 'node.firewall.insert' : 'node.firewall.delete',
    node,
    rule,
  });
  if (!result.ok) return fail(result.error, 1);
  return ok();
}

/** `crictl ps --name NAME -q` and `crictl exec ID CMD…` inside a node. */
export function crictl(
  context: TerminalContext,
  node: string,
  args: string[],
): CommandResult | Promise<CommandResult> {
  const cluster = context.simulation.state.cluster;
  const agent = cluster?.cilium?.agents[node];
  const agentContainerId = digest(`${node}/cilium-agent`).slice(7, 20);
  const [verb, ...rest] = args;
  if (verb === 'ps') {
    const nameIndex = rest.indexOf('--name');
    const name = nameIndex >= 0 ? rest[nameIndex + 1] : undefined;
    const quiet = rest.includes('-q') || rest.includes('--quiet');
    const rows =
      agent !== undefined && (name === undefined || 'cilium-agent'.includes(name))
        ? [{ id: agentContainerId, name: 'cilium-agent', pod: agent.podName }]
        : [];
    if (quiet) return ok(rows.map((row) => `${row.id}\n`).join(''));
    return ok(
      `CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID\n${rows.map((row) => `${row.id}       ${'quay.io/cilium/cilium'.padEnd(19)} ${'5 minutes ago'.padEnd(19)} Running             ${row.name.padEnd(19)} 0                   ${row.id.slice(0, 13)}`).join('\n')}\n`,
    );
  }
  if (verb === 'exec') {
    const [id, ...command] = rest.filter((arg) => arg !== '-it' && arg !== '-i' && arg !== '-t');
    if (agent === undefined || id !== agentContainerId)
      return fail(
        `FATA[0000] execing command in container: rpc error: code = NotFound desc = could not find container "${id ?? ''}"`,
      );
    const [program] = command;
    const minor = context.simulation.state.cluster?.cilium?.config.versionMinor ?? 12;
    if (agentImageHas(minor, program)) return runInAgent(context, agent, command);
    return fail(
      `FATA[0000] execing command in container: exec: "${program ?? ''}": executable file not found in $PATH`,
    );
  }
  return fail(`FATA[0000] unknown command "${verb ?? ''}" for "crictl"`);
}

/** `docker pull IMAGE`, `docker exec NODE CMD…` (iptables, crictl and curl directly; bash -c scripts by the session). */
export function docker(
  context: TerminalContext,
  args: string[],
): CommandResult | Promise<CommandResult> | { nodeScript: { node: string; script: string } } {
  const [verb, ...rest] = args;
  if (verb === 'pull') {
    const image = rest.find((arg) => !arg.startsWith('-'));
    if (image === undefined) return fail('"docker pull" requires exactly 1 argument.');
    context.spend(20_000);
    const [repository, tag = 'latest'] = image.split(/:(?=[^/]+$)/);
    return ok(
      `${tag}: Pulling from ${(repository ?? image).split('/').slice(1).join('/')}\nDigest: ${digest(image)}\nStatus: Downloaded newer image for ${image}\n${image}\n`,
    );
  }
  if (verb !== 'exec')
    return fail(`docker: '${verb ?? ''}' is not a docker command in this simulator (supported: pull, exec).`);
  const positionals = rest.filter(
    (arg, index) =>
      !(arg.startsWith('-') && index < rest.findIndex((candidate) => !candidate.startsWith('-'))),
  );
  const [node, program, ...programArgs] = positionals;
  if (node === undefined || program === undefined)
    return fail('"docker exec" requires at least 2 arguments.');
  if (context.simulation.state.cluster?.nodes[node] === undefined)
    return fail(`Error response from daemon: No such container: ${node}`);
  if (program === 'iptables') return iptables(context, node, programArgs);
  if (program === 'crictl') return crictl(context, node, programArgs);
  // kind's node image ships curl; it runs in the node's own network namespace.
  if (program === 'curl') return curlOnNode(context, node, programArgs);
  if (
    (program === '/bin/bash' || program === 'bash' || program === 'sh' || program === '/bin/sh') &&
    programArgs[0] === '-c'
  ) {
    return { nodeScript: { node, script: programArgs[1] ?? '' } };
  }
  return fail(
    `OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`,
    126,
  );
}
