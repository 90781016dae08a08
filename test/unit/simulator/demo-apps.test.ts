import { describe, expect, it } from 'vitest';
import { applicationFor, type Application, type HttpRequest } from '../../../simulator/k8s/applications';
import { sandboxMemory } from '../../../simulator/k8s/demo-apps/state';
import type { Container, Pod } from '../../../simulator/k8s/objects';

// Goal: the Cilium docs' demo servers answer as the real ones do, request by request, and the ones
// with memory (the Kafka broker, Elasticsearch) keep it in the sandbox they are given, so two
// requests to the same container see each other and a fresh container starts empty.

const pod = { metadata: { name: 'deathstar-6fb5694d48-5hmds', namespace: 'default' } } as Pod;

function http(method: string, path: string, body?: string): HttpRequest {
  return { method, path, host: 'x', port: 80, headers: {}, ...(body !== undefined ? { body } : {}) };
}

function serve(application: Application, request: HttpRequest) {
  const response = application.respond(request, pod);
  if (response === undefined) throw new Error('no answer');
  return response;
}

describe('demo apps: the deathstar', () => {
  const deathstar = applicationFor({ name: 'deathstar', image: 'quay.io/cilium/starwars:v2.1' });
  const cases: { name: string; method: string; path: string; status: number; body: RegExp }[] = [
    {
      name: 'lands a ship',
      method: 'POST',
      path: '/v1/request-landing',
      status: 200,
      body: /^Ship landed\n$/,
    },
    {
      name: 'panics at the exhaust port',
      method: 'PUT',
      path: '/v1/exhaust-port',
      status: 503,
      body: /^Panic: deathstar exploded\n/,
    },
    {
      name: 'describes itself with its host name',
      method: 'GET',
      path: '/v1',
      status: 200,
      body: /"hostname": "deathstar-6fb5694d48-5hmds"/,
    },
    {
      name: 'has no handler for the cargo bay',
      method: 'PUT',
      path: '/v1/cargobay',
      status: 501,
      body: /not implemented/,
    },
    {
      name: 'refuses another method on a known path',
      method: 'GET',
      path: '/v1/request-landing',
      status: 405,
      body: /method GET is not allowed, but \[POST\] are/,
    },
    { name: 'knows no other path', method: 'GET', path: '/v2', status: 404, body: /path \/v2 was not found/ },
  ];
  it.each(cases)('$name', ({ method, path, status, body }) => {
    const response = serve(deathstar, http(method, path));
    expect(response.status).toBe(status);
    expect(response.body).toMatch(body);
  });
});

describe('demo apps: the Cloud City door manager', () => {
  const doors = applicationFor({ name: 'cc-door-mgr', image: 'docker.io/cilium/cc-grpc-demo:v3.0' });
  const cases: { name: string; method: string; status: number; reply?: unknown }[] = [
    { name: 'names a door after its id', method: 'GetName', status: 0, reply: { name: 'Spaceport Door #7' } },
    {
      name: 'places every door at the same 32-bit coordinates',
      method: 'GetLocation',
      status: 0,
      reply: { lat: Math.fround(10.2222), long: Math.fround(68.8788) },
    },
    { name: 'says every door is closed', method: 'GetStatus', status: 0, reply: { state: 'CLOSED' } },
    { name: 'accepts any access code', method: 'SetAccessCode', status: 0, reply: { success: true } },
    { name: 'does not know other methods', method: 'OpenAllDoors', status: 12 },
  ];
  it.each(cases)('$name', ({ method, status, reply }) => {
    const answer = doors.grpc?.({ service: 'cloudcity.DoorManager', method, argument: '7' }, pod);
    expect(answer?.status).toBe(status);
    if (reply !== undefined) expect(JSON.parse(answer?.body ?? '')).toEqual(reply);
  });
});

