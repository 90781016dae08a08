/**
 * The empty machine: no cluster, no files, no steps; the clock starts the day after the newest
 * Cilium release the simulator knows (setup.ts), as in `npm run sim -- shell`. Exercises that build
 * their own cluster start here, with their setup typed as command lines.
 */
import type { Scenario } from '../types';

export const sandbox: Scenario = {
  id: 'sandbox',
  title: 'An empty machine with kind, helm and kubectl',
  summary: 'No cluster yet: create one with kind and install what the task needs.',
  defaultSeed: 1,
  files: {},
  steps: [],
};
