// Goal: names resolve as a pod's C library resolves them. When policy drops the DNS queries, the
// resolver resends on its library's schedule (musl: every 2.5 s within 5 s; glibc: 5 s per attempt,
// then the name as typed) until curl's --max-time or --connect-timeout ends the wait with exit 28
// ("Resolving timed out"), or the resolver gives up first and curl exits 6; Hubble shows every
// dropped query. A REFUSED answer ends musl's search, while glibc still asks the name as typed. The
// modelled internet answers the names the Cilium docs use and nothing else.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { upstreamAnswer } from '../../../simulator/k8s/dns-world';
import { imageLibc, querySchedule } from '../../../simulator/cilium/stub-resolver';
import { apply, clusterWithCilium, settle } from '../simulator/support';
import { applyPolicy, flowsOf, onePod, workload } from '../simulator/traffic-support';

const images = {
  musl: 'docker.io/curlimages/curl',
  glibc: 'quay.io/cilium/json-mock:v1.3.8',
} as const;

/** Egress to the world only: the DNS queries to kube-dns are dropped by policy. */
const noDns = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: no-dns
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toEntities:
    - world
`;

/** The docs' DNS policy with a DNS rule that admits GitHub names only. */
const githubOnly = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: github-only
spec:
  endpointSelector:
    matchLabels:
      app: client
  egress:
  - toFQDNs:
    - matchPattern: "*.github.com"
  - toEndpoints:
    - matchLabels:
        "k8s:io.kubernetes.pod.namespace": kube-system
        "k8s:k8s-app": kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
      rules:
        dns:
        - matchPattern: "*.github.com"
`;

/** A client of one image behind a policy, and a terminal. */
function dnsWorld(image: string, policy: string) {
  const simulation = clusterWithCilium(5, 1, '1.18.5', { 'encryption.enabled': 'false' });
  apply(simulation, workload('client', { app: 'client' }, image));
  settle(simulation);
  applyPolicy(simulation, policy);
  const pod = onePod(simulation, { app: 'client' });
  const session = new TerminalSession(simulation);
  return { simulation, session, pod };
}

interface TimeoutCase {
  readonly name: string;
  readonly libc: keyof typeof images;
  readonly flags: string;
  readonly exitCode: number;
  readonly stderr: string;
  readonly elapsedMs: number;
  /** When each dropped query left, ms after curl started. */
  readonly dropsAtMs: readonly number[];
}

const timeouts: readonly TimeoutCase[] = [
  {
    name: 'musl, --max-time 3: curl gives up while the resolver waits',
    libc: 'musl',
    flags: '--max-time 3',
    exitCode: 28,
    stderr: 'curl: (28) Resolving timed out after 3001 milliseconds\n',
    elapsedMs: 3000,
    dropsAtMs: [0, 2500],
  },
  {
    name: 'musl without --max-time: the resolver gives up after 5 s',
    libc: 'musl',
    flags: '',
    exitCode: 6,
    stderr: 'curl: (6) Could not resolve host: api.github.com\n',
    elapsedMs: 5000,
    dropsAtMs: [0, 2500],
  },
  {
    name: 'musl, --connect-timeout 2 bounds resolving too',
    libc: 'musl',
    flags: '--connect-timeout 2',
    exitCode: 28,
    stderr: 'curl: (28) Resolving timed out after 2001 milliseconds\n',
    elapsedMs: 2000,
    dropsAtMs: [0],
  },
  {
    name: 'glibc without --max-time: two names, two attempts of 5 s each',
    libc: 'glibc',
    flags: '',
    exitCode: 6,
    stderr: 'curl: (6) Could not resolve host: api.github.com\n',
    elapsedMs: 20_000,
    dropsAtMs: [0, 5000, 10_000, 15_000],
  },
  {
    name: 'glibc, --max-time 12',
    libc: 'glibc',
    flags: '-m 12',
    exitCode: 28,
    stderr: 'curl: (28) Resolving timed out after 12001 milliseconds\n',
    elapsedMs: 12_000,
    dropsAtMs: [0, 5000, 10_000],
  },
];

