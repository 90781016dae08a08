import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The simulator must replay identically anywhere, so lint forbids the wall clock, global randomness,
// browser globals and framework imports inside simulator/ (but not elsewhere).
// Probe snippets are not files of a tsconfig project, so the type-aware rules are switched off for them.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

// Loading the ESLint configuration with its type-aware plugins takes seconds on a busy machine, so
// the first case gets more than Vitest's default 5 s.
describe('lint: simulator boundary', { timeout: 30_000 }, () => {
  it.each([
    ['Date.now()', 'export const at = Date.now();\n', 'no-restricted-properties'],
    ['Math.random()', 'export const roll = Math.random();\n', 'no-restricted-properties'],
    ['new Date()', 'export const at = new Date();\n', 'no-restricted-syntax'],
    ['a DOM global', 'export const title = document.title;\n', 'no-restricted-globals'],
    ['a Svelte import', "import { mount } from 'svelte';\nexport { mount };\n", 'no-restricted-imports'],
  ])('refuses %s in simulator/', async (_name, code, ruleId) => {
    expect(await ruleIdsFor(code, 'simulator/boundary-probe.ts')).toContain(ruleId);
  });

  it('allows a Date made from a given time, which reads no clock', async () => {
    expect(
      await ruleIdsFor('export const at = new Date(1_000);\n', 'simulator/boundary-probe.ts'),
    ).not.toContain('no-restricted-syntax');
  });

  it('allows the same code in the site', async () => {
    expect(await ruleIdsFor('export const at = Date.now();\n', 'src/boundary-probe.ts')).not.toContain(
      'no-restricted-properties',
    );
  });
});

// The world's state and the input events name the datapath's types from its leaf module, so they
// never load the datapath (and the datapath's imports never come back around to them).
describe('lint: world and events stay off the datapath', { timeout: 30_000 }, () => {
  const packetPath = "import { traverse } from './cilium/packet-path';\nexport { traverse };\n";
  const leaf = "import type { Origin } from './cilium/datapath-types';\nexport type { Origin };\n";
  it.each([
    ['world.ts importing the packet path', true, packetPath, 'simulator/world.ts'],
    ['events.ts importing the packet path', true, packetPath, 'simulator/events.ts'],
    ['events.ts importing the leaf types', false, leaf, 'simulator/events.ts'],
    ['dispatch.ts importing the packet path', false, packetPath, 'simulator/dispatch.ts'],
  ])('%s: refused %s', async (_name, refused, code, filePath) => {
    const rules = await ruleIdsFor(code, filePath);
    expect(rules.includes('no-restricted-imports')).toBe(refused);
  });
});

// Each layer of scripts/simulator-layers.js imports only the layers below it (ARCHITECTURE.md,
// "Layers"); lint refuses an import of a higher layer, one row per layer rule.
describe('lint: simulator layers', { timeout: 30_000 }, () => {
  const importing = (from: string): string => `import { probe } from '${from}';\nexport { probe };\n`;
  const importingType = (from: string): string =>
    `import type { Probe } from '${from}';\nexport type { Probe };\n`;
  it.each([
    ['engine importing k8s', true, importing('../k8s/api-store'), 'simulator/engine/probe.ts'],
    ['net importing the world', true, importing('../world'), 'simulator/net/probe.ts'],
    ['pki importing istio', true, importing('../istio/ca'), 'simulator/pki/probe.ts'],
    ['machines importing cilium', true, importing('../cilium/agent'), 'simulator/machines/probe.ts'],
    ['istio importing tls', true, importing('../tls/handshake'), 'simulator/istio/probe.ts'],
    ['spire importing pki', false, importing('../pki/certificate'), 'simulator/spire/probe.ts'],
    ['tls importing policy', true, importing('../policy/index'), 'simulator/tls/probe.ts'],
    ['policy importing the world', true, importing('../world'), 'simulator/policy/probe.ts'],
    ['policy importing cilium/labels', false, importing('../cilium/labels'), 'simulator/policy/probe.ts'],
    ['policy importing cilium/agent', true, importing('../cilium/agent'), 'simulator/policy/probe.ts'],
    ['world.ts importing k8s code', true, importing('./k8s/api-writes'), 'simulator/world.ts'],
    ['world.ts importing a k8s type', false, importingType('./k8s/api-store'), 'simulator/world.ts'],
    [
      'setup.ts importing the Kubernetes releases',
      false,
      importing('./k8s/kubernetes-versions'),
      'simulator/setup.ts',
    ],
    ['k8s importing cilium', true, importing('../cilium/cni'), 'simulator/k8s/probe.ts'],
    ['k8s importing mesh', true, importing('../mesh/workloads'), 'simulator/k8s/probe.ts'],
    ['k8s importing a cilium type', true, importingType('../cilium/state'), 'simulator/k8s/probe.ts'],
    [
      'k8s/scheduling importing dispatch.ts',
      true,
      importing('../../dispatch'),
      'simulator/k8s/scheduling/probe.ts',
    ],
    ['cilium importing k8s', false, importing('../k8s/api-writes'), 'simulator/cilium/probe.ts'],
    ['cilium importing mesh', true, importing('../mesh/traffic'), 'simulator/cilium/probe.ts'],
    ['mesh importing helm', true, importing('../helm/operations'), 'simulator/mesh/probe.ts'],
    ['helm importing dispatch.ts', true, importing('../dispatch'), 'simulator/helm/probe.ts'],
    ['dispatch.ts importing the terminal', true, importing('./terminal/session'), 'simulator/dispatch.ts'],
    [
      'the terminal importing scenarios',
      true,
      importing('../scenarios/catalog'),
      'simulator/terminal/probe.ts',
    ],
    ['scenarios importing exercises', true, importing('../exercises/index'), 'simulator/scenarios/probe.ts'],
    [
      'a scenario importing the terminal',
      false,
      importing('../../terminal/session'),
      'simulator/scenarios/mutual-auth/probe.ts',
    ],
    ['exercises importing index.ts', true, importing('../index'), 'simulator/exercises/probe.ts'],
  ])('%s: refused %s', async (_name, refused, code, filePath) => {
    const rules = await ruleIdsFor(code, filePath);
    expect(rules.includes('no-restricted-imports')).toBe(refused);
  });
});

