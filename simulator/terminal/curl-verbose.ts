/**
 * The lines curl 8.5.0 prints with `-v`: `*` for what it is doing, `>` for the request it sends and
 * `<` for the response it reads (the infof calls of lib/hostip.c `show_resolve_info`,
 * lib/cf-socket.c, lib/url.c, lib/http2.c and lib/multi.c at tag curl-8_5_0). The TLS handshake is
 * summarised by the lines curl prints for TLS 1.3 with OpenSSL; the certificate's subject is the
 * name asked for, since the model's certificates are metadata.
 */
import type { ExchangeFailure, ExchangeRequest, ExchangeResponse } from './curl-exchange';
import { formatCurlUrl } from './curl-url';

const info = (text: string): string => `* ${text}\n`;

/** The reason phrase HTTP/1.1 servers send after the status code. */
const reasonPhrases: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  418: "I'm a teapot",
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The response's status line as curl shows it (HTTP/2 has no reason phrase; curl adds a space). */
function statusLine(response: ExchangeResponse): string {
  return response.httpVersion === '2'
    ? `HTTP/2 ${response.status} `
    : `HTTP/1.1 ${response.status} ${reasonPhrases[response.status] ?? ''}`;
}

/** The response head as `-i`/`-I` print it, with CRLF line ends. */
export function responseHead(response: ExchangeResponse): string {
  return `${statusLine(response)}\r\n${response.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

/** Lines about name resolution and the TCP connection, up to `Connected to`. */
export function connectLines(request: ExchangeRequest, remoteIP: string, reused: boolean): string {
  const { host, port } = request.url;
  if (reused) return info(`Re-using existing connection with host ${host}`);
  const resolved = /^\d+\.\d+\.\d+\.\d+$/.test(host)
    ? ''
    : `${info(`Host ${host}:${port} was resolved.`)}${info('IPv6: (none)')}${info(`IPv4: ${remoteIP}`)}`;
  return `${resolved}${info(`  Trying ${remoteIP}:${port}...`)}${info(`Connected to ${host} (${remoteIP}) port ${port}`)}`;
}

/** The TLS 1.3 handshake as curl with OpenSSL reports it. */
export function tlsLines(request: ExchangeRequest, http2: boolean): string {
  const steps = [
    `ALPN: curl offers ${request.http2 ? 'h2,' : ''}http/1.1`,
    'TLSv1.3 (OUT), TLS handshake, Client hello (1):',
    'TLSv1.3 (IN), TLS handshake, Server hello (2):',
    'TLSv1.3 (IN), TLS handshake, Encrypted Extensions (8):',
    'TLSv1.3 (IN), TLS handshake, Certificate (11):',
    'TLSv1.3 (IN), TLS handshake, CERT verify (15):',
    'TLSv1.3 (IN), TLS handshake, Finished (20):',
    'TLSv1.3 (OUT), TLS change cipher, Change cipher spec (1):',
    'TLSv1.3 (OUT), TLS handshake, Finished (20):',
    'SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256 / X25519 / id-ecPublicKey',
    `ALPN: server accepted ${http2 ? 'h2' : 'http/1.1'}`,
    'Server certificate:',
    ` subject: CN=${request.url.host}`,
    // The model's certificates are metadata: curl is shown verifying them as it does a public chain.
    ' SSL certificate verify ok.',
  ];
  return steps.map(info).join('');
}

/** The request as `>` lines (and, over HTTP/2, curl's stream lines first). */
export function requestLines(
  request: ExchangeRequest,
  headers: readonly [string, string][],
  http2: boolean,
): string {
  const url = formatCurlUrl(request.url);
  const stream = http2
    ? [
        'using HTTP/2',
        `[HTTP/2] [1] OPENED stream for ${url}`,
        `[HTTP/2] [1] [:method: ${request.method}]`,
        `[HTTP/2] [1] [:scheme: ${request.url.scheme}]`,
        `[HTTP/2] [1] [:authority: ${headers.find(([name]) => name === 'Host')?.[1] ?? request.url.host}]`,
        `[HTTP/2] [1] [:path: ${request.url.path}]`,
        ...headers
          .filter(([name]) => name !== 'Host')
          .map(([name, value]) => `[HTTP/2] [1] [${name.toLowerCase()}: ${value}]`),
      ]
        .map(info)
        .join('')
    : '';
  const sent = headers.map(([name, value]) => `> ${name}: ${value}\n`).join('');
  const upload =
    request.body !== undefined
      ? info(`upload completely sent off: ${new TextEncoder().encode(request.body).length} bytes`)
      : '';
  return `${stream}> ${request.method} ${request.url.path} HTTP/${http2 ? '2' : '1.1'}\n${sent}> \n${upload}`;
}

/** The response as `<` lines. */
export function responseLines(response: ExchangeResponse): string {
  return `< ${statusLine(response)}\n${response.headers.map(([name, value]) => `< ${name}: ${value}\n`).join('')}< \n`;
}

/** What `-v` shows when the transfer failed. */
export function failureLines(request: ExchangeRequest, failure: ExchangeFailure): string {
  const trying =
    failure.reached !== 'nothing' && failure.remoteIP !== undefined
      ? info(`  Trying ${failure.remoteIP}:${request.url.port}...`)
      : '';
  return `${trying}${info(failure.message)}${info('Closing connection')}`;
}

/** The line after a connection is done with. */
export function leftIntact(host: string, connection: number): string {
  return info(`Connection #${connection} to host ${host} left intact`);
}
