/**
 * Name resolution around the cluster: kind's CoreDNS (Deployment `coredns`, Service `kube-dns` at
 * the tenth address of the service subnet) answering cluster names from the API, and a small fixed
 * table standing in for the internet's DNS and servers: the names the Cilium docs use in their DNS,
 * TLS and policy-language pages, and a few public resolvers. Every record here is illustrative, not
 * live: plausible addresses fixed once so a seed always gives the same answers (the docs' made-up
 * names get addresses from TEST-NET-3, 203.0.113.0/24, RFC 5737). Any other name is NXDOMAIN. Pods
 * resolve through the search list of their resolv.conf (`<ns>.svc.cluster.local svc.cluster.local
 * cluster.local`, ndots:5). What the web servers answer is in cilium/internet-sites.ts.
 */
import { coreDnsImage, coreDnsMasterToleration } from './kubernetes-versions';
import { getObject, listObjects } from './api-store';
import { formatIPv4, parsePrefix } from '../net/ipv4';
import type { Cluster } from '../world';
import type { ExternalHost } from '../net/external-host';
export type { ExternalHost } from '../net/external-host';

/** Lower-case with a trailing dot: a fully qualified name, as resolvers and Cilium's agent store it. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function pool(base: string, count: number): string[] {
  const prefix = parsePrefix(`${base}/32`, true);
  const start = prefix?.network ?? 0;
  return Array.from({ length: count }, (_, index) => formatIPv4(start + index));
}

/** The modelled internet: names, their fixed addresses and TTLs. */
const externalHosts: readonly ExternalHost[] = [
  {
    name: 'api.github.com',
    addresses: ['140.82.121.6'],
    ttlSeconds: 60,
    httpPorts: [80, 443],
    certificateRoot: 'USERTrust ECC Certification Authority',
  },
  {
    name: 'github.com',
    addresses: ['140.82.121.3'],
    ttlSeconds: 60,
    httpPorts: [80, 443],
    certificateRoot: 'USERTrust ECC Certification Authority',
  },
  // The docs' DNS guide shows these two answering HTTP/1.1 (`HTTP/1.1 200 OK`, `HTTP/1.1 302 Found`).
  {
    name: 'support.github.com',
    addresses: ['140.82.113.21'],
    ttlSeconds: 60,
    httpPorts: [80, 443],
    http2: false,
    certificateRoot: 'USERTrust ECC Certification Authority',
  },
  {
    name: 'gist.github.com',
    addresses: ['140.82.121.4'],
    ttlSeconds: 60,
    httpPorts: [80, 443],
    http2: false,
    certificateRoot: 'USERTrust ECC Certification Authority',
  },
  {
    name: 'cilium.io',
    addresses: ['104.198.14.52'],
    ttlSeconds: 300,
    httpPorts: [80, 443],
    certificateRoot: 'ISRG Root X1',
  },
  {
    name: 'www.cilium.io',
    addresses: ['104.198.14.52'],
    ttlSeconds: 300,
    httpPorts: [80, 443],
    certificateRoot: 'ISRG Root X1',
  },
  // Names the policy-language page makes up for its DNS examples (matchName, matchPattern).
  ...[
    'sub.cilium.io',
    'anothersub.cilium.io',
    'service1.api.cilium.io',
    'special-region1-service.api.cilium.io',
    'region1-service.api.cilium.io',
    'my-remote-service.com',
  ].map((name, index): ExternalHost => ({
    name,
    addresses: [`203.0.113.${11 + index}`],
    ttlSeconds: 300,
    httpPorts: [80, 443],
    certificateRoot: 'ISRG Root X1',
  })),
  {
    name: 'docs.cilium.io',
    addresses: ['104.17.32.82'],
    ttlSeconds: 300,
    httpPorts: [80, 443],
    certificateRoot: 'ISRG Root X1',
  },
  {
    name: 'httpbin.org',
    addresses: ['3.223.125.42', '44.207.188.95'],
    ttlSeconds: 60,
    httpPorts: [80, 443],
    certificateRoot: 'Amazon Root CA 1',
  },
  {
    name: 'example.com',
    addresses: ['93.184.215.14'],
    ttlSeconds: 300,
    httpPorts: [80, 443],
    certificateRoot: 'DigiCert Global Root G2',
  },
  {
    name: 'one.one.one.one',
    addresses: ['1.1.1.1', '1.0.0.1'],
    ttlSeconds: 300,
    httpPorts: [80, 443],
    resolver: true,
    certificateRoot: 'DigiCert Global Root G2',
  },
  {
    name: 'dns.google',
    addresses: ['8.8.8.8', '8.8.4.4'],
    ttlSeconds: 900,
    httpPorts: [443],
    resolver: true,
    certificateRoot: 'GTS Root R1',
  },
  // A name behind many short-lived addresses, one per answer (like an object store's endpoint).
  {
    name: 's3.amazonaws.com',
    addresses: pool('52.216.8.1', 64),
    ttlSeconds: 5,
    rotate: true,
    httpPorts: [80, 443],
    certificateRoot: 'Amazon Root CA 1',
  },
];

