/**
 * cilium/json-mock, the HTTP server of the Cilium docs' Star Wars ships, Leia, Luke and Vader
 * (github.com/cilium/json-mock: Dockerfile, run.sh, default.json, auth-header.js): json-server on
 * port 80 (or $PORT) serving a database of two resources, `public` and `private`, each holding
 * one record, with a middleware that asks for `Authorization: Bearer 123456` under
 * `/auth-header-required`. Reads only: the model keeps no writes.
 *
 * Its entrypoint is `bash /run.sh`, and bash as PID 1 neither handles SIGTERM nor passes it on,
 * so a deleted pod waits out its grace period.
 */
import type { Application, HttpRequest, HttpResponse } from '../application-types';
import type { Container } from '../objects';

/** default.json of the image. */
const database: Readonly<Record<string, readonly { id: number; body: string }[]>> = {
  private: [{ id: 1, body: 'secret information' }],
  public: [{ id: 1, body: 'public information' }],
};

const json = { 'content-type': 'application/json; charset=utf-8' };

/** json-server writes its JSON indented by two spaces. */
const body = (value: unknown): string => JSON.stringify(value, null, 2);

/** The page json-server serves at `/` (its own index, reduced to what the model shows). */
const homePage =
  '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="UTF-8">\n  <title>JSON Server</title>\n</head>\n<body>\n  <h1>Congrats!</h1>\n  <p>You\'re successfully running JSON Server</p>\n  <h2>Resources</h2>\n  <ul>\n    <li><a href="private">/private</a></li>\n    <li><a href="public">/public</a></li>\n  </ul>\n</body>\n</html>\n';

function answer(request: HttpRequest): HttpResponse {
  const path = (request.path.split('?')[0] ?? '/').replace(/(.)\/$/, '$1');
  if (path.startsWith('/auth-header-required') && request.headers.authorization !== 'Bearer 123456')
    return {
      status: 401,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: 'Invalid Authorization header, try setting it to "Bearer 123456"',
    };
  if (request.method !== 'GET') return { status: 404, headers: json, body: '{}' };
  if (path === '/')
    return { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: homePage };
  if (path === '/db') return { status: 200, headers: json, body: body(database) };
  const [, resource = '', id] = /^\/([^/]+)(?:\/([^/]+))?$/.exec(path) ?? [];
  const records = database[resource];
  if (records === undefined) return { status: 404, headers: json, body: '{}' };
  if (id === undefined) return { status: 200, headers: json, body: body(records) };
  const record = records.find((candidate) => String(candidate.id) === id);
  return record === undefined
    ? { status: 404, headers: json, body: '{}' }
    : { status: 200, headers: json, body: body(record) };
}

/** The json-mock server of a container (its port from $PORT, else 80). */
export function jsonMock(container: Container): Application {
  const port = Number(container.env?.find((variable) => variable.name === 'PORT')?.value ?? 80) || 80;
  return { name: 'json-mock', ports: [port], exitsOnSigterm: false, respond: answer };
}
