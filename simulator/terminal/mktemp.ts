/**
 * mktemp as GNU coreutils 9 runs it (src/mktemp.c, https://github.com/coreutils/coreutils/blob/v9.4/src/mktemp.c;
 * manual: https://www.gnu.org/software/coreutils/manual/html_node/mktemp-invocation.html). The
 * shell has none, and scripts that start over from a clean slate write their files with it. The
 * random letters come from the world's generator (the same draw as `$RANDOM`), so a replay names
 * the same files.
 */
import { defineCommand, type Command } from 'just-bash';

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** coreutils' template when none is given (with `--tmpdir` implied). */
const defaultTemplate = 'tmp.XXXXXXXXXX';
/** Attempts before giving up, as coreutils' gen_tempname tries many names. */
const maxAttempts = 100;

interface MktempRequest {
  directory: boolean;
  dryRun: boolean;
  quiet: boolean;
  /** `-p DIR`/`--tmpdir[=DIR]` given: '' for "the default", or the directory. */
  tmpdir: string | undefined;
  template: string | undefined;
  suffix: string | undefined;
  /** `-t`: the template is a file name to put in the temporary directory. */
  legacyT: boolean;
}

type Parsed = { ok: true; request: MktempRequest } | { ok: false; message: string };

function parseArguments(args: readonly string[]): Parsed {
  const request: MktempRequest = {
    directory: false,
    dryRun: false,
    quiet: false,
    tmpdir: undefined,
    template: undefined,
    suffix: undefined,
    legacyT: false,
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '-d' || arg === '--directory') request.directory = true;
    else if (arg === '-u' || arg === '--dry-run') request.dryRun = true;
    else if (arg === '-q' || arg === '--quiet') request.quiet = true;
    else if (arg === '-t') request.legacyT = true;
    else if (arg === '-p') request.tmpdir = args[++index] ?? '';
    else if (arg.startsWith('-p') && arg.length > 2) request.tmpdir = arg.slice(2);
    else if (arg === '--tmpdir') request.tmpdir = '';
    else if (arg.startsWith('--tmpdir=')) request.tmpdir = arg.slice('--tmpdir='.length);
    else if (arg.startsWith('--suffix=')) request.suffix = arg.slice('--suffix='.length);
    else if (/^-[dquts]{2,}$/.test(arg)) {
      // Short flags together (`-dt`).
      for (const flag of arg.slice(1)) {
        if (flag === 'd') request.directory = true;
        else if (flag === 'u') request.dryRun = true;
        else if (flag === 'q') request.quiet = true;
        else if (flag === 't') request.legacyT = true;
      }
    } else if (arg.startsWith('-') && arg !== '-')
      return { ok: false, message: `mktemp: invalid option -- '${arg.replace(/^-+/, '')}'` };
    else if (request.template === undefined) request.template = arg;
    else return { ok: false, message: `mktemp: too many templates` };
  }
  return { ok: true, request };
}

/** The path to create, with its X's still in it, or why the template is refused. */
function templatePath(
  request: MktempRequest,
  env: { get(name: string): string | undefined },
): { ok: true; path: string; xs: number; suffix: string } | { ok: false; message: string } {
  const template = request.template ?? defaultTemplate;
  const inTmpdir = request.template === undefined || request.tmpdir !== undefined || request.legacyT;
  const tmpdir =
    request.tmpdir !== undefined && request.tmpdir !== '' ? request.tmpdir : env.get('TMPDIR') || '/tmp';
  if (inTmpdir && request.template !== undefined && template.includes('/'))
    return { ok: false, message: `mktemp: invalid template, '${template}', contains directory separator` };
  const suffix = request.suffix ?? '';
  const trailing = /X*$/.exec(template)?.[0].length ?? 0;
  // The X's must end the template (a suffix after them comes from --suffix only).
  if (trailing < 3) return { ok: false, message: `mktemp: too few X's in template '${template}${suffix}'` };
  const path = inTmpdir ? `${tmpdir.replace(/\/+$/, '')}/${template}` : template;
  return { ok: true, path, xs: trailing, suffix };
}

/** The mktemp command; `drawRandom` gives unsigned 32-bit draws from the world. */
export function mktempCommand(drawRandom: () => number): Command {
  return defineCommand('mktemp', async (args, ctx) => {
    const failure = (message: string, quiet = false) => ({
      stdout: '',
      stderr: quiet ? '' : `${message}\n`,
      exitCode: 1,
    });
    const parsed = parseArguments(args);
    if (!parsed.ok) return failure(parsed.message);
    const { request } = parsed;
    const target = templatePath(request, ctx.env);
    if (!target.ok) return failure(target.message, request.quiet);
    const stem = target.path.slice(0, target.path.length - target.xs);
    const kind = request.directory ? 'directory' : 'file';
    // The in-memory file system makes missing parents on write; mktemp's open(2) does not.
    const parent = ctx.fs.resolvePath(ctx.cwd, target.path).replace(/\/[^/]*$/, '') || '/';
    if (!request.dryRun && !(await ctx.fs.exists(parent)))
      return failure(
        `mktemp: failed to create ${kind} via template '${target.path}${target.suffix}': No such file or directory`,
        request.quiet,
      );
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      let random = '';
      for (let index = 0; index < target.xs; index++) random += letters[drawRandom() % letters.length];
      const name = `${stem}${random}${target.suffix}`;
      const path = ctx.fs.resolvePath(ctx.cwd, name);
      if (await ctx.fs.exists(path)) continue;
      if (!request.dryRun) {
        if (request.directory) {
          await ctx.fs.mkdir(path);
          await ctx.fs.chmod(path, 0o700);
        } else {
          await ctx.fs.writeFile(path, '');
          await ctx.fs.chmod(path, 0o600);
        }
      }
      return { stdout: `${name}\n`, stderr: '', exitCode: 0 };
    }
    return failure(`mktemp: failed to create file via template '${target.path}': File exists`, request.quiet);
  });
}
