/**
 * The syntax of the `sh -c` scripts a container runs, parsed as the POSIX Shell Command Language
 * says (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html): token
 * recognition with quoting (2.2, 2.3), and the grammar of lists, and-or lists, pipelines, simple
 * commands and the compound commands `for`, `while`, `until`, `if`, `case`, `{ }` and `( )` (2.9,
 * 2.10). busybox ash and bash read these the same way. Not parsed: functions, here-documents,
 * aliases and bash's `[[ ]]` / `(( ))` forms, which make the script unparseable (the container then
 * counts as running until it is stopped).
 *
 * The terminal's shell (just-bash) has a complete parser, but the simulator core runs before that
 * shell is loaded (ARCHITECTURE.md: the terminal's chunk is loaded when a command first runs), so
 * Kubernetes' model keeps this small one of its own.
 */

/** A piece of a word, with whether quotes protect it from field splitting. */
export type WordPart =
  | { kind: 'text'; text: string; quoted: boolean }
  | { kind: 'parameter'; name: string; quoted: boolean; operator?: string; operand?: Word }
  | { kind: 'arithmetic'; expression: Word; quoted: boolean }
  | { kind: 'substitution'; script: string; quoted: boolean };

export type Word = WordPart[];

export interface Redirection {
  /** `>`, `>>`, `<`, `>&`, `<&`. */
  operator: string;
  /** The file descriptor redirected (1 for `>`, 0 for `<` unless a number is written before). */
  descriptor: number;
  target: Word;
}

export type Command =
  | {
      kind: 'simple';
      assignments: { name: string; value: Word }[];
      words: Word[];
      redirections: Redirection[];
    }
  | { kind: 'for'; name: string; items: Word[] | undefined; body: List }
  | { kind: 'loop'; until: boolean; condition: List; body: List }
  | { kind: 'if'; branches: { condition: List; body: List }[]; otherwise: List | undefined }
  | { kind: 'case'; subject: Word; items: { patterns: Word[]; body: List }[] }
  | { kind: 'group'; body: List; subshell: boolean };

export interface Pipeline {
  negated: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { operator: '&&' | '||'; pipeline: Pipeline }[];
  background: boolean;
}

export type List = AndOr[];

/**
 * Why a script could not be parsed: a syntax error the shell reports too, or (`unsupported`) a
 * construct the model does not read, after which it counts the process as running until stopped.
 */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** A token: a word (with its source text, and whether it is the number of a redirection) or an operator. */
export type Token =
  { kind: 'word'; word: Word; raw: string; ioNumber: boolean } | { kind: 'operator'; text: string };

const operators = ['&&', '||', ';;', '>>', '>&', '<&', '<<', ';', '&', '|', '(', ')', '<', '>', '\n'];
const metacharacters = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** The index just after the `)` that closes a `$(` or `$((` opened before `from`. */
function closingParenthesis(source: string, from: number, depth: number): number {
  let level = depth;
  for (let index = from; index < source.length; index += 1) {
    const char = source[index];
    if (char === '\\') index += 1;
    else if (char === "'") index = source.indexOf("'", index + 1);
    else if (char === '"') index = closingQuote(source, index + 1) - 1;
    else if (char === '(') level += 1;
    else if (char === ')') {
      level -= 1;
      if (level === 0) return index + 1;
    }
    if (index < 0) break;
  }
  throw new ShellSyntaxError('unterminated $(');
}

/** The index just after the `"` that closes a double-quoted string starting at `from`. */
function closingQuote(source: string, from: number): number {
  for (let index = from; index < source.length; index += 1) {
    const char = source[index];
    if (char === '\\') index += 1;
    else if (char === '"') return index + 1;
    else if (source.startsWith('$(', index)) index = closingParenthesis(source, index + 2, 1) - 1;
    else if (char === '`') index = source.indexOf('`', index + 1);
    if (index < 0) break;
  }
  throw new ShellSyntaxError('unterminated quoted string');
}

const nameStart = /[A-Za-z_]/;
const nameChar = /[A-Za-z0-9_]/;

