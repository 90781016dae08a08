import { describe, expect, it } from 'vitest';
import { readV8Log, topEntries } from '../../../scripts/v8-tick-log';

// A V8 `--prof` log in miniature: a builtin, two functions (one optimised, then moved), and ticks in
// each, in the C++ runtime (no code), and one before the window.
const log = [
  'shared-library,/usr/lib/chromium/chromium,0x55b5ddccc000,0x55b5eeb8e000,0',
  'code-creation,Builtin,3,100,0x1000,0x100,KeyedLoadIC_Megamorphic',
  'code-creation,JS,1,200,0x2000,0x80,*putObject file:///bundle.js:1673:21,0x9,*',
  'code-creation,JS,1,210,0x3000,0x80,notifyWatchers https://lab.example/a.js:2645:26,0xa,~',
  'code-move,0x2000,0x4000',
  'tick,0x50,1000,0,0x0,0',
  'tick,0x1010,900000,0,0x0,0,0x4010,0x3010',
  'tick,0x1020,900100,0,0x0,0,0x3010',
  'tick,0x4040,900200,0,0x0,0',
  'tick,0x9999,900300,0,0x0,0,0x4010',
].join('\n');

describe('V8 tick log (scripts/profile-replay.ts)', () => {
  it('names builtins and functions by self time, and leaves unknown code as ?', () => {
    const rows = topEntries(readV8Log(log), { top: 10, windowUs: 1_000 });
    expect(rows).toEqual([
      { name: 'Builtin:KeyedLoadIC_Megamorphic', share: 50 },
      { name: 'JS:*putObject :1673:21', share: 25 },
      { name: '?', share: 25 },
    ]);
  });

  it('gives a builtin’s callers: the first JavaScript frame up the stack', () => {
    const rows = topEntries(readV8Log(log), {
      top: 10,
      windowUs: 1_000,
      callersOf: 'Builtin:KeyedLoadIC_Megamorphic',
    });
    expect(rows.map((row) => row.name)).toEqual(['JS:*putObject :1673:21', 'JS:notifyWatchers :2645:26']);
  });

  it('charges builtin and runtime ticks to their JavaScript caller when asked', () => {
    const rows = topEntries(readV8Log(log), { top: 10, windowUs: 1_000, chargeToJavaScript: true });
    // The builtin ticks go to putObject and notifyWatchers, the runtime tick with putObject on its
    // stack to putObject.
    expect(rows).toEqual([
      { name: 'JS:*putObject :1673:21', share: 75 },
      { name: 'JS:notifyWatchers :2645:26', share: 25 },
    ]);
  });
});
