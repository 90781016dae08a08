/**
 * `ping` and `nslookup` inside a pod, as busybox prints them (the curl and sleep images are
 * busybox-based). With cluster DNS, nslookup sends its queries through the datapath (`pod.traffic`
 * dns: policy, Cilium's DNS proxy, CoreDNS), walking the pod's search list; without it, it answers
 * from the cluster's Services as CoreDNS would (NAME.NAMESPACE.svc.cluster.local). ping evaluates each echo
 * request the way Cilium's datapath would on the nodes' real (possibly stale) state: the client's
 * egress policy, where the receiving node learns the source identity (tunnel header or its own
 * ipcache), WireGuard's allowed-IPs check and the server's ingress policy for ICMP type 8; replies
 * ride the connection-tracking entry and skip policy.
 *
 * Limits, stated honestly: the datapath module only follows TCP connections, so this evaluation is
 * read-only. It records no Hubble flows for ICMP, and a ClusterIP never answers ICMP here (neither
 * kube-proxy nor Cilium's load balancer translates echo requests to a backend in these versions).
 */
import { getObject, listObjects } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import { hashString64 } from '../engine/state-hash';
import type { Cluster } from '../world';
import { lookupIdentity, lookupIpcache } from '../cilium/agent-ipcache';
import { sourceIdentityTransport } from '../cilium/config';
import { endpointPolicyFor } from '../cilium/endpoint-policy-cache';
import { sandboxOwningAddress } from '../cilium/datapath';
import { hasClusterDns } from '../cilium/dns-world';
import type { AgentState, LocalEndpoint } from '../cilium/state';
import { lookupPolicy } from '../policy/index';
import { fail, type CommandResult, type TerminalContext } from './context';

const clusterDomain = 'cluster.local';
const echoRequest = 8;

/** The cluster DNS Service's address (kind's kube-dns is 10.96.0.10). */
function dnsServer(cluster: Cluster): string {
  return getObject(cluster.api, 'Service', 'kube-system/kube-dns')?.spec.clusterIP ?? '10.96.0.10';
}

/** A Service's cluster IP for an FQDN `NAME.NAMESPACE.svc.cluster.local`. */
function serviceRecord(cluster: Cluster, fqdn: string): string | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(fqdn.toLowerCase());
  if (match === null) return undefined;
  return getObject(cluster.api, 'Service', `${match[2] ?? ''}/${match[1] ?? ''}`)?.spec.clusterIP;
}

/** The names a pod's resolver tries (search list of NAMESPACE.svc.cluster.local, ndots:5). */
function candidates(name: string, namespace: string): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const search = [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
  const dots = name.split('.').length - 1;
  const searched = search.map((domain) => `${name}.${domain}`);
  return dots >= 5 ? [name, ...searched] : [...searched, name];
}

/** Resolves a name as the pod's resolver would: the FQDN that answered and its address. */
export function resolveInCluster(
  cluster: Cluster,
  name: string,
  namespace: string,
): { fqdn: string; address: string } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return { fqdn: name, address: name };
  for (const fqdn of candidates(name, namespace)) {
    const address = serviceRecord(cluster, fqdn);
    if (address !== undefined) return { fqdn, address };
  }
  return undefined;
}

