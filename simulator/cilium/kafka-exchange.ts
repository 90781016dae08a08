/**
 * A Kafka console client's conversation with a broker, as a probe sends it: the requests the tool
 * sends (policy/kafka-api-keys.ts, the same as the terminal's clients in terminal/kafka-console.ts),
 * in order, on one connection, each through the datapath and Cilium's Kafka proxy. It stops at the
 * first request the proxy refuses (or the broker answers with an error), as the tool gives up on
 * the topic then.
 */
import type { TrafficOutcome } from './traffic';
import type { InputEvent } from '../events';
import type { KafkaClientCall } from '../policy/kafka-api-keys';
import type { KafkaOutcome } from './kafka';

/** Kafka's LEADER_NOT_AVAILABLE, and how many times a client asks for metadata while it lasts. */
const leaderNotAvailable = 5;
const leaderAttempts = 3;

/** One console client's run against a broker. */
export interface KafkaConsoleRequest {
  fromPodKey: string;
  host: string;
  port: number;
  topic: string;
  clientID: string;
  timeoutMs: number;
  /** Records a producer sends with its produce request. */
  messages?: string[];
}

/** How the conversation ended: the outcome of its last request, and which request that was. */
export interface KafkaConsoleOutcome {
  outcome: KafkaOutcome | undefined;
  call: KafkaClientCall | undefined;
  /** Virtual milliseconds the requests took together. */
  elapsedMs: number;
}

/** The part of dispatch.ts's InputResult that the exchange reads. */
type KafkaSendResult = { ok: true; traffic?: TrafficOutcome } | { ok: false; error: string };

/** Sends the client's requests through `send` (a simulation's or a probe's input) until one fails. */
export function kafkaConsoleExchange(
  send: (event: InputEvent) => KafkaSendResult | undefined,
  request: KafkaConsoleRequest,
  calls: readonly KafkaClientCall[],
): KafkaConsoleOutcome {
  let connectionId: string | undefined;
  let last: KafkaConsoleOutcome = { outcome: undefined, call: undefined, elapsedMs: 0 };
  for (const call of calls) {
    const kafka = {
      apiKey: call.apiKey,
      apiVersion: call.apiVersion,
      clientID: request.clientID,
      topics: call.namesTopic ? [request.topic] : [],
      ...(call.apiKey === 'produce' && request.messages !== undefined ? { messages: request.messages } : {}),
    };
    // A topic the broker creates on its first metadata request has no leader yet
    // (LEADER_NOT_AVAILABLE); the client asks again, as the terminal's client does.
    for (let attempt = 0; attempt < leaderAttempts; attempt++) {
      const result = send({
        type: 'pod.traffic',
        request:
          connectionId === undefined
            ? {
                kind: 'kafka',
                fromPodKey: request.fromPodKey,
                host: request.host,
                port: request.port,
                timeoutMs: request.timeoutMs,
                keepOpen: true,
                ...kafka,
              }
            : { kind: 'send', connectionId, timeoutMs: request.timeoutMs, kafka },
      });
      const traffic = result?.ok === true ? result.traffic : undefined;
      const outcome =
        traffic?.request === 'kafka' || traffic?.request === 'send' ? (traffic as KafkaOutcome) : undefined;
      last = { outcome, call, elapsedMs: last.elapsedMs + (outcome?.elapsedMs ?? 0) };
      if (outcome?.kind === 'kafka') connectionId = outcome.connectionId ?? connectionId;
      if (outcome?.kind !== 'kafka' || outcome.errorCode !== leaderNotAvailable) break;
    }
    if (last.outcome?.kind !== 'kafka' || last.outcome.errorCode !== 0) break;
  }
  if (connectionId !== undefined) send({ type: 'pod.traffic', request: { kind: 'close', connectionId } });
  return last;
}