/** The external host a name belongs to. */
function externalHostNamed(name: string): ExternalHost | undefined {
  const wanted = canonicalName(name);
  return externalHosts.find((host) => canonicalName(host.name) === wanted);
}

/** The external host that owns an address. */
export function externalHostAt(ip: string): ExternalHost | undefined {
  return externalHosts.find((host) => host.addresses.includes(ip));
}

/** The kube-dns ClusterIP kind configures kubelets with: the tenth address of the service subnet. */
export function clusterDnsIP(cluster: Cluster): string {
  const prefix = parsePrefix(cluster.serviceCIDR, true);
  return formatIPv4((prefix?.network ?? 0) + 10);
}

/** Whether the cluster runs cluster DNS (the kube-dns Service exists in kube-system). */
export function hasClusterDns(cluster: Cluster): boolean {
  return getObject(cluster.api, 'Service', 'kube-system/kube-dns') !== undefined;
}

/** kind's Corefile for CoreDNS, the same in every release the site uses. */
const coreDnsConfigMap = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
    .:53 {
        errors
        health {
           lameduck 5s
        }
        ready
        kubernetes cluster.local in-addr.arpa ip6.arpa {
           pods insecure
           fallthrough in-addr.arpa ip6.arpa
           ttl 30
        }
        prometheus :9153
        forward . /etc/resolv.conf {
           max_concurrent 1000
        }
        cache 30
        loop
        reload
        loadbalance
    }
`;

/**
 * kind's CoreDNS as manifests (ServiceAccount, Deployment and the kube-dns Service), for clusters
 * and tests that need DNS as packets: `kubectl apply` them, or have cluster creation add them.
 */
export function clusterDnsManifest(cluster: Cluster): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: coredns
  namespace: kube-system
${coreDnsConfigMap}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  replicas: 2
  selector:
    matchLabels:
      k8s-app: kube-dns
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        k8s-app: kube-dns
    spec:
      priorityClassName: system-cluster-critical
      serviceAccountName: coredns
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector:
                matchExpressions:
                - key: k8s-app
                  operator: In
                  values: ["kube-dns"]
              topologyKey: kubernetes.io/hostname
      tolerations:
      - key: CriticalAddonsOnly
        operator: Exists${
          coreDnsMasterToleration(cluster.kubernetesVersion)
            ? '\n      - key: node-role.kubernetes.io/master\n        effect: NoSchedule'
            : ''
        }
      - key: node-role.kubernetes.io/control-plane
        effect: NoSchedule
      nodeSelector:
        kubernetes.io/os: linux
      dnsPolicy: Default
      containers:
      - name: coredns
        image: ${coreDnsImage(cluster.kubernetesVersion)}
        imagePullPolicy: IfNotPresent
        resources:
          limits:
            memory: 170Mi
          requests:
            cpu: 100m
            memory: 70Mi
        args: ["-conf", "/etc/coredns/Corefile"]
        ports:
        - name: dns
          containerPort: 53
          protocol: UDP
        - name: dns-tcp
          containerPort: 53
          protocol: TCP
        - name: metrics
          containerPort: 9153
          protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
    kubernetes.io/name: CoreDNS
spec:
  clusterIP: ${clusterDnsIP(cluster)}
  selector:
    k8s-app: kube-dns
  ports:
  - name: dns
    port: 53
    protocol: UDP
  - name: dns-tcp
    port: 53
    protocol: TCP
  - name: metrics
    port: 9153
    protocol: TCP
`;
}

