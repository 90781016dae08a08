/**
 * Manifests a reader might apply by mistake, derived from the repository's own examples: the
 * scenarios' files, the cilium/cilium examples the simulator serves for the reference pages, and
 * the YAML blocks of the site's pages. A mutation drops a field, retypes it, duplicates it (a key
 * twice in a map, an item twice in a list) or moves it somewhere it does not belong; a few damage
 * the text itself (a line lost, an indent off, the document cut short).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { scenarios } from '../../../simulator/index';
import { ciliumExampleFiles } from '../../../simulator/cilium/example-manifests-data';
import { blockTitle, codeBlocks } from '../reference/pages';
import { starWarsDemo } from '../terminal/kubectl-support';

/** A manifest and where it came from. */
export interface ManifestSource {
  readonly name: string;
  readonly text: string;
}

/**
 * Whether a text is a manifest worth mutating: YAML the parser reads without errors, with a kind
 * (some blocks of the pages are fragments or outputs).
 */
function hasKind(text: string): boolean {
  if (!/^kind:\s*\S/m.test(text)) return false;
  return parseAllDocuments(text, { version: '1.1' }).every((document) => document.errors.length === 0);
}

/** Every example manifest of the repository, each under a name that says where it came from. */
export function exampleManifests(): ManifestSource[] {
  const sources: ManifestSource[] = [{ name: 'the Star Wars demo', text: starWarsDemo }];
  for (const scenario of Object.values(scenarios))
    for (const [path, text] of Object.entries(scenario.files))
      if (path.endsWith('.yaml') && hasKind(text)) sources.push({ name: `${scenario.id}: ${path}`, text });
  for (const [path, file] of Object.entries(ciliumExampleFiles))
    for (const variant of file.variants)
      if (variant.text !== undefined && hasKind(variant.text))
        sources.push({ name: `examples/${path} since ${variant.since}`, text: variant.text });
  for (const directory of ['reference', 'guides']) {
    const folder = join(process.cwd(), 'content', directory);
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.mdx')))
      for (const block of codeBlocks(readFileSync(join(folder, file), 'utf8')))
        if (block.lang === 'yaml' && hasKind(block.text) && !(blockTitle(block) ?? '').startsWith('Output'))
          sources.push({ name: `${directory}/${file}:${block.line}`, text: block.text });
  }
  return sources;
}

/** Values of every type, to put where another type belongs. */
const retypedValues: readonly unknown[] = [
  null,
  '',
  'x',
  '80',
  'yes',
  0,
  -1,
  1.5,
  2 ** 31,
  1e21,
  true,
  false,
  [],
  [1, 'a'],
  {},
  { a: 'b' },
  [{}],
  'a'.repeat(300),
  '{{ .Values.x }}',
  '0x50',
];

export type ManifestMutation =
  | { kind: 'drop'; at: number }
  | { kind: 'retype'; at: number; value: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'misplace'; at: number; to: number }
  | { kind: 'drop-line'; at: number }
  | { kind: 'indent'; at: number; by: number }
  | { kind: 'truncate'; at: number };

