/**
 * curl as readers type it, in one implementation for every place it runs: inside pods (`kubectl
 * exec`), on kind nodes (`docker exec`) and on the reader's own machine. The command line is read by
 * curl-options.ts, each request goes through the model (curl-exchange.ts), and this module does
 * what curl's tool does around them (src/tool_operate.c at tag curl-8_5_0): one transfer per URL,
 * `-L` redirects (with POST turned into GET after 301, 302 and 303), `--retry` with its doubling
 * sleeps and warnings, `-f` and `--fail-with-body` (exit 22), `-o`, `-i`/`-I`, `-w` after the last
 * attempt, and the error line `curl: (N) …` unless `-s` hides it (`-S` shows it again).
 */
import { toBase64, utf8 } from '../pki/encoding';
import type { CommandResult, TerminalContext } from './context';
import {
  exchange,
  requestHeaders,
  type CurlOrigin,
  type ExchangeFailure,
  type ExchangeRequest,
  type ExchangeResult,
} from './curl-exchange';
import { curlWarning, parseCurlArgs, type CurlOptions } from './curl-options';
import {
  formatCurlUrl,
  parseCurlUrl,
  parseResolveEntry,
  pinnedAddress,
  resolveLocation,
  type CurlUrl,
  type ResolveEntry,
} from './curl-url';
import {
  connectLines,
  failureLines,
  leftIntact,
  requestLines,
  responseHead,
  responseLines,
  tlsLines,
} from './curl-verbose';
import { expandWriteOut, formatSeconds } from './curl-write-out';

export type { CurlOrigin } from './curl-exchange';

/** Where a curl runs and what it may touch there. */
export interface CurlEnvironment {
  origin: CurlOrigin;
  stdin: string;
  /** Files `-d @FILE` and `-w @FILE` may read, by the path typed. */
  files: Readonly<Record<string, string>>;
  /** Writes `-o FILE` in the reader's shell; absent inside a container, where the file stays. */
  writeFile?: (path: string, content: string) => void;
}

/** A curl command's result. */
export type CurlResult = CommandResult;

/** What a finished transfer leaves for the error line and `-w`. */
interface TransferRecord {
  exitCode: number;
  error?: string;
  url: string;
  effectiveUrl: string;
  method: string;
  redirects: number;
  redirectUrl?: string;
  response?: Extract<ExchangeResult, { kind: 'response' }>;
  remote?: { ip: string; port: number };
  totalMs: number;
  downloaded: number;
  refused?: true;
  hangs?: true;
  unmodelled?: true;
}

/** Everything curl prints or writes while it runs. */
class CurlOutput {
  stdout = '';
  stderr = '';
  readonly writes: Record<string, string> = {};

  constructor(
    private readonly options: CurlOptions,
    private readonly environment: CurlEnvironment,
  ) {}

  /** Body and `-i` headers go where `-o` says (the first URL's), stdout otherwise. */
  content(text: string, urlIndex: number): void {
    const target = urlIndex === 0 ? this.options.output : undefined;
    if (target === undefined || target === '-') this.stdout += text;
    else if (target !== '/dev/null' && this.environment.writeFile !== undefined)
      this.writes[target] = (this.writes[target] ?? '') + text;
  }

  get errorsShown(): boolean {
    return !this.options.silent || this.options.showError;
  }
}

