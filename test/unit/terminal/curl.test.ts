// Goal: curl inside a pod and on the reader's machine behaves as readers type it and as curl 8.5.0
// answers: -L follows the modelled sites' redirects, -I/-i show the response head (HTTP/2 where
// the server offers it), -f and --fail-with-body exit 22, -d posts, -X/-H shape the request,
// --resolve skips DNS, -w prints its variables after the transfer, -v shows curl's lines, --retry
// warns and waits, -o writes the file on the reader's machine, and mistakes get curl's message.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { apply, clusterWithCilium, settle } from '../simulator/support';
import { onePod, workload } from '../simulator/traffic-support';

/** A small cluster with a curl client pod and an nginx Service, and a terminal. */
function curlWorld(seed = 7) {
  const simulation = clusterWithCilium(seed, 1, '1.18.5', { 'encryption.enabled': 'false' });
  apply(simulation, workload('client', { app: 'client' }, 'docker.io/curlimages/curl'));
  apply(simulation, workload('web', { app: 'web' }, 'docker.io/library/nginx', { port: 80, service: true }));
  settle(simulation);
  const session = new TerminalSession(simulation);
  const pod = onePod(simulation, { app: 'client' }).metadata.name;
  const run = (line: string) => session.run(`kubectl exec ${pod} -- ${line}`);
  return { simulation, session, run };
}

interface CurlCase {
  readonly name: string;
  readonly line: string;
  readonly exitCode: number;
  readonly stdout?: string | RegExp;
  readonly stderr?: string | RegExp;
}

const cases: readonly CurlCase[] = [
  {
    name: '-sL follows the http→https redirect of github.com',
    line: "curl -sL -o /dev/null -w '%{http_code} %{num_redirects} %{url_effective}\\n' http://github.com",
    exitCode: 0,
    stdout: '200 1 https://github.com/\n',
  },
  {
    name: 'without -L the 301 is the answer, and -w names where it points',
    line: "curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://github.com",
    exitCode: 0,
    stdout: '301 https://github.com/',
  },
  {
    name: '-sI shows the HTTP/2 head of api.github.com',
    line: 'curl -sI https://api.github.com',
    exitCode: 0,
    stdout:
      /^HTTP\/2 200 \r\ncontent-type: application\/json\r\nserver: github\.com\r\ncontent-length: \d+\r\ndate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n\r\n$/,
  },
  {
    name: 'support.github.com answers HTTP/1.1, as the DNS guide shows',
    line: 'curl -I -s https://support.github.com',
    exitCode: 0,
    stdout: /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/html; charset=utf-8\r\n/,
  },
  {
    name: 'gist.github.com redirects with 302 Found',
    line: 'curl -I -s https://gist.github.com',
    exitCode: 0,
    stdout: /^HTTP\/1\.1 302 Found\r\n(?:.*\r\n)*Location: https:\/\/gist\.github\.com\/discover\r\n/,
  },
  {
    name: '-sSf on a 404 exits 22 with the status',
    line: 'curl -sSf https://httpbin.org/status/404',
    exitCode: 22,
    stdout: '',
    stderr: 'curl: (22) The requested URL returned error: 404\n',
  },
  {
    name: '-sf says nothing',
    line: 'curl -sf https://httpbin.org/status/500',
    exitCode: 22,
    stderr: '',
  },
  {
    name: '--fail-with-body prints the body and exits 22',
    line: 'curl -sS --fail-with-body https://api.github.com/nope',
    exitCode: 22,
    stdout: /"message": "Not Found"/,
    stderr: 'curl: (22) The requested URL returned error: 404\n',
  },
  {
    name: '-d posts a form, which httpbin echoes',
    line: "curl -s -d 'a=1' -d 'b=two' https://httpbin.org/post",
    exitCode: 0,
    stdout: /"form": \{\n {4}"a": "1",\n {4}"b": "two"\n {2}\},(?:.|\n)*"method": "POST"/,
  },
  {
    name: '-X and -H shape the request',
    line: "curl -s -X PUT -H 'X-Empire: yes' https://httpbin.org/anything",
    exitCode: 0,
    stdout: /"X-Empire": "yes"(?:.|\n)*"method": "PUT"/,
  },
  {
    name: '-G sends the data in the query string',
    line: "curl -s -G -d 'q=1' https://httpbin.org/get",
    exitCode: 0,
    stdout: /"args": \{\n {4}"q": "1"\n {2}\}(?:.|\n)*"url": "https:\/\/httpbin\.org\/get\?q=1"/,
  },
  {
    name: '-L follows httpbin redirects and keeps the path relative',
    line: "curl -sL -o /dev/null -w '%{num_redirects} %{url_effective}' https://httpbin.org/redirect/3",
    exitCode: 0,
    stdout: '3 https://httpbin.org/get',
  },
  {
    name: '--max-redirs stops a chain with exit 47',
    line: 'curl -sSL --max-redirs 1 https://httpbin.org/redirect/3',
    exitCode: 47,
    stderr: 'curl: (47) Maximum (1) redirects followed\n',
  },
  {
    name: '--resolve pins the address curl connects to',
    line: "curl -s -o /dev/null -w '%{remote_ip}' --resolve api.github.com:443:140.82.121.3 https://api.github.com",
    exitCode: 0,
    stdout: '140.82.121.3',
  },
  {
    name: 'a malformed --resolve entry',
    line: 'curl -sS --resolve api.github.com https://api.github.com',
    exitCode: 49,
    stderr: "curl: (49) Couldn't parse CURLOPT_RESOLVE entry 'api.github.com'\n",
  },
  {
    name: '-w with escapes and several variables',
    line: "curl -s -o /dev/null -w '%{http_code}\\t%{response_code}\\t%{method}\\t%{exitcode}\\n' http://web",
    exitCode: 0,
    stdout: '200\t200\tGET\t0\n',
  },
  {
    name: '-w after a failure prints 000 and the exit code',
    line: "curl -s -w '%{http_code} %{exitcode} %{errormsg}' http://nosuch.example",
    exitCode: 6,
    stdout: '000 6 Could not resolve host: nosuch.example',
  },
  {
    name: 'a name no server knows is NXDOMAIN: exit 6 at once',
    line: 'curl -sS http://nosuch.example',
    exitCode: 6,
    stderr: 'curl: (6) Could not resolve host: nosuch.example\n',
  },
  {
    name: 'a Service port nobody serves is refused at once: exit 7',
    line: 'curl -sS http://web:81',
    exitCode: 7,
    stderr: /^curl: \(7\) Failed to connect to web port 81 after \d+ ms: Couldn't connect to server\n$/,
  },
  {
    name: 'an unknown option',
    line: 'curl -Q7 http://web',
    exitCode: 2,
    stderr:
      "curl: option -Q7: is not modelled by the simulated curl (--quote)\ncurl: try 'curl --help' for more information\n",
  },
  {
    name: 'a URL without a host',
    line: 'curl -sS http://',
    exitCode: 3,
    stderr: 'curl: (3) URL rejected: No host part in the URL\n',
  },
];