/** `nslookup NAME [SERVER]` (busybox). */
export function nslookup(context: TerminalContext, pod: Pod, args: string[]): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  const unknown = args.find((arg) => arg.startsWith('-') && !/^-(type|query|timeout|retry)=/.test(arg));
  if (unknown !== undefined)
    return fail(
      `nslookup: unrecognized option '${unknown.replace(/^-+/, '')}'\nBusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]`,
    );
  const [name] = args.filter((arg) => !arg.startsWith('-'));
  if (name === undefined)
    return fail(
      'BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]',
    );
  const serverArg = args.filter((arg) => !arg.startsWith('-'))[1];
  const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  if (hasClusterDns(cluster) || serverArg !== undefined) {
    // The query leaves the pod as a UDP packet: policy, Cilium's DNS proxy and CoreDNS decide the answer.
    const result = context.input({
      type: 'pod.traffic',
      request: {
        kind: 'dns',
        fromPodKey: podKey,
        name,
        ...(serverArg !== undefined ? { server: serverArg } : {}),
      },
    });
    if (!result.ok || result.traffic?.request !== 'dns')
      return fail(result.ok ? 'nslookup: no answer' : result.error);
    const outcome = result.traffic;
    context.spend(outcome.elapsedMs);
    const header = `Server:\t\t${outcome.server}\nAddress:\t${outcome.server}:53\n\n`;
    if (outcome.kind === 'error') return fail(outcome.message ?? 'nslookup: error');
    if (outcome.kind === 'timeout')
      return { stdout: ';; connection timed out; no servers could be reached\n\n', stderr: '', exitCode: 1 };
    if (outcome.rcode !== 'NOERROR' || outcome.answers.length === 0)
      return {
        stdout: `${header}** server can't find ${name}: ${outcome.rcode ?? 'NXDOMAIN'}\n\n`,
        stderr: '',
        exitCode: 1,
      };
    // CoreDNS is authoritative for cluster.local; what it forwards comes back non-authoritative.
    const authoritative = outcome.name.endsWith('.cluster.local.');
    const records = outcome.answers
      .map((record) => `Name:\t${record.name.replace(/\.$/, '')}\nAddress: ${record.ip}\n`)
      .join('');
    return {
      stdout: `${header}${authoritative ? '' : 'Non-authoritative answer:\n'}${records}\n`,
      stderr: '',
      exitCode: 0,
    };
  }
  context.spend(5);
  const server = dnsServer(cluster);
  const header = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  const found = resolveInCluster(cluster, name, pod.metadata.namespace ?? 'default');
  if (found === undefined || found.fqdn === found.address) {
    if (found !== undefined)
      return { stdout: `${header}Name:\t${name}\nAddress: ${name}\n\n`, stderr: '', exitCode: 0 };
    return {
      stdout: `${header}** server can't find ${name}: NXDOMAIN\n\n`,
      stderr: '',
      exitCode: 1,
    };
  }
  return { stdout: `${header}Name:\t${found.fqdn}\nAddress: ${found.address}\n\n`, stderr: '', exitCode: 0 };
}

/** Where the pod's endpoint lives. */
function endpointOfPod(
  cluster: Cluster,
  podKey: string,
): { agent: AgentState; endpoint: LocalEndpoint } | undefined {
  for (const agent of Object.values(cluster.cilium?.agents ?? {})) {
    const endpoint = Object.values(agent.endpoints).find(
      (candidate) =>
        candidate.podKey === podKey &&
        candidate.state !== 'disconnecting' &&
        candidate.state !== 'disconnected',
    );
    if (endpoint !== undefined) return { agent, endpoint };
  }
  return undefined;
}

/** What happens to one echo request: a reply (with its TTL) or silence, and why. */
type EchoOutcome =
  { reply: true; ttl: number; from: string; sameNode: boolean } | { reply: false; reason: string };

function echo(cluster: Cluster, pod: Pod, destination: string): EchoOutcome {
  const podKey = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
  const client = endpointOfPod(cluster, podKey);
  if (client === undefined) return { reply: false, reason: 'the client pod has no endpoint' };
  const node = Object.values(cluster.nodes).find((candidate) => candidate.internalIP === destination);
  const egressTo = (identity: number): boolean => {
    const policy = endpointPolicyFor(cluster, client.agent, client.endpoint);
    if (policy === undefined) return true;
    const verdict = lookupPolicy(policy, {
      direction: 'egress',
      remoteIdentity: identity,
      port: 0,
      protocol: 'ICMP',
      icmpType: echoRequest,
    });
    return verdict.decision !== 'denied';
  };
  if (node !== undefined) {
    const identity = lookupIpcache(cluster, client.agent, destination).identity;
    if (!egressTo(identity)) return { reply: false, reason: 'egress policy drops the echo request' };
    return { reply: true, ttl: 64, from: destination, sameNode: node.name === client.agent.node };
  }
  if (listObjects(cluster.api, 'Service').some((service) => service.spec.clusterIP === destination))
    return { reply: false, reason: 'a ClusterIP does not answer ICMP' };
  const server = sandboxOwningAddress(cluster, destination);
  if (server === undefined) return { reply: false, reason: 'no pod holds the address' };
  const serverAgent = cluster.cilium?.agents[server.node];
  const serverEndpoint =
    serverAgent === undefined || server.sandbox.endpointId === undefined
      ? undefined
      : serverAgent.endpoints[String(server.sandbox.endpointId)];
  const destinationIdentity = lookupIdentity(cluster, client.agent, destination);
  if (!egressTo(destinationIdentity)) return { reply: false, reason: 'egress policy drops the echo request' };
  if (serverAgent === undefined || serverEndpoint === undefined)
    return { reply: true, ttl: 63, from: destination, sameNode: false };
  const sameNode = server.node === client.agent.node;
  let sourceIdentity = client.endpoint.identity;
  if (!sameNode && cluster.cilium !== undefined) {
    const receiverEntry = lookupIpcache(cluster, serverAgent, client.endpoint.ip);
    if (cluster.cilium.config.encryption === 'wireguard') {
      const clientNodeIP = cluster.nodes[client.agent.node]?.internalIP ?? '';
      if (receiverEntry.hostIP !== clientNodeIP)
        return { reply: false, reason: "WireGuard's allowed-IPs check drops the packet" };
    }
    if (sourceIdentityTransport(cluster.cilium.config) === 'ipcache') sourceIdentity = receiverEntry.identity;
  }
  const serverPolicy = endpointPolicyFor(cluster, serverAgent, serverEndpoint);
  if (serverPolicy !== undefined) {
    const verdict = lookupPolicy(serverPolicy, {
      direction: 'ingress',
      remoteIdentity: sourceIdentity,
      port: 0,
      protocol: 'ICMP',
      icmpType: echoRequest,
    });
    if (verdict.decision === 'denied')
      return { reply: false, reason: 'ingress policy drops the echo request' };
  }
  return { reply: true, ttl: sameNode ? 63 : 62, from: destination, sameNode };
}

