/**
 * The limits that stop a runaway command line in the simulated shell (just-bash's execution
 * limits), and the sentence a reader sees when one is reached. just-bash words its refusals for
 * the programmer who embeds it (`…, increase executionLimits.maxCommandCount`); the reader gets
 * what stopped the line instead, in the same `stopped: …` form as the virtual-time budget.
 */

/** The shell's limits, generous for any script the guides run and small enough to end a loop soon. */
export const shellLimits = {
  maxCommandCount: 200_000,
  // The virtual-time budget and the command count stop runaway loops; this wall-clock limit is
  // only a last resort, generous enough that a slow machine still reaches the others first.
  maxExecutionTimeMs: 120_000,
  maxOutputSize: 8 * 1024 * 1024,
} as const;

const thousands = (value: string): string => Number(value).toLocaleString('en-US');

/**
 * just-bash's refusals (each line's pattern, with the limit's number captured where it has one)
 * and what each means to a reader.
 */
const refusals: readonly { pattern: RegExp; explain: (limit: string) => string }[] = [
  {
    pattern: /^bash: too many commands executed \(>(\d+)\)/,
    explain: (limit) => `this command line ran more than ${thousands(limit)} commands`,
  },
  {
    pattern: /^bash: \w+ loop: too many iterations \((\d+)\)/,
    explain: (limit) => `a loop in this command line ran more than ${thousands(limit)} times`,
  },
  {
    pattern: /^bash: .*output size (?:limit )?exceeded/,
    explain: () =>
      `this command line wrote more than ${shellLimits.maxOutputSize / 1024 / 1024} MiB of output`,
  },
  {
    pattern: /^bash: .*maximum recursion depth \((\d+)\) exceeded/,
    explain: (limit) => `functions in this command line called each other more than ${limit} deep`,
  },
  {
    pattern: /^bash: .*iteration limit exceeded \((\d+)\)/,
    explain: (limit) =>
      `a command in this line went past the shell's limit of ${thousands(limit)} iterations`,
  },
  {
    pattern: /^bash: .*exceeded (?:its )?execution deadline/,
    explain: () =>
      `this command line ran for more than ${shellLimits.maxExecutionTimeMs / 60_000} minutes of real time`,
  },
];

/** The advice just-bash adds for the programmer who embeds it. */
const advice = /, increase executionLimits\.\w+$/gm;

/**
 * The shell's stderr with a limit's refusal told in the reader's terms: the shell's own line
 * without the advice meant for programmers, then why the line stopped. Other text is unchanged.
 */
export function explainShellLimits(stderr: string): string {
  const text = stderr.replace(advice, '');
  for (const line of text.split('\n')) {
    for (const { pattern, explain } of refusals) {
      const match = pattern.exec(line);
      if (match !== null)
        return `${text}${text.endsWith('\n') ? '' : '\n'}stopped: ${explain(match[1] ?? '')}\n`;
    }
  }
  return text;
}
