/**
 * A pasted script, cut where bash would run it: bash reads a paste line by line and runs a command
 * as soon as its text is complete, so a line continues the command when a quote is still open, a
 * here-document has not reached its delimiter, a compound command (`if … fi`, `for … done`,
 * `case … esac`, `{ … }`, `( … )`) is not closed, or the line ends in `\`, `|`, `&&` or `||`
 * (bash then prints its PS2 prompt, `> `). No imports: the page's terminal uses it as it is.
 */

/** The commands a paste holds, in order, and the text after its last complete command. */
export interface SplitScript {
  commands: string[];
  /** What stays at the prompt: an unfinished command, or a last line with no newline after it. */
  rest: string;
}

/** What is still open after the lines read so far. */
interface OpenState {
  quote: '"' | "'" | undefined;
  /** Delimiters of here-documents whose bodies come next, first one first. */
  heredocs: { delimiter: string; stripTabs: boolean }[];
  /** Compound commands opened and not yet closed. */
  depth: number;
  /** Inside `case … esac`, where `)` ends a pattern rather than a subshell. */
  caseDepth: number;
  /** The line ended in `\`, `|`, `&&` or `||`. */
  continued: boolean;
}

const opening = new Set(['if', 'for', 'while', 'until', 'case', 'select', '{']);
const closing = new Set(['fi', 'done', 'esac', '}']);

/** After these words the next word starts a command, so a reserved word there counts. */
const commandStarters = new Set(['then', 'do', 'else', 'elif', '!']);

/** The index just past the `))` that closes arithmetic opened at `start` (`((` or `$((`), or the line's end. */
function arithmeticEnd(line: string, start: number): number {
  let depth = 0;
  for (let index = start; index < line.length; index += 1) {
    if (line[index] === '(') depth += 1;
    else if (line[index] === ')') {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return line.length;
}

/**
 * Reads one line of shell (not a here-document body) into the open state. Reserved words count
 * only where bash reads them, at the start of a command (`echo done` closes nothing), and `<<`
 * inside arithmetic (`$((1<<2))`) is a shift, not a here-document.
 */
function readLine(line: string, state: OpenState): void {
  let word = '';
  let commandStart = true;
  const endWord = (): void => {
    if (word === '') return;
    if (commandStart) {
      if (word === 'case') state.caseDepth += 1;
      if (word === 'esac') state.caseDepth = Math.max(0, state.caseDepth - 1);
      if (opening.has(word)) state.depth += 1;
      else if (closing.has(word)) state.depth = Math.max(0, state.depth - 1);
    }
    // After a reserved word such as `then`, `do` or `{` a command follows. After `for` or `case`
    // comes a name, then a word list or patterns, none of them read as reserved words by bash; the
    // `do` and `esac` that close them follow a separator, where a command starts anyway.
    commandStart = commandStart && (commandStarters.has(word) || opening.has(word));
    word = '';
  };
  const separator = (): void => {
    endWord();
    commandStart = true;
  };
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (state.quote !== undefined) {
      if (char === '\\' && state.quote === '"') index += 1;
      else if (char === state.quote) state.quote = undefined;
      continue;
    }
    if (char === '\\') {
      word += line.slice(index, index + 2);
      index += 1;
      continue;
    }
    if (char === '#' && word === '') break;
    if (line.startsWith('$((', index) || (line.startsWith('((', index) && word === '' && commandStart)) {
      const end = arithmeticEnd(line, line[index] === '$' ? index + 1 : index);
      word += line.slice(index, end);
      index = end - 1;
    } else if (char === '"' || char === "'") {
      state.quote = char;
      word += char;
    } else if (char === '<' && line.startsWith('<<', index) && !line.startsWith('<<<', index)) {
      const heredoc = /^<<(-?)\s*(['"]?)([\w.-]+)\2/.exec(line.slice(index));
      if (heredoc !== null) {
        state.heredocs.push({ delimiter: heredoc[3] ?? '', stripTabs: heredoc[1] === '-' });
        index += heredoc[0].length - 1;
      }
      endWord();
    } else if ((char === '(' || char === ')') && state.caseDepth === 0) {
      separator();
      state.depth = Math.max(0, state.depth + (char === '(' ? 1 : -1));
    } else if (/;|&|\|/.test(char)) {
      separator();
    } else if (/\s/.test(char)) {
      endWord();
    } else word += char;
  }
  endWord();
  const trimmed = line.trimEnd();
  state.continued =
    state.quote === undefined && (/(?:\|\||&&|\|)$/.test(trimmed) || /(?:^|[^\\])(?:\\\\)*\\$/.test(line));
}

/** Whether the here-document body line ends the first pending here-document. */
function endsHeredoc(line: string, state: OpenState): boolean {
  const [first] = state.heredocs;
  if (first === undefined) return false;
  const text = first.stripTabs ? line.replace(/^\t+/, '') : line;
  if (text !== first.delimiter) return false;
  state.heredocs.shift();
  return true;
}

/**
 * Whether bash, given this text and Enter, would wait for more (its PS2 prompt `> `) rather than
 * run it: an open quote, here-document, compound command or continued line.
 */
export function awaitsMore(text: string): boolean {
  return splitScript(`${text}\n`).rest !== '';
}

/** Splits pasted text into the commands bash would run one after the other. */
export function splitScript(text: string): SplitScript {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // The text after the last newline has not been "entered" yet.
  const unfinishedLast = lines.pop() ?? '';
  const commands: string[] = [];
  let pending: string[] = [];
  const state: OpenState = { quote: undefined, heredocs: [], depth: 0, caseDepth: 0, continued: false };
  for (const line of lines) {
    if (pending.length === 0 && line.trim() === '') continue;
    const inHeredoc = state.heredocs.length > 0 && state.quote === undefined && !state.continued;
    pending.push(line);
    if (inHeredoc) endsHeredoc(line, state);
    else readLine(line, state);
    const open = state.quote !== undefined || state.heredocs.length > 0 || state.depth > 0 || state.continued;
    if (!open) {
      commands.push(pending.join('\n'));
      pending = [];
    }
  }
  const rest = [...pending, unfinishedLast].join('\n');
  return { commands, rest: pending.length === 0 ? unfinishedLast : rest };
}
