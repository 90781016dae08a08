/**
 * Every exercise, one file each beside this one (`setups.ts` and `apps.ts` hold shared starting commands). The
 * catalogue validates them when it loads (ids, scenario ids, starting points), so a typo fails the
 * build and the unit tests; a test checks that every file here is listed.
 */
import { exerciseCatalogue } from '../../simulator/exercises/index';
import seeADrop from './see-a-drop';
import onlyClient from './only-client';
import scaleOneIdentity from './scale-one-identity';
import staleIpcacheEntry from './stale-ipcache-entry';
import healTheNode from './heal-the-node';
import bypassSeed42 from './bypass-seed-42';
import mutualAuthDoesNotHelp from './mutual-auth-does-not-help';
import l7GetHello from './l7-get-hello';
import istioOnlySleepV1 from './istio-only-sleep-v1';
import egressToGithub from './egress-to-github';
import kafkaTopicAcl from './kafka-topic-acl';
import hostFirewallNoLockout from './host-firewall-no-lockout';
import denyBeatsAllow from './deny-beats-allow';
import enforcementAlways from './enforcement-always';
import auditToPolicy from './audit-to-policy';

/** Exercises by id, in the order listed here (the guides' order, then the reference's). */
export const exercises = exerciseCatalogue([
  seeADrop,
  onlyClient,
  scaleOneIdentity,
  staleIpcacheEntry,
  healTheNode,
  bypassSeed42,
  mutualAuthDoesNotHelp,
  l7GetHello,
  istioOnlySleepV1,
  egressToGithub,
  kafkaTopicAcl,
  denyBeatsAllow,
  enforcementAlways,
  auditToPolicy,
  hostFirewallNoLockout,
]);
