/**
 * Probes: a connection a goal sends to find out what the datapath would do, without changing the
 * reader's world. The probe runs as an ordinary input on a copy of the world (the copy a
 * checkpoint makes, sharing the API server's never-mutated objects), so it takes exactly the path
 * a reader's `curl` takes — DNS, service translation, policies, proxies, the mesh — while the
 * conntrack entries, flows, counters and DNS-proxy learning it leaves behind are thrown away.
 *
 * One check of an exercise's goals makes one copy and sends all its probes there, in the goals'
 * order, as a reader typing them one after another would: copying is cheap (well under a
 * millisecond for a guide's cluster), but the first connection on a fresh copy rebuilds the
 * agents' derived policy caches, which dominates the cost of a check.
 */
import { processEventFor, type InputResult } from '../dispatch';
import type { InputEvent } from '../events';
import { readersMachine, type ConnectionOutcome } from '../cilium/datapath-types';
import { kafkaConsoleExchange } from '../cilium/kafka-exchange';
import { consoleConsumerCalls, consoleProducerCalls } from '../policy/kafka-api-keys';
import { accessDeniedBody } from '../policy/l7-proxy';
import { cloneWorld } from '../simulation';
import type { World } from '../world';
import type { ProbeOutcome, ProbeRequest } from './types';

/** How long a probe waits before calling a connection dropped (curl's `--max-time 2`). */
const probeTimeoutMs = 2000;

/** Sends probe inputs to one copy of a world, made at the first probe; the world is left untouched. */
export class Prober {
  private copy: World | undefined;

  constructor(readonly world: Readonly<World>) {}

  /** Runs one input on the copy and returns its result. */
  input(event: InputEvent): InputResult | undefined {
    this.copy ??= cloneWorld(this.world);
    return processEventFor(this.copy, event, undefined, true);
  }
}

/** Runs one input on a fresh copy of the world and returns its result. */
export function probeInput(world: Readonly<World>, event: InputEvent): InputResult | undefined {
  return new Prober(world).input(event);
}

/** A connection from a pod (by store key) or, with `fromNode`, from a node or the reader's machine. */
export function probeConnection(
  prober: Prober,
  from: { podKey: string } | { node: string },
  request: ProbeRequest,
): ConnectionOutcome | undefined {
  const result = prober.input({
    type: 'pod.connect',
    request: {
      fromPodKey: 'podKey' in from ? from.podKey : '',
      ...('node' in from ? { fromNode: from.node } : {}),
      host: request.host,
      port: request.port,
      protocol: 'TCP',
      timeoutMs: probeTimeoutMs,
      ...(request.http !== undefined
        ? { http: { method: request.http.method, path: request.http.path, headers: {} } }
        : {}),
    },
  });
  return result?.ok === true ? result.connection : undefined;
}

/**
 * The body of Istio's refusal: an Envoy RBAC filter's local reply (simulator/mesh/traffic.ts),
 * https://github.com/envoyproxy/envoy/blob/v1.32.0/source/extensions/filters/http/rbac/rbac_filter.cc
 */
const istioDeniedBody = 'RBAC: access denied';

/** Whether an answer is a proxy's refusal (Cilium's Envoy or Istio's) rather than the application's. */
function refusedByProxy(connection: Extract<ConnectionOutcome, { kind: 'response' }>): boolean {
  const { status, body } = connection.response;
  return status === 403 && (body === accessDeniedBody || body === istioDeniedBody);
}

/**
 * A reader's summary of a connection: allowed when the request reached the application, whatever
 * it answered (a 404 for a path it does not serve is still its answer); denied when a policy
 * dropped it, a proxy refused it (403) or a mesh proxy reset it.
 */
export function outcomeOf(connection: ConnectionOutcome | undefined): ProbeOutcome {
  if (connection?.kind !== 'response') return 'denied';
  return refusedByProxy(connection) ? 'denied' : 'allowed';
}

/**
 * Whether a Kafka console client on a pod gets through to a topic, on a copy of the world: the
 * producer's or the consumer's every request must be admitted and answered without error.
 */
export function probeKafka(
  prober: Prober,
  podKey: string,
  request: { host: string; port: number; apiKey: 'produce' | 'fetch'; topic: string },
): ProbeOutcome {
  const producer = request.apiKey === 'produce';
  const { outcome } = kafkaConsoleExchange(
    (event) => prober.input(event),
    {
      fromPodKey: podKey,
      host: request.host,
      port: request.port,
      topic: request.topic,
      // The console clients' ids (terminal/app-clients.ts).
      clientID: producer ? 'console-producer' : 'consumer-1',
      timeoutMs: probeTimeoutMs,
      ...(producer ? { messages: ['probe'] } : {}),
    },
    producer ? consoleProducerCalls : consoleConsumerCalls,
  );
  return outcome?.kind === 'kafka' && outcome.errorCode === 0 ? 'allowed' : 'denied';
}

/** Whether kubectl on the reader's machine reaches the API server (kind's published 6443). */
export function readerReachesApiServer(prober: Prober): boolean {
  const cluster = prober.world.cluster;
  if (cluster === undefined) return false;
  const connection = probeConnection(
    prober,
    { node: readersMachine },
    {
      host: cluster.apiServer.endpointIP,
      port: cluster.apiServer.port,
      http: { method: 'GET', path: '/version' },
    },
  );
  // kubectl-connection.ts: only a timeout (a dropped SYN) locks the reader out.
  return connection !== undefined && connection.kind !== 'timeout';
}
