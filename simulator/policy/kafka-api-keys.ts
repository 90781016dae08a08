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
