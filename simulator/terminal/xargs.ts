/**
 * xargs as GNU findutils runs it. The shell's own xargs (just-bash's) takes `-I REPLACE` only as two
 * words and splits the input on blanks even then; GNU's also takes it attached (`-I{}`, as the
 * Cilium troubleshooting docs write it), has `-i` for `-I {}`, and with `-I` runs the command once
 * per input line, the whole line (without its leading blanks) in place of REPLACE. This wrapper
 * does that itself and hands every other use to the shell's xargs.
 */
import { defineCommand } from 'just-bash';
import { shellQuote } from './shell-quote';
import { decodeStdin } from './stdin';

/** The replacement string and the command to run, or undefined when `-I`/`-i` is not given. */
function replaceMode(args: readonly string[]): { replace: string; command: string[] } | undefined {
  let replace: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      return replace === undefined ? undefined : { replace, command: args.slice(index) };
    }
    if (arg === '-i') replace = '{}';
    else if (arg === '-I') replace = args[++index] ?? '';
    else if (arg.startsWith('-I')) replace = arg.slice(2);
    else if (['-d', '-n', '-P', '-L', '-s', '-E'].includes(arg)) index++;
  }
  return replace === undefined ? undefined : { replace, command: [] };
}

/** The xargs command for a simulated shell. */
export const gnuXargs = defineCommand('xargs', async (args, ctx) => {
  const mode = replaceMode(args);
  if (mode === undefined) {
    if (ctx.origCommand === undefined) return { stdout: '', stderr: 'xargs: not available\n', exitCode: 127 };
    return ctx.origCommand(args);
  }
  if (ctx.exec === undefined) return { stdout: '', stderr: 'xargs: cannot run commands here\n', exitCode: 1 };
  const command = mode.command.length > 0 ? mode.command : ['echo'];
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const raw of decodeStdin(ctx.stdin).split('\n')) {
    const item = raw.replace(/^[ \t]+/, '');
    if (item === '') continue;
    const line = command.map((word) => shellQuote(word.split(mode.replace).join(item))).join(' ');
    const result = await ctx.exec(line, { cwd: ctx.cwd });
    stdout += result.stdout;
    stderr += result.stderr;
    // GNU xargs exits 123 when any invocation exited with 1 to 125.
    if (result.exitCode !== 0) exitCode = result.exitCode <= 125 ? 123 : result.exitCode;
  }
  return { stdout, stderr, exitCode };
});
