import { describe, expect, it } from 'vitest';
import { readDeopts } from '../../../scripts/v8-deopt-log';

// A V8 `--log-deopt --log-code` log in miniature: two functions, a marker before each of two
// replays, and a deoptimization before, in and after the first marker.
const bundle = ['function filterNodes(infos) {', '  const count = infos.length;', '}'].join('\n');
const log = [
  'code-creation,JS,1,100,0x10,40,filterNodes :1:10,0x9,*',
  'code-creation,JS,1,110,0x20,40,~schedulePod :9:1,0xa,+',
  'code-deopt,150,40,0x10,-1,12,deopt-eager,<:2:17>,wrong map',
  'code-creation,JS,10,200,0x30,2,mark1 :1:22,0xb,~',
  'code-deopt,250,40,0x20,-1,30,deopt-eager,<:9:3>,Insufficient type feedback for call',
  'code-creation,JS,10,300,0x40,2,mark2 :1:22,0xc,~',
  'code-deopt,350,40,0x10,-1,12,deopt-soft,<:2:17>,wrong map',
].join('\n');

describe('V8 deoptimization log (scripts/profile-warmup.ts)', () => {
  it('names each deoptimization’s function, reason, source line and replay', () => {
    expect(readDeopts(log, bundle, 'mark')).toEqual([
      { replay: 0, functionName: 'filterNodes', reason: 'wrong map', source: 'const count = infos.length;' },
      { replay: 1, functionName: 'schedulePod', reason: 'Insufficient type feedback for call', source: '' },
      { replay: 2, functionName: 'filterNodes', reason: 'wrong map', source: 'const count = infos.length;' },
    ]);
  });
});
