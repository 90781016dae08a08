/**
 * The terminal's line editing, as readline does it, without a page around it: what a Tab does
 * with completion's answer, the reverse search of Ctrl-R, and how a command spread over lines is
 * echoed. The candidates themselves come from the simulator's terminal (terminal/completion.ts).
 */
import type { TerminalCompletion } from './lab-protocol';

/** The line after a Tab, and the candidates to list below it (bash's second Tab), if any. */
export interface CompletedLine {
  draft: string;
  listing: string[] | undefined;
}

/** The longest text every candidate starts with. */
export function commonPrefix(candidates: readonly string[]): string {
  const [first = '', ...others] = candidates;
  let length = first.length;
  for (const other of others) {
    let same = 0;
    while (same < length && same < other.length && other[same] === first[same]) same += 1;
    length = same;
  }
  return first.slice(0, length);
}

/** A candidate as typed into the shell: spaces and quotes escaped. */
const escaped = (word: string): string => word.replace(/([\s'"\\$`|&;<>()])/g, '\\$1');

/**
 * Applies completion to the line: one candidate replaces the word (with a space after it, unless
 * it ends in `/` or `=`, which expect more); several extend the word to what they share, and when
 * they share no more than was typed, a second Tab (`repeated`) lists them, as bash does.
 */
export function applyCompletion(
  draft: string,
  completion: TerminalCompletion,
  repeated: boolean,
): CompletedLine {
  const { start, candidates } = completion;
  const before = draft.slice(0, start);
  const typed = draft.slice(start);
  if (candidates.length === 0) return { draft, listing: undefined };
  if (candidates.length === 1) {
    const [only = ''] = candidates;
    const space = /[/=]$/.test(only) ? '' : ' ';
    return { draft: `${before}${escaped(only)}${space}`, listing: undefined };
  }
  const shared = commonPrefix(candidates);
  if (escaped(shared).length > typed.length)
    return { draft: `${before}${escaped(shared)}`, listing: undefined };
  return { draft, listing: repeated ? [...candidates] : undefined };
}

/**
 * Ctrl-R: the index of the newest history entry at or after `from` (history is newest first) that
 * contains the query, or -1. An empty query matches nothing, as in readline before a key.
 */
export function searchHistory(history: readonly string[], query: string, from: number): number {
  if (query === '') return -1;
  for (let index = Math.max(0, from); index < history.length; index += 1)
    if ((history[index] ?? '').includes(query)) return index;
  return -1;
}

/** A command as the terminal echoes it: the prompt, then bash's `> ` before each continued line. */
export function echoedCommand(command: string, prompt = '$'): string {
  return `${prompt} ${command.split('\n').join('\n> ')}`;
}
