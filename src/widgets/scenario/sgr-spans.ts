/**
 * Terminal output with ANSI escape sequences (what a tool prints in colour on a terminal, such as
 * `hubble observe` under `kubectl exec -it`) as runs of plain text, each with the style its SGR
 * ("select graphic rendition") sequences chose. The widget draws each run as a span, so the page
 * shows colour while the text a reader copies, and a screen reader reads, stays plain; escape
 * sequences that are not SGR are dropped, never shown raw.
 */

/** The eight basic colours of ECMA-48 (30–37 foreground; 90–97 are their bright forms). */
const colourNames = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;
export type SgrColour = (typeof colourNames)[number];

/** A run of text and the style it is drawn in. */
export interface StyledRun {
  text: string;
  colour?: SgrColour;
  bold?: true;
}

// CSI sequences (ESC [ parameters intermediates final byte), and the lone two-byte escapes.
// eslint-disable-next-line no-control-regex -- escape sequences start with the ESC control character
const escapeSequence = /\u001b\[([0-?]*)[ -/]*([@-~])|\u001b[@-Z\\-_]/g;

interface Style {
  colour: SgrColour | undefined;
  bold: boolean;
}

/** The style after one SGR sequence's parameters (`31`, `1;32`, `0`, or empty for a reset). */
function applySgr(style: Style, parameters: string): Style {
  let { colour, bold } = style;
  for (const part of parameters === '' ? ['0'] : parameters.split(';')) {
    const code = Number(part === '' ? '0' : part);
    if (code === 0) ({ colour, bold } = { colour: undefined, bold: false });
    else if (code === 1) bold = true;
    else if (code === 22) bold = false;
    else if (code === 39) colour = undefined;
    else if (code >= 30 && code <= 37) colour = colourNames[code - 30];
    else if (code >= 90 && code <= 97) colour = colourNames[code - 90];
    // Other codes (backgrounds, underline, 256 colours) are left out: no tool here prints them.
  }
  return { colour, bold };
}

/** Splits output into styled runs; text without escape sequences is one unstyled run. */
export function styledRuns(output: string): StyledRun[] {
  const runs: StyledRun[] = [];
  let style: Style = { colour: undefined, bold: false };
  let from = 0;
  const push = (text: string): void => {
    if (text === '') return;
    const run: StyledRun = { text };
    if (style.colour !== undefined) run.colour = style.colour;
    if (style.bold) run.bold = true;
    const last = runs.at(-1);
    if (last !== undefined && last.colour === run.colour && last.bold === run.bold) last.text += text;
    else runs.push(run);
  };
  for (const match of output.matchAll(escapeSequence)) {
    push(output.slice(from, match.index));
    from = match.index + match[0].length;
    if (match[2] === 'm') style = applySgr(style, match[1] ?? '');
  }
  push(output.slice(from));
  return runs;
}

/** The output without its escape sequences, as a reader copying it gets it. */
export function plainOutput(output: string): string {
  return output.replace(escapeSequence, '');
}
