/**
 * URLs as curl 8.5.0 takes them (lib/urlapi.c at tag curl-8_5_0): a missing scheme means http, the
 * port defaults by scheme, a fragment is never sent, and the errors are curl's own (`URL rejected:
 * …` with CURLE_URL_MALFORMAT, 3; an unknown scheme is CURLE_UNSUPPORTED_PROTOCOL, 1). Also the
 * `Location` of a redirect taken relative to the URL it answered, and `--resolve` entries.
 */

/** A URL curl can fetch. */
export interface CurlUrl {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Whether the port was written in the URL (curl then keeps it in the Host header). */
  explicitPort: boolean;
  /** Path and query, as sent in the request line. */
  path: string;
  user?: string;
}

/** A URL curl refuses, with its exit status and message. */
export interface CurlUrlError {
  exitCode: number;
  message: string;
}

const defaultPorts = { http: 80, https: 443 } as const;

/** Schemes curl knows but the simulated one does not fetch. */
const otherSchemes = new Set([
  'ftp',
  'ftps',
  'file',
  'dict',
  'gopher',
  'imap',
  'ldap',
  'mqtt',
  'pop3',
  'rtsp',
  'scp',
  'sftp',
  'smb',
  'smtp',
  'telnet',
  'tftp',
  'ws',
  'wss',
]);

/** Parses a URL as given on curl's command line. */
export function parseCurlUrl(text: string): CurlUrl | CurlUrlError {
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  const scheme = (schemeMatch?.[1] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    const known = otherSchemes.has(scheme);
    return {
      exitCode: 1,
      message: known
        ? `Protocol "${scheme}" not supported by the simulated curl (it fetches http and https)`
        : `Protocol "${scheme}" not supported or disabled in libcurl`,
    };
  }
  const rest = schemeMatch === null ? text : text.slice(schemeMatch[0].length);
  const withoutFragment = rest.split('#')[0] ?? '';
  const pathStart = withoutFragment.search(/[/?]/);
  const authority = pathStart < 0 ? withoutFragment : withoutFragment.slice(0, pathStart);
  let path = pathStart < 0 ? '/' : withoutFragment.slice(pathStart);
  if (path.startsWith('?')) path = `/${path}`;
  const at = authority.lastIndexOf('@');
  const user = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);
  const portMatch = /^(.*?)(?::(\d*))?$/.exec(hostPort);
  const host = (portMatch?.[1] ?? '').toLowerCase();
  const portText = portMatch?.[2];
  if (host === '') return { exitCode: 3, message: 'URL rejected: No host part in the URL' };
  if (host.startsWith('['))
    return { exitCode: 3, message: 'URL rejected: the simulated network has no IPv6 addresses' };
  if (!/^[a-z0-9._-]+$/.test(host)) return { exitCode: 3, message: 'URL rejected: Bad hostname' };
  let port: number = defaultPorts[scheme];
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (port > 65535)
      return {
        exitCode: 3,
        message: 'URL rejected: Port number was not a decimal number between 0 and 65535',
      };
  }
  return {
    scheme,
    host,
    port,
    explicitPort: portText !== undefined && portText !== '',
    path: path.replace(/ /g, '%20'),
    ...(user !== undefined ? { user: decodeURIComponent(user) } : {}),
  };
}

/** The URL as curl prints it (`%{url_effective}`). */
export function formatCurlUrl(url: CurlUrl): string {
  return `${url.scheme}://${url.host}${url.explicitPort ? `:${url.port}` : ''}${url.path}`;
}

/** The Host header curl sends: the port only when it is not the scheme's default. */
export function hostHeader(url: CurlUrl): string {
  return url.port === defaultPorts[url.scheme] ? url.host : `${url.host}:${url.port}`;
}

/** The URL a redirect's `Location` names, taken relative to the URL that answered. */
export function resolveLocation(base: CurlUrl, location: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) return location;
  const origin = `${base.scheme}://${base.host}${base.explicitPort ? `:${base.port}` : ''}`;
  if (location.startsWith('//')) return `${base.scheme}:${location}`;
  if (location.startsWith('/')) return `${origin}${location}`;
  const basePath = (base.path.split('?')[0] ?? '/').replace(/[^/]*$/, '');
  if (location.startsWith('?')) return `${origin}${base.path.split('?')[0] ?? '/'}${location}`;
  return `${origin}${normalisePath(`${basePath}${location}`)}`;
}

/** Removes `.` and `..` segments, as RFC 3986 section 5.2.4 does. */
function normalisePath(path: string): string {
  const [pathPart = '', ...query] = path.split('?');
  const out: string[] = [];
  for (const segment of pathPart.split('/')) {
    if (segment === '..') out.splice(Math.max(out.length - 1, 1), 1);
    else if (segment !== '.') out.push(segment);
  }
  const joined = out.join('/') || '/';
  return query.length > 0 ? `${joined}?${query.join('?')}` : joined;
}

/** One `--resolve` entry: which host and port it pins, and to which address. */
export interface ResolveEntry {
  host: string;
  port: number;
  addresses: string[];
}

/** Parses `[+]host:port:addr[,addr]…`; undefined when curl could not parse it. */
export function parseResolveEntry(text: string): ResolveEntry | undefined {
  const match = /^\+?([^:]+):(\d+):(.+)$/.exec(text);
  if (match === null) return undefined;
  const addresses = (match[3] ?? '').split(',').map((address) => address.replace(/^\[|\]$/g, '').trim());
  if (addresses.some((address) => address === '')) return undefined;
  return { host: (match[1] ?? '').toLowerCase(), port: Number(match[2]), addresses };
}

/** The address `--resolve` gives a host and port; a `*` host applies last. */
export function pinnedAddress(
  entries: readonly ResolveEntry[],
  host: string,
  port: number,
): string | undefined {
  const exact = entries.find((entry) => entry.host === host && entry.port === port);
  const wildcard = entries.find((entry) => entry.host === '*' && entry.port === port);
  return (exact ?? wildcard)?.addresses[0];
}