/** Runs a curl command line. */
export function runCurl(
  context: TerminalContext,
  environment: CurlEnvironment,
  args: readonly string[],
): CurlResult {
  const line = parseCurlArgs(args);
  if (line.kind === 'print') return { stdout: line.stdout, stderr: '', exitCode: 0 };
  if (line.kind === 'error') return { stdout: '', stderr: line.stderr, exitCode: line.exitCode };
  const { options } = line;
  const output = new CurlOutput(options, environment);
  const entries: ResolveEntry[] = [];
  for (const text of options.resolve) {
    const entry = parseResolveEntry(text);
    if (entry === undefined) {
      if (output.errorsShown) output.stderr += `curl: (49) Couldn't parse CURLOPT_RESOLVE entry '${text}'\n`;
      return { stdout: '', stderr: output.stderr, exitCode: 49 };
    }
    entries.push(entry);
    if (options.verbose)
      output.stderr += `* Added ${entry.host}:${entry.port}:${entry.addresses.join(',')} to DNS cache\n`;
  }
  if (options.unixSocket !== undefined) return noSuchSocket(options);
  let exitCode = 0;
  const connections = new Map<string, number>();
  for (const [index, url] of options.urls.entries()) {
    const record = transferWithRetries(context, environment, options, output, {
      origin: environment.origin,
      url,
      index,
      entries,
      connections,
    });
    exitCode = record.exitCode;
    if (record.hangs === true) context.spend((context.remainingMs?.() ?? 0) + 1);
  }
  for (const [path, content] of Object.entries(output.writes)) environment.writeFile?.(path, content);
  return { stdout: output.stdout, stderr: output.stderr, exitCode };
}

/**
 * `--unix-socket PATH` where nothing listens (only the cilium agent's Envoy admin socket is
 * modelled, envoy-admin.ts): connect() fails, which curl reports against the URL's host and port.
 */
function noSuchSocket(options: CurlOptions): CurlResult {
  const url = parseCurlUrl(options.urls[0] ?? '');
  const shown = !options.silent || options.showError;
  if ('exitCode' in url)
    return {
      stdout: '',
      stderr: shown ? `curl: (${url.exitCode}) ${url.message}\n` : '',
      exitCode: url.exitCode,
    };
  const message = `curl: (7) Failed to connect to ${url.host} port ${url.port} after 0 ms: Couldn't connect to server\n`;
  return { stdout: '', stderr: shown ? message : '', exitCode: 7 };
}

interface TransferTarget {
  origin: CurlOrigin;
  url: string;
  index: number;
  entries: readonly ResolveEntry[];
  /** Connection numbers curl gave each scheme://host:port so far. */
  connections: Map<string, number>;
}

/** HTTP statuses `--retry` treats as transient (src/tool_operate.c `post_per_transfer`). */
const transientStatuses = new Set([408, 429, 500, 502, 503, 504]);

/** Why a finished transfer is worth another attempt, in the words of curl's warning. */
function retryReason(options: CurlOptions, record: TransferRecord): string | undefined {
  if (record.exitCode === 28 || record.exitCode === 6) return ': timeout';
  if (record.exitCode === 7 && options.retryConnRefused && record.refused === true)
    return ': connection refused';
  const status = record.response?.status ?? 0;
  if ((record.exitCode === 0 || record.exitCode === 22) && transientStatuses.has(status))
    return ': HTTP error';
  if (record.exitCode !== 0 && options.retryAllErrors) return '(retrying all errors)';
  return undefined;
}

/** One URL, attempted again as `--retry` allows; the error line and `-w` follow the last attempt. */
function transferWithRetries(
  context: TerminalContext,
  environment: CurlEnvironment,
  options: CurlOptions,
  output: CurlOutput,
  target: TransferTarget,
): TransferRecord {
  let sleepMs = options.retryDelayMs ?? 1000;
  let left = options.retry;
  let spentMs = 0;
  for (;;) {
    const record = transfer(context, environment, options, output, target);
    spentMs += record.totalMs;
    if (record.unmodelled === true) output.stderr += `${record.error ?? ''}\n`;
    else if (record.exitCode !== 0 && record.error !== undefined && output.errorsShown)
      output.stderr += `curl: (${record.exitCode}) ${record.error}\n${record.exitCode === 60 ? caCertHint : ''}`;
    const reason = left > 0 && record.hangs !== true ? retryReason(options, record) : undefined;
    const withinLimit =
      options.retryMaxTimeMs === undefined ||
      options.retryMaxTimeMs === 0 ||
      spentMs < options.retryMaxTimeMs;
    if (reason === undefined || !withinLimit) {
      writeOut(options, output, record, target.index);
      return record;
    }
    if (!options.silent)
      output.stderr += curlWarning(
        `Problem ${reason}. Will retry in ${Math.floor(sleepMs / 1000)} seconds. ${left} retries left.`,
      );
    left -= 1;
    context.spend(sleepMs);
    spentMs += sleepMs;
    if (options.retryDelayMs === undefined) sleepMs = Math.min(sleepMs * 2, 600_000);
  }
}