// Kubernetes knows nothing of the layers above it: Cilium's and Istio's kinds, types and API groups
// reach k8s/ only as custom kinds, so lint refuses k8s/ code that names one again (ARCHITECTURE.md,
// "Layers plug in where Kubernetes lets them").
describe('lint: k8s names no layer above it', { timeout: 30_000 }, () => {
  const probe = 'simulator/k8s/probe.ts';
  it.each([
    ['a Cilium kind', true, "export const kind = 'CiliumEndpoint';\n", probe],
    [
      'a Cilium object type',
      true,
      "import type { CiliumNode } from './objects';\nexport type Probe = CiliumNode;\n",
      probe,
    ],
    ['a Cilium resource name', true, "export const resource = 'ciliumidentity.cilium.io';\n", probe],
    ['a Cilium apiVersion', true, "export const apiVersion = 'cilium.io/v2';\n", probe],
    ['an Istio API group', true, "export const group = 'security.istio.io';\n", probe],
    ['an Istio kind', true, "export const kind = 'PeerAuthentication';\n", probe],
    ['a built-in kind', false, "export const kind = 'NetworkPolicy';\n", probe],
    ["the Cilium docs' DNS name", false, "export const name = 'docs.cilium.io';\n", probe],
    [
      'a Cilium kind in a comment',
      false,
      '// A CiliumEndpoint is a custom kind.\nexport const kind = 1;\n',
      probe,
    ],
    [
      'a Cilium kind in cilium/',
      false,
      "export const kind = 'CiliumEndpoint';\n",
      'simulator/cilium/probe.ts',
    ],
    ['new Date() in k8s/', true, 'export const at = new Date();\n', probe],
    // The files that once named Cilium's policy kinds have no exemption: their kinds are registered.
    [
      'a Cilium kind in k8s/manifests.ts',
      true,
      "export const kind = 'CiliumNetworkPolicy';\n",
      'simulator/k8s/manifests.ts',
    ],
    [
      'a Cilium kind in k8s/api-writes.ts',
      true,
      "export const kind = 'CiliumClusterwideNetworkPolicy';\n",
      'simulator/k8s/api-writes.ts',
    ],
    [
      'an Istio kind in k8s/garbage-collector.ts',
      true,
      "export const kind = 'AuthorizationPolicy';\n",
      'simulator/k8s/garbage-collector.ts',
    ],
  ])('%s: refused %s', async (_name, refused, code, filePath) => {
    const rules = await ruleIdsFor(code, filePath);
    expect(rules.includes('no-restricted-syntax')).toBe(refused);
  });
});

// Long functions are split along the domain's steps; lint stops any new one past 120 lines, in
// every file of simulator/ (the dispatcher and the terminal's session, once exempt, included).
describe('lint: function length in simulator/', { timeout: 30_000 }, () => {
  const body = (lines: number): string =>
    `export function long(values: number[]): number {\n${'  values.push(1);\n'.repeat(lines - 3)}  return values.length;\n}\n`;
  it.each([
    ['120 lines', false, 120, 'simulator/length-probe.ts'],
    ['121 lines', true, 121, 'simulator/length-probe.ts'],
    ['121 lines in dispatch.ts', true, 121, 'simulator/dispatch.ts'],
    ['121 lines in the terminal session', true, 121, 'simulator/terminal/session.ts'],
    ['121 lines in the site', false, 121, 'src/length-probe.ts'],
  ])('a function of %s: refused %s', async (_name, refused, lines, filePath) => {
    const rules = await ruleIdsFor(body(lines), filePath);
    expect(rules.includes('max-lines-per-function')).toBe(refused);
  });
});
