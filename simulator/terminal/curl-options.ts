/**
 * curl's command line, read as curl 8.5.0 reads it (src/tool_getparam.c, `getparameter` and
 * `parse_args` at tag curl-8_5_0): options may come anywhere among the URLs; short options combine
 * (`-sSfL`), and one that takes a value takes the rest of its word (`-XPOST`, `-m5`) or the next
 * argument; long options may be abbreviated by a unique prefix and booleans negated with `--no-`;
 * `--` ends the options. Mistakes get curl's own message from src/tool_helpers.c (`param2text`) on
 * two lines and exit status 2 (CURLE_FAILED_INIT). Every curl in the simulator (in pods, on kind
 * nodes, on the reader's machine, over the Envoy admin socket) reads its arguments here.
 */
import { curlOptionNames, type CurlOptionName } from './curl-option-names';

/** What a curl command line asks for, with curl's defaults filled in. */
export interface CurlOptions {
  urls: string[];
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  head: boolean;
  include: boolean;
  location: boolean;
  /** `--max-redirs`; curl's default is 50 (DEFAULT_MAXREDIRS in lib/url.h). */
  maxRedirs: number;
  insecure: boolean;
  caFile?: string;
  fail: boolean;
  failWithBody: boolean;
  /** `-X`: replaces the method curl would pick. */
  method?: string;
  /** `-H` lines in the order given. */
  headers: string[];
  /** `-d`/`--data*` pieces, joined with `&` when sent. */
  data: string[];
  /** `-G`: send the data in the query string with GET. */
  get: boolean;
  output?: string;
  writeOut?: string;
  connectTimeoutMs?: number;
  /** `-m`; 0 or unset means no limit. */
  maxTimeMs?: number;
  retry: number;
  retryDelayMs?: number;
  retryMaxTimeMs?: number;
  retryConnRefused: boolean;
  retryAllErrors: boolean;
  /** `--resolve host:port:addr[,addr]` entries as given. */
  resolve: string[];
  unixSocket?: string;
  userAgent?: string;
  user?: string;
  referer?: string;
  /** Set by `--http1.1`/`--http2`, which only change what curl offers in ALPN. */
  httpVersion?: '1.1' | '2';
}

/** The outcome of reading a command line: options to run, text to print and stop, or a usage error. */
export type CurlCommandLine =
  | { kind: 'run'; options: CurlOptions }
  | { kind: 'print'; stdout: string }
  | { kind: 'error'; stderr: string; exitCode: number };

/** curl's hint after a command-line mistake (src/tool_msgs.c `helpf`, built without the manual). */
const tryHelp = "curl: try 'curl --help' for more information\n";

/** A command-line mistake as curl prints it. */
export function usageError(text: string): { kind: 'error'; stderr: string; exitCode: number } {
  return { kind: 'error', stderr: `curl: ${text}\n${tryHelp}`, exitCode: 2 };
}

function defaults(): CurlOptions {
  return {
    urls: [],
    silent: false,
    showError: false,
    verbose: false,
    head: false,
    include: false,
    location: false,
    maxRedirs: 50,
    insecure: false,
    fail: false,
    failWithBody: false,
    headers: [],
    data: [],
    get: false,
    retry: 0,
    retryConnRefused: false,
    retryAllErrors: false,
    resolve: [],
  };
}

/** Why an option's value was refused (src/tool_helpers.c `param2text`). */
type ValueProblem = 'expected a proper numerical parameter' | 'expected a positive numerical parameter';

/** `str2udouble`: seconds with decimals, as milliseconds. */
function seconds(text: string): number | ValueProblem {
  const value = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) return 'expected a proper numerical parameter';
  if (value < 0) return 'expected a positive numerical parameter';
  return Math.round(value * 1000);
}

/** `str2unum`: a non-negative decimal integer. */
function count(text: string): number | ValueProblem {
  if (!/^\s*[-+]?\d+$/.test(text)) return 'expected a proper numerical parameter';
  const value = Number(text);
  return value < 0 ? 'expected a positive numerical parameter' : value;
}

