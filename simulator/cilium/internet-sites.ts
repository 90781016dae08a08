/**
 * What the web servers of the modelled internet (dns-world.ts) answer. Like the DNS records, the
 * pages are illustrative, not fetched: short stand-ins that behave as the real sites do where a
 * reader's command depends on it. Plain HTTP to GitHub's and Cilium's sites is redirected to HTTPS
 * (301), gist.github.com's front page and docs.cilium.io's root redirect elsewhere (302), so `curl
 * -L` has redirects to follow; httpbin.org answers its documented endpoints (/get, /anything,
 * /headers, /ip, /user-agent, /post, /status/CODE, /redirect/N, /redirect-to) with JSON that
 * echoes the request, as the TLS-visibility guide's `curl -sL https://httpbin.org/anything` expects.
 */
import type { HttpRequest, HttpResponse } from '../k8s/applications';
import type { ExternalHost } from '../k8s/dns-world';

/** The public address httpbin.org reports as `origin`: a documentation address (RFC 5737). */
const reportedOrigin = '198.51.100.23';

/** Sites that send plain HTTP to their HTTPS address. */
const httpsOnly = new Set([
  'github.com',
  'api.github.com',
  'support.github.com',
  'gist.github.com',
  'cilium.io',
  'www.cilium.io',
  'docs.cilium.io',
]);

const html = (title: string, text: string): HttpResponse => ({
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<p>${text}</p>\n</body>\n</html>\n`,
});

const redirect = (status: 301 | 302, location: string): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', location },
  body: '',
});

const json = (status: number, value: unknown, server?: string): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...(server !== undefined ? { server } : {}) },
  body: `${JSON.stringify(value, null, 2)}\n`,
});

/** The answer of the site at `host` to one request (`tls`: it came over HTTPS). */
export function siteResponse(host: ExternalHost, request: HttpRequest, tls: boolean): HttpResponse {
  const path = request.path.split('?')[0] ?? '/';
  if (!tls && httpsOnly.has(host.name)) return redirect(301, `https://${host.name}${request.path}`);
  switch (host.name) {
    case 'httpbin.org':
      return httpbin(request, tls);
    case 'api.github.com':
      return path === '/'
        ? json(
            200,
            {
              current_user_url: 'https://api.github.com/user',
              repository_url: 'https://api.github.com/repos/{owner}/{repo}',
            },
            'github.com',
          )
        : json(
            404,
            { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
            'github.com',
          );
    case 'gist.github.com':
      return path === '/'
        ? redirect(302, 'https://gist.github.com/discover')
        : html('Discover gists', 'gist.github.com (modelled page)');
    case 'docs.cilium.io':
      return path === '/'
        ? redirect(302, 'https://docs.cilium.io/en/stable/')
        : html('Cilium documentation', `docs.cilium.io${path} (modelled page)`);
    default:
      return html(host.name, `${request.method} ${request.path} answered by ${host.name} (modelled page)`);
  }
}

/** httpbin's view of the request headers: names in Title-Case, as it prints them. */
function echoedHeaders(request: HttpRequest): Record<string, string> {
  const entries = Object.entries(request.headers).map(
    ([name, value]) =>
      [
        name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`),
        value,
      ] as const,
  );
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The query string as httpbin's `args`. */
function argsOf(path: string): Record<string, string> {
  const query = path.split('?')[1] ?? '';
  return Object.fromEntries(formPairs(query));
}

function formPairs(text: string): [string, string][] {
  if (text === '') return [];
  return text.split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const decode = (part: string): string => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        return part;
      }
    };
    return equals < 0 ? [decode(pair), ''] : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
  });
}

/** The request as httpbin reports it for /anything and /post. */
function describedRequest(request: HttpRequest, url: string): Record<string, unknown> {
  const body = request.body ?? '';
  const type = request.headers['content-type'] ?? '';
  let parsed: unknown = null;
  if (type.includes('json'))
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
  const form = type.includes('x-www-form-urlencoded') ? Object.fromEntries(formPairs(body)) : {};
  return {
    args: argsOf(request.path),
    data: type.includes('x-www-form-urlencoded') ? '' : body,
    files: {},
    form,
    headers: echoedHeaders(request),
    json: parsed,
    method: request.method,
    origin: reportedOrigin,
    url,
  };
}

function httpbin(request: HttpRequest, tls: boolean): HttpResponse {
  const url = `${tls ? 'https' : 'http'}://httpbin.org${request.path}`;
  const path = request.path.split('?')[0] ?? '/';
  const server = 'gunicorn/19.9.0';
  const status = /^\/status\/(\d{3})$/.exec(path);
  const redirects = /^\/(?:relative-)?redirect\/(\d+)$/.exec(path);
  if (path === '/get') {
    const { args, headers, origin } = describedRequest(request, url);
    return json(200, { args, headers, origin, url }, server);
  }
  if (path === '/anything' || path.startsWith('/anything/'))
    return json(200, describedRequest(request, url), server);
  if (path === '/post')
    return request.method === 'POST'
      ? json(200, describedRequest(request, url), server)
      : {
          status: 405,
          headers: { 'content-type': 'text/html', server },
          body: '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>405 Method Not Allowed</title>\n',
        };
  if (path === '/headers') return json(200, { headers: echoedHeaders(request) }, server);
  if (path === '/ip') return json(200, { origin: reportedOrigin }, server);
  if (path === '/user-agent') return json(200, { 'user-agent': request.headers['user-agent'] ?? '' }, server);
  if (status !== null) {
    const code = Number(status[1]);
    const moved = code >= 300 && code < 400 ? { location: '/redirect/1' } : {};
    return {
      status: code,
      headers: { 'content-type': 'text/html; charset=utf-8', server, ...moved },
      body: '',
    };
  }
  if (redirects !== null) {
    const left = Number(redirects[1]);
    return {
      ...redirect(302, left <= 1 ? '/get' : `/relative-redirect/${left - 1}`),
      headers: { location: left <= 1 ? '/get' : `/relative-redirect/${left - 1}`, server },
    };
  }
  if (path === '/redirect-to') {
    const args = argsOf(request.path);
    const code = Number(args.status_code ?? 302);
    return {
      status: code >= 300 && code < 400 ? code : 302,
      headers: { location: args.url ?? '/', server },
      body: '',
    };
  }
  if (path === '/') return html('httpbin.org', 'A simple HTTP Request &amp; Response Service (modelled).');
  return {
    status: 404,
    headers: { 'content-type': 'text/html', server },
    body: '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n',
  };
}
