/**
 * Word expansion of a container's script (POSIX 2.6, https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_06):
 * parameters (with `${x:-word}`-style defaults, `${#x}` and `%`/`#` pattern removal), arithmetic,
 * command substitution, then field splitting of the unquoted results on blanks (the default IFS).
 * Pathname expansion is not done: the model's containers have no files a pattern could match, and
 * busybox ash leaves a pattern that matches nothing as written.
 */
import type { Word, WordPart } from './shell-syntax';

/** What expansion needs from the running shell. */
export interface ExpansionScope {
  /** A variable's or special parameter's value; undefined when unset. */
  parameter(name: string): string | undefined;
  assign(name: string, value: string): void;
  /** `$((…))` of the expanded text. */
  arithmetic(text: string): number;
  /** `$(…)`: what the script wrote on standard output, trailing newlines removed. */
  substitute(script: string): string;
  /** `${x:?message}` with x unset or empty: the shell reports it and exits. */
  fail(message: string): never;
}

interface Segment {
  text: string;
  /** Unquoted expansion results are split into fields; quoted text and literals are not. */
  split: boolean;
  /** Quoted text, which a pattern takes literally. */
  quoted: boolean;
}

/** A shell pattern as a regular expression (POSIX 2.14): `*`, `?` and bracket expressions. */
function patternSource(segments: readonly { text: string; quoted: boolean }[]): string {
  let source = '';
  for (const segment of segments) {
    if (segment.quoted) {
      source += segment.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    for (let index = 0; index < segment.text.length; index += 1) {
      const char = segment.text[index] ?? '';
      const close = char === '[' ? segment.text.indexOf(']', index + 2) : -1;
      if (char === '*') source += '[\\s\\S]*';
      else if (char === '?') source += '[\\s\\S]';
      else if (close > 0) {
        source += `[${segment.text
          .slice(index + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        index = close;
      } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return source;
}

/** `${x%pattern}`, `${x%%pattern}`, `${x#pattern}`, `${x##pattern}`: the shortest or longest match removed. */
function removePattern(value: string, operator: string, pattern: string): string {
  const longest = operator.length === 2;
  const fromEnd = operator.startsWith('%');
  const matches = (text: string): boolean => new RegExp(`^(?:${pattern})$`).test(text);
  const lengths = Array.from({ length: value.length + 1 }, (_, index) => index);
  if (longest) lengths.reverse();
  for (const length of lengths) {
    const piece = fromEnd ? value.slice(value.length - length) : value.slice(0, length);
    if (matches(piece)) return fromEnd ? value.slice(0, value.length - length) : value.slice(length);
  }
  return value;
}

function expandParameter(part: Extract<WordPart, { kind: 'parameter' }>, scope: ExpansionScope): string {
  const value = scope.parameter(part.name);
  const operator = part.operator;
  if (operator === undefined) return value ?? '';
  if (operator === '#length') return String((value ?? '').length);
  const operand = (): string => expandToText(part.operand ?? [], scope);
  if (operator.startsWith('%') || operator.startsWith('#'))
    return removePattern(value ?? '', operator, patternSource(segments(part.operand ?? [], scope)));
  const unset = operator.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (operator.replace(':', '')) {
    case '-':
      return unset ? operand() : (value ?? '');
    case '=': {
      if (!unset) return value ?? '';
      const assigned = operand();
      scope.assign(part.name, assigned);
      return assigned;
    }
    case '+':
      return unset ? '' : operand();
    default: {
      if (!unset) return value ?? '';
      const message = operand();
      return scope.fail(`${part.name}: ${message === '' ? 'parameter not set' : message}`);
    }
  }
}

/** The expanded pieces of a word, in order, with whether each may be split. */
function segments(word: Word, scope: ExpansionScope): Segment[] {
  return word.map((part): Segment => {
    if (part.kind === 'text') return { text: part.text, split: false, quoted: part.quoted };
    const text =
      part.kind === 'parameter'
        ? expandParameter(part, scope)
        : part.kind === 'arithmetic'
          ? String(scope.arithmetic(expandToText(part.expression, scope)))
          : scope.substitute(part.script);
    return { text, split: !part.quoted, quoted: part.quoted };
  });
}

/** A word expanded to one string, without field splitting (assignments, `case`, redirections). */
export function expandToText(word: Word, scope: ExpansionScope): string {
  const [only] = word;
  if (word.length === 1 && only?.kind === 'text') return only.text;
  return segments(word, scope)
    .map((segment) => segment.text)
    .join('');
}

/** A word as a pattern's regular expression source (`case` patterns). */
export function expandToPattern(word: Word, scope: ExpansionScope): string {
  return patternSource(segments(word, scope));
}

/**
 * A word expanded to fields (POSIX 2.6.5): unquoted expansion results split on blanks, a quoted
 * empty string kept as an empty field, an unquoted empty expansion dropped.
 */
export function expandToFields(word: Word, scope: ExpansionScope): string[] {
  // Most words are plain text: nothing to expand or split.
  const [only] = word;
  if (word.length === 1 && only?.kind === 'text') return [only.text];
  const fields: string[] = [];
  let current: string | undefined;
  for (const segment of segments(word, scope)) {
    if (!segment.split) {
      current = (current ?? '') + segment.text;
      continue;
    }
    segment.text.split(/[ \t\n]+/).forEach((piece, index) => {
      if (index > 0 && current !== undefined) {
        fields.push(current);
        current = undefined;
      }
      if (piece !== '') current = (current ?? '') + piece;
    });
  }
  if (current !== undefined) fields.push(current);
  return fields;
}
