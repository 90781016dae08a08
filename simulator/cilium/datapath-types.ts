/**
 * The datapath's vocabulary, with no behaviour: the requests a client makes (a connection, a DNS
 * lookup, a ping, a datagram, gRPC and Kafka calls), what comes back, the two ends of a packet's
 * trip and what one trip leaves for the next stage. The input events (events.ts) and everything
 * outside cilium/ name these types from here, so they never load the datapath itself; README.md in
 * this folder lists the modules that implement each stage.
 */
import type { HttpRequest, HttpResponse, KafkaCall } from '../k8s/application-types';
import type { Pod } from '../k8s/objects';
import type { PolicyVerdict } from '../policy/index';
import type { Sandbox } from '../k8s/sandbox';
import type { AuthKey } from './auth-map-types';
import type { ExternalHost } from '../net/external-host';
import type { MistakenIdentity } from './flow';

import type { AgentState, LocalEndpoint } from './state';
import type { StubResolver } from './stub-resolver';

// ---------------------------------------------------------------------------------------------
// The reader's machine.

/**
 * The reader's own machine, as a `fromNode` value: it reaches the kind node containers over the
 * Docker network from that network's gateway address, and nothing else of the cluster.
 */
export const readersMachine = 'docker-host';
export const dockerGatewayIP = '172.18.0.1';

// ---------------------------------------------------------------------------------------------
// A connection: the request and its outcome.

/** A connection a client pod (or a node) opens. */
export interface ConnectionRequest {
  fromPodKey: string;
  /** Set to start the connection in a node's own network namespace (`docker exec NODE curl …`); fromPodKey is then ignored. */
  fromNode?: string;
  /** A service name, a cluster DNS name, an external name or an IP address. */
  host: string;
  /** The address to use instead of resolving the host (curl's `--resolve`). */
  address?: string;
  port: number;
  protocol: 'TCP';
  /** The HTTP request to send once connected (curl sends one); `grpc` makes it a gRPC call over HTTP/2. */
  http?: Omit<HttpRequest, 'host' | 'port'> & { grpc?: boolean };
  timeoutMs: number;
  /** How long the client waits for name resolution before it gives up (curl's connect deadline). */
  resolveTimeoutMs?: number;
  /** Keep the connection open after the response, so later requests reuse it (see sendOnConnection). */
  keepOpen?: boolean;
  /** The SNI of the TLS ClientHello the client sends first (curl https:// to a name sends the name). */
  tlsServerName?: string;
  /**
   * Set when the client speaks TLS (curl https://): whether it skips certificate checks (`-k`) or
   * trusts an extra CA file (`--cacert`). The file's contents are not modelled: any CA file is
   * taken to be the one that signed the certificate Envoy presents when it intercepts TLS (the
   * upstream leg, where Envoy checks the server, is modelled: cilium/tls-interception.ts).
   */
  tls?: { insecure: boolean; caFile?: string };
}

/** Where the connection ended and why. */
export type ConnectionOutcome =
  | {
      kind: 'resolve-failed';
      elapsedMs: number;
      explanation: string[];
      dnsRcode?: string;
      /** The client's deadline passed while the resolver was still waiting for an answer. */
      timedOut?: true;
    }
  | { kind: 'refused'; elapsedMs: number; address: string; explanation: string[] }
  | {
      kind: 'timeout';
      elapsedMs: number;
      address: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
    }
  | {
      kind: 'response';
      elapsedMs: number;
      address: string;
      response: HttpResponse;
      serverPod: string;
      explanation: string[];
      mistaken?: MistakenIdentity;
      /** Set when the request asked to keep the connection open. */
      connectionId?: string;
      /** How long name resolution took. */
      resolveMs?: number;
      /** The client socket's own address and port. */
      local?: { ip: string; port: number };
    }
  | { kind: 'error'; elapsedMs: number; message: string; explanation: string[] };

// ---------------------------------------------------------------------------------------------
// The two ends of a packet's trip.

