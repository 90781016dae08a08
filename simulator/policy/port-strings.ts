/**
 * How each stage reads a Cilium `port` string. The CRD's pattern (ciliumnetworkpolicies.yaml, every
 * release modelled) is `^(numbers)|name$`: the top-level `|` splits it into an alternative anchored
 * only at the start and one anchored only at the end, so the API server stores "70000" (it starts
 * with digits), "http_alt" (it ends with letters) and "6581-6586" (cilium/cilium#26384). The agent
 * then reads the string as an IANA service name (pkg/iana/svcname.go) or with Go's
 * strconv.ParseUint(port, 0, 16) (PortProtocol.sanitize in pkg/policy/api/rule_validation.go),
 * and refuses what neither reads.
 */

/** The pattern the CRD puts on `port`, as the API server prints it. */
export const portPattern =
  '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$';

const isAlphanumeric = (char: string | undefined): boolean => char !== undefined && /[a-zA-Z0-9]/.test(char);
const isLetter = (char: string | undefined): boolean => char !== undefined && /[a-zA-Z]/.test(char);

/**
 * Whether the API server's (unanchored, RE2) search for the CRD pattern finds a match. The first
 * alternative matches any string that starts with a digit; the second any string with a suffix
 * `[a-zA-Z](-?[a-zA-Z0-9])*`, found here by one backward scan instead of a backtracking regex.
 */
export function crdAcceptsPort(text: string): boolean {
  if (/^[0-9]/.test(text)) return true;
  // tail(i): text[i..] matches (-?[a-zA-Z0-9])*; kept for i+1 and i+2 while scanning backwards.
  let tailNext = true;
  let tailAfterNext = false;
  for (let index = text.length - 1; index >= 0; index--) {
    const char = text[index];
    if (isLetter(char) && tailNext) return true;
    const tail: boolean =
      (isAlphanumeric(char) && tailNext) ||
      (char === '-' && isAlphanumeric(text[index + 1]) && tailAfterNext);
    tailAfterNext = tailNext;
    tailNext = tail;
  }
  return false;
}

/** pkg/iana IsSvcName: 1 to 15 letters, digits and single inner hyphens, at least one letter. */
function isServiceName(text: string): boolean {
  return (
    text.length > 0 &&
    text.length <= 15 &&
    /^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$/.test(text) &&
    /[a-zA-Z]/.test(text)
  );
}

/** Go's rule for underscores in a base-0 literal: only between digits (or after a base prefix). */
function underscoresPlaced(text: string): boolean {
  let body = text;
  let prefixed = false;
  if (/^0[xXbBoO]/.test(body)) {
    body = body.slice(2);
    prefixed = true;
  }
  if (body.startsWith('_') && !prefixed) return false;
  return !body.endsWith('_') && !body.includes('__');
}

/**
 * strconv.ParseUint(text, 0, 16): base from the prefix (0x, 0b, 0o, or a leading 0 for octal),
 * underscores allowed, a range error as soon as the value passes 65535.
 */
function parseGoUint16(text: string): number | 'invalid syntax' | 'value out of range' {
  if (text === '') return 'invalid syntax';
  let base = 10;
  let digits = text;
  if (/^0[xX]/.test(text)) [base, digits] = [16, text.slice(2)];
  else if (/^0[bB]/.test(text)) [base, digits] = [2, text.slice(2)];
  else if (/^0[oO]/.test(text)) [base, digits] = [8, text.slice(2)];
  else if (text.length > 1 && text.startsWith('0')) [base, digits] = [8, text.slice(1)];
  if (digits === '') return 'invalid syntax';
  let value = 0;
  let underscores = false;
  for (const char of digits) {
    if (char === '_') {
      underscores = true;
      continue;
    }
    const digit = parseInt(char, 36);
    if (Number.isNaN(digit) || digit >= base) return 'invalid syntax';
    value = value * base + digit;
    if (value > 65535) return 'value out of range';
  }
  if (underscores && !underscoresPlaced(text)) return 'invalid syntax';
  return value;
}

/** What the agent makes of a port string the API server stored. */
export type AgentPort =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'name'; readonly value: string }
  | { readonly kind: 'error'; readonly reason: string };

/** The agent's reading of a stored port: a lower-cased service name, a number, or Go's error text. */
export function agentReadsPort(text: string): AgentPort {
  if (isServiceName(text)) return { kind: 'name', value: text.toLowerCase() };
  const parsed = parseGoUint16(text);
  if (typeof parsed === 'number') return { kind: 'number', value: parsed };
  return { kind: 'error', reason: `strconv.ParseUint: parsing ${JSON.stringify(text)}: ${parsed}` };
}