describe('demo apps: the Kafka broker keeps a log per topic', () => {
  const container: Container = {
    name: 'kafka',
    image: 'docker.io/wurstmeister/kafka:1.1.0',
    env: [{ name: 'KAFKA_CREATE_TOPICS', value: 'empire-announce:1:1,deathstar-plans:1:1' }],
  };
  const call = (sandbox: object, apiKey: string, topic: string, extra: object = {}) =>
    applicationFor(container, sandboxMemory(sandbox, 'kafka')).kafka?.(
      { apiKey, apiVersion: 5, topics: [topic], ...extra },
      pod,
    );

  it('stores produced messages and fetches them from an offset, per topic', () => {
    const sandbox = {};
    call(sandbox, 'produce', 'empire-announce', { messages: ['Happy 40th Birthday to General Tagge'] });
    call(sandbox, 'produce', 'deathstar-plans', { messages: ['deathstar reactor design v3'] });
    call(sandbox, 'produce', 'empire-announce', { messages: ['Vader Booed at Empire Karaoke Party'] });
    expect(call(sandbox, 'fetch', 'empire-announce', { offset: 0 })?.messages).toEqual([
      'Happy 40th Birthday to General Tagge',
      'Vader Booed at Empire Karaoke Party',
    ]);
    expect(call(sandbox, 'fetch', 'empire-announce', { offset: 1 })?.messages).toEqual([
      'Vader Booed at Empire Karaoke Party',
    ]);
    expect(call(sandbox, 'offsets', 'deathstar-plans')?.highWatermark).toBe(1);
  });

  it('starts empty in another container, and creates an unknown topic on its first metadata request', () => {
    const sandbox = {};
    expect(call(sandbox, 'fetch', 'empire-announce')?.messages).toEqual([]);
    expect(call(sandbox, 'fetch', 'rebel-plans')?.errorCode).toBe(3);
    expect(call(sandbox, 'metadata', 'rebel-plans')?.errorCode).toBe(5);
    expect(call(sandbox, 'metadata', 'rebel-plans')?.errorCode).toBe(0);
  });
});

describe('demo apps: Elasticsearch indexes and searches', () => {
  const container: Container = { name: 'es', image: 'quay.io/pires/docker-elasticsearch-kubernetes:5.6.2' };
  const request = (sandbox: object, method: string, path: string, body?: object) =>
    serve(applicationFor(container, sandboxMemory(sandbox, 'es')), {
      ...http(method, path, body === undefined ? undefined : JSON.stringify(body)),
      port: 9200,
    });

  it('creates, then updates with the next version, and finds the latest document', () => {
    const sandbox = {};
    const created = request(sandbox, 'PUT', '/troop_logs/log/1', { outpost: 'Endor' });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ _version: 1, result: 'created', created: true });
    const updated = request(sandbox, 'PUT', '/troop_logs/log/1', { outpost: 'Hoth' });
    expect(JSON.parse(updated.body)).toMatchObject({ _version: 2, result: 'updated', created: false });
    const found = request(sandbox, 'GET', '/troop_logs/_search', { query: { match_all: {} } });
    expect(found.body).toContain('"_score":1.0');
    expect((JSON.parse(found.body) as { hits: unknown }).hits).toMatchObject({
      total: 1,
      hits: [{ _id: '1', _source: { outpost: 'Hoth' } }],
    });
  });

  it('answers index_not_found_exception for an index nobody wrote', () => {
    const missing = request({}, 'GET', '/spaceship_diagnostics/_search');
    expect(missing.status).toBe(404);
    expect((JSON.parse(missing.body) as { error: { type: string } }).error.type).toBe(
      'index_not_found_exception',
    );
  });
});

describe('demo apps: cilium/json-mock serves its two resources', () => {
  const leia = applicationFor({ name: 'leia-container', image: 'docker.io/cilium/json-mock:1.2' });
  const cases: {
    name: string;
    path: string;
    headers?: Record<string, string>;
    status: number;
    body: RegExp;
  }[] = [
    { name: 'lists the public records', path: '/public', status: 200, body: /"body": "public information"/ },
    {
      name: 'serves one record by id',
      path: '/private/1',
      status: 200,
      body: /"body": "secret information"/,
    },
    { name: 'answers {} for an unknown resource', path: '/rebels', status: 404, body: /^\{\}$/ },
    {
      name: 'asks for the bearer token',
      path: '/auth-header-required/x',
      status: 401,
      body: /Bearer 123456/,
    },
    {
      name: 'accepts the bearer token',
      path: '/auth-header-required',
      headers: { authorization: 'Bearer 123456' },
      status: 404,
      body: /^\{\}$/,
    },
  ];
  it.each(cases)('$name', ({ path, headers, status, body }) => {
    const response = serve(leia, { ...http('GET', path), headers: headers ?? {} });
    expect(response.status).toBe(status);
    expect(response.body).toMatch(body);
  });

  it('keeps running on SIGTERM, as bash does as PID 1', () => {
    expect(leia.exitsOnSigterm).toBe(false);
    expect(leia.ports).toEqual([80]);
  });
});
