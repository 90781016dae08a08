// @ts-check
/**
 * The simulator's layers, lowest first (ARCHITECTURE.md, "Layers"): a module imports only from its
 * own layer and the layers below it. dependency-cruiser (.dependency-cruiser.mjs, in `npm run lint`)
 * and ESLint's per-folder no-restricted-imports (eslint.config.js) both read this table.
 *
 * `folders` are folders of simulator/, `files` modules at its root (without `.ts`).
 */

/** @typedef {{ name: string, folders: string[], files: string[], mayImport?: string[] }} Layer */

/** @type {Layer[]} */
export const simulatorLayers = [
  { name: 'foundation', folders: ['engine', 'net'], files: [] },
  { name: 'machines and certificates', folders: ['machines', 'pki'], files: [] },
  { name: 'workload identity', folders: ['istio', 'spire'], files: [] },
  { name: 'handshakes', folders: ['tls'], files: ['identity-pki'] },
  {
    name: 'policy',
    folders: ['policy'],
    files: [],
    // Cilium's policy engine names identities by labels and reserved identities, as pkg/policy
    // imports pkg/labels and pkg/identity upstream; both modules import nothing.
    mayImport: ['cilium/labels', 'cilium/reserved-identities'],
  },
  {
    name: 'state',
    folders: [],
    files: ['world', 'events', 'setup'],
    // A new world's defaults name the Kubernetes and kind releases: tables that import only the
    // types of k8s/objects.ts.
    mayImport: ['k8s/kubernetes-versions', 'k8s/kind-releases'],
  },
  { name: 'kubernetes', folders: ['k8s'], files: [] },
  { name: 'cilium', folders: ['cilium'], files: [] },
  { name: 'mesh', folders: ['mesh'], files: [] },
  { name: 'helm', folders: ['helm'], files: [] },
  { name: 'simulation', folders: [], files: ['composition', 'dispatch', 'simulation', 'queries'] },
  { name: 'terminal', folders: ['terminal'], files: [] },
  { name: 'scenarios', folders: ['scenarios'], files: ['permalink', 'link-codec'] },
  { name: 'exercises and figures', folders: ['exercises', 'risk', 'pictures'], files: [] },
  { name: 'entry', folders: [], files: ['index'] },
];

/**
 * The state layer (world.ts, events.ts) names the state and input types of every layer: its
 * type-only imports may point up, and no-circular keeps them from coming back around.
 */
export const typeImportsMayPointUp = new Set(['state']);

/**
 * Modules that only some modules may import, whatever their layers. composition.ts chooses the
 * layers a world runs with: only where a Simulation builds its world, so that importing a module
 * never plugs a layer into Kubernetes (ARCHITECTURE.md, "Layers plug into a world when it is built").
 * @type {{ module: string, importers: string[], comment: string }[]}
 */
export const soleImporters = [
  {
    module: 'composition',
    importers: ['simulation'],
    comment: "A world's layers are composed where a Simulation builds it, never as an import side effect.",
  },
];
