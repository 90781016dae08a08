/**
 * The Elasticsearch 5.6 node of Cilium's Elasticsearch walkthrough
 * (quay.io/pires/docker-elasticsearch-kubernetes:5.6.2), answering the REST calls its clients make
 * on port 9200 as Elasticsearch 5.6 does:
 *
 * - `PUT /INDEX/TYPE/ID` indexes a JSON document: 201 `created` with `_version` 1, then 200
 *   `updated` with the next version each time the same id is written again;
 * - `GET|POST /INDEX[/TYPE]/_search` returns every document of the index (a `match_all` query, the
 *   only one the demo sends), each with `_score` 1.0;
 * - `GET /INDEX/TYPE/ID` returns one document; a missing index is `index_not_found_exception`.
 *
 * Documents are searchable as soon as they are written: the model has no refresh interval (1 s by
 * default), since the docs' walkthrough never searches within a second of a write; and they
 * are kept in the node's memory here (the demo's volume is an emptyDir, gone with the pod).
 * One node with the default 5 shards and 1 replica, whose replicas stay unassigned, which is why a
 * write reports `_shards` total 2, successful 1.
 */
import type { Application, HttpRequest, HttpResponse } from '../application-types';
import type { ApplicationMemory } from './state';

interface StoredDocument {
  type: string;
  version: number;
  source: unknown;
}

/** Each index's documents by id, in the order they were first written. */
interface Indices {
  indices: Record<string, Record<string, StoredDocument>>;
}

const json = { 'content-type': 'application/json; charset=UTF-8' };

/** Scores are Java floats, which Elasticsearch writes with a fraction (`1.0`); JSON.stringify drops it. */
const withFloatScores = (text: string): string =>
  text.replace(/"(_score|max_score)":(\d+)(?=[,}])/g, '"$1":$2.0');

function reply(status: number, body: unknown): HttpResponse {
  return { status, headers: json, body: withFloatScores(JSON.stringify(body)) };
}

function indexNotFound(index: string): HttpResponse {
  const cause = {
    type: 'index_not_found_exception',
    reason: 'no such index',
    'resource.type': 'index_or_alias',
    'resource.id': index,
    index_uuid: '_na_',
    index,
  };
  return reply(404, { error: { root_cause: [cause], ...cause }, status: 404 });
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function indexDocument(
  store: Indices,
  index: string,
  type: string,
  id: string,
  body: string | undefined,
): HttpResponse {
  const source = parseBody(body);
  if (source === null || typeof source !== 'object')
    return reply(400, {
      error: { type: 'parse_exception', reason: 'request body is required' },
      status: 400,
    });
  const documents = (store.indices[index] ??= {});
  const previous = documents[id];
  const version = (previous?.version ?? 0) + 1;
  documents[id] = { type, version, source };
  const created = previous === undefined;
  return reply(created ? 201 : 200, {
    _index: index,
    _type: type,
    _id: id,
    _version: version,
    result: created ? 'created' : 'updated',
    _shards: { total: 2, successful: 1, failed: 0 },
    created,
  });
}

function search(store: Indices, index: string): HttpResponse {
  const documents = store.indices[index];
  if (documents === undefined) return indexNotFound(index);
  const hits = Object.entries(documents).map(([id, document]) => ({
    _index: index,
    _type: document.type,
    _id: id,
    _score: 1.0,
    _source: document.source,
  }));
  return reply(200, {
    took: 1,
    timed_out: false,
    _shards: { total: 5, successful: 5, skipped: 0, failed: 0 },
    hits: { total: hits.length, max_score: hits.length > 0 ? 1.0 : null, hits },
  });
}

function getDocument(store: Indices, index: string, type: string, id: string): HttpResponse {
  const documents = store.indices[index];
  if (documents === undefined) return indexNotFound(index);
  const document = documents[id];
  if (document === undefined) return reply(404, { _index: index, _type: type, _id: id, found: false });
  return reply(200, {
    _index: index,
    _type: document.type,
    _id: id,
    _version: document.version,
    found: true,
    _source: document.source,
  });
}

/** The node's banner at `/`. */
function banner(podName: string): HttpResponse {
  return reply(200, {
    name: podName,
    cluster_name: 'myesdb',
    version: { number: '5.6.2', lucene_version: '6.6.1' },
    tagline: 'You Know, for Search',
  });
}

function route(store: Indices, request: HttpRequest, podName: string): HttpResponse {
  const path = request.path.split('?')[0] ?? '/';
  const parts = path.split('/').filter((part) => part !== '');
  const [index = '', second, third] = parts;
  const method = request.method;
  if (parts.length === 0 && method === 'GET') return banner(podName);
  const searching = parts[parts.length - 1] === '_search' && parts.length <= 3;
  if (searching && (method === 'GET' || method === 'POST')) return search(store, index);
  if (parts.length === 3 && second !== undefined && third !== undefined) {
    if (method === 'PUT' || method === 'POST')
      return indexDocument(store, index, second, third, request.body);
    if (method === 'GET') return getDocument(store, index, second, third);
  }
  return reply(400, { error: `no handler found for uri [${path}] and method [${method}]` });
}

/** The Elasticsearch node, keeping its indices in the container's application state. */
export function elasticsearch(ports: number[], memory: ApplicationMemory): Application {
  return {
    name: 'elasticsearch',
    ports: ports.length > 0 ? ports : [9200, 9300],
    exitsOnSigterm: true,
    respond: (request, pod) =>
      request.port === 9300
        ? undefined
        : route(
            memory.slot<Indices>('elasticsearch', () => ({ indices: {} })),
            request,
            pod.metadata.name,
          ),
  };
}
