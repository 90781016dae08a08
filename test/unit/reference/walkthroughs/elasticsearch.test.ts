import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the Elasticsearch walkthrough (reference/elasticsearch, after the docs' security/elasticsearch)
// runs block by block as the page writes it: the three clients upload and search while only the
// network stands between them, a captured outpost reads both indices and rewrites the diagnostics;
// with the docs' policy the outpost's search and update get Envoy's 403 as elasticsearch-py's
// AuthorizationException, and the legitimate uploads and searches still succeed.

const troopLogHit =
  "{'_index': 'troop_logs', '_type': 'log', '_id': '1', '_score': 1.0, '_source': {'outpost': 'Endor', 'datetime': '33 ABY 4AM DST', 'title': 'Endor Corps 1: Morning Drill', 'notes': '5100 PRESENT; 15 ABSENT; 130 CODE-RED BELOW PAR PERFORMANCE'}}";
const diagnosticsHit = (stats: string) =>
  `{'_index': 'spaceship_diagnostics', '_type': 'stats', '_id': '1', '_score': 1.0, '_source': {'spaceshipid': '3459B78XNZTF', 'type': 'tiefighter', 'title': 'Engine Diagnostics', 'stats': '${stats}'}}`;
const critical = '[CRITICAL] [ENGINE BURN @SPEED 5000 km/s] [CHANCE 80%]';
const searched = (stats: string) =>
  `Searching for Spaceship Diagnostics\nGot 1 Hits:\n${diagnosticsHit(stats)}\nSearching for Stormtroopers Performance Logs\nGot 1 Hits:\n${troopLogHit}\n`;
const forbidden =
  "elasticsearch.exceptions.AuthorizationException: TransportError(403, 'Access denied\\r\\n')\n";

describe('reference: the Elasticsearch walkthrough, verbatim', () => {
  it('lets every client do everything, then only what the policy lists', async () => {
    const page = await walkthrough('elasticsearch');
    const created = await page.next('es-sw-app.yaml');
    expect(created.stdout).toContain('replicationcontroller/es created\n');
    page.waits(60_000);
    const listed = await page.next('kubectl get svc,pods');
    expect(listed.stdout).toMatch(
      /^service\/elasticsearch +NodePort +\S+ +<none> +9200:\d+\/TCP,9300:\d+\/TCP/m,
    );
    expect(listed.stdout).toMatch(/^pod\/es-[a-z0-9]{5} +1\/1 +Running/m);

    const logs = await page.next('python upload_logs.py');
    expect(logs.stdout).toBe(
      "Uploading Stormtroopers Performance Logs\ncreated :  {'_index': 'troop_logs', '_type': 'log', '_id': '1', '_version': 1, 'result': 'created', '_shards': {'total': 2, 'successful': 1, 'failed': 0}, 'created': True}\n",
    );
    const diagnostics = await page.next('python upload_diagnostics.py');
    expect(diagnostics.stdout).toBe(
      "Uploading Spaceship Diagnostics\ncreated :  {'_index': 'spaceship_diagnostics', '_type': 'stats', '_id': '1', '_version': 1, 'result': 'created', '_shards': {'total': 2, 'successful': 1, 'failed': 0}, 'created': True}\n",
    );
    expect((await page.next('kubectl exec empire-hq -- python search.py')).stdout).toBe(searched(critical));

    // The captured outpost reads everything and rewrites the tiefighter's diagnostics.
    expect((await page.next('kubectl exec outpost -- python search.py')).stdout).toBe(searched(critical));
    expect((await page.next('kubectl exec outpost -- python update.py')).stdout).toBe(
      `Uploading Spaceship Diagnostics\n${diagnosticsHit('[OK] [ENGINE OK @SPEED 5000 km/s]')}\n`,
    );

    const policy = await page.next('es-sw-policy.yaml');
    expect(policy.stdout).toBe('ciliumnetworkpolicy.cilium.io/secure-empire-elasticsearch created\n');
    page.waits(5000);
    const search = await page.next('kubectl exec outpost -- python search.py');
    expect(search.exitCode).toBe(1);
    expect(search.stderr).toMatch(
      /^GET http:\/\/elasticsearch:9200\/spaceship_diagnostics\/_search \[status:403 request:\d\.\d{3}s\]\n/,
    );
    expect(search.stderr).toContain(`${forbidden}command terminated with exit code 1\n`);
    const update = await page.next('kubectl exec outpost -- python update.py');
    expect(update.stderr).toMatch(
      /^PUT http:\/\/elasticsearch:9200\/spaceship_diagnostics\/stats\/1 \[status:403 /,
    );
    expect(update.stderr).toContain(forbidden);

    // The legitimate calls still pass; the uploads now update the documents they wrote before.
    const legitimate = await page.next('kubectl exec outpost -- python upload_logs.py');
    expect(legitimate.exitCode).toBe(0);
    expect(legitimate.stdout).toContain("updated :  {'_index': 'troop_logs'");
    expect(legitimate.stdout).toContain("'_version': 2");
    expect(legitimate.stdout).toContain(
      "'_index': 'spaceship_diagnostics', '_type': 'stats', '_id': '1', '_version': 3",
    );
    expect(legitimate.stdout).toContain(searched(critical));
    expect(legitimate.stderr).toBe('');

    const cleaned = await page.next('kubectl delete -f');
    expect(cleaned.stdout).toContain('ciliumnetworkpolicy.cilium.io "secure-empire-elasticsearch" deleted\n');
    page.finish();
  }, 120_000);
});
