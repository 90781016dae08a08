/**
 * Kafka requests from a client pod to a broker. A policy with Kafka rules redirects the connection
 * to the agent's Kafka parser (upstream `pkg/proxy` with the Kafka parser of `pkg/kafka`), which
 * refuses a request its rules do not allow with error 29 TOPIC_AUTHORIZATION_FAILED and logs a
 * `kafka-request` for each; the broker answers the rest.
 */
import type { KafkaCall } from '../k8s/applications';
import { evaluateKafkaRequest } from '../policy/index';
import type { World } from '../world';
import { requireCluster } from '../world';
import { openTcpConnection, rememberSocket } from './connection';
import { targetName } from './connection-ends';
import type { ConnectionOutcome, KafkaRequest, OpenedConnection } from './datapath-types';
import type { MistakenIdentity } from './flow';
import { returnReply } from './reply-path';
import { applicationAt } from './server-applications';
import { flowEndpoint, recordFlow } from './verdict-flows';

/** A broker's (or the Kafka proxy's) answer, or how the connection failed. */
export type KafkaOutcome =
  | {
      kind: 'kafka';
      /** 0 NONE, 29 TOPIC_AUTHORIZATION_FAILED. */
      errorCode: number;
      errorName: string;
      messages: string[];
      /** The end of the topic's log, when the broker answered. */
      highWatermark?: number;
      deniedByProxy: boolean;
      serverPod: string;
      elapsedMs: number;
      explanation: string[];
      connectionId?: string;
      mistaken?: MistakenIdentity;
    }
  | Exclude<ConnectionOutcome, { kind: 'response' }>;

/** Error names of the Kafka codes the model produces. */
export const kafkaErrorNames: Readonly<Record<number, string>> = {
  0: 'NONE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  29: 'TOPIC_AUTHORIZATION_FAILED',
};

/** The Kafka proxies a request passes in order (each logs it), then the broker's answer. */
export function exchangeKafka(
  world: World,
  opened: OpenedConnection,
  call: KafkaCall,
  explanation: string[],
): { errorCode: number; messages: string[]; highWatermark?: number; deniedByProxy: boolean } | undefined {
  const cluster = requireCluster(world);
  const { passage } = opened;
  const application = applicationAt(cluster, passage.target, opened.backendPort);
  const pod = passage.target.kind === 'pod' ? passage.target.pod : undefined;
  if (application?.kafka === undefined || pod === undefined) return undefined;
  const { tuple, origin } = passage;
  const serverIdentity = passage.target.kind === 'pod' ? (passage.target.endpoint?.identity ?? 0) : 0;
  for (const redirect of passage.redirects) {
    const answer = evaluateKafkaRequest(redirect.verdict, {
      apiKey: call.apiKey,
      apiVersion: call.apiVersion,
      ...(call.clientID !== undefined ? { clientID: call.clientID } : {}),
      topics: call.topics,
    });
    recordFlow(cluster, {
      timeMs: world.timeMs,
      node: redirect.node,
      eventType: 'l7',
      verdict: answer.allowed ? 'FORWARDED' : 'DROPPED',
      trafficDirection: redirect.direction,
      protocol: 'TCP',
      isReply: false,
      source: flowEndpoint(
        cluster,
        redirect.observer,
        tuple.sourceIP,
        tuple.sourcePort,
        redirect.direction === 'INGRESS'
          ? passage.sourceIdentityAtServer
          : origin.kind === 'pod'
            ? (origin.endpoint?.identity ?? 0)
            : 1,
      ),
      destination: flowEndpoint(
        cluster,
        redirect.observer,
        tuple.destinationIP,
        tuple.destinationPort,
        serverIdentity,
      ),
      explanation: `${answer.explanation.layer}: ${answer.explanation.summary}`,
      l7: {
        type: 'kafka-request',
        method: '',
        url: '',
        kafka: {
          apiKey: call.apiKey,
          apiVersion: call.apiVersion,
          ...(call.clientID !== undefined ? { clientID: call.clientID } : {}),
          ...(call.topics[0] !== undefined ? { topic: call.topics.join(',') } : {}),
          ...(answer.allowed ? {} : { errorCode: 29 }),
        },
      },
      ...(passage.mistaken !== undefined ? { mistaken: passage.mistaken } : {}),
    });
    explanation.push(
      `${redirect.node}'s Kafka proxy ${answer.allowed ? 'lets' : 'refuses'} ${call.apiKey} on ${call.topics.join(', ') || 'no topic'}: ${answer.explanation.summary}`,
    );
    if (!answer.allowed) return { errorCode: answer.kafkaErrorCode ?? 29, messages: [], deniedByProxy: true };
  }
  const reply = application.kafka(call, pod);
  return {
    errorCode: reply.errorCode,
    messages: reply.messages ?? [],
    ...(reply.highWatermark !== undefined ? { highWatermark: reply.highWatermark } : {}),
    deniedByProxy: false,
  };
}

/** Sends one Kafka request (produce, fetch, metadata, …) to a broker through the datapath and the Kafka proxy. */
export function kafkaRequest(world: World, request: KafkaRequest): KafkaOutcome {
  const cluster = requireCluster(world);
  const explanation: string[] = [];
  const opened = openTcpConnection(world, request, explanation);
  if (!('passage' in opened)) {
    if (opened.kind === 'response')
      return { kind: 'error', elapsedMs: opened.elapsedMs, message: 'unexpected HTTP answer', explanation };
    return opened;
  }
  const call: KafkaCall = {
    apiKey: request.apiKey,
    apiVersion: request.apiVersion,
    topics: request.topics,
    ...(request.clientID !== undefined ? { clientID: request.clientID } : {}),
    ...(request.messages !== undefined ? { messages: request.messages } : {}),
    ...(request.offset !== undefined ? { offset: request.offset } : {}),
  };
  const result = exchangeKafka(world, opened, call, explanation);
  if (result === undefined) {
    explanation.push(`No Kafka broker listens on ${opened.backendIP}:${opened.backendPort}.`);
    returnReply(world, cluster, opened.passage, explanation, true);
    return { kind: 'refused', elapsedMs: opened.elapsedMs + 3, address: opened.address, explanation };
  }
  returnReply(world, cluster, opened.passage, explanation, request.keepOpen !== true);
  const connectionId =
    request.keepOpen === true
      ? rememberSocket(world, cluster, opened, request.host, request.port)
      : undefined;
  return {
    kind: 'kafka',
    errorCode: result.errorCode,
    errorName: kafkaErrorNames[result.errorCode] ?? 'UNKNOWN',
    messages: result.messages,
    ...(result.highWatermark !== undefined ? { highWatermark: result.highWatermark } : {}),
    deniedByProxy: result.deniedByProxy,
    serverPod: targetName(opened.passage.target),
    elapsedMs: opened.elapsedMs + 5,
    explanation,
    ...(connectionId !== undefined ? { connectionId } : {}),
    ...(opened.passage.mistaken !== undefined ? { mistaken: opened.passage.mistaken } : {}),
  };
}
