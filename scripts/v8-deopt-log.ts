/**
 * Reads the deoptimizations out of a V8 log written with `--log-deopt --log-code` (the format of
 * v8/src/logging/log.cc: `code-creation` and `code-deopt` lines), for scripts/profile-warmup.ts.
 */

export interface Deopt {
  /** Which replay it happened in: the number of the last marker function compiled before it, 0 before any. */
  replay: number;
  functionName: string;
  /** V8's reason, such as `wrong map` or `Insufficient type feedback for generic named access`. */
  reason: string;
  /** The bundle's source line V8 deoptimized at, trimmed. */
  source: string;
}

/**
 * The log's deoptimizations in order. `markerPrefix` names the functions the caller compiled just
 * before each replay (`<prefix><replay number>`); `bundle` is the script whose lines V8's
 * `<:line:column>` positions refer to.
 */
export function readDeopts(log: string, bundle: string, markerPrefix: string): Deopt[] {
  const names = new Map<string, string>();
  const markers: { timeUs: number; replay: number }[] = [];
  const deopts: Deopt[] = [];
  const lines = bundle.split('\n');
  const marker = new RegExp(`^${markerPrefix}(\\d+) `);
  for (const line of log.split('\n')) {
    const fields = line.split(',');
    if (fields[0] === 'code-creation') {
      // code-creation,type,kind,timestamp,address,size,name[,sfi address,state]
      const name = fields[6] ?? '';
      names.set(fields[4] ?? '', name.replace(/ :\d+:\d+$/, '').replace(/^[~^+*]/, ''));
      const found = fields[1] === 'JS' ? marker.exec(name) : null;
      if (found !== null) markers.push({ timeUs: Number(fields[3]), replay: Number(found[1]) });
    } else if (fields[0] === 'code-deopt') {
      // code-deopt,timestamp,size,code,inlining id,script offset,bailout type,<:line:column>,reason
      const timeUs = Number(fields[1]);
      let replay = 0;
      for (const mark of markers) if (mark.timeUs <= timeUs) replay = mark.replay;
      const position = /<:(\d+):\d+>/.exec(fields[7] ?? '');
      deopts.push({
        replay,
        functionName: names.get(fields[3] ?? '') ?? '?',
        reason: fields.slice(8).join(','),
        source: position === null ? '' : (lines[Number(position[1]) - 1]?.trim().slice(0, 100) ?? ''),
      });
    }
  }
  return deopts;
}
