// Goal: the simulated curl reads a command line as curl 8.5.0 does — combined short options, values
// glued to their letter, abbreviated and negated long options, `--` — and refuses mistakes with
// curl's own two-line message and exit status 2; -w expands its variables and backslash escapes as
// curl's tool does, and URLs and --resolve entries are taken apart as libcurl takes them.
import { describe, expect, it } from 'vitest';
import { parseCurlArgs, type CurlOptions } from '../../../simulator/terminal/curl-options';
import { expandWriteOut, formatSeconds } from '../../../simulator/terminal/curl-write-out';
import { parseCurlUrl, parseResolveEntry, resolveLocation } from '../../../simulator/terminal/curl-url';

const tryHelp = "curl: try 'curl --help' for more information\n";

interface OptionCase {
  readonly name: string;
  readonly args: readonly string[];
  readonly expect: Partial<CurlOptions>;
}

const accepted: readonly OptionCase[] = [
  { name: '-sL combines silent and location', args: ['-sL', 'u'], expect: { silent: true, location: true } },
  { name: '-sSf', args: ['-sSf', 'u'], expect: { silent: true, showError: true, fail: true } },
  {
    name: '-fsSL',
    args: ['-fsSL', 'u'],
    expect: { fail: true, silent: true, showError: true, location: true },
  },
  {
    name: '-sSLk',
    args: ['-sSLk', 'u'],
    expect: { silent: true, showError: true, location: true, insecure: true },
  },
  { name: '-L and --location', args: ['-L', '--location', 'u'], expect: { location: true } },
  {
    name: 'a value glued to its letter',
    args: ['-XPOST', '-m5', 'u'],
    expect: { method: 'POST', maxTimeMs: 5000 },
  },
  {
    name: 'the last letter takes the next argument',
    args: ['-so', '/dev/null', 'u'],
    expect: { silent: true, output: '/dev/null' },
  },
  {
    name: 'fractional seconds',
    args: ['--max-time', '2.5', '--connect-timeout', '.5', 'u'],
    expect: { maxTimeMs: 2500, connectTimeoutMs: 500 },
  },
  {
    name: 'a unique prefix of a long option',
    args: ['--max-ti', '3', '--insec', 'u'],
    expect: { maxTimeMs: 3000, insecure: true },
  },
  { name: '--no- turns a boolean off', args: ['-s', '--no-silent', 'u'], expect: { silent: false } },
  { name: 'options after the URL', args: ['u', '-k'], expect: { insecure: true, urls: ['u'] } },
  { name: '-- ends the options', args: ['--', '-u'], expect: { urls: ['-u'] } },
  {
    name: 'data pieces and headers accumulate',
    args: ['-d', 'a=1', '--data', 'b=2', '-H', 'X-A: 1', '-H', 'X-B: 2', 'u'],
    expect: { data: ['a=1', 'b=2'], headers: ['X-A: 1', 'X-B: 2'] },
  },
  {
    name: '--data-urlencode encodes the content',
    args: ['--data-urlencode', 'q=a b&c', 'u'],
    expect: { data: ['q=a+b%26c'] },
  },
  {
    name: '--resolve entries',
    args: ['--resolve', 'api.github.com:443:140.82.121.3', 'u'],
    expect: { resolve: ['api.github.com:443:140.82.121.3'] },
  },
  {
    name: 'retries',
    args: ['--retry', '3', '--retry-delay', '2', '--retry-connrefused', 'u'],
    expect: { retry: 3, retryDelayMs: 2000, retryConnRefused: true },
  },
  { name: 'accepted without effect', args: ['--compressed', '-N', '-4', 'u'], expect: { urls: ['u'] } },
];

const refused: readonly { name: string; args: readonly string[]; stderr: string }[] = [
  { name: 'an unknown letter', args: ['-7', 'u'], stderr: `curl: option -7: is unknown\n${tryHelp}` },
  {
    name: 'an unknown letter inside a word names the whole word',
    args: ['-s7', 'u'],
    stderr: `curl: option -s7: is unknown\n${tryHelp}`,
  },
  {
    name: 'an unknown long option',
    args: ['--frobnicate', 'u'],
    stderr: `curl: option --frobnicate: is unknown\n${tryHelp}`,
  },
  {
    name: '--name=value is not curl syntax',
    args: ['--max-time=5', 'u'],
    stderr: `curl: option --max-time=5: is unknown\n${tryHelp}`,
  },
  {
    name: 'an ambiguous prefix',
    args: ['--loc', 'u'],
    stderr: `curl: option --loc: is ambiguous\n${tryHelp}`,
  },
  {
    name: 'a prefix of --location that is also one of --location-trusted',
    args: ['--locat', 'u'],
    stderr: `curl: option --locat: is ambiguous\n${tryHelp}`,
  },
  {
    name: '--no- on an option with a value',
    args: ['--no-max-time', 'u'],
    stderr: `curl: option --no-max-time: used '--no-' for option that isn't a boolean\n${tryHelp}`,
  },
  { name: 'a missing value', args: ['u', '-o'], stderr: `curl: option -o: requires parameter\n${tryHelp}` },
  {
    name: 'a word that is not a number',
    args: ['-m', 'abc', 'u'],
    stderr: `curl: option -m: expected a proper numerical parameter\n${tryHelp}`,
  },
  {
    name: 'a negative time',
    args: ['--max-time', '-1', 'u'],
    stderr: `curl: option --max-time: expected a positive numerical parameter\n${tryHelp}`,
  },
  {
    name: 'a fractional retry count',
    args: ['--retry', '1.5', 'u'],
    stderr: `curl: option --retry: expected a proper numerical parameter\n${tryHelp}`,
  },
  { name: 'no URL', args: ['-s'], stderr: `curl: (2) no URL specified\n${tryHelp}` },
  {
    name: 'a real option the simulator does not model',
    args: ['-Z', 'u'],
    stderr: `curl: option -Z: is not modelled by the simulated curl (--parallel)\n${tryHelp}`,
  },
  {
    name: 'HEAD and POST at once',
    args: ['-I', '-d', 'x', 'u'],
    stderr:
      'Warning: You can only select one HTTP request method! You asked for both POST \nWarning: (-d, --data) and HEAD (-I, --head).\n',
  },
];

