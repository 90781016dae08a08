import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the Kafka walkthrough (reference/kafka, after the docs' security/kafka) runs block by block
// as the page writes it, with one terminal per client as the docs open them: each terminal gets a
// shell in its pod with the docs' prompt; consumers keep running and print what the broker stores
// on their topic as the other terminals produce it; a captured outpost first produces to
// empire-announce and reads deathstar-plans, and after the Kafka rule is in it gets Kafka's
// authorisation errors for both.

const authorizationError = (topic: string) =>
  `org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [${topic}]\n`;

describe('reference: the Kafka walkthrough, verbatim', () => {
  it('stores and delivers messages per topic, then refuses the outpost by role and topic', async () => {
    const page = await walkthrough('kafka');
    const created = await page.next('kafka-sw-app.yaml');
    expect(created.stdout).toContain('deployment.apps/kafka-broker created\n');
    expect(created.stdout).toContain('service/kafka-service created\n');
    page.waits(60_000);
    const listed = await page.next('kubectl get svc,pods');
    expect(listed.stdout).toMatch(/^service\/kafka-service +ClusterIP +None +<none> +9092\/TCP/m);
    expect(listed.stdout.match(/ 1\/1 +Running /g)).toHaveLength(6);

    // One terminal per client, each a shell in its pod with the docs' prompt.
    const shells = [
      ['empire-hq', 'app=empire-hq'],
      ['empire-backup', 'app=empire-backup'],
      ['outpost-8888', 'outpostid=8888'],
      ['outpost-9999', 'outpostid=9999'],
    ] as const;
    for (const [name, selector] of shells) {
      const opened = await page.next(`-l ${selector}`, name);
      expect(opened.exitCode).toBe(0);
      expect(page.window(name).prompt).toBe(`${name} $ `);
    }

    // The consumers wait; the docs start the same consumer in outpost-9999.
    await page.next('./kafka-consume.sh --topic deathstar-plans', 'empire-backup');
    await page.next('./kafka-consume.sh --topic empire-announce', 'outpost-8888');
    await page.window('outpost-9999').run('./kafka-consume.sh --topic empire-announce');
    for (const name of ['empire-backup', 'outpost-8888', 'outpost-9999'])
      expect(page.window(name).running).toMatch(/kafka-consume\.sh/);

    const produced = await page.next('Happy 40th Birthday to General Tagge', 'empire-hq');
    expect(produced).toMatchObject({ stdout: '>>>>', stderr: '', exitCode: 0 });
    expect(page.window('outpost-8888').poll().stdout).toBe('Happy 40th Birthday to General Tagge\n');
    expect(page.window('outpost-9999').poll().stdout).toBe('Happy 40th Birthday to General Tagge\n');
    expect(page.window('empire-backup').poll().stdout).toBe('deathstar reactor design v3\n');

    // A captured outpost: Ctrl-C, then it produces to the announcements and reads the plans.
    page.window('outpost-9999').cancel();
    expect(page.window('outpost-9999').poll().stderr).toBe('Processed a total of 1 messages\n^C\n');
    expect(await page.next('Vader Booed at Empire Karaoke Party', 'outpost-9999')).toMatchObject({
      stdout: '>>',
      stderr: '',
    });
    expect(page.window('outpost-8888').poll().stdout).toBe('Vader Booed at Empire Karaoke Party\n');
    const stolen = await page.next('./kafka-consume.sh --topic deathstar-plans', 'outpost-9999');
    expect(stolen.stdout).toBe('deathstar reactor design v3\n');

    const policy = await page.next('kafka-sw-security-policy.yaml');
    expect(policy.stdout).toBe('ciliumnetworkpolicy.cilium.io/secure-empire-kafka created\n');
    page.waits(5000);

    page.window('outpost-9999').cancel();
    page.window('outpost-9999').poll();
    const refused = await page.next('Vader Trips on His Own Cape', 'outpost-9999');
    expect(refused.stdout).toBe('>>');
    expect(refused.stderr).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR Error when sending message to topic empire-announce with key: null, value: 27 bytes with error: \(org\.apache\.kafka\.clients\.producer\.internals\.ErrorLoggingCallback\)\n/,
    );
    expect(refused.stderr).toContain(authorizationError('empire-announce'));
    expect(page.window('outpost-8888').poll().stdout).toBe('');

    const plans = await page.next('./kafka-consume.sh --topic deathstar-plans', 'outpost-9999');
    expect(plans.stderr).toMatch(
      /^\[[^\]]+\] WARN Error while fetching metadata with correlation id \d+ : \{deathstar-plans=TOPIC_AUTHORIZATION_FAILED\} \(org\.apache\.kafka\.clients\.NetworkClient\)\n/,
    );
    expect(plans.stdout).toBe('');

    // The legitimate clients still work: HQ announces, the outposts read it.
    await page.window('empire-hq').run('echo "Kafka secured" | ./kafka-produce.sh --topic empire-announce');
    expect(page.window('outpost-8888').poll().stdout).toBe('Kafka secured\n');

    const cleaned = await page.next('kubectl delete -f');
    expect(cleaned.stdout).toContain('ciliumnetworkpolicy.cilium.io "secure-empire-kafka" deleted\n');
    page.finish();
  }, 120_000);
});