/** A `$` expansion at `index` (which holds the `$`): the part and the index after it. */
function dollar(source: string, index: number, quoted: boolean): { part: WordPart; end: number } {
  if (source.startsWith('$((', index)) {
    const end = closingParenthesis(source, index + 1, 0);
    const inner = source.slice(index + 3, end - 2);
    return { part: { kind: 'arithmetic', expression: parseWordText(inner, true), quoted }, end };
  }
  if (source.startsWith('$(', index)) {
    const end = closingParenthesis(source, index + 2, 1);
    return { part: { kind: 'substitution', script: source.slice(index + 2, end - 1), quoted }, end };
  }
  if (source[index + 1] === '{') return braced(source, index, quoted);
  const next = source[index + 1] ?? '';
  if (/[0-9?$#@*!-]/.test(next)) return { part: { kind: 'parameter', name: next, quoted }, end: index + 2 };
  if (!nameStart.test(next)) return { part: { kind: 'text', text: '$', quoted }, end: index + 1 };
  let end = index + 1;
  while (end < source.length && nameChar.test(source[end] ?? '')) end += 1;
  return { part: { kind: 'parameter', name: source.slice(index + 1, end), quoted }, end };
}

/** `${name}`, `${#name}` and `${name:-word}`-style expansions (POSIX 2.6.2). */
function braced(source: string, index: number, quoted: boolean): { part: WordPart; end: number } {
  const close = source.indexOf('}', index + 2);
  if (close < 0) throw new ShellSyntaxError('bad substitution');
  const body = source.slice(index + 2, close);
  const match = /^(#?)([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!-])(:?[-=?+]|%%?|##?)?([\s\S]*)$/.exec(body);
  if (match === null) throw new ShellSyntaxError('bad substitution');
  const [, length, name = '', operator, operand = ''] = match;
  const part: WordPart =
    length === '#'
      ? { kind: 'parameter', name, quoted, operator: '#length' }
      : { kind: 'parameter', name, quoted };
  if (operator !== undefined && length !== '#') {
    part.operator = operator;
    part.operand = parseWordText(operand, quoted);
  }
  return { part, end: close + 1 };
}

/**
 * The parts of a word's text, as the lexer keeps them for expansion: quotes removed but remembered,
 * `$` and backquote expansions found. `inDoubleQuotes` for a double-quoted string's inside, where a
 * backslash escapes only `$`, backquote, `"`, `\` and newline (POSIX 2.2.3).
 */
function parseWordText(text: string, inDoubleQuotes: boolean): Word {
  const parts: Word = [];
  const push = (piece: string, quoted: boolean): void => {
    const last = parts[parts.length - 1];
    if (last?.kind === 'text' && last.quoted === quoted) last.text += piece;
    else parts.push({ kind: 'text', text: piece, quoted });
  };
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '\\') {
      const next = text[index + 1] ?? '';
      if (next === '\n') index += 2;
      else if (!inDoubleQuotes || '$`"\\'.includes(next)) {
        push(next, true);
        index += 2;
      } else {
        push('\\', true);
        index += 1;
      }
    } else if (char === "'" && !inDoubleQuotes) {
      const close = text.indexOf("'", index + 1);
      if (close < 0) throw new ShellSyntaxError('unterminated quoted string');
      push(text.slice(index + 1, close), true);
      if (close === index + 1) push('', true);
      index = close + 1;
    } else if (char === '"' && !inDoubleQuotes) {
      const close = closingQuote(text, index + 1);
      const inner = parseWordText(text.slice(index + 1, close - 1), true);
      if (inner.length === 0) push('', true);
      for (const part of inner) parts.push(part);
      index = close;
    } else if (char === '$') {
      const { part, end } = dollar(text, index, inDoubleQuotes);
      if (part.kind === 'text') push(part.text, part.quoted);
      else parts.push(part);
      index = end;
    } else if (char === '`') {
      const close = text.indexOf('`', index + 1);
      if (close < 0) throw new ShellSyntaxError('unterminated `');
      parts.push({ kind: 'substitution', script: text.slice(index + 1, close), quoted: inDoubleQuotes });
      index = close + 1;
    } else {
      push(char, inDoubleQuotes);
      index += 1;
    }
  }
  return parts;
}

/** The end of the word that starts at `start`: the first unquoted metacharacter. */
function wordEnd(source: string, start: number): number {
  let index = start;
  while (index < source.length) {
    const char = source[index] ?? '';
    if (metacharacters.has(char)) return index;
    if (char === '\\') index += 2;
    else if (char === "'") {
      const close = source.indexOf("'", index + 1);
      if (close < 0) throw new ShellSyntaxError('unterminated quoted string');
      index = close + 1;
    } else if (char === '"') index = closingQuote(source, index + 1);
    else if (source.startsWith('$(', index)) index = closingParenthesis(source, index + 2, 1);
    else if (char === '`') {
      const close = source.indexOf('`', index + 1);
      if (close < 0) throw new ShellSyntaxError('unterminated `');
      index = close + 1;
    } else index += 1;
  }
  return index;
}

/** The tokens of a script (POSIX 2.3): words and operators, comments and blanks dropped. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] ?? '';
    if (char === ' ' || char === '\t') index += 1;
    else if (source.startsWith('\\\n', index)) index += 2;
    else if (char === '#') {
      const newline = source.indexOf('\n', index);
      index = newline < 0 ? source.length : newline;
    } else {
      const operator = operators.find((candidate) => source.startsWith(candidate, index));
      if (operator !== undefined) {
        if (operator === '<<') throw new ShellSyntaxError('here-documents are not modelled', true);
        tokens.push({ kind: 'operator', text: operator });
        index += operator.length;
      } else {
        const end = wordEnd(source, index);
        const raw = source.slice(index, end);
        const ioNumber = /^[0-9]$/.test(raw) && (source[end] === '<' || source[end] === '>');
        tokens.push({ kind: 'word', word: parseWordText(raw, false), raw, ioNumber });
        index = end;
      }
    }
  }
  return tokens;
}
