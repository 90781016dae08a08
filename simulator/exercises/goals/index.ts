/**
 * The goal library: one evaluator per kind of check, each reading the world (and, for a probe, a
 * copy of it) and never changing it.
 */
import type { Goal, GoalCheck, GoalResult } from '../types';
import { runningPodsMatching } from '../pods';
import type { GoalContext } from './context';
import { checkFlow, flowSeen } from './flows';
import { checkObject, checkPolicyValid } from './policies';
import { checkKafka, checkNoInternet, checkOnlyServiceAccount, checkProbe } from './reachability';
import {
  checkApiServerReachable,
  checkCiliumConfig,
  checkHostFirewallEnforcing,
  checkIpcacheEntry,
  checkNoAuditMode,
  checkNodeReady,
  checkStalePodsLabelled,
} from './cilium-state';

export { goalContext, type GoalContext, type GoalHistory } from './context';

/** Evaluates `restarts-at-most`: the reader's `kubectl rollout restart`s, counted from the inputs. */
function checkRestarts(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'restarts-at-most' }>,
): boolean {
  // kubectl sends `workload.restart`; records from before DaemonSets existed hold `deployment.restart`.
  const restarts = context.readerInputs.filter(
    (input) =>
      (input.type === 'deployment.restart' ||
        (input.type === 'workload.restart' && input.kind === 'Deployment')) &&
      (check.deployment === undefined || input.key.endsWith(`/${check.deployment}`)),
  ).length;
  return restarts <= check.count;
}

/** Evaluates `running-pods`: exactly so many matching pods run. */
function checkRunningPods(
  context: GoalContext,
  check: Extract<GoalCheck, { kind: 'running-pods' }>,
): boolean {
  return runningPodsMatching(context.world, check.pods).length === check.count;
}

/**
 * Whether one check holds. A check that reads only the world (and the session's start, which never
 * changes) is answered once per version of the world; `throughout` also reads which samples
 * failed, and `restarts-at-most` the reader's inputs, so those two are evaluated every time.
 */
export function checkHolds(context: GoalContext, check: GoalCheck): boolean {
  switch (check.kind) {
    case 'throughout':
      return !context.broken.has(check) && checkHolds(context, check.check);
    case 'restarts-at-most':
      return checkRestarts(context, check);
    default:
      return context.verdicts.verdict(check, () => worldCheckHolds(context, check));
  }
}

/** Whether a check that reads only the world (and the start) holds. */
function worldCheckHolds(
  context: GoalContext,
  check: Exclude<GoalCheck, { kind: 'throughout' | 'restarts-at-most' }>,
): boolean {
  switch (check.kind) {
    case 'running-pods':
      return checkRunningPods(context, check);
    case 'flow':
      return checkFlow(context, check);
    case 'no-flow':
      return !flowSeen(context, check);
    case 'policy-valid':
      return checkPolicyValid(context, check);
    case 'object':
      return checkObject(context, check);
    case 'probe':
      return checkProbe(context, check);
    case 'no-internet':
      return checkNoInternet(context, check);
    case 'kafka':
      return checkKafka(context, check);
    case 'only-service-account':
      return checkOnlyServiceAccount(context, check);
    case 'host-firewall-enforcing':
      return checkHostFirewallEnforcing(context, check);
    case 'api-server-reachable':
      return checkApiServerReachable(context);
    case 'node-ready':
      return checkNodeReady(context, check);
    case 'no-audit-mode':
      return checkNoAuditMode(context);
    case 'ipcache-entry':
      return checkIpcacheEntry(context, check);
    case 'stale-pods-labelled':
      return checkStalePodsLabelled(context, check);
    case 'cilium-config':
      return checkCiliumConfig(context, check);
  }
}

/** Evaluates goals in order, each with its sentence. */
export function evaluateGoals(context: GoalContext, goals: readonly Goal[]): GoalResult[] {
  return goals.map((goal) => {
    const met = checkHolds(context, goal.check);
    return { goal, met, sentence: met ? goal.met : goal.unmet };
  });
}

/** The `throughout` checks among goals, which a session samples after each of the reader's actions. */
export function throughoutChecks(goals: readonly Goal[]): Extract<GoalCheck, { kind: 'throughout' }>[] {
  return goals.flatMap((goal) => (goal.check.kind === 'throughout' ? [goal.check] : []));
}
