/**
 * Splits a script into the command lines a reader would have typed one after another: a new line
 * starts wherever a top-level statement starts at the beginning of a source line, so a heredoc's
 * body, a loop over several lines or a line continued with `\` stay with their command, and
 * `a; b` typed on one line stays one line. Comments and blank lines between commands are dropped.
 * A script the shell cannot parse comes back whole, for the shell to report its error.
 */
import { parse } from 'just-bash';

/** The command lines of a script, in order. */
export function splitCommandLines(script: string): string[] {
  let statements: { sourceText?: string }[];
  try {
    statements = parse(script).statements;
  } catch {
    return script.trim() === '' ? [] : [script];
  }
  const starts: number[] = [];
  let cursor = 0;
  for (const statement of statements) {
    const text = statement.sourceText;
    if (text === undefined || text === '') continue;
    const at = script.indexOf(text, cursor);
    if (at < 0) return [script];
    cursor = at + text.length;
    const lineStart = script.lastIndexOf('\n', at - 1) + 1;
    if (script.slice(lineStart, at).trim() === '') starts.push(at);
  }
  return starts
    .map((start, index) => script.slice(start, starts[index + 1] ?? script.length))
    .map((line) =>
      line
        .split('\n')
        .filter((text, index, all) => index < all.length - 1 || text.trim() !== '')
        .join('\n')
        .replace(/(\n\s*(#[^\n]*)?)+$/, ''),
    )
    .filter((line) => line.trim() !== '');
}
