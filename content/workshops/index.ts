/**
 * Every workshop, one file each beside this one: an ordered list of exercise ids with a title and an
 * introduction. The catalogue fails to load when a workshop names an exercise that does not exist.
 */
import { workshopCatalogue } from '../../simulator/exercises/index';
import { exercises } from '../exercises/index';
import mistakenIdentity from './mistaken-identity';
import ciliumPolicy from './cilium-policy';

/** Workshops by id; the first is the default one, which walks the three guides' stories. */
export const workshops = workshopCatalogue([mistakenIdentity, ciliumPolicy], exercises);

/** The workshop the site offers first. */
export const defaultWorkshopId = mistakenIdentity.id;
