/**
 * The Death Star of Cilium's Star Wars demo (image cilium/starwars, source cilium/starwars-docker,
 * restapi/configure_deathstar.go): a go-swagger server on port 80 whose swagger lists six
 * operations and implements three of them, all answering `text/plain`:
 *
 * - `GET /v1`: the station's description, with the pod's host name;
 * - `POST /v1/request-landing`: `Ship landed`;
 * - `PUT /v1/exhaust-port`: 503 with the demo's fake backtrace as the body; the handler also
 *   starts a goroutine that sleeps two seconds and panics, which ends the process (a Go panic
 *   exits with status 2), so the kubelet restarts the container and RESTARTS goes up.
 *
 * The other operations of the swagger (`GET /v1/healthz`, `PUT /v1/cargobay`,
 * `GET /v1/hyper-matter-reactor/status`) have no handler, which go-swagger answers with 501; a
 * path outside the swagger gets go-openapi's 404 and a known path with another method its 405.
 */
import type { Application, HttpRequest, HttpResponse } from '../application-types';

const plain = { 'content-type': 'text/plain' };
const json = { 'content-type': 'application/json' };

/** The panic text the exhaust port returns (the demo's own fake backtrace). */
export const exhaustPortPanic = `Panic: deathstar exploded

goroutine 1 [running]:
main.HandleGarbage(0x2080c3f50, 0x2, 0x4, 0x425c0, 0x5, 0xa)
        /code/src/github.com/empire/deathstar/
        temp/main.go:9 +0x64
main.main()
        /code/src/github.com/empire/deathstar/
        temp/main.go:5 +0x85
`;

/**
 * The real crash two seconds after the answer: Go's runtime writes `panic: ` and the value to the
 * process's standard error (the container's log), then the goroutine's stack, which the model
 * leaves out, and exits with status 2.
 */
const exhaustPortCrash = { afterMs: 2000, exitCode: 2, output: 'panic: deathstar exploded\n' };

/** The operations of the demo's swagger: path, then method, then whether a handler exists. */
const operations: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  '/v1': { GET: true },
  '/v1/healthz': { GET: false },
  '/v1/request-landing': { POST: true },
  '/v1/cargobay': { PUT: false },
  '/v1/hyper-matter-reactor/status': { GET: false },
  '/v1/exhaust-port': { PUT: true },
};

/** The station's description as `GET /v1` returns it (tab-indented, with the host name). */
function description(hostname: string): string {
  const api = Object.entries(operations).map(
    ([path, methods]) => `\t\t"${(Object.keys(methods)[0] ?? '').padEnd(6)}${path}"`,
  );
  return `{
\t"name": "Death Star",
\t"hostname": "${hostname}",
\t"model": "DS-1 Orbital Battle Station",
\t"manufacturer": "Imperial Department of Military Research, Sienar Fleet Systems",
\t"cost_in_credits": "1000000000000",
\t"length": "120000",
\t"crew": "342953",
\t"passengers": "843342",
\t"cargo_capacity": "1000000000000",
\t"hyperdrive_rating": "4.0",
\t"starship_class": "Deep Space Mobile Battlestation",
\t"api": [
${api.join(',\n')}
\t]
}
`;
}

/** go-openapi's JSON error body. */
function apiError(status: number, message: string): HttpResponse {
  return { status, headers: json, body: JSON.stringify({ code: status, message }) };
}

function answer(request: HttpRequest, hostname: string): HttpResponse {
  const path = request.path.split('?')[0]?.replace(/(.)\/$/, '$1') ?? '/';
  const methods = operations[path];
  if (methods === undefined) return apiError(404, `path ${path} was not found`);
  const implemented = methods[request.method];
  if (implemented === undefined)
    return apiError(
      405,
      `method ${request.method} is not allowed, but [${Object.keys(methods).join(',')}] are`,
    );
  if (!implemented) return apiError(501, 'operation not implemented');
  if (path === '/v1') return { status: 200, headers: plain, body: description(hostname) };
  if (path === '/v1/request-landing') return { status: 200, headers: plain, body: 'Ship landed\n' };
  return { status: 503, headers: plain, body: exhaustPortPanic, processExit: exhaustPortCrash };
}

/** The deathstar server. */
export function deathstar(ports: number[]): Application {
  return {
    name: 'deathstar',
    ports: ports.length > 0 ? ports : [80],
    exitsOnSigterm: true,
    respond: (request, pod) => answer(request, pod.metadata.name),
  };
}