describe('curl: command line', () => {
  it.each(accepted)('curl: command line: $name', ({ args, expect: wanted }) => {
    const line = parseCurlArgs(args);
    expect(line.kind).toBe('run');
    if (line.kind === 'run') expect(line.options).toMatchObject(wanted);
  });

  it.each(refused)('curl: command line: refuses $name with exit 2', ({ args, stderr }) => {
    expect(parseCurlArgs(args)).toEqual({ kind: 'error', stderr, exitCode: 2 });
  });

  it('curl: command line: --help and --version print and succeed', () => {
    const help = parseCurlArgs(['--help']);
    expect(help.kind === 'print' && help.stdout.startsWith('Usage: curl [options...] <url>\n')).toBe(true);
    const version = parseCurlArgs(['-V']);
    expect(version.kind === 'print' && version.stdout.startsWith('curl 8.5.0 ')).toBe(true);
  });
});

const context = {
  values: { http_code: '200', response_code: '200', remote_ip: '10.96.0.10', exitcode: '0' },
  headers: { 'content-type': 'text/plain' },
  failed: false,
};

const writeOuts: readonly { name: string; format: string; stdout: string; stderr?: string }[] = [
  { name: '\\n is a newline', format: '%{http_code}\\n', stdout: '200\n' },
  { name: '\\t and \\r', format: '%{http_code}\\t%{remote_ip}\\r', stdout: '200\t10.96.0.10\r' },
  { name: 'a doubled backslash stays as typed', format: 'a\\\\b', stdout: 'a\\\\b' },
  { name: 'another backslash pair stays as typed', format: '\\q', stdout: '\\q' },
  { name: '%% is a percent sign', format: '100%%', stdout: '100%' },
  { name: '%{response_code} is an alias', format: '%{response_code}', stdout: '200' },
  { name: 'a header of the response', format: '%header{Content-Type}', stdout: 'text/plain' },
  {
    name: 'an unknown variable is reported and skipped',
    format: 'a%{nope}b',
    stdout: 'ab',
    stderr: "curl: unknown --write-out variable: 'nope'\n",
  },
  { name: 'an unclosed brace is printed', format: '%{http_code', stdout: '%{http_code' },
  { name: '%{onerror} stops a successful transfer here', format: 'x%{onerror}y', stdout: 'x' },
  { name: '%{stderr} switches the stream', format: 'a%{stderr}b', stdout: 'a', stderr: 'b' },
];

describe('curl: -w', () => {
  it.each(writeOuts)('curl: -w: $name', ({ format, stdout, stderr }) => {
    expect(expandWriteOut(format, context)).toEqual({ stdout, stderr: stderr ?? '' });
  });

  it('curl: -w: times have six decimals', () => {
    expect([formatSeconds(0), formatSeconds(5001), formatSeconds(12.5)]).toEqual([
      '0.000000',
      '5.001000',
      '0.012500',
    ]);
  });
});

describe('curl: URLs', () => {
  it.each([
    {
      text: 'helloworld:5000/hello',
      url: { scheme: 'http', host: 'helloworld', port: 5000, path: '/hello' },
    },
    {
      text: 'https://api.github.com',
      url: { scheme: 'https', host: 'api.github.com', port: 443, path: '/' },
    },
    { text: 'http://httpbin.org/get?a=1#frag', url: { host: 'httpbin.org', path: '/get?a=1' } },
    { text: 'http://user:pw@h/', url: { host: 'h', user: 'user:pw' } },
  ])('curl: URLs: $text', ({ text, url }) => {
    expect(parseCurlUrl(text)).toMatchObject(url);
  });

  it.each([
    { text: 'http://', exitCode: 3, message: 'URL rejected: No host part in the URL' },
    {
      text: 'http://h:99999/',
      exitCode: 3,
      message: 'URL rejected: Port number was not a decimal number between 0 and 65535',
    },
    { text: 'gopherz://h/', exitCode: 1, message: 'Protocol "gopherz" not supported or disabled in libcurl' },
  ])('curl: URLs: refuses $text', ({ text, exitCode, message }) => {
    expect(parseCurlUrl(text)).toEqual({ exitCode, message });
  });

  it.each([
    { location: 'https://github.com/', resolved: 'https://github.com/' },
    { location: '/get', resolved: 'http://httpbin.org/get' },
    { location: 'relative-redirect/1', resolved: 'http://httpbin.org/a/relative-redirect/1' },
    { location: '../x', resolved: 'http://httpbin.org/x' },
  ])('curl: URLs: Location $location', ({ location, resolved }) => {
    const base = parseCurlUrl('http://httpbin.org/a/b');
    if ('exitCode' in base) throw new Error(base.message);
    expect(resolveLocation(base, location)).toBe(resolved);
  });

  it('curl: URLs: --resolve entries', () => {
    expect(parseResolveEntry('api.github.com:443:140.82.121.3')).toEqual({
      host: 'api.github.com',
      port: 443,
      addresses: ['140.82.121.3'],
    });
    expect(parseResolveEntry('+h:80:[1.2.3.4],5.6.7.8')).toEqual({
      host: 'h',
      port: 80,
      addresses: ['1.2.3.4', '5.6.7.8'],
    });
    expect(parseResolveEntry('h:80')).toBeUndefined();
  });
});
