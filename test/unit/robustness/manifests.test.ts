// Goal: no manifest a reader applies makes the simulator throw or print "internal error". Manifests
// from the repository's own examples (the scenarios' files, the cilium/cilium examples the
// reference pages serve, the pages' YAML blocks), with fields dropped, retyped, duplicated or
// misplaced (manifest-mutations.ts), go through `kubectl apply -f`, sometimes over the original;
// each ends in success or in a message shaped as kubectl's, and the cluster then lets time pass,
// lists, describes and deletes what it stored with the world consistent after every step and its
// inputs replaying to the same state hash.
//
// The default run is small enough for the unit suite; FC_RUNS sets the number of manifests, and
// FC_SEED the seed. BENCHMARKS.md records the full run of 10,000 manifests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { docsWorld, runChecked, scenarioWorld } from './lab-worlds';
import { exampleManifests, mutatedManifestArbitrary } from './manifest-mutations';

const runs = Number(process.env.FC_RUNS ?? 40);
const seed = Number(process.env.FC_SEED ?? 20_261_206);

/** How each line of kubectl's refusal starts: its own errors, the API server's, or a note. */
const kubectlMessage =
  /^(?:error: |Error from server \(\w+\): |The \S+ "[^"]*" is invalid: |\* |Warning: |\(the simulator |ensure CRDs are installed first)/;

describe('robustness: manifests', () => {
  it(
    'end in success or kubectl’s refusal, never an exception, and keep the world consistent',
    async () => {
      const worlds = [await docsWorld(), scenarioWorld('istio-mistaken-identity', 3)];
      const cases = fc.record({
        world: fc.nat({ max: worlds.length - 1 }),
        manifest: mutatedManifestArbitrary(exampleManifests()),
        overOriginal: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(cases, async ({ world: index, manifest, overOriginal }) => {
          const world = worlds[index]!;
          const lines = [
            ...(overOriginal ? ['kubectl apply -f original.yaml'] : []),
            'kubectl apply -f m.yaml',
            'sleep 10',
            'kubectl get all,cnp,ccnp,netpol,cm,sa,secrets -A -o wide',
            'kubectl get deploy,pods,svc -o yaml',
            'kubectl describe pods,deploy,svc',
            'kubectl delete -f m.yaml --wait=false',
          ];
          const files = { ...world.files, 'm.yaml': manifest.manifest, 'original.yaml': manifest.original };
          const outcomes = await runChecked(world, lines, files);
          const applied = outcomes[overOriginal ? 1 : 0]!;
          if (applied.exitCode === 0) return;
          expect(applied.stderr.trim(), 'a refusal says why').not.toBe('');
          for (const line of applied.stderr.trimEnd().split('\n'))
            expect(line, `a line of kubectl's refusal of ${manifest.source}`).toMatch(kubectlMessage);
        }),
        { numRuns: runs, seed },
      );
    },
    Math.max(120_000, runs * 3_000),
  );
});
