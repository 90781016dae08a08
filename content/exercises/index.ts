/**
 * Every exercise, one file each beside this one. The catalogue validates them when it loads (ids,
 * scenario ids, starting points), so a typo fails the build and the unit tests.
 */
import { exerciseCatalogue } from '../../simulator/exercises/index';
import onlyClient from './only-client';
import seeADrop from './see-a-drop';
import healTheNode from './heal-the-node';
import bypassSeed42 from './bypass-seed-42';
import mutualAuthDoesNotHelp from './mutual-auth-does-not-help';
import egressToGithub from './egress-to-github';
import l7GetHello from './l7-get-hello';
import staleIpcacheEntry from './stale-ipcache-entry';

/** Exercises by id, in the order the files are listed here. */
export const exercises = exerciseCatalogue([
  seeADrop,
  onlyClient,
  staleIpcacheEntry,
  healTheNode,
  bypassSeed42,
  mutualAuthDoesNotHelp, l7GetHello, egressToGithub]);