/** A round-trip time that looks like a real one and never changes between runs. */
function roundTrip(from: string, to: string, sequence: number, sameNode: boolean): number {
  const jitter = parseInt(hashString64(`${from}>${to}#${sequence}`).slice(0, 4), 16) / 65535;
  return sameNode ? 0.05 + jitter * 0.08 : 0.3 + jitter * 0.4;
}

/** `ping [-c COUNT] [-W SEC] [-q] HOST` (busybox). */
export function ping(context: TerminalContext, pod: Pod, args: string[]): CommandResult {
  const cluster = context.simulation.state.cluster;
  if (cluster === undefined) return fail('no cluster');
  let count = Infinity;
  let quiet = false;
  let host: string | undefined;
  const usage = 'BusyBox v1.36.1 multi-call binary.\n\nUsage: ping [OPTIONS] HOST';
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '-c' || arg === '-W' || arg === '-w' || arg === '-i' || arg === '-s') {
      const value = args[++index];
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value))
        return fail(`ping: invalid number '${value ?? ''}'`);
      if (arg === '-c') count = Number(value);
    } else if (/^-c\d+$/.test(arg)) count = Number(arg.slice(2));
    else if (arg === '-q') quiet = true;
    else if (arg.startsWith('-'))
      return fail(`ping: unrecognized option '${arg.replace(/^-+/, '')}'\n${usage}`);
    else host = arg;
  }
  if (host === undefined) return fail(usage);
  // Without -c (or with -c 0) a real ping runs until Ctrl-C; here it stops after four requests.
  const unbounded = !Number.isFinite(count) || count < 1;
  count = unbounded ? 4 : Math.min(Math.floor(count), 1000);
  const resolved = resolveInCluster(cluster, host, pod.metadata.namespace ?? 'default');
  if (resolved === undefined) return fail(`ping: bad address '${host}'`);
  const address = resolved.address;
  const lines = [`PING ${host} (${address}): 56 data bytes`];
  const times: number[] = [];
  for (let sequence = 0; sequence < count; sequence++) {
    const outcome = echo(cluster, pod, address);
    if (outcome.reply) {
      const time = roundTrip(pod.metadata.name, address, sequence, outcome.sameNode);
      times.push(time);
      if (!quiet)
        lines.push(
          `64 bytes from ${outcome.from}: seq=${sequence} ttl=${outcome.ttl} time=${time.toFixed(3)} ms`,
        );
    }
    // One echo request a second; the last one waits for its reply (busybox waits up to 10 s for none).
    context.spend(sequence < count - 1 ? 1000 : outcome.reply ? 1 : 10_000);
  }
  const received = times.length;
  const loss = Math.round(((count - received) / count) * 100);
  lines.push('', `--- ${host} ping statistics ---`);
  lines.push(`${count} packets transmitted, ${received} packets received, ${loss}% packet loss`);
  if (received > 0) {
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = times.reduce((sum, time) => sum + time, 0) / received;
    lines.push(`round-trip min/avg/max = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)} ms`);
  }
  return {
    stdout: `${lines.join('\n')}\n`,
    stderr: unbounded
      ? `(ping stopped after ${count} requests: a real ping runs until Ctrl-C; use -c N)\n`
      : '',
    exitCode: received > 0 ? 0 : 1,
  };
}

/** Why the last echo request of a ping got no reply (for tests and explanations). */
export function explainEcho(cluster: Cluster, pod: Pod, destination: string): string {
  const outcome = echo(cluster, pod, destination);
  return outcome.reply ? `reply from ${outcome.from}` : outcome.reason;
}
