/**
 * Public surface of the simulator core, shared by the site, the command line and the tests.
 * Nothing here may depend on a browser, a framework or the wall clock.
 */
export { scenarioIds } from './scenarios/catalog';
