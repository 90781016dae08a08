import { describe, expect, it } from 'vitest';
import { plainOutput, styledRuns, type StyledRun } from '../../../src/widgets/scenario/sgr-spans';

// The terminal draws a tool's colours as styled runs of plain text: SGR sequences set and reset
// the style, other escape sequences vanish, and the text itself (what is copied and read aloud)
// never holds an escape character.
const esc = '\u001b';

const cases: { name: string; output: string; runs: StyledRun[] }[] = [
  { name: 'plain text is one unstyled run', output: 'NAME  READY\n', runs: [{ text: 'NAME  READY\n' }] },
  {
    name: 'a colour and its reset',
    output: `to-endpoint ${esc}[32mFORWARDED${esc}[0m (TCP)`,
    runs: [{ text: 'to-endpoint ' }, { text: 'FORWARDED', colour: 'green' }, { text: ' (TCP)' }],
  },
  {
    name: 'a colour nested in another, as fatih/color writes a port inside a host',
    output: `${esc}[36mdefault/server:${esc}[33m80${esc}[0m${esc}[0m`,
    runs: [
      { text: 'default/server:', colour: 'cyan' },
      { text: '80', colour: 'yellow' },
    ],
  },
  {
    name: 'bold and a bright colour in one sequence, then default colour only',
    output: `${esc}[1;91mERROR${esc}[39m still bold${esc}[m`,
    runs: [
      { text: 'ERROR', colour: 'red', bold: true },
      { text: ' still bold', bold: true },
    ],
  },
  {
    name: 'a sequence that is not SGR is dropped',
    output: `${esc}[2Kcleared${esc}[1A`,
    runs: [{ text: 'cleared' }],
  },
];

describe('terminal colours: SGR sequences as styled runs', () => {
  it.each(cases)('$name', ({ output, runs }) => {
    expect(styledRuns(output)).toEqual(runs);
    expect(plainOutput(output)).toBe(runs.map((run) => run.text).join(''));
    expect(plainOutput(output).includes(esc)).toBe(false);
  });
});