/** Where a connection starts: a pod's network namespace or a node's own. */
export type Origin =
  | {
      kind: 'pod';
      node: string;
      pod: Pod;
      podKey: string;
      namespace: string;
      sandbox: Sandbox;
      ip: string;
      agent?: AgentState;
      endpoint?: LocalEndpoint;
    }
  | {
      kind: 'node';
      node: string;
      ip: string;
      agent?: AgentState;
      /** The reader's own machine on the kind Docker network: outside the cluster, seen as world. */
      external?: true;
    };

/** Where a connection ends: a pod, a node's own stack, or a host on the modelled internet. */
export type Target =
  | {
      kind: 'pod';
      node: string;
      sandbox: Sandbox;
      pod?: Pod;
      agent?: AgentState;
      endpoint?: LocalEndpoint;
    }
  | { kind: 'node'; node: string; ip: string }
  | { kind: 'world'; ip: string; host?: ExternalHost };

// ---------------------------------------------------------------------------------------------
// One trip through the datapath.

/** A verdict that sends the connection through a node's L7 proxy. */
export interface Redirect {
  node: string;
  direction: 'INGRESS' | 'EGRESS';
  verdict: PolicyVerdict;
  observer: AgentState;
}

/** Where a `serverNames` rule restricts the TLS SNI of a connection, and which names it admits. */
export interface ServerNameCheck {
  node: string;
  direction: 'EGRESS' | 'INGRESS';
  allowed: readonly string[];
}

/** A connection (or one more packet of it) that made it to the server side. */
export interface Passage {
  ok: true;
  origin: Origin;
  target: Target;
  tuple: PacketTuple;
  redirects: Redirect[];
  mistaken?: MistakenIdentity;
  /** The client's identity as the server's node believed it. */
  sourceIdentityAtServer: number;
  /** The server's identity as the client's node resolved it. */
  destinationIdentity: number;
  /** True when conntrack already knew the connection (CT_ESTABLISHED). */
  established: boolean;
  /** Virtual time at which this packet passed (later than the clock for a retransmitted SYN). */
  atMs: number;
  /** Policy entries that admit only some TLS server names (`toPorts[].serverNames`), per node. */
  serverNames?: ServerNameCheck[];
  /** The policy-map entries this packet was counted on, for the rest of the exchange (policy-stats.ts). */
  policyCounters?: PolicyCounterKey[];
}

/** Why the auth step dropped a packet. */
export type AuthDropReason = 'AUTH_REQUIRED' | 'NO_NODE_ID';

/** Why a connection (or packet) went nowhere. */
export interface Blocked {
  ok: false;
  reason: string;
  mistaken?: MistakenIdentity;
  /** Set when mutual authentication dropped the packet: which node, why, and the auth key. */
  auth?: { node: string; drop: AuthDropReason; key?: AuthKey };
}

/** How traverse sends a packet: now, or later (a retransmission), and whether it repeats a SYN. */
export interface TraverseOptions {
  atMs?: number;
  retransmit?: boolean;
  /** The packet's frame length when the caller knows its payload (policy counters). */
  frameBytes?: number;
  /**
   * The packet is forwarded by a node (a node port's connection on its way to the backend), not
   * sent by the node's own stack: the host firewall's egress policy does not see it.
   */
  forwarded?: boolean;
  /** The identity the forwarding node writes in the tunnel header (nodeport.h: WORLD_ID). */
  tunnelIdentity?: number;
}

/** What an application-level exchange over an opened connection needs. */
export interface OpenedConnection {
  passage: Passage;
  /** A node port's first leg, from the client to the node, when the node forwarded the connection. */
  frontLeg?: Passage;
  address: string;
  backendIP: string;
  backendPort: number;
  elapsedMs: number;
  /** How long name resolution took, part of elapsedMs. */
  resolveMs?: number;
}

// ---------------------------------------------------------------------------------------------
// The other requests of the `pod.traffic` input (cilium/traffic.ts).