type Setter = (options: CurlOptions, value: string, toggle: boolean) => ValueProblem | undefined;

const flag =
  (key: 'silent' | 'showError' | 'verbose' | 'head' | 'include' | 'location' | 'insecure'): Setter =>
  (options, _value, toggle) => {
    options[key] = toggle;
    return undefined;
  };

const number =
  (
    apply: (options: CurlOptions, value: number) => void,
    parse: (text: string) => number | ValueProblem,
  ): Setter =>
  (options, value) => {
    const parsed = parse(value);
    if (typeof parsed === 'string') return parsed;
    apply(options, parsed);
    return undefined;
  };

const accepted: Setter = () => undefined;

/** The options the simulator models, by long name; the rest of curl's table is known but refused. */
const modelled: Readonly<Record<string, Setter>> = {
  silent: flag('silent'),
  'show-error': flag('showError'),
  verbose: flag('verbose'),
  head: flag('head'),
  include: flag('include'),
  location: flag('location'),
  insecure: flag('insecure'),
  fail: (options, _value, toggle) => void (options.fail = toggle),
  'fail-with-body': (options, _value, toggle) => void (options.failWithBody = toggle),
  get: (options, _value, toggle) => void (options.get = toggle),
  'max-redirs': number((options, value) => (options.maxRedirs = value), count),
  cacert: (options, value) => void (options.caFile = value),
  request: (options, value) => void (options.method = value),
  header: (options, value) => void options.headers.push(value),
  data: (options, value) => void options.data.push(value),
  'data-ascii': (options, value) => void options.data.push(value),
  'data-binary': (options, value) => void options.data.push(value),
  // --data-raw never reads a file: a leading @ is data.
  'data-raw': (options, value) => void options.data.push(value.startsWith('@') ? `\\${value}` : value),
  'data-urlencode': (options, value) => void options.data.push(urlencodeData(value)),
  output: (options, value) => void (options.output = value),
  'write-out': (options, value) => void (options.writeOut = value),
  'connect-timeout': number((options, value) => (options.connectTimeoutMs = value), seconds),
  'max-time': number((options, value) => (options.maxTimeMs = value), seconds),
  retry: number((options, value) => (options.retry = value), count),
  'retry-delay': number((options, value) => (options.retryDelayMs = value * 1000), count),
  'retry-max-time': number((options, value) => (options.retryMaxTimeMs = value * 1000), count),
  'retry-connrefused': (options, _value, toggle) => void (options.retryConnRefused = toggle),
  'retry-all-errors': (options, _value, toggle) => void (options.retryAllErrors = toggle),
  resolve: (options, value) => void options.resolve.push(value),
  'unix-socket': (options, value) => void (options.unixSocket = value),
  'user-agent': (options, value) => void (options.userAgent = value),
  user: (options, value) => void (options.user = value),
  referer: (options, value) => void (options.referer = value),
  url: (options, value) => void options.urls.push(value),
  'http1.1': (options) => void (options.httpVersion = '1.1'),
  http2: (options) => void (options.httpVersion = '2'),
  // Accepted without effect: they change nothing the simulated transfer shows.
  compressed: accepted,
  buffer: accepted,
  globoff: accepted,
  ipv4: accepted,
  'progress-bar': accepted,
  'progress-meter': accepted,
  keepalive: accepted,
  'fail-early': accepted,
  'path-as-is': accepted,
  'tcp-nodelay': accepted,
  'tlsv1.2': accepted,
  'tlsv1.3': accepted,
  disable: accepted,
};

/** `--data-urlencode [name=]content`: the content percent-encoded as a form value. */
function urlencodeData(value: string): string {
  const equals = value.indexOf('=');
  const encode = (text: string): string => encodeURIComponent(text).replace(/%20/g, '+');
  if (equals < 0) return encode(value);
  if (equals === 0) return encode(value.slice(1));
  return `${value.slice(0, equals)}=${encode(value.slice(equals + 1))}`;
}

const byShort = new Map(
  curlOptionNames.flatMap((option) => (option.short === undefined ? [] : [[option.short, option] as const])),
);
const byLong = new Map(curlOptionNames.map((option) => [option.long, option] as const));

