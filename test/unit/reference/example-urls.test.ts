// Goal: the simulated machine answers every cilium/cilium example URL the reference pages use, with
// the file as the release in the URL has it; a manifest a page shows under a file's name is that
// file; and a URL it cannot serve gets kubectl's own error (a 404 where the file is known not to
// exist at that ref, otherwise a message saying what the offline machine can fetch).
import { describe, expect, it } from 'vitest';
import {
  ciliumExampleAt,
  ciliumExamplePaths,
  lookUpCiliumExample,
  unreadableUrlMessage,
} from '../../../simulator/cilium/example-manifests';
import { Simulation } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { blockTitle, codeBlocks, referencePages } from './pages';

const raw = 'https://raw.githubusercontent.com/cilium/cilium';
const exampleUrl =
  /https:\/\/raw\.githubusercontent\.com\/cilium\/cilium\/[^/\s]+\/examples\/[\w./-]+\.yaml/g;

/** Lines without trailing blanks: editors strip them, and YAML ignores them. */
const trimmed = (text: string): string => text.replace(/[ \t]+$/gm, '');

describe('reference: example URLs', () => {
  const pages = referencePages();

  describe('what the pages use', () => {
    const urls = [...new Set(pages.flatMap((page) => page.source.match(exampleUrl) ?? []))].sort();

    it('uses URLs at all', () => {
      expect(urls.length).toBeGreaterThan(15);
    });

    it.each(urls)('%s is served', (url) => {
      expect(ciliumExampleAt(url)).toBeDefined();
    });

    const titled = pages.flatMap((page) =>
      codeBlocks(page.source)
        .map((block) => ({ page: page.slug, block, title: blockTitle(block) ?? '' }))
        .filter(({ title }) => title.startsWith('examples/')),
    );

    it.each(titled.map(({ page, block, title }) => ({ name: `${page}: ${title}`, block, title })))(
      '$name is the file at 1.18.5',
      ({ block, title }) => {
        const upstream = ciliumExampleAt(`${raw}/1.18.5/${title}`);
        expect(upstream).toBeDefined();
        expect(trimmed(block.text)).toBe(trimmed(upstream ?? ''));
      },
    );

    it('bundles no file that no page uses', () => {
      const used = new Set([
        ...urls.map((url) => url.replace(/^.*?\/examples\//, '')),
        ...titled.map(({ title }) => title.replace(/^examples\//, '')),
      ]);
      expect(ciliumExamplePaths().filter((path) => !used.has(path))).toEqual([]);
    });
  });

  describe('which version of a file a ref gets', () => {
    const hostPolicy = 'examples/policies/host/demo-host-policy.yaml';
    const cases: readonly { name: string; url: string; expected: RegExp | 404 | 'unknown' }[] = [
      { name: 'the docs’ 1.18.5', url: `${raw}/1.18.5/${hostPolicy}`, expected: /type: EchoRequest/ },
      { name: 'a v-prefixed tag', url: `${raw}/v1.18.5/${hostPolicy}`, expected: /type: EchoRequest/ },
      {
        name: 'the v1.18 branch (versioned docs)',
        url: `${raw}/v1.18/${hostPolicy}`,
        expected: /type: EchoRequest/,
      },
      { name: 'HEAD (latest docs)', url: `${raw}/HEAD/${hostPolicy}`, expected: /type: EchoRequest/ },
      {
        name: 'refs/tags/ form',
        url: `${raw}/refs/tags/v1.16.0/${hostPolicy}`,
        expected: /type: EchoRequest/,
      },
      { name: '1.15 names ICMP by number', url: `${raw}/v1.15.6/${hostPolicy}`, expected: /type: 8\n/ },
      { name: '1.14 names ICMP by number', url: `${raw}/1.14.5/${hostPolicy}`, expected: /type: 8\n/ },
      { name: '1.12 had no ICMP rule', url: `${raw}/v1.12.0/${hostPolicy}`, expected: /protocol: TCP\n$/ },
      {
        name: 'init.yaml was namespaced in 1.12',
        url: `${raw}/v1.12.0/examples/policies/l4/init.yaml`,
        expected: /kind: CiliumNetworkPolicy/,
      },
      {
        name: 'init.yaml is clusterwide from 1.14',
        url: `${raw}/1.14.5/examples/policies/l4/init.yaml`,
        expected: /kind: CiliumClusterwideNetworkPolicy/,
      },
      {
        name: 'serverNames examples start in 1.17',
        url: `${raw}/1.16.0/examples/policies/l4/l4_sni.yaml`,
        expected: 404,
      },
      {
        name: 'Kafka examples are gone from main',
        url: `${raw}/main/examples/kubernetes-kafka/kafka-sw-app.yaml`,
        expected: 404,
      },
      {
        name: 'Kafka examples are in releases',
        url: `${raw}/1.18.5/examples/kubernetes-kafka/kafka-sw-app.yaml`,
        expected: /kafka-broker/,
      },
      {
        name: 'a file the table does not hold',
        url: `${raw}/1.18.5/examples/policies/host/other.yaml`,
        expected: 'unknown',
      },
      { name: 'a release the site does not use', url: `${raw}/1.13.0/${hostPolicy}`, expected: 'unknown' },
      { name: 'a feature branch', url: `${raw}/feature-branch/${hostPolicy}`, expected: 'unknown' },
      {
        name: 'another repository',
        url: `https://raw.githubusercontent.com/other/cilium/1.18.5/${hostPolicy}`,
        expected: 'unknown',
      },
    ];

    it.each(cases)('$name', ({ url, expected }) => {
      const found = lookUpCiliumExample(url);
      if (expected === 404 || expected === 'unknown') expect(found.status).toBe(expected);
      else expect(found.status === 200 ? found.text : '').toMatch(expected);
    });
  });

  describe('what kubectl says for a URL it cannot read', () => {
    const cases = [
      {
        name: 'a file known not to exist at that ref: the server’s 404',
        url: `${raw}/1.16.0/examples/policies/l4/l4_sni.yaml`,
        stderr: `error: unable to read URL "${raw}/1.16.0/examples/policies/l4/l4_sni.yaml", server reported 404 Not Found, status code=404\n`,
      },
      {
        name: 'anything else: what the offline machine can fetch',
        url: `${raw}/1.18.5/examples/policies/host/other.yaml`,
        stderr: `${unreadableUrlMessage(`${raw}/1.18.5/examples/policies/host/other.yaml`)}\n`,
      },
    ];

    it.each(cases)('$name', async ({ url, stderr }) => {
      const terminal = new TerminalSession(new Simulation(4), {});
      await terminal.run('kind create cluster');
      const created = await terminal.run(`kubectl create -f ${url}`);
      expect(created).toMatchObject({ exitCode: 1, stdout: '', stderr });
    });

    it('names the URLs it can fetch in the offline message', () => {
      const message = unreadableUrlMessage(`${raw}/1.18.5/examples/nothing.yaml`);
      expect(message).toContain('has no internet access');
      expect(message).toContain(`${raw}/<ref>/examples/`);
      expect(message).toContain('1.12.x, 1.14.x, 1.15.x, 1.16.x, 1.17.x, 1.18.x');
      expect(message).toContain(`the ${ciliumExamplePaths().length} files`);
    });
  });
});
