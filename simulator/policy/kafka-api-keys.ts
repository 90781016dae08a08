/**
 * Kafka API key names Cilium's Kafka rules accept, and the keys its `produce`/`consume` roles expand to.
 */

/** Kafka API key numbers by the lower-case names Cilium uses in `apiKey`. */
export const kafkaApiKeyNumbers: Readonly<Record<string, number>> = {
  produce: 0,
  fetch: 1,
  offsets: 2,
  metadata: 3,
  leaderandisr: 4,
  stopreplica: 5,
  updatemetadata: 6,
  controlledshutdown: 7,
  offsetcommit: 8,
  offsetfetch: 9,
  findcoordinator: 10,
  joingroup: 11,
  heartbeat: 12,
  leavegroup: 13,
  syncgroup: 14,
  describegroups: 15,
  listgroups: 16,
  saslhandshake: 17,
  apiversions: 18,
  createtopics: 19,
  deletetopics: 20,
};

/** API keys allowed by `role: produce`. */
export const produceRoleKeys: readonly number[] = [0, 3, 18];

/** API keys allowed by `role: consume`. */
export const consumeRoleKeys: readonly number[] = [1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18];

/** One request a Kafka client sends: its API key and version, and whether it names the topic. */
export interface KafkaClientCall {
  readonly apiKey: string;
  readonly apiVersion: number;
  readonly namesTopic: boolean;
}

/**
 * What Kafka's console producer sends to publish to a topic, in order, as the terminal's client
 * does (terminal/kafka-console.ts, Kafka 1.x as the Cilium docs' images ship it): the topic's
 * metadata (where its partitions' leaders are), then the records. A policy must admit both for the
 * tool to work, which `role: produce` does.
 */
export const consoleProducerCalls: readonly KafkaClientCall[] = [
  { apiKey: 'metadata', apiVersion: 5, namesTopic: true },
  { apiKey: 'produce', apiVersion: 5, namesTopic: true },
];

/**
 * What Kafka's console consumer sends to read a topic, as the terminal's client does: the
 * metadata, the offset to start from (ListOffsets, `offsets` in Cilium's names), then the fetch.
 * `role: consume` admits each of these keys.
 */
export const consoleConsumerCalls: readonly KafkaClientCall[] = [
  { apiKey: 'metadata', apiVersion: 5, namesTopic: true },
  { apiKey: 'offsets', apiVersion: 5, namesTopic: true },
  { apiKey: 'fetch', apiVersion: 7, namesTopic: true },
];
