/**
 * The tools a reader runs on their own machine besides kubectl, kind and helm: docker (pull and exec
 * into a kind node container), and, inside a node, iptables, crictl and curl. Output follows the real
 * tools' wording so the article's transcripts look familiar.
 */
import { hashString64 } from '../engine/state-hash';
import type { FirewallRule } from '../world';
import { fail, ok, type CommandResult, type TerminalContext } from './context';
import { curlOnNode, runInAgent, runInPod } from './pod-commands';
import { getObject } from '../k8s/api-store';
import { objectKey } from '../k8s/objects';
import { agentImageHas } from '../cilium/agent-image';
import { contextInNode } from './cluster-context';
import { dockerPs } from './docker-ps';
import { crictlImages } from './crictl-images';

const digest = (text: string): string =>
  `sha256:${hashString64(text)}${hashString64(`${text}#2`)}${hashString64(`${text}#3`)}${hashString64(`${text}#4`)}`;

/**
 * Parses `iptables -t TABLE -I|-A|-D CHAIN -p PROTO -s SOURCE -d DESTINATION --dport PORT -j TARGET`,
 * `-L` and `-F [CHAIN]`
 * (flush: delete every rule of the table, or of one chain; iptables(8), "-F, --flush [chain]").
 */
function iptables(context: TerminalContext, node: string, args: string[]): CommandResult {
  let table: FirewallRule['table'] = 'filter';
  let operation: 'insert' | 'delete' | 'list' | 'flush' | undefined;
  let chain = '';
  let protocol: FirewallRule['protocol'] = 'all';
  let source = '';
  let destination = '';
  let destinationPort: number | undefined;
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
    } else if (arg === '-L' || arg === '--list' || arg === '-F' || arg === '--flush') {
      operation = arg === '-L' || arg === '--list' ? 'list' : 'flush';
      chain = args[i + 1]?.startsWith('-') === false ? value() : '';
    } else if (arg === '-p' || arg === '--protocol') {
      const name = value();
      if (name !== 'tcp' && name !== 'udp' && name !== 'all')
        return fail(`iptables v1.8.7 (nf_tables): unknown protocol "${name}" specified`, 2);
      protocol = name;
    } else if (arg === '-s' || arg === '--source') source = value();
    else if (arg === '-d' || arg === '--destination') destination = value();
    else if ((arg === '--dport' || arg === '--destination-port') && protocol !== 'all') {
      // iptables knows --dport only from the protocol's match extension, loaded by `-p tcp|udp`.
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        return fail(`iptables v1.8.7 (nf_tables): invalid port/service \`${args[i] ?? ''}' specified`, 2);
      destinationPort = port;
    } else if (arg === '-j' || arg === '--jump') {
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
          `${rule.target.padEnd(10)} ${rule.protocol.padEnd(4)} --  ${(rule.source || 'anywhere').padEnd(20)} ${rule.destination ?? 'anywhere'}${rule.destinationPort === undefined ? '' : `${' '.repeat(Math.max(1, 21 - (rule.destination ?? 'anywhere').length))}${rule.protocol} dpt:${rule.destinationPort}`}`,
      ),
    ];
    return ok(`${lines.join('\n')}\n`);
  }
  if (operation === 'flush') {
    const rules = runtime.firewall.filter(
      (rule) => rule.table === table && (chain === '' || rule.chain === chain),
    );
    for (const rule of rules) context.input({ type: 'node.firewall.delete', node, rule: { ...rule } });
    return ok();
  }
  if (operation === undefined || chain === '' || target === undefined)
    return fail(
      "iptables v1.8.7 (nf_tables): no command specified\nTry `iptables -h' or 'iptables --help' for more information.",
      2,
    );
  const rule: FirewallRule = {
    table,
    chain,
    protocol,
    source: source.replace(/\/32$/, ''),
    // Optional fields only when given, so the rules of earlier scenarios keep their shape.
    ...(destination === '' ? {} : { destination: destination.replace(/\/32$/, '') }),
    ...(destinationPort === undefined ? {} : { destinationPort }),
    target,
  };
  const result = context.input({
    type: operation === 'insert' ? 'node.firewall.insert' : 'node.firewall.delete',
    node,
    rule,
  });
  if (!result.ok) return fail(result.error, 1);
  return ok();
}

/** crictl's flags that take no value: `-q`, and exec's `-i`/`-t` in any spelling (`-ti`, `--tty`). */
const crictlTtyFlag = /^-(?:[it]{1,2})$|^--(?:tty|interactive)$/;

/** The `--label KEY=VALUE` filters of `crictl ps`, against the agent container's CRI labels. */
function matchesLabels(args: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--label') continue;
    const [key = '', value] = (args[i + 1] ?? '').split('=');
    if (labels[key] !== value) return false;
  }
  return true;
}

/**
 * `crictl ps [--name NAME] [--label K=V]… [-q]` and `crictl exec [-it] ID CMD…` inside a node: the
 * node's cilium-agent container, with the labels the kubelet gives every container
 * (io.kubernetes.container.name, io.kubernetes.pod.name, io.kubernetes.pod.namespace). A shell on a
 * terminal (`crictl exec -ti ID bash`) opens in the container as `kubectl exec -ti` opens one.
 */
