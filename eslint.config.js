// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import astro from 'eslint-plugin-astro';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import svelteConfig from './svelte.config.js';
import { simulatorLayers, typeImportsMayPointUp } from './scripts/simulator-layers.js';

/**
 * The wall clock through `new Date()`, refused in every simulator file. A Date built from a given
 * time (`new Date(worldMs)`) reads no clock; Date.now() is refused on its own (below).
 */
const noNewDate = {
  selector: "NewExpression[callee.name='Date'][arguments.length=0]",
  message: 'Use the simulator clock instead of new Date().',
};

/**
 * Imports and globals that would tie the simulator core to a browser, a framework or the wall clock.
 * @type {import('eslint').Linter.RulesRecord}
 */
const simulatorBoundary = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['svelte', 'svelte/*', 'astro', 'astro:*', 'astro/*', '@astrojs/*'],
          message: 'simulator/ is framework-free.',
        },
        { group: ['**/src/*', '../src/*', '../../src/*'], message: 'simulator/ never imports the site.' },
      ],
    },
  ],
  'no-restricted-properties': [
    'error',
    {
      object: 'Date',
      property: 'now',
      message: 'Use the simulator clock: the model must replay identically.',
    },
    {
      object: 'Math',
      property: 'random',
      message: 'Use the seeded PRNG: the model must replay identically.',
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['window', 'document', 'navigator', 'localStorage', 'performance', 'setTimeout', 'setInterval'].map(
      (name) => ({
        name,
        message: 'simulator/ runs without a DOM and without wall-clock timers.',
      }),
    ),
  ],
  'no-restricted-syntax': ['error', noNewDate],
};

/**
 * The datapath's modules (simulator/cilium/README.md), which the world's state and the input events
 * must not import: they name the datapath's types from its leaf module, datapath-types.ts.
 */
const datapathModules = [
  'auth-check',
  'connection',
  'connection-ends',
  'dns-lookup',
  'dns-query',
  'endpoint-policy',
  'grpc',
  'host-resolution',
  'icmp-echo',
  'kafka',
  'nodeport-forwarding',
  'packet-path',
  'proxy-redirection',
  'reply-path',
  'server-applications',
  'service-translation',
  'source-identity',
  'syn-retransmission',
  'tcp-connect',
  'traffic',
  'udp-datagram',
].map((name) => `**/cilium/${name}`);

const [, simulatorImports] = /** @type {[unknown, { patterns: object[] }]} */ (
  simulatorBoundary['no-restricted-imports']
);

/**
 * Import patterns that name a module of a layer, from anywhere in simulator/.
 * @param {import('./scripts/simulator-layers.js').Layer} layer
 */
const layerImportPatterns = (layer) => [
  ...layer.folders.map((folder) => `**/${folder}/*`),
  ...layer.files.flatMap((file) => [`./${file}`, `../${file}`, `../../${file}`]),
];

/**
 * One config per layer of scripts/simulator-layers.js: simulator/'s import rules, plus the layers
 * above it (dependency-cruiser checks the same table in `npm run lint`, with cycles).
 * @type {import('eslint').Linter.Config[]}
 */
const simulatorLayerConfigs = simulatorLayers.slice(0, -1).map((layer, index) => ({
  files: [
    ...layer.folders.map((folder) => `simulator/${folder}/**/*.ts`),
    ...layer.files.map((file) => `simulator/${file}.ts`),
  ],
  ignores: ['simulator/**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...simulatorImports.patterns,
          {
            group: [
              ...simulatorLayers.slice(index + 1).flatMap(layerImportPatterns),
              ...(layer.mayImport ?? []).map((path) => `!**/${path}`),
            ],
            ...(typeImportsMayPointUp.has(layer.name) ? { allowTypeImports: true } : {}),
            message: `The ${layer.name} layer imports only from the layers below it (ARCHITECTURE.md, "Layers").`,
          },
          ...(layer.name === 'state'
            ? [
                {
                  group: datapathModules,
                  message: 'world.ts and events.ts import the datapath only through cilium/datapath-types.',
                },
              ]
            : []),
        ],
      },
    ],
  },
}));

/**
 * Kubernetes knows nothing of the layers above it (ARCHITECTURE.md, "Layers plug in where Kubernetes
 * lets them"): k8s/ code names no kind, type or API group of Cilium's or Istio's. Their kinds reach
 * the API server as custom kinds (k8s/extension-points.ts) and their types through
 * CustomResourceObjects (k8s/objects.ts). Comments may still name them as examples.
 * @type {import('eslint').Linter.RulesRecord}
 */
const kubernetesKnowsNoLayerAbove = {
  'no-restricted-syntax': [
    'error',
    noNewDate,
    ...[
      'Identifier[name=/^(Cilium|Istio)[A-Z]/]',
      'Literal[value=/^(Cilium|Istio)[A-Z]/]',
      'Literal[value=/^cilium[a-z]*\\.cilium\\.io$|^cilium\\.io\\/|\\.istio\\.io(\\/|$)/]',
      'Literal[value=/^(PeerAuthentication|AuthorizationPolicy|RequestAuthentication|DestinationRule|VirtualService|ServiceEntry|EnvoyFilter|WorkloadEntry|WorkloadGroup|ProxyConfig|WasmPlugin|Telemetry)$/]',
    ].map((selector) => ({
      selector,
      message:
        "k8s/ names no kind, type or API group of Cilium's or Istio's: they plug in as custom kinds (k8s/extension-points.ts).",
    })),
  ],
};

export default defineConfig(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte', '.astro'],
      },
      globals: { ...globals.node },
    },
  },
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, svelteConfig },
    },
  },
  ...astro.configs.recommended,
  {
    files: ['**/*.astro'],
    // The astro parser does not expose type information for frontmatter scripts.
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    // Plain JavaScript config files and scripts are not part of a tsconfig project.
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['simulator/**/*.ts'],
    ignores: ['simulator/**/*.test.ts'],
    rules: {
      ...simulatorBoundary,
      // Long functions are split along the domain's own steps (CONTRIBUTING.md): most stay under 70 lines.
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
  ...simulatorLayerConfigs,
  {
    files: ['simulator/k8s/**/*.ts'],
    ignores: ['simulator/**/*.test.ts'],
    rules: kubernetesKnowsNoLayerAbove,
  },
  {
    files: ['test/browser/**/*.ts'],
    // Browser tests pass callbacks into page.evaluate(), which run in the page.
    languageOptions: { globals: { ...globals.browser } },
  },
);
