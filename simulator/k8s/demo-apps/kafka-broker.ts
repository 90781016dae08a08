/**
 * A Kafka broker (the Cilium docs' wurstmeister/kafka) with a log per topic: produce appends,
 * fetch returns the messages from an offset, list-offsets tells the end of the log, and metadata
 * describes topics. Topics named in `KAFKA_CREATE_TOPICS` exist from the start (the image creates
 * them when the broker starts); any other topic is created the first time a client asks for its
 * metadata (`auto.create.topics.enable`, true by default), which answers LEADER_NOT_AVAILABLE (5)
 * until the new topic has a leader. One partition per topic; the log lives in the broker's
 * memory here, so it is gone with the pod (the demo mounts no volume).
 */
import type { Application, KafkaCall, KafkaReply } from '../application-types';
import type { Container } from '../objects';
import type { ApplicationMemory } from './state';

/** What the broker keeps: each topic's messages in offset order. */
interface BrokerLog {
  topics: Record<string, string[]>;
  /** Topics auto-created by a metadata request, whose leader is not elected yet. */
  electing: string[];
}

/** Kafka error codes the broker answers with. */
const kafkaErrors = { none: 0, unknownTopic: 3, leaderNotAvailable: 5 } as const;

/** The topics `KAFKA_CREATE_TOPICS` (`name:partitions:replicas,…`) asks the image to create. */
function topicsToCreate(container: Container): string[] {
  const value = container.env?.find((variable) => variable.name === 'KAFKA_CREATE_TOPICS')?.value ?? '';
  return value
    .split(',')
    .map((entry) => entry.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '');
}

function brokerLog(memory: ApplicationMemory, container: Container): BrokerLog {
  return memory.slot('kafka', () => ({
    topics: Object.fromEntries(topicsToCreate(container).map((topic) => [topic, [] as string[]])),
    electing: [],
  }));
}

/** Metadata: known topics answer at once; an unknown one is created and has no leader yet. */
function metadata(log: BrokerLog, topics: readonly string[]): KafkaReply {
  let errorCode: number = kafkaErrors.none;
  for (const topic of topics) {
    if (log.electing.includes(topic)) {
      log.electing = log.electing.filter((name) => name !== topic);
    } else if (log.topics[topic] === undefined) {
      log.topics[topic] = [];
      log.electing.push(topic);
      errorCode = kafkaErrors.leaderNotAvailable;
    }
  }
  return { errorCode };
}

function answer(log: BrokerLog, call: KafkaCall): KafkaReply {
  const key = call.apiKey.toLowerCase();
  if (key === 'metadata') return metadata(log, call.topics);
  const topic = call.topics[0] ?? '';
  const messages = log.topics[topic];
  if (messages === undefined) return { errorCode: kafkaErrors.unknownTopic };
  if (key === 'produce') {
    const baseOffset = messages.length;
    messages.push(...(call.messages ?? []));
    return { errorCode: kafkaErrors.none, highWatermark: messages.length, baseOffset };
  }
  if (key === 'fetch') {
    const from = Math.max(0, call.offset ?? 0);
    return { errorCode: kafkaErrors.none, messages: messages.slice(from), highWatermark: messages.length };
  }
  // list-offsets and the group coordination calls: the end of the log is all a client needs here.
  return { errorCode: kafkaErrors.none, highWatermark: messages.length };
}

/** The broker of a container, keeping its log in the container's application state. */
export function kafkaBroker(container: Container, ports: number[], memory: ApplicationMemory): Application {
  return {
    name: 'kafka-broker',
    ports: ports.length > 0 ? ports : [9092],
    exitsOnSigterm: true,
    respond: () => undefined,
    kafka: (call) => answer(brokerLog(memory, container), call),
  };
}
