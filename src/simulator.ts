/**
 * The one door from the site into the simulator core. Components import from here,
 * never from deeper paths of `simulator/`, so the core's surface stays explicit.
 */
export * from '../simulator/index';