export const manifestMutation: fc.Arbitrary<ManifestMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('retype' as const),
      at: fc.nat(),
      value: fc.nat({ max: retypedValues.length - 1 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('misplace' as const), at: fc.nat(), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('indent' as const),
      at: fc.nat(),
      by: fc.integer({ min: -4, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
);

/** A place in a document's tree: the collection that holds an entry, and the entry's index. */
interface Place {
  readonly parent: Node;
  readonly index: number;
}

/** Every entry of every map and list in the documents, in document order. */
function placesOf(documents: readonly Document[]): Place[] {
  const places: Place[] = [];
  const walk = (node: unknown): void => {
    if (isMap(node) || isSeq(node)) {
      node.items.forEach((item, index) => {
        places.push({ parent: node, index });
        walk(isPair(item) ? item.value : item);
      });
    }
  };
  for (const document of documents) walk(document.contents);
  return places;
}

/** Maps among the places, to move a pair into. */
function mapsOf(documents: readonly Document[]): Node[] {
  const maps: Node[] = [];
  const walk = (node: unknown): void => {
    if (isMap(node)) maps.push(node);
    if (isMap(node) || isSeq(node)) for (const item of node.items) walk(isPair(item) ? item.value : item);
  };
  for (const document of documents) walk(document.contents);
  return maps;
}

/** Applies one mutation to the documents' trees; returns false when it had nothing to act on. */
function mutateTree(documents: Document[], mutation: ManifestMutation): boolean {
  const places = placesOf(documents);
  if (places.length === 0 || !('at' in mutation)) return false;
  const place = places[mutation.at % places.length];
  if (place === undefined || !(isMap(place.parent) || isSeq(place.parent))) return false;
  const items = place.parent.items as unknown[];
  const item = items[place.index];
  const document = documents[0];
  if (document === undefined) return false;
  switch (mutation.kind) {
    case 'drop':
      items.splice(place.index, 1);
      return true;
    case 'retype': {
      const value = document.createNode(retypedValues[mutation.value % retypedValues.length]);
      if (isPair(item)) item.value = value;
      else items[place.index] = value;
      return true;
    }
    case 'duplicate':
      // A pair twice is a key set twice in one map; an item twice is a list entry repeated.
      items.splice(
        place.index,
        0,
        isPair(item) || isScalar(item) || isMap(item) || isSeq(item) ? item.clone() : item,
      );
      return true;
    case 'misplace': {
      if (!isPair(item)) return false;
      const maps = mapsOf(documents);
      const target = maps[mutation.to % maps.length];
      if (target === undefined || !isMap(target) || target === place.parent) return false;
      items.splice(place.index, 1);
      target.items.push(item);
      return true;
    }
    default:
      return false;
  }
}

/** Applies one mutation to the text's lines. */
function mutateText(text: string, mutation: ManifestMutation): string {
  const lines = text.split('\n');
  const at = 'at' in mutation ? mutation.at % Math.max(1, lines.length) : 0;
  if (mutation.kind === 'drop-line') lines.splice(at, 1);
  else if (mutation.kind === 'indent') {
    const line = lines[at] ?? '';
    lines[at] =
      mutation.by >= 0
        ? ' '.repeat(mutation.by) + line
        : line.replace(new RegExp(`^ {0,${-mutation.by}}`), '');
  } else if (mutation.kind === 'truncate') return text.slice(0, mutation.at % Math.max(1, text.length));
  return lines.join('\n');
}

/** The manifest after the mutations, as text for `kubectl apply -f`. */
export function mutatedManifest(text: string, mutations: readonly ManifestMutation[]): string {
  const documents = parseAllDocuments(text, { version: '1.1' }) as Document[];
  let treeChanged = false;
  for (const mutation of mutations.filter((each) =>
    ['drop', 'retype', 'duplicate', 'misplace'].includes(each.kind),
  ))
    treeChanged = mutateTree(documents, mutation) || treeChanged;
  let result = treeChanged
    ? documents.map((document) => document.toString({ lineWidth: 0 })).join('---\n')
    : text;
  for (const mutation of mutations.filter((each) => ['drop-line', 'indent', 'truncate'].includes(each.kind)))
    result = mutateText(result, mutation);
  return result;
}

/** Whether a manifest holds objects other than policies (workloads, Services, accounts…). */
function hasWorkloads(text: string): boolean {
  return /^kind:\s*(?!Cilium|NetworkPolicy)\S/m.test(text);
}

/** One mutated manifest, from the original of a source. */
export interface MutatedManifest {
  readonly source: string;
  readonly original: string;
  readonly manifest: string;
}

/**
 * A mutated manifest from one of the sources. Most sources are Cilium policies (the examples
 * table), so manifests with workloads are drawn as often as those without.
 */
export function mutatedManifestArbitrary(sources: readonly ManifestSource[]): fc.Arbitrary<MutatedManifest> {
  const workloads = sources.filter((source) => hasWorkloads(source.text));
  const policies = sources.filter((source) => !hasWorkloads(source.text));
  return fc
    .tuple(
      fc.oneof(fc.constantFrom(...workloads), fc.constantFrom(...policies)),
      fc.array(manifestMutation, { minLength: 1, maxLength: 3 }),
    )
    .map(([source, mutations]) => ({
      source: source.name,
      original: source.text,
      manifest: mutatedManifest(source.text, mutations),
    }));
}