/** What curl adds after a certificate verification failure (CURL_CA_CERT_ERRORMSG, src/tool_operate.c). */
const caCertHint =
  'More details here: https://curl.se/docs/sslcerts.html\n\n' +
  'curl failed to verify the legitimacy of the server and therefore could not\n' +
  'establish a secure connection to it. To learn more about this situation and\n' +
  'how to fix it, please visit the web page mentioned above.\n';

/** The request line's method: `-X` wins, then HEAD for `-I`, POST for data without `-G`. */
function methodOf(options: CurlOptions): string {
  if (options.method !== undefined) return options.method;
  if (options.head) return 'HEAD';
  return options.data.length > 0 && !options.get ? 'POST' : 'GET';
}

/** `-d` pieces as curl joins them, reading `@FILE` (and `@-`) where it may. */
function requestData(
  options: CurlOptions,
  environment: CurlEnvironment,
  output: CurlOutput,
): string | undefined {
  if (options.data.length === 0) return undefined;
  return options.data
    .map((piece) => {
      if (piece.startsWith('\\@')) return piece.slice(1);
      if (!piece.startsWith('@')) return piece;
      const name = piece.slice(1);
      const text = name === '-' ? environment.stdin : environment.files[name.replace(/^\.\//, '')];
      if (text === undefined) {
        if (!options.silent)
          output.stderr += curlWarning(`Couldn't read data from file "${name}", this makes an empty POST.`);
        return '';
      }
      // -d strips carriage returns and newlines from a file (--data-binary would keep them).
      return text.replace(/[\r\n]/g, '');
    })
    .join('&');
}

/** `-H` lines (and `-A`, `-e`, `-u`) as header pairs; `Name:` removes a header (null), `Name;` sends it empty. */
function extraHeaders(options: CurlOptions, url: CurlUrl): [string, string | null][] {
  const headers: [string, string | null][] = [];
  const user = options.user ?? url.user;
  if (user !== undefined)
    headers.push(['Authorization', `Basic ${toBase64(utf8(user.includes(':') ? user : `${user}:`))}`]);
  if (options.userAgent !== undefined) headers.push(['User-Agent', options.userAgent]);
  if (options.referer !== undefined) headers.push(['Referer', options.referer]);
  for (const line of options.headers) {
    const colon = line.indexOf(':');
    const semicolon = line.indexOf(';');
    if (colon > 0) {
      const value = line.slice(colon + 1).trim();
      headers.push([line.slice(0, colon).trim(), value === '' ? null : value]);
    } else if (semicolon > 0 && semicolon === line.length - 1)
      headers.push([line.slice(0, semicolon).trim(), '']);
  }
  return headers;
}

/** One transfer of one URL, following redirects with `-L`. */
function transfer(
  context: TerminalContext,
  environment: CurlEnvironment,
  options: CurlOptions,
  output: CurlOutput,
  target: TransferTarget,
): TransferRecord {
  const parsed = parseCurlUrl(target.url);
  const method = methodOf(options);
  const base: TransferRecord = {
    exitCode: 0,
    url: target.url,
    effectiveUrl: target.url,
    method,
    redirects: 0,
    totalMs: 0,
    downloaded: 0,
  };
  if ('exitCode' in parsed) return { ...base, exitCode: parsed.exitCode, error: parsed.message };
  const data = requestData(options, environment, output);
  let url =
    options.get && data !== undefined
      ? { ...parsed, path: `${parsed.path}${parsed.path.includes('?') ? '&' : '?'}${data}` }
      : parsed;
  let request = { method, body: options.get ? undefined : data };
  const record: TransferRecord = { ...base, effectiveUrl: formatCurlUrl(url) };
  for (;;) {
    const step = exchangeOnce(context, options, output, target, url, request, record.totalMs);
    record.totalMs += step.result.elapsedMs;
    record.effectiveUrl = formatCurlUrl(url);
    record.method = request.method;
    if (step.result.kind === 'failure') return failed(record, step.result, url.port);
    const response = step.result;
    record.response = response;
    record.remote = { ip: response.remoteIP, port: url.port };
    const location = response.headers.find(([name]) => name.toLowerCase() === 'location')?.[1];
    const redirected = response.status >= 300 && response.status < 400 && location !== undefined;
    if (options.include || options.head) output.content(responseHead(response), target.index);
    if (redirected && options.location) {
      if (record.redirects >= options.maxRedirs)
        return { ...record, exitCode: 47, error: `Maximum (${options.maxRedirs}) redirects followed` };
      const next = parseCurlUrl(resolveLocation(url, location));
      if ('exitCode' in next) return { ...record, exitCode: next.exitCode, error: next.message };
      if (options.verbose)
        output.stderr += `* Ignoring the response-body\n${leftIntact(url.host, step.connection)}* Issue another request to this URL: '${formatCurlUrl(next)}'\n`;
      record.redirects += 1;
      // After 301, 302 and 303 curl sends the next request with GET (unless -X named a method).
      if (
        [301, 302, 303].includes(response.status) &&
        request.method === 'POST' &&
        options.method === undefined
      )
        request = { method: 'GET', body: undefined };
      url = next;
      continue;
    }
    if (redirected) record.redirectUrl = formatCurlUrl(parseCurlUrlOr(resolveLocation(url, location), url));
    return finish(options, output, target, record, response, step.connection);
  }
}

const fallbackUrl: CurlUrl = { scheme: 'http', host: '', port: 80, explicitPort: false, path: '/' };

function parseCurlUrlOr(text: string, fallback: CurlUrl): CurlUrl {
  const parsed = parseCurlUrl(text);
  return 'exitCode' in parsed ? fallback : parsed;
}

function failed(record: TransferRecord, failure: ExchangeFailure, port: number): TransferRecord {
  return {
    ...record,
    exitCode: failure.exitCode,
    error: failure.message,
    ...(failure.remoteIP !== undefined ? { remote: { ip: failure.remoteIP, port } } : {}),
    ...(failure.refused === true ? { refused: true as const } : {}),
    ...(failure.hangs === true ? { hangs: true as const } : {}),
    ...(failure.unmodelled === true ? { unmodelled: true as const } : {}),
  };
}

/** The last response: `-f` turns an error status into exit 22, otherwise the body is written. */
function finish(
  options: CurlOptions,
  output: CurlOutput,
  target: TransferTarget,
  record: TransferRecord,
  response: Extract<ExchangeResult, { kind: 'response' }>,
  connection: number,
): TransferRecord {
  const host = parseCurlUrlOr(record.effectiveUrl, fallbackUrl).host;
  const failing = response.status >= 400 && (options.fail || options.failWithBody);
  if (!failing || options.failWithBody) output.content(response.body, target.index);
  if (options.verbose)
    output.stderr +=
      failing && !options.failWithBody ? '* Closing connection\n' : leftIntact(host, connection);
  const done = { ...record, downloaded: utf8(response.body).length };
  return failing
    ? { ...done, exitCode: 22, error: `The requested URL returned error: ${response.status}` }
    : done;
}

/** Sends one request of the transfer, printing `-v` lines as it goes. */
function exchangeOnce(
  context: TerminalContext,
  options: CurlOptions,
  output: CurlOutput,
  target: TransferTarget,
  url: CurlUrl,
  request: { method: string; body: string | undefined },
  spentMs: number,
): { result: ExchangeResult; connection: number } {
  const pinned = pinnedAddress(target.entries, url.host, url.port);
  const remainingMs =
    options.maxTimeMs !== undefined && options.maxTimeMs > 0
      ? Math.max(1, options.maxTimeMs - spentMs)
      : undefined;
  const exchangeRequest: ExchangeRequest = {
    url,
    method: request.method,
    headers: extraHeaders(options, url),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(pinned !== undefined ? { pinnedAddress: pinned } : {}),
    insecure: options.insecure,
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    ...(remainingMs !== undefined ? { remainingMs } : {}),
    ...(options.connectTimeoutMs !== undefined && options.connectTimeoutMs > 0
      ? { connectTimeoutMs: options.connectTimeoutMs }
      : {}),
    http2: options.httpVersion !== '1.1',
  };
  const key = `${url.scheme}://${url.host}:${url.port}`;
  const reused = target.connections.has(key);
  const connection = target.connections.get(key) ?? target.connections.size;
  target.connections.set(key, connection);
  const result = exchange(context, target.origin, exchangeRequest);
  if (result.kind === 'failure' && result.hangs !== true) context.spend(result.elapsedMs);
  if (result.kind === 'response') context.spend(result.elapsedMs);
  if (options.verbose) output.stderr += verboseOf(exchangeRequest, result, reused);
  return { result, connection };
}

function verboseOf(request: ExchangeRequest, result: ExchangeResult, reused: boolean): string {
  if (result.kind === 'failure') return failureLines(request, result);
  const https = request.url.scheme === 'https';
  const http2 = result.httpVersion === '2';
  return `${connectLines(request, result.remoteIP, reused)}${https && !reused ? tlsLines(request, http2) : ''}${requestLines(request, requestHeaders(request), http2)}${responseLines(result)}`;
}

/** `-w`, after the last attempt of a transfer. */
function writeOut(options: CurlOptions, output: CurlOutput, record: TransferRecord, index: number): void {
  if (options.writeOut === undefined) return;
  const response = record.response;
  const total = record.totalMs;
  const lookup = response?.resolveMs ?? 0;
  const connect = response === undefined ? 0 : Math.min(total, lookup + 1);
  const values: Record<string, string> = {
    http_code: String(response?.status ?? 0).padStart(3, '0'),
    response_code: String(response?.status ?? 0).padStart(3, '0'),
    exitcode: String(record.exitCode),
    errormsg: record.error ?? '',
    url: record.url,
    url_effective: record.effectiveUrl,
    urlnum: String(index),
    method: record.method,
    num_redirects: String(record.redirects),
    redirect_url: record.redirectUrl ?? '',
    remote_ip: record.remote?.ip ?? '',
    remote_port: String(record.remote?.port ?? 0),
    local_ip: response?.localIP ?? '',
    local_port: String(response?.localPort ?? 0),
    http_version: response?.httpVersion ?? '0',
    scheme: response === undefined ? '' : record.effectiveUrl.startsWith('https') ? 'HTTPS' : 'HTTP',
    content_type: response?.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '',
    size_download: String(record.downloaded),
    size_header: String(response === undefined ? 0 : utf8(responseHead(response)).length),
    num_headers: String(response?.headers.length ?? 0),
    num_connects: String(response === undefined ? 0 : 1),
    ssl_verify_result: '0',
    filename_effective: options.output ?? '',
    time_namelookup: formatSeconds(lookup),
    time_connect: formatSeconds(connect),
    time_appconnect: formatSeconds(
      record.effectiveUrl.startsWith('https') && response !== undefined ? connect + 2 : 0,
    ),
    time_pretransfer: formatSeconds(response === undefined ? 0 : connect + 2),
    time_starttransfer: formatSeconds(response === undefined ? 0 : Math.max(connect + 2, total - 1)),
    time_total: formatSeconds(total),
  };
  const headers = Object.fromEntries(
    (response?.headers ?? []).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const text = expandWriteOut(options.writeOut, { values, headers, failed: record.exitCode !== 0 });
  output.stdout += text.stdout;
  output.stderr += text.stderr;
}
