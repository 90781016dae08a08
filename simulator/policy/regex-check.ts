/**
 * Envoy and the agent compile HTTP and header patterns as RE2; the simulator runs them as JavaScript
 * regular expressions. This module refuses what RE2 refuses (lookaround, back-references) and
 * compiles the rest anchored, since Cilium matches the whole method, path or host.
 */

/** A compiled full-string matcher, or the RE2-style error Cilium would log. */
export type CompiledPattern =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly error: string };

const unsupportedPerl = /\(\?<?[=!]|\\[1-9]|\(\?P?<[A-Za-z]/;

/** Longest request field the simulator matches; JavaScript regexes backtrack, RE2 does not. */
export const maxMatchedLength = 4096;

/** Compiles a Cilium HTTP pattern (method, path, host) for full-string matching. */
export function compileFullMatch(pattern: string): CompiledPattern {
  const perl = unsupportedPerl.exec(pattern);
  if (perl)
    return { ok: false, error: `error parsing regexp: invalid or unsupported Perl syntax: \`${perl[0]}\`` };
  let source = pattern;
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