describe('names: a DNS query that policy drops', () => {
  it.each(timeouts)(
    'names: dropped DNS: $name',
    async ({ libc, flags, exitCode, stderr, elapsedMs, dropsAtMs }) => {
      const { simulation, session, pod } = dnsWorld(images[libc], noDns);
      const start = simulation.state.timeMs;
      const result = await session.run(
        `kubectl exec ${pod.metadata.name} -- curl -sS ${flags} https://api.github.com`,
      );
      expect(result.exitCode).toBe(exitCode);
      expect(result.stderr.replace(/command terminated with exit code \d+\n$/, '')).toBe(stderr);
      expect(simulation.state.timeMs - start).toBeGreaterThanOrEqual(elapsedMs);
      // kubectl exec itself takes a few hundred milliseconds around curl.
      expect(simulation.state.timeMs - start).toBeLessThan(elapsedMs + 500);
      const drops = flowsOf(simulation).filter(
        (flow) =>
          flow.eventType === 'drop' &&
          flow.source.ip === pod.status?.podIP &&
          flow.destination.port === 53 &&
          flow.timeMs >= start,
      );
      const first = drops[0]?.timeMs ?? 0;
      expect(drops.map((flow) => flow.timeMs - first)).toEqual(dropsAtMs);
    },
  );
});

describe('names: a DNS query the DNS proxy refuses', () => {
  it('names: REFUSED: musl stops at the first name of the search list', async () => {
    const { session, pod } = dnsWorld(images.musl, githubOnly);
    const result = await session.run(`kubectl exec ${pod.metadata.name} -- curl -sS https://api.github.com`);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toContain('curl: (6) Could not resolve host: api.github.com\n');
  });

  it('names: REFUSED: glibc skips the search list and asks the name as typed, which is allowed', async () => {
    const { session, pod } = dnsWorld(images.glibc, githubOnly);
    const result = await session.run(
      `kubectl exec ${pod.metadata.name} -- curl -s -o /dev/null -w '%{http_code}' https://api.github.com`,
    );
    expect(result).toMatchObject({ exitCode: 0, stdout: '200' });
  });
});

describe('names: the C library of an image', () => {
  it.each([
    { image: 'docker.io/curlimages/curl', libc: 'musl' },
    { image: 'curlimages/curl:8.5.0', libc: 'musl' },
    { image: 'nicolaka/netshoot', libc: 'musl' },
    { image: 'nginx:1.25-alpine', libc: 'musl' },
    { image: 'quay.io/cilium/json-mock:v1.3.8@sha256:5aad', libc: 'glibc' },
    { image: 'docker.io/library/nginx', libc: 'glibc' },
    { image: 'ubuntu:22.04', libc: 'glibc' },
  ])('names: libc: $image is $libc', ({ image, libc }) => {
    expect(imageLibc(image)).toBe(libc);
  });

  it('names: libc: resolv.conf defaults give musl two sends in 5 s and glibc two 5 s attempts', () => {
    expect(querySchedule({ libc: 'musl', timeoutMs: 5000, attempts: 2 })).toEqual({
      sendsAtMs: [0, 2500],
      giveUpAtMs: 5000,
    });
    expect(querySchedule({ libc: 'glibc', timeoutMs: 5000, attempts: 2 })).toEqual({
      sendsAtMs: [0, 5000],
      giveUpAtMs: 10_000,
    });
  });
});

describe('names: the modelled internet', () => {
  it.each([
    'api.github.com',
    'github.com',
    'support.github.com',
    'gist.github.com',
    'httpbin.org',
    'cilium.io',
    'www.cilium.io',
    'docs.cilium.io',
    'sub.cilium.io',
    'service1.api.cilium.io',
    'special-region1-service.api.cilium.io',
    'my-remote-service.com',
    'one.one.one.one',
  ])('names: internet: %s has fixed records', (name) => {
    const first = upstreamAnswer(name, 0);
    expect(first.rcode).toBe('NOERROR');
    expect(first.answers.length).toBeGreaterThan(0);
    expect(upstreamAnswer(`${name}.`, 0)).toEqual(first);
  });

  it.each(['nosuch.example', 'github.co', 'evil.github.com.attacker.net'])(
    'names: internet: %s is NXDOMAIN',
    (name) => {
      expect(upstreamAnswer(name, 0)).toMatchObject({ rcode: 'NXDOMAIN', answers: [] });
    },
  );

  it('names: internet: a pod resolves a docs name through CoreDNS', async () => {
    const { session, pod } = dnsWorld(images.musl, githubOnly);
    const result = await session.run(`kubectl exec ${pod.metadata.name} -- nslookup support.github.com.`);
    expect(result.stdout).toBe(
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nNon-authoritative answer:\nName:\tsupport.github.com\nAddress: 140.82.113.21\n\n',
    );
  });
});