/** A long option by its full name or a unique prefix, as curl matches them. */
function lookupLong(word: string): CurlOptionName | 'ambiguous' | undefined {
  const exact = byLong.get(word);
  if (exact !== undefined) return exact;
  const matches = word === '' ? [] : curlOptionNames.filter((option) => option.long.startsWith(word));
  if (matches.length > 1) return 'ambiguous';
  return matches[0];
}

/** Applies one option; returns the problem curl would name, if any. */
function applyOption(
  options: CurlOptions,
  option: CurlOptionName,
  value: string,
  toggle: boolean,
): string | undefined {
  if (option.long === 'help') return 'help';
  if (option.long === 'version') return 'version';
  const setter = modelled[option.long];
  if (setter === undefined) return 'not modelled';
  return setter(options, value, toggle);
}

interface ArgumentCursor {
  args: readonly string[];
  index: number;
}

/** Reads one long option (`--name`, `--no-name`) at the cursor. */
function readLong(options: CurlOptions, cursor: ArgumentCursor): string | undefined {
  const original = cursor.args[cursor.index] ?? '';
  let word = original.slice(2);
  const negated = word.startsWith('no-') && byLong.get(word) === undefined;
  if (negated) word = word.slice(3);
  const option = lookupLong(word);
  if (option === 'ambiguous') return `option ${original}: is ambiguous`;
  if (option === undefined) return `option ${original}: is unknown`;
  if (negated && option.kind !== 'bool')
    return `option ${original}: used '--no-' for option that isn't a boolean`;
  let value = '';
  if (option.kind === 'value') {
    const next = cursor.args[cursor.index + 1];
    if (next === undefined) return `option ${original}: requires parameter`;
    value = next;
    cursor.index += 1;
  }
  const problem = applyOption(options, option, value, !negated);
  return problem === undefined ? undefined : describeProblem(original, option, problem);
}

/** Reads a word of short options (`-sSL`, `-XPOST`, `-m 5`) at the cursor. */
function readShorts(options: CurlOptions, cursor: ArgumentCursor): string | undefined {
  const original = cursor.args[cursor.index] ?? '';
  for (let position = 1; position < original.length; position++) {
    const option = byShort.get(original[position] ?? '');
    if (option === undefined) return `option ${original}: is unknown`;
    let value = '';
    const rest = original.slice(position + 1);
    if (option.kind === 'value') {
      if (rest !== '') value = rest;
      else {
        const next = cursor.args[cursor.index + 1];
        if (next === undefined) return `option ${original}: requires parameter`;
        value = next;
        cursor.index += 1;
      }
    }
    const problem = applyOption(options, option, value, true);
    if (problem !== undefined) return describeProblem(original, option, problem);
    if (option.kind === 'value') break;
  }
  return undefined;
}

function describeProblem(original: string, option: CurlOptionName, problem: string): string {
  if (problem === 'help' || problem === 'version') return problem;
  if (problem === 'not modelled')
    return `option ${original}: is not modelled by the simulated curl (--${option.long})`;
  return `option ${original}: ${problem}`;
}

/** Reads a curl command line. */
export function parseCurlArgs(args: readonly string[]): CurlCommandLine {
  const options = defaults();
  const cursor: ArgumentCursor = { args, index: 0 };
  let flags = true;
  for (; cursor.index < args.length; cursor.index++) {
    const arg = args[cursor.index] ?? '';
    if (flags && arg === '--') flags = false;
    else if (flags && arg.startsWith('-') && arg !== '-') {
      const problem = arg.startsWith('--') ? readLong(options, cursor) : readShorts(options, cursor);
      if (problem === 'help') return { kind: 'print', stdout: curlHelp() };
      if (problem === 'version') return { kind: 'print', stdout: curlVersion };
      if (problem !== undefined) return usageError(problem);
    } else options.urls.push(arg);
  }
  if (options.urls.length === 0) return usageError('(2) no URL specified');
  const conflict = methodConflict(options);
  if (conflict !== undefined) return { kind: 'error', stderr: conflict, exitCode: 2 };
  return { kind: 'run', options };
}

