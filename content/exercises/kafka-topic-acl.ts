import { defineExercise } from '../../simulator/exercises/index';
import { ciliumCluster } from './setups';

/** The Kafka demo of Cilium's docs, applied from the bundled example URL (not a copy of its YAML). */
const kafkaDemo = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/kubernetes-kafka/kafka-sw-app.yaml';

const call = (from: string, apiKey: 'produce' | 'fetch', topic: string, expect: 'allowed' | 'denied') =>
  ({ kind: 'kafka', from: { labels: { app: from } }, host: 'kafka-service', port: 9092, apiKey, topic, expect }) as const;

export default defineExercise({
  id: 'kafka-topic-acl',
  title: 'A Kafka topic ACL: who may produce and who may only read',
  level: 'intermediate',
  source: 'reference',
  start: {
    scenario: 'sandbox',
    steps: 0,
    commands: [
      ...ciliumCluster('1.18.5'),
      `kubectl create -f ${kafkaDemo}`,
      'kubectl wait --for=condition=Ready pod --all --timeout=300s > /dev/null',
    ],
  },
  task: `Cilium's Kafka demo runs: a broker (\`kafka-service:9092\`) serves the Empire's headquarters
(\`empire-hq\`), its outposts (\`empire-outpost\`) and a backup (\`empire-backup\`). Write one CiliumNetworkPolicy on the broker so that:

- \`empire-hq\` may **produce** to the topic \`empire-announce\`, and nothing else;
- \`empire-outpost\` may only **consume** (fetch) \`empire-announce\`;
- nobody may touch \`deathstar-plans\`.

Try it with \`kafka-console-producer.sh --broker-list kafka-service:9092 --topic TOPIC\` and
\`kafka-console-consumer.sh --bootstrap-server kafka-service:9092 --topic TOPIC\` inside the client pods.`,
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