export function crictl(
  context: TerminalContext,
  node: string,
  args: string[],
): CommandResult | Promise<CommandResult> {
  const cluster = context.simulation.state.cluster;
  const agent = cluster?.cilium?.agents[node];
  const agentContainerId = digest(`${node}/cilium-agent`).slice(7, 20);
  const [verb, ...rest] = args;
  if (verb === 'images' && cluster !== undefined) return ok(crictlImages(cluster, node));
  if (verb === 'ps') {
    const nameIndex = rest.indexOf('--name');
    const name = nameIndex >= 0 ? rest[nameIndex + 1] : undefined;
    const quiet = rest.includes('-q') || rest.includes('--quiet');
    const labels = {
      'io.kubernetes.container.name': 'cilium-agent',
      'io.kubernetes.pod.name': agent?.podName ?? '',
      'io.kubernetes.pod.namespace': 'kube-system',
    };
    const rows =
      agent !== undefined &&
      (name === undefined || 'cilium-agent'.includes(name)) &&
      matchesLabels(rest, labels)
        ? [{ id: agentContainerId, name: 'cilium-agent', pod: agent.podName }]
        : [];
    if (quiet) return ok(rows.map((row) => `${row.id}\n`).join(''));
    return ok(
      `CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID\n${rows.map((row) => `${row.id}       ${'quay.io/cilium/cilium'.padEnd(19)} ${'5 minutes ago'.padEnd(19)} Running             ${row.name.padEnd(19)} 0                   ${row.id.slice(0, 13)}`).join('\n')}\n`,
    );
  }
  if (verb === 'exec') {
    const flags = rest.filter((arg) => crictlTtyFlag.test(arg));
    const [id, ...command] = rest.filter((arg) => !crictlTtyFlag.test(arg));
    if (agent === undefined || id !== agentContainerId)
      return fail(
        `FATA[0000] execing command in container: rpc error: code = NotFound desc = could not find container "${id ?? ''}"`,
      );
    const [program] = command;
    const minor = context.simulation.state.cluster?.cilium?.config.versionMinor ?? 12;
    if (agentImageHas(minor, program)) return runInAgent(context, agent, command);
    const pod =
      cluster === undefined
        ? undefined
        : getObject(cluster.api, 'Pod', objectKey('Pod', agent.podName, 'kube-system'));
    const shell = (program ?? '').split('/').pop();
    if (pod !== undefined && (shell === 'sh' || shell === 'bash')) {
      const tty = flags.some((flag) => flag.includes('t'));
      return runInPod(context, pod, command, 'cilium-agent', '', { tty });
    }
    return fail(
      `FATA[0000] execing command in container: exec: "${program ?? ''}": executable file not found in $PATH`,
    );
  }
  return fail(`FATA[0000] unknown command "${verb ?? ''}" for "crictl"`);
}

/** `docker pull IMAGE`, `docker ps`, `docker exec NODE CMD…` (iptables, crictl and curl directly; bash -c scripts by the session). */
export function docker(
  context: TerminalContext,
  args: string[],
):
  | CommandResult
  | Promise<CommandResult>
  | { nodeScript: { node: string; script: string } }
  | { nodeShell: string } {
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
  if (verb === 'ps') return dockerPs(context, rest);
  if (verb !== 'exec')
    return fail(
      `docker: '${verb ?? ''}' is not a docker command in this simulator (supported: pull, ps, exec).`,
    );
  const positionals = rest.filter(
    (arg, index) =>
      !(arg.startsWith('-') && index < rest.findIndex((candidate) => !candidate.startsWith('-'))),
  );
  const [node, program, ...programArgs] = positionals;
  if (node === undefined || program === undefined)
    return fail('"docker exec" requires at least 2 arguments.');
  // Node containers of every kind cluster share the reader's Docker daemon.
  const inNode = contextInNode(context, node);
  if (inNode.simulation.state.cluster?.nodes[node] === undefined)
    return fail(`Error response from daemon: No such container: ${node}`);
  if (program === 'iptables') return iptables(inNode, node, programArgs);
  if (program === 'crictl') return crictl(inNode, node, programArgs);
  // kind's node image ships curl; it runs in the node's own network namespace.
  if (program === 'curl') return curlOnNode(inNode, node, programArgs);
  const shell = program === '/bin/bash' || program === 'bash' || program === 'sh' || program === '/bin/sh';
  if (shell && programArgs[0] === '-c') return { nodeScript: { node, script: programArgs[1] ?? '' } };
  // `docker exec -it NODE bash`: a shell on the node, the kind equivalent of the docs' "SSH or a
  // console on the node"; the session sends it the reader's next lines until `exit`.
  if (shell && programArgs.length === 0 && rest.some((arg) => /^-[a-z]*t/.test(arg)))
    return { nodeShell: node };
  return fail(
    `OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`,
    126,
  );
}
