// @ts-check
/**
 * The simulator's import rules (ARCHITECTURE.md, "Layers"): no import cycle, and each layer imports
 * only the layers below it (scripts/simulator-layers.js). `npm run lint` runs `depcruise simulator`.
 */
import { simulatorLayers, soleImporters, typeImportsMayPointUp } from './scripts/simulator-layers.js';

/** @param {import('./scripts/simulator-layers.js').Layer[]} layers */
const pathsOf = (layers) =>
  layers.flatMap((layer) => [
    ...layer.folders.map((folder) => `${folder}/`),
    ...layer.files.map((file) => `${file}\\.ts$`),
  ]);

/** @param {string[]} paths */
const anyOf = (paths) => `^simulator/(${paths.join('|')})`;

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = simulatorLayers.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name.replaceAll(' ', '-')}`,
  comment: `The ${layer.name} layer imports only its own layer and the layers below it.`,
  severity: 'error',
  from: { path: anyOf(pathsOf([layer])) },
  to: {
    path: anyOf(pathsOf(simulatorLayers.slice(index + 1))),
    ...(layer.mayImport === undefined
      ? {}
      : { pathNot: anyOf(layer.mayImport.map((path) => `${path}\\.ts$`)) }),
    ...(typeImportsMayPointUp.has(layer.name) ? { dependencyTypesNot: ['type-only'] } : {}),
  },
}));

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const soleImporterRules = soleImporters.map(({ module, importers, comment }) => ({
  name: `only-${importers.join('-')}-imports-${module}`,
  comment,
  severity: 'error',
  from: { path: '^simulator/', pathNot: anyOf(importers.map((file) => `${file}\\.ts$`)) },
  to: { path: anyOf([`${module}\\.ts$`]) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle ties its modules into one: none of them can be loaded, tested or read alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...soleImporterRules,
  ],
  options: {
    // Type-only imports count: a cycle of types still ties the modules' meaning together.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