/** curl's names for the request kinds (src/tool_helpers.c `SetHTTPrequest`). */
const requestNames = { get: 'GET (-G, --get)', head: 'HEAD (-I, --head)', post: 'POST (-d, --data)' };

/**
 * `-I` with data: curl refuses to pick between HEAD and the data's POST (or `-G`'s GET) when it
 * sets up the transfer (src/tool_operate.c), warns, and exits with CURLE_FAILED_INIT.
 */
function methodConflict(options: CurlOptions): string | undefined {
  if (!options.head || options.data.length === 0) return undefined;
  const wanted = options.get ? requestNames.get : requestNames.post;
  return curlWarning(
    `You can only select one HTTP request method! You asked for both ${wanted} and ${requestNames.head}.`,
  );
}

/**
 * A warning as curl's `warnf` prints it (src/tool_msgs.c `voutf`): `Warning: ` before every line,
 * the text cut at the last blank before 79 columns.
 */
export function curlWarning(text: string): string {
  const prefix = 'Warning: ';
  const width = 79 - prefix.length;
  let rest = text;
  let out = '';
  while (rest.length > 0) {
    if (rest.length <= width) {
      out += `${prefix}${rest}\n`;
      break;
    }
    let cut = width - 1;
    while (cut > 0 && rest[cut] !== ' ' && rest[cut] !== '\t') cut--;
    if (cut === 0) cut = width - 1;
    out += `${prefix}${rest.slice(0, cut + 1)}\n`;
    rest = rest.slice(cut + 1);
  }
  return out;
}

/** `curl --version` of the modelled curl (8.5.0, released 2023-12-06). */
const curlVersion =
  'curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13 zlib/1.3\n' +
  'Release-Date: 2023-12-06\n' +
  'Protocols: dict file ftp ftps gopher gophers http https imap imaps mqtt pop3 pop3s rtsp smb smbs smtp smtps telnet tftp\n' +
  'Features: alt-svc AsynchDNS HSTS HTTP2 HTTPS-proxy IPv6 Largefile libz NTLM SSL threadsafe TLS-SRP UnixSockets\n';

/** The options the simulated curl implements, with curl's own one-line help for each. */
const helpLines: readonly (readonly [string, string])[] = [
  ['    --cacert <file>', 'CA certificate to verify peer against'],
  ['    --connect-timeout <fractional seconds>', 'Maximum time allowed for connection'],
  ['-d, --data <data>', 'HTTP POST data'],
  ['-f, --fail', 'Fail fast with no output on HTTP errors'],
  ['-G, --get', 'Put the post data in the URL and use GET'],
  ['-H, --header <header/@file>', 'Pass custom header(s) to server'],
  ['-I, --head', 'Show document info only'],
  ['-i, --include', 'Include protocol response headers in the output'],
  ['-k, --insecure', 'Allow insecure server connections'],
  ['-L, --location', 'Follow redirects'],
  ['-m, --max-time <fractional seconds>', 'Maximum time allowed for transfer'],
  ['-o, --output <file>', 'Write to file instead of stdout'],
  ['    --resolve <[+]host:port:addr[,addr]...>', 'Resolve the host+port to this address'],
  ['    --retry <num>', 'Retry request if transient problems occur'],
  ['-X, --request <method>', 'Specify request method to use'],
  ['-S, --show-error', 'Show error even when -s is used'],
  ['-s, --silent', 'Silent mode'],
  ['-v, --verbose', 'Make the operation more talkative'],
  ['-w, --write-out <format>', 'Use output FORMAT after completion'],
];

function curlHelp(): string {
  const width = Math.max(...helpLines.map(([flags]) => flags.length)) + 1;
  return `Usage: curl [options...] <url>\n${helpLines
    .map(([flags, text]) => ` ${flags.padEnd(width)}${text}\n`)
    .join(
      '',
    )}(these are the options the simulated curl implements; a few harmless ones such as --compressed are accepted without effect)\n`;
}
