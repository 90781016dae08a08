/**
 * Runs a TypeScript entry bundled by esbuild, the way the site ships the simulator, rather than
 * through tsx: tsx transforms each module on its own and keeps function names by wrapping every
 * function it creates, which the browser's code never pays for. Benchmarks use this so that their
 * figures describe the shipped code. Dependencies stay in node_modules (only our code is bundled).
 *
 *   node scripts/run-bundled.mjs scripts/bench.ts [arguments for the script]
 */
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const [entry, ...rest] = process.argv.slice(2);
if (entry === undefined) {
  console.error('usage: node scripts/run-bundled.mjs ENTRY.ts [arguments]');
  process.exit(2);
}
// Inside node_modules, so that the bundle resolves the external packages from the project.
const outDir = resolve('node_modules/.cache/identity-lab');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${basename(entry, '.ts')}.bundle.mjs`);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
// The script reads its own arguments from process.argv, as it would under tsx.
process.argv = [process.argv[0], entry, ...rest];
await import(pathToFileURL(outfile).href);
