/**
 * Every exercise, one file each beside this one. The catalogue validates them when it loads (ids,
 * scenario ids, starting points), so a typo fails the build and the unit tests.
 */
import { exerciseCatalogue } from '../../simulator/exercises/index';
import onlyClient from './only-client';

/** Exercises by id, in the order the files are listed here. */
export const exercises = exerciseCatalogue([onlyClient]);
