import { defineExercise } from '../../simulator/exercises/index';
import { applyAndWait, ciliumCluster, workload } from './setups';

const broker = workload({ name: 'kafka', image: 'docker.io/wurstmeister/kafka:2.11-0.11.0.3', port: 9092 });
const hq = workload({ name: 'empire-hq', image: 'docker.io/cilium/kafkaclient' });
const outpost = workload({ name: 'empire-outpost', image: 'docker.io/cilium/kafkaclient' });

const call = (from: string, apiKey: 'produce' | 'fetch', topic: string, expect: 'allowed' | 'denied') =>
  ({ kind: 'kafka', from: { labels: { app: from } }, host: 'kafka', port: 9092, apiKey, topic, expect }) as const;

export default defineExercise({
  id: 'kafka-topic-acl',
  title: 'A Kafka topic ACL: who may produce and who may only read',
  level: 'intermediate',
  source: 'reference',
  start: {
    scenario: 'sandbox',
    steps: 0,
    commands: [...ciliumCluster('1.18.5'), ...applyAndWait(`${broker}---\n${hq}---\n${outpost}`)],
  },
  task: `A Kafka broker (\`kafka:9092\`) serves the Empire. Write one CiliumNetworkPolicy on the broker so that:

- \`empire-hq\` may **produce** to the topic \`empire-announce\`, and nothing else;
- \`empire-outpost\` may only **consume** (fetch) \`empire-announce\`;
- nobody may touch \`deathstar-plans\`.

Try it with \`kafka-console-producer.sh --broker-list kafka:9092 --topic TOPIC\` and
\`kafka-console-consumer.sh --bootstrap-server kafka:9092 --topic TOPIC\` inside the client pods.`,
  goals: [
    {
      check: call('empire-hq', 'produce', 'empire-announce', 'allowed'),
      met: 'empire-hq produces to empire-announce.',
      unmet: 'empire-hq cannot produce to empire-announce.',
    },
    {
      check: call('empire-hq', 'produce', 'deathstar-plans', 'denied'),
      met: 'empire-hq cannot produce to deathstar-plans.',
      unmet: 'empire-hq can still produce to deathstar-plans.',
    },
    {
      check: call('empire-outpost', 'fetch', 'empire-announce', 'allowed'),
      met: 'empire-outpost reads empire-announce.',
      unmet: 'empire-outpost cannot read empire-announce.',
    },
    {
      check: call('empire-outpost', 'produce', 'empire-announce', 'denied'),
      met: 'empire-outpost cannot produce to empire-announce.',
      unmet: 'empire-outpost can still produce to empire-announce.',
    },
    {
      check: call('empire-outpost', 'fetch', 'deathstar-plans', 'denied'),
      met: 'empire-outpost cannot read deathstar-plans.',
      unmet: 'empire-outpost can still read deathstar-plans.',
    },
  ],
  hints: [
    'Kafka rules live under `toPorts[].rules.kafka`; each entry admits requests matching a `role` (produce or consume) or an `apiKey`, and a `topic`.',
    'Give each client its own ingress rule: `fromEndpoints` with its app label, and its own `rules.kafka` list.',
  ],
  solution: [
    `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: empire-kafka
spec:
  endpointSelector:
    matchLabels:
      app: kafka
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: empire-hq
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: produce
          topic: empire-announce
  - fromEndpoints:
    - matchLabels:
        app: empire-outpost
    toPorts:
    - ports:
      - port: "9092"
        protocol: TCP
      rules:
        kafka:
        - role: consume
          topic: empire-announce
EOF`,
    'sleep 5',
  ],
});
