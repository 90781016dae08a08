/**
 * A tiny static server for the built site, used by the budget checks (scripts/budgets.ts).
 *
 * It behaves like the static hosts the site is meant for rather than like a development server:
 * text is gzip-compressed when the browser accepts it, hashed assets under /_astro/ are cached for a
 * year, folders serve their index.html (and a path without its trailing slash is redirected), and an
 * unknown path gets dist/404.html with status 404. `astro preview` compresses nothing, which would make
 * Lighthouse judge a transfer size no real host would send.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Types worth compressing; images, fonts and Pagefind's already-compressed index are sent as they are. */
const compressible = /^(text\/|application\/(json|xml|manifest\+json|wasm)|image\/svg)/;

export interface StaticServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

/** Serves `root` (normally dist/) on a free localhost port until `close()` is called. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const gzipCache = new Map<string, Buffer>();

  async function fileFor(pathname: string): Promise<{ file: string; redirect?: string } | undefined> {
    const decoded = decodeURIComponent(pathname);
    const file = normalize(join(root, decoded));
    if (file !== root && !file.startsWith(root + sep)) return undefined;
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return { file };
    if (info?.isDirectory()) {
      if (!pathname.endsWith('/')) return { file, redirect: `${pathname}/` };
      const index = join(file, 'index.html');
      if ((await stat(index).catch(() => undefined))?.isFile()) return { file: index };
    }
    return undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const found = await fileFor(url.pathname);
    if (found?.redirect !== undefined) {
      response.writeHead(301, { Location: found.redirect + url.search });
      response.end();
      return;
    }
    const status = found === undefined ? 404 : 200;
    const file = found?.file ?? join(root, '404.html');
    const body = await readFile(file).catch(() => Buffer.from('Not found'));
    const type = contentTypes[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Cache-Control': url.pathname.startsWith('/_astro/')
        ? 'public, max-age=31536000, immutable'
        : 'public, max-age=0, must-revalidate',
      Vary: 'Accept-Encoding',
    };
    let payload: Buffer = body;
    const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (acceptsGzip && compressible.test(type) && body.length > 512) {
      payload = gzipCache.get(file) ?? gzipSync(body);
      gzipCache.set(file, payload);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(payload.length);
    response.writeHead(status, headers);
    response.end(request.method === 'HEAD' ? undefined : payload);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the static server has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
