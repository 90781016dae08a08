/**
 * Where the replay allocates: replays the benchmarks' 100,000-event churn in Node (bundled as the
 * site ships it) under V8's sampling heap profiler, counting the objects that died young too, and
 * prints the megabytes allocated per replay and the functions that allocated them. Allocation
 * drives the replay's garbage collection (about a fifth of its time) and how long a fresh worker
 * takes to reach its steady speed, and unlike a time it does not move with the machine's load.
 *
 *   npm run profile:alloc [-- --top 30] [-- --no-inlining]
 *
 * With --no-inlining each allocation is charged to the function that makes it rather than to the
 * one it was inlined into; V8 then also keeps allocations that escape analysis would remove, so
 * compare like with like. The sampling (one sample per 4 KiB on average) moves the total by ±1 %.
 */
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { replay } from '../simulator/simulation';
import { churnRun } from './churn-run';
import { allocationByFunction } from './heap-profile';

if (process.argv.includes('--no-inlining')) setFlagsFromString('--max-inlined-bytecode-size=0');
const topIndex = process.argv.indexOf('--top');
const top = topIndex < 0 ? 30 : Number(process.argv[topIndex + 1]);

const steps = churnRun(100_000, false).steps;
const warmUp = 3;
const sampled = 3;
for (let run = 0; run < warmUp; run++) replay(1, steps, { checkpointInterval: 0, keepLog: false });

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (let run = 0; run < sampled; run++) replay(1, steps, { checkpointInterval: 0, keepLog: false });
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();

const { total, rows } = allocationByFunction(profile.head);
const megabytes = (bytes: number): string => (bytes / sampled / 1e6).toFixed(2).padStart(6);
console.log(`allocated per replay: ${megabytes(total).trim()} MB (sampled over ${sampled} warm replays)`);
for (const row of rows.slice(0, top))
  console.log(
    `${((100 * row.bytes) / total).toFixed(1).padStart(5)} %  ${megabytes(row.bytes)} MB  ${row.name}`,
  );
