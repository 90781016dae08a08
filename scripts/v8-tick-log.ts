/**
 * Reads the log V8 writes with `--prof` (the format of v8/src/logging/log.cc: `code-creation`,
 * `code-move` and `tick` lines) and attributes each tick to the code it was sampled in, builtins
 * included. Used by scripts/profile-replay.ts.
 */

interface CodeEntry {
  start: number;
  size: number;
  name: string;
}

interface Tick {
  pc: number;
  timeUs: number;
  stack: number[];
}

export interface V8Log {
  code: CodeEntry[];
  ticks: Tick[];
}

/** Addresses fit in a double's 53 bits on x86-64 user space, so plain numbers do. */
const address = (text: string | undefined): number => (text?.startsWith('0x') ? Number(text) : NaN);

/** Parses the log; code that moved is kept at its last address. */
export function readV8Log(text: string): V8Log {
  const byStart = new Map<number, CodeEntry>();
  const ticks: Tick[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('code-creation,')) {
      // code-creation,type,kind,timestamp,address,size,name[,sfi address,state]
      const fields = line.split(',');
      const start = address(fields[4]);
      const name = fields
        .slice(6)
        .join(',')
        .replace(/,0x[0-9a-f]+,[~*^+'!-]*$/, '');
      byStart.set(start, { start, size: Number(fields[5]), name: `${fields[1]}:${name}` });
    } else if (line.startsWith('code-move,')) {
      const [, from, to] = line.split(',');
      const entry = byStart.get(address(from));
      if (entry !== undefined) {
        byStart.delete(entry.start);
        byStart.set(address(to), { ...entry, start: address(to) });
      }
    } else if (line.startsWith('tick,')) {
      // tick,pc,timestamp,is external callback,tos or callback,vm state,stack…
      const fields = line.split(',');
      ticks.push({ pc: address(fields[1]), timeUs: Number(fields[2]), stack: fields.slice(6).map(address) });
    }
  }
  const code = [...byStart.values()].sort((a, b) => a.start - b.start);
  return { code, ticks };
}

/** The name of the code at an address, `?` when none (C++ runtime, GC, the embedder). */
function nameAt(code: readonly CodeEntry[], pc: number): string {
  let low = 0;
  let high = code.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (code[middle]!.start <= pc) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  const entry = code[found];
  if (entry === undefined || pc >= entry.start + entry.size) return '?';
  // Strip the script's URL from a function's name: `JS:*name url:line:column` → `JS:*name :line:column`.
  return entry.name.replace(/ (?:file|https?|blob):\S*?(?=:\d+:\d+$)/, ' ');
}

export interface TopOptions {
  top: number;
  /** Only the ticks in this many microseconds before the last one. */
  windowUs: number;
  /** Attribute the ticks sampled in code with this name to the first JavaScript function up the stack. */
  callersOf?: string | undefined;
  /**
   * Charge the ticks sampled in builtins and the runtime (property lookups, copies, GC on
   * allocation) to the first JavaScript function up the stack, as the time that function costs.
   */
  chargeToJavaScript?: boolean | undefined;
}

function firstJavaScriptCaller(log: V8Log, tick: Tick): string | undefined {
  for (const pc of tick.stack) {
    const name = nameAt(log.code, pc);
    if (name.startsWith('JS:')) return name;
  }
  return undefined;
}

/** The most frequent entries, by self time or (with callersOf) by caller, as shares of all ticks. */
export function topEntries(log: V8Log, options: TopOptions): { name: string; share: number }[] {
  const last = log.ticks.at(-1)?.timeUs ?? 0;
  const ticks = log.ticks.filter((tick) => tick.timeUs >= last - options.windowUs);
  const counts = new Map<string, number>();
  for (const tick of ticks) {
    const self = nameAt(log.code, tick.pc);
    let name = self;
    if (options.callersOf !== undefined) {
      if (self !== options.callersOf) continue;
      name = firstJavaScriptCaller(log, tick) ?? '?';
    } else if (options.chargeToJavaScript === true && !self.startsWith('JS:'))
      name = firstJavaScriptCaller(log, tick) ?? self;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, options.top)
    .map(([name, count]) => ({ name, share: (100 * count) / Math.max(1, ticks.length) }));
}
