import { defineWorkshop } from '../../simulator/exercises/index';

export default defineWorkshop({
  id: 'cilium-policy',
  title: "Cilium network policy: from a first rule to the host firewall",
  intro: `Exercises on the Cilium security reference, each on a fresh cluster running Cilium 1.18: an L7
rule, egress to a name, a Kafka topic ACL, deny rules against allow rules, enforcement modes,
policies built from audit mode, and host policies that must not lock you out.`,
  exercises: [
    'only-client',
    'l7-get-hello',
    'egress-to-github',
    'kafka-topic-acl',
    'deny-beats-allow',
    'enforcement-always',
    'audit-to-policy',
    'host-firewall-no-lockout',
  ],
});
