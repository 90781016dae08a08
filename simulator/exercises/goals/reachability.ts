/**
 * Goals about who can reach what, answered by probes: each sends the connection a reader's client
 * would on a copy of the world (probe.ts), so the answer is the datapath's own, and the reader's
 * world, its flows and its counters stay as they were.
 */
import type { Pod } from '../../k8s/objects';
import { podKey } from '../../queries';
import { serviceAccountOf } from '../../mesh/workloads';
import { outcomeOf, probeConnection, probeKafka } from '../probe';
import { runningPodsMatching } from '../pods';
import type { GoalCheck } from '../types';
import type { GoalContext } from './context';

/** Evaluates a `probe` goal: every running pod matching `from` gets the expected outcome. */
export function checkProbe(context: GoalContext, check: Extract<GoalCheck, { kind: 'probe' }>): boolean {
  const clients = runningPodsMatching(context.world, check.from);
  if (clients.length === 0) return false;
  return clients.every(
    (pod) =>
      outcomeOf(probeConnection(context.prober, { podKey: podKey(pod) }, check.request)) === check.expect,
  );
}

/** Evaluates a `no-internet` goal: no running pod of the namespace reaches any of the hosts. */
export function checkNoInternet(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'no-internet' }>,
): boolean {
  const clients = runningPodsMatching(context.world, { labels: {}, namespace: check.namespace });
  if (clients.length === 0) return false;
  return clients.every((pod) =>
    check.hosts.every((host) => {
      const connection = probeConnection(context.prober, { podKey: podKey(pod) }, { host, port: check.port });
      // Any connection that opened counts as reaching out, whatever the server answered.
      return connection?.kind !== 'response';
    }),
  );
}

/** Evaluates a `kafka` goal: every client's console tool gets through, or every one is refused. */
export function checkKafka(context: GoalContext, check: Extract<GoalCheck, { kind: 'kafka' }>): boolean {
  const clients = runningPodsMatching(context.world, check.from);
  if (clients.length === 0) return false;
  return clients.every((pod) => probeKafka(context.prober, podKey(pod), check) === check.expect);
}

/**
 * Evaluates an `only-service-account` goal: among the running clients, those of the service
 * account are let through and every other one is refused. There must be a client of another
 * service account, or the goal would prove nothing.
 */
export function checkOnlyServiceAccount(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'only-service-account' }>,
): boolean {
  const clients = runningPodsMatching(context.world, check.clients);
  const admitted = (pod: Pod): boolean =>
    outcomeOf(probeConnection(context.prober, { podKey: podKey(pod) }, check.request)) === 'allowed';
  const own = clients.filter((pod) => serviceAccountOf(pod) === check.serviceAccount);
  const others = clients.filter((pod) => serviceAccountOf(pod) !== check.serviceAccount);
  if (own.length === 0 || others.length === 0) return false;
  return own.every(admitted) && others.every((pod) => !admitted(pod));
}