/** A DNS lookup from a pod (or a node): `nslookup`, `dig`, or the resolver inside curl. */
export interface DnsRequest {
  fromPodKey?: string;
  fromNode?: string;
  name: string;
  /** The server to ask; defaults to the pod's resolv.conf nameserver (the kube-dns ClusterIP). */
  server?: string;
  /** Per-query timeout of a tool that asks each name once (nslookup); 5 s when not given. */
  timeoutMs?: number;
  /** Walk the resolv.conf search list (ndots:5) as getaddrinfo does; false asks for the name as given. */
  searchList?: boolean;
  /** Set for getaddrinfo: the C library's resolver, with its retransmissions and search rules. */
  resolver?: StubResolver;
  /** The caller stops waiting this long after the lookup starts (curl's connect deadline). */
  deadlineMs?: number;
}

/** An echo request a pod (or a node's own stack) sends. */
export interface EchoRequest {
  fromPodKey?: string;
  fromNode?: string;
  /** An address, or a name the sender resolves first (through cluster DNS when the cluster has it). */
  host: string;
  /** The echo identifier (busybox ping uses its process id) and sequence number. */
  identifier: number;
  sequence: number;
}

/** A bare TCP connection whose client speaks its own protocol on top (`openssl s_client`). */
export interface TcpConnectRequest {
  fromPodKey: string;
  host: string;
  port: number;
  timeoutMs: number;
}

/** One UDP datagram from a socket (`nc -u`). */
export interface UdpDatagramRequest {
  fromPodKey: string;
  fromNode?: string;
  /** An address or a name the sender resolves first. */
  host: string;
  port: number;
  /** The sender's socket port: one socket sends all its datagrams from it. */
  sourcePort: number;
  /** Only resolve the name, as connect() on a UDP socket does: no datagram leaves. */
  resolveOnly?: boolean;
}

/** A gRPC call: `service` is `package.Service`, the path is `/package.Service/Method`. */
export interface GrpcRequest {
  fromPodKey?: string;
  fromNode?: string;
  host: string;
  port: number;
  service: string;
  method: string;
  /** The demo clients' single argument (e.g. a door id). */
  argument?: string;
  timeoutMs: number;
  keepOpen?: boolean;
}

/** A Kafka request from a client pod to a broker. */
export interface KafkaRequest extends KafkaCall {
  fromPodKey?: string;
  fromNode?: string;
  host: string;
  port: number;
  timeoutMs: number;
  keepOpen?: boolean;
}

/** One more request on a connection the client kept open. */
export interface SendRequest {
  connectionId: string;
  http?: Omit<HttpRequest, 'host' | 'port'>;
  grpc?: { service: string; method: string; argument?: string };
  kafka?: KafkaCall;
  timeoutMs: number;
}

/** Everything the `pod.traffic` input can ask for. */
export type TrafficRequest =
  | ({ kind: 'dns' } & DnsRequest)
  | ({ kind: 'grpc' } & GrpcRequest)
  | ({ kind: 'kafka' } & KafkaRequest)
  | ({ kind: 'send' } & SendRequest)
  | ({ kind: 'icmp-echo' } & EchoRequest)
  | ({ kind: 'tcp-connect' } & TcpConnectRequest)
  | ({ kind: 'udp-datagram' } & UdpDatagramRequest)
  | { kind: 'close'; connectionId: string };

/**
 * The tuple of a packet as it travels. For an ICMP echo, conntrack keys on the echo identifier in
 * place of a port (bpf/lib/conntrack.h: the request carries it as the destination port, the reply as
 * the source port), so the two directions of one ping find each other like a UDP flow's.
 */
export interface PacketTuple {
  protocol: 'TCP' | 'UDP' | 'ICMP';
  sourceIP: string;
  sourcePort: number;
  destinationIP: string;
  destinationPort: number;
  /** ICMP only: 8 for an echo request, 0 for an echo reply. */
  icmpType?: number;
}

/** Which entry of which endpoint's map a packet was counted on. */
export interface PolicyCounterKey {
  node: string;
  endpointId: number;
  direction: 'ingress' | 'egress';
  identity: number;
  port: string;
}