describe('curl: in a pod', () => {
  it.each(cases)('curl: in a pod: $name', async ({ line, exitCode, stdout, stderr }) => {
    const { run } = curlWorld();
    const result = await run(line);
    const check = (actual: string, wanted: string | RegExp | undefined) => {
      if (typeof wanted === 'string') expect(actual).toBe(wanted);
      else if (wanted !== undefined) expect(actual).toMatch(wanted);
    };
    check(result.stdout, stdout);
    check(result.stderr.replace(/command terminated with exit code \d+\n$/, ''), stderr);
    expect(result.exitCode).toBe(exitCode);
  });

  it('curl: in a pod: -v prints the connection, the request and the response', async () => {
    const { run } = curlWorld();
    const result = await run('curl -sv http://web/x');
    expect(result.stderr).toMatch(
      /^\* Host web:80 was resolved\.\n\* IPv6: \(none\)\n\* IPv4: (10\.96\.\d+\.\d+)\n\* {3}Trying \1:80\.\.\.\n\* Connected to web \(\1\) port 80\n> GET \/x HTTP\/1\.1\n> Host: web\n> User-Agent: curl\/8\.5\.0\n> Accept: \*\/\*\n> \n< HTTP\/1\.1 200 OK\n< Content-Type: text\/plain\n< Content-Length: 11\n< Date: .* GMT\n< \n\* Connection #0 to host web left intact\n$/,
    );
  });

  it.each([
    { site: 'api.github.com', alpn: 'h2', request: '> GET / HTTP/2\n', status: '< HTTP/2 200 \n' },
    {
      site: 'support.github.com',
      alpn: 'http/1.1',
      request: '> GET / HTTP/1.1\n',
      status: '< HTTP/1.1 200 OK\n',
    },
  ])('curl: in a pod: -v over HTTPS to $site negotiates $alpn', async ({ site, alpn, request, status }) => {
    const { run } = curlWorld();
    const result = await run(`curl -sv -o /dev/null https://${site}`);
    expect(result.stderr).toContain('* ALPN: curl offers h2,http/1.1\n');
    expect(result.stderr).toContain(`* ALPN: server accepted ${alpn}\n`);
    expect(result.stderr).toContain(`*  subject: CN=${site}\n`);
    expect(result.stderr).toContain(request);
    expect(result.stderr).toContain(status);
    expect(result.stderr.includes('* using HTTP/2\n')).toBe(alpn === 'h2');
  });

  it('curl: in a pod: --retry warns, doubles its wait and retries timeouts', async () => {
    const { run, simulation } = curlWorld();
    const before = simulation.state.timeMs;
    const result = await run('curl -S --retry 2 -m 1 http://10.96.200.200');
    expect(result.exitCode).toBe(28);
    expect(result.stderr.replace(/command terminated with exit code \d+\n$/, '')).toBe(
      [
        'curl: (28) Connection timed out after 1001 milliseconds',
        'Warning: Problem : timeout. Will retry in 1 seconds. 2 retries left.',
        'curl: (28) Connection timed out after 1001 milliseconds',
        'Warning: Problem : timeout. Will retry in 2 seconds. 1 retries left.',
        'curl: (28) Connection timed out after 1001 milliseconds',
        '',
      ].join('\n'),
    );
    // Three attempts of 1 s and sleeps of 1 s and 2 s.
    expect(simulation.state.timeMs - before).toBeGreaterThanOrEqual(6000);
  });
});

describe("curl: on the reader's machine", () => {
  it("curl: on the reader's machine: -o writes the file in the reader's shell", async () => {
    const { session, simulation } = curlWorld();
    const node = simulation.state.cluster?.nodes['kind-worker']?.internalIP ?? '';
    const result = await session.run(`curl -sk -o pods.txt https://${node}:10250/pods && cat pods.txt`);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'Unauthorized' });
  });
});
