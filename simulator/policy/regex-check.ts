/**
 * The agent compiles HTTP paths and methods with Go's regexp package (RE2 syntax) and Envoy matches
 * them with RE2; the simulator runs them as JavaScript regular expressions. This module refuses
 * what Go refuses, with Go's message (`error parsing regexp: …`, from regexp/syntax's parser), and
 * compiles the rest anchored, since Envoy matches the whole method, path or host.
 */

/** A compiled full-string matcher, or the Go regexp error Cilium would log. */
export type CompiledPattern =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly error: string };

/** Longest request field the simulator matches; JavaScript regexes backtrack, RE2 does not. */
const maxMatchedLength = 4096;

const goError = (code: string, fragment: string): string => `error parsing regexp: ${code}: \`${fragment}\``;

const captureName = /^[A-Za-z0-9_]+$/;

/** A `(?…` construct: Go's error, or where its header ends and whether it opens a group. */
type PerlGroup = { readonly error: string } | { readonly end: number; readonly opens: boolean };

/**
 * Reads a `(?…` construct starting at `start`. Named groups are `(?P<name>…)`, and from Go 1.22 also
 * `(?<name>…)`; lookarounds and atomic groups are not RE2 and Go refuses them.
 */
function perlGroup(pattern: string, start: number, angleNamedGroups: boolean): PerlGroup {
  const rest = pattern.slice(start);
  const named = rest.startsWith('(?P<') ? 4 : angleNamedGroups && rest.startsWith('(?<') ? 3 : 0;
  if (named > 0) {
    const end = rest.indexOf('>');
    if (end < 0) return { error: goError('invalid named capture', rest) };
    if (!captureName.test(rest.slice(named, end))) {
      return { error: goError('invalid named capture', rest.slice(0, end + 1)) };
    }
    return { end: start + end + 1, opens: true };
  }
  // Otherwise flags (i, m, s, U, a '-') end by ':' (a group) or ')' (flags for the rest).
  for (let index = 2; index < rest.length; index++) {
    const char = rest[index];
    if (char === ':' || char === ')') return { end: start + index + 1, opens: char === ':' };
    if (char !== 'i' && char !== 'm' && char !== 's' && char !== 'U' && char !== '-') {
      return { error: goError('invalid or unsupported Perl syntax', rest.slice(0, index + 1)) };
    }
  }
  return { error: goError('invalid or unsupported Perl syntax', rest) };
}

/** Go reads `\1`…`\9` not followed by an octal digit as a back-reference, which RE2 refuses. */
function escapeError(pattern: string, index: number): string | undefined {
  const next = pattern[index + 1] ?? '';
  if (/[1-9]/.test(next) && !/[0-7]/.test(pattern[index + 2] ?? '')) {
    return goError('invalid escape sequence', `\\${next}`);
  }
  if (next === 'k' || next === 'g') return goError('invalid escape sequence', `\\${next}`);
  return undefined;
}

/** The index after a character class that starts at `start`, or -1 when it never closes. */
function classEnd(pattern: string, start: number): number {
  let index = start + 1;
  if (pattern[index] === '^') index++;
  if (pattern[index] === ']') index++;
  for (; index < pattern.length; index++) {
    if (pattern[index] === '\\') index++;
    else if (pattern[index] === ']') return index + 1;
  }
  return -1;
}

/** Go's error for a repetition operator with nothing (or another repetition) before it. */
function repetitionError(pattern: string, index: number, previous: string): string | undefined {
  const operator = pattern[index] ?? '';
  if (previous === '' || previous === '(' || previous === '|') {
    return goError('missing argument to repetition operator', operator);
  }
  if (previous === 'repeat' && operator !== '?') {
    return goError('invalid nested repetition operator', pattern.slice(index - 1, index + 1));
  }
  return undefined;
}

/**
 * What Go's regexp.Compile says of a pattern (undefined: accepted). Covers the constructs people
 * bring from PCRE or JavaScript: lookarounds, back-references, named groups, unbalanced groups and
 * classes, dangling repetition. Other mistakes are left to the JavaScript compiler.
 */
export function goRegexpError(pattern: string, angleNamedGroups = true): string | undefined {
  let depth = 0;
  let previous = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] ?? '';
    let error: string | undefined;
    if (char === '\\') {
      error = escapeError(pattern, index);
      index++;
      previous = 'atom';
    } else if (char === '[') {
      const end = classEnd(pattern, index);
      if (end < 0) return goError('missing closing ]', pattern.slice(index));
      index = end - 1;
      previous = 'atom';
    } else if (char === '(' && pattern[index + 1] === '?') {
      const group = perlGroup(pattern, index, angleNamedGroups);
      if ('error' in group) return group.error;
      index = group.end - 1;
      if (group.opens) depth++;
      previous = '(';
    } else if (char === '(') {
      depth++;
      previous = '(';
    } else if (char === ')') {
      if (depth === 0) return goError('unexpected )', pattern);
      depth--;
      previous = 'atom';
    } else if (char === '*' || char === '+' || char === '?') {
      // A `?` after a repetition makes it non-greedy, which Go accepts.
      error = repetitionError(pattern, index, previous);
      previous = previous === 'repeat' ? 'lazy' : 'repeat';
    } else {
      previous = char === '|' ? '|' : 'atom';
    }
    if (error !== undefined) return error;
  }
  return depth > 0 ? goError('missing closing )', pattern) : undefined;
}

/** Go's syntax in JavaScript's: `(?P<name>` is `(?<name>`. */
function toJavaScriptSource(pattern: string): string {
  return pattern.replace(/\(\?P</g, '(?<');
}

/** Compiles a Cilium HTTP pattern (method, path, host) for full-string matching. */
export function compileFullMatch(pattern: string): CompiledPattern {
  const refused = goRegexpError(pattern);
  if (refused !== undefined) return { ok: false, error: refused };
  let source = toJavaScriptSource(pattern);
  let flags = 'u';
  // RE2 accepts a leading (?i); JavaScript needs it as a flag.
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags += 'i';
  }
  try {
    return { ok: true, regex: new RegExp(`^(?:${source})$`, flags) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid pattern';
    return { ok: false, error: `error parsing regexp: ${reason}: \`${pattern}\`` };
  }
}

/** Runs a compiled matcher on a request field, refusing oversized input instead of backtracking on it. */
export function matchesFully(regex: RegExp, text: string): boolean {
  if (text.length > maxMatchedLength) return false;
  return regex.test(text);
}
