// @ts-check
/**
 * The simulator's import rules (ARCHITECTURE.md, "Layers"): no import cycle, and each layer imports
 * only the layers below it. `npm run lint` runs this over simulator/ (depcruise simulator).
 *
 * A layer is a list of path patterns under simulator/. Lower layers come first.
 */
const layers = [
  { name: 'foundation', paths: ['engine/', 'net/'] },
  { name: 'machines and certificates', paths: ['machines/', 'pki/'] },
  { name: 'workload identity', paths: ['istio/', 'spire/'] },
  { name: 'handshakes', paths: ['tls/', 'identity-pki\\.ts$'] },
  { name: 'policy', paths: ['policy/'] },
  { name: 'state', paths: ['world\\.ts$', 'events\\.ts$', 'setup\\.ts$'] },
  { name: 'kubernetes', paths: ['k8s/'] },
  { name: 'cilium', paths: ['cilium/'] },
  { name: 'mesh', paths: ['mesh/'] },
  { name: 'helm', paths: ['helm/'] },
  {
    name: 'simulation',
    paths: ['composition\\.ts$', 'dispatch\\.ts$', 'simulation\\.ts$', 'queries\\.ts$'],
  },
  { name: 'terminal', paths: ['terminal/'] },
  { name: 'scenarios', paths: ['scenarios/', 'permalink\\.ts$', 'link-codec\\.ts$'] },
  { name: 'exercises', paths: ['exercises/', 'risk/', 'pictures/'] },
  { name: 'entry', paths: ['index\\.ts$'] },
];

/** @param {string[]} paths */
const anyOf = (paths) => `^simulator/(${paths.join('|')})`;

/**
 * Imports that cross the layers on purpose, each with its reason.
 * @type {Record<string, string>}
 */
const allowedUpward = {
  // Cilium's policy engine names identities by their labels and the reserved identities, as
  // pkg/policy imports pkg/labels and pkg/identity upstream; both modules import nothing.
  policy: '^simulator/cilium/(labels|reserved-identities)\\.ts$',
  // A new world's defaults name the Kubernetes and kind releases: tables of data that import nothing.
  state: '^simulator/k8s/(kubernetes-versions|kind-releases)\\.ts$',
};

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = layers.slice(0, -1).map((layer, index) => {
  const above = layers.slice(index + 1).flatMap((higher) => higher.paths);
  return {
    name: `layer-${layer.name.replaceAll(' ', '-')}`,
    comment: `The ${layer.name} layer imports only the layers below it (ARCHITECTURE.md, "Layers").`,
    severity: 'error',
    from: { path: anyOf(layer.paths) },
    to: {
      path: anyOf(above),
      ...(allowedUpward[layer.name] === undefined ? {} : { pathNot: allowedUpward[layer.name] }),
      // The world's state and the input events name every layer's state and input types; those
      // type-only imports load nothing, and no-circular keeps them from coming back around.
      ...(layer.name === 'state' ? { dependencyTypesNot: ['type-only'] } : {}),
    },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle ties its modules into one: none may be loaded, tested or read alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
  ],
  options: {
    // Type-only imports count: a cycle of types still ties the modules' meaning together.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
