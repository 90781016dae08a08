/**
 * `nslookup` inside a pod, as busybox prints it (the curl and sleep images are busybox-based). With
 * cluster DNS, it sends its queries through the datapath (`pod.traffic` dns: policy, Cilium's DNS
 * proxy, CoreDNS), walking the pod's search list; without it, it answers from the cluster's Services
 * as CoreDNS would (NAME.NAMESPACE.svc.cluster.local). `ping` is in ping.ts.
 */
import { getObject } from '../k8s/api-store';
import type { Pod } from '../k8s/objects';
import type { Cluster } from '../world';
import { hasClusterDns } from '../k8s/dns-world';
import { fail, type CommandResult, type TerminalContext } from './context';

const clusterDomain = 'cluster.local';

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
function resolveInCluster(
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