/** The names a stub resolver tries for a query, in order (resolv.conf search list with ndots:5). */
export function searchCandidates(name: string, namespace: string): string[] {
  if (name.endsWith('.')) return [name];
  const dots = name.split('.').length - 1;
  const search = [`${namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
  const expanded = search.map((domain) => `${name}.${domain}.`);
  return dots >= 5 ? [`${name}.`, ...expanded] : [...expanded, `${name}.`];
}

/** One DNS answer record. */
export interface DnsRecord {
  name: string;
  ip: string;
  ttlSeconds: number;
}

/** What a DNS server answers. */
export interface DnsReply {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  answers: DnsRecord[];
  /** How the server found the answer, for explanations. */
  source: string;
}

/** The internet's answer for a name (what CoreDNS forwards to, or a public resolver answers). */
export function upstreamAnswer(name: string, rotation: number): DnsReply {
  const host = externalHostNamed(name);
  if (host === undefined)
    return { rcode: 'NXDOMAIN', answers: [], source: `no such name on the modelled internet` };
  const addresses =
    host.rotate === true ? [host.addresses[rotation % host.addresses.length] ?? ''] : host.addresses;
  return {
    rcode: 'NOERROR',
    answers: addresses.map((ip) => ({ name: canonicalName(host.name), ip, ttlSeconds: host.ttlSeconds })),
    source: `the upstream resolver answers ${host.name}`,
  };
}

/**
 * A headless Service (`clusterIP: None`): CoreDNS's kubernetes plugin answers its name with the
 * addresses of its ready endpoints, one A record each (the Kafka demo's `kafka-service`).
 */
function headlessAnswer(cluster: Cluster, fqdn: string, key: string): DnsReply | undefined {
  const endpoints = getObject(cluster.api, 'Endpoints', key);
  const addresses = (endpoints?.subsets ?? []).flatMap((subset) => subset.addresses ?? []);
  if (addresses.length === 0) return undefined;
  return {
    rcode: 'NOERROR',
    answers: addresses.map((address) => ({ name: fqdn, ip: address.ip, ttlSeconds: 30 })),
    source: `CoreDNS's kubernetes plugin answers headless Service ${key} with its endpoints`,
  };
}

/**
 * CoreDNS with kind's Corefile: `kubernetes cluster.local … ttl 30` for Services, `forward . /etc/resolv.conf`
 * for everything else, and `cache 30`, which caps the TTL of every answer it gives at 30 s.
 */
export function coreDnsAnswer(cluster: Cluster, name: string, rotation: number): DnsReply {
  const fqdn = canonicalName(name);
  const clusterSuffix = '.svc.cluster.local.';
  if (fqdn.endsWith(clusterSuffix)) {
    const parts = fqdn.slice(0, -clusterSuffix.length).split('.');
    if (parts.length === 2) {
      const service = getObject(cluster.api, 'Service', `${parts[1] ?? ''}/${parts[0] ?? ''}`);
      if (service !== undefined && service.spec.clusterIP !== undefined && service.spec.clusterIP !== 'None')
        return {
          rcode: 'NOERROR',
          answers: [{ name: fqdn, ip: service.spec.clusterIP, ttlSeconds: 30 }],
          source: `CoreDNS's kubernetes plugin answers Service ${parts[1] ?? ''}/${parts[0] ?? ''}`,
        };
      if (service?.spec.clusterIP === 'None') {
        const headless = headlessAnswer(cluster, fqdn, `${parts[1] ?? ''}/${parts[0] ?? ''}`);
        if (headless !== undefined) return headless;
      }
    }
    return { rcode: 'NXDOMAIN', answers: [], source: 'CoreDNS has no Service by that name' };
  }
  if (fqdn.endsWith('.cluster.local.') || fqdn === 'cluster.local.')
    return { rcode: 'NXDOMAIN', answers: [], source: 'CoreDNS is authoritative for cluster.local' };
  const upstream = upstreamAnswer(fqdn, rotation);
  return {
    ...upstream,
    answers: upstream.answers.map((record) => ({ ...record, ttlSeconds: Math.min(record.ttlSeconds, 30) })),
    source: `CoreDNS forwards to the node's resolver; ${upstream.source}${upstream.answers.length > 0 ? ' (TTL capped at 30 s by `cache 30`)' : ''}`,
  };
}

/** Resolves a name without DNS packets, for clusters without CoreDNS (the model's old shortcut). */
export function resolveWithoutDns(cluster: Cluster, host: string, namespace: string): string | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  for (const candidate of searchCandidates(host, namespace)) {
    const reply = coreDnsAnswer(cluster, candidate, 0);
    if (reply.rcode === 'NOERROR' && reply.answers[0] !== undefined) return reply.answers[0].ip;
  }
  // Short names `svc.ns` resolve through the search list too.
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length === 2) {
    const service = listObjects(cluster.api, 'Service').find(
      (candidate) => candidate.metadata.name === parts[0] && candidate.metadata.namespace === parts[1],
    );
    if (service?.spec.clusterIP !== undefined) return service.spec.clusterIP;
  }
  return undefined;
}
