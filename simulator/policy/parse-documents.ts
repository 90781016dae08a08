/**
 * Turns user-supplied multi-document YAML into objects and positioned errors, as `kubectl apply -f`
 * and the API server decode them. Any input, however hostile, ends in a bounded amount of work and
 * yields only PolicyErrors: never another exception.
 *
 * The reader knows no kind by name: the caller hands it a reader per policy kind (KindDecoder), which
 * checks the kind's schema and builds the typed policy. Kubernetes' NetworkPolicy has its reader in
 * validate-kubernetes.ts; Cilium's kinds bring theirs with their registration
 * (cilium/policy-documents.ts), as upstream converts its CRD objects to rules in its own
 * pkg/k8s/apis/cilium.io/v2/cnp_types.go rather than in the API machinery.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { readObject, ValidationContext, type ObjectReader } from './field-reader';
import { schemaFor, type SchemaFeatures } from './release-schema';
import type { NetworkPolicyObject } from './model';
import type { PolicyError, SourcePosition } from './policy-error';
import { SourceTreeError, toPlainValue, toSourceTree, type SourceNode } from './source-tree';

/** Size and shape limits applied before and during conversion. */
export const parseLimits = {
  maxTextLength: 1 << 20,
  maxDocumentLength: 256 << 10,
  maxDocuments: 500,
  maxDepth: 64,
  maxNodesPerDocument: 50_000,
  maxAliasesPerDocument: 20,
} as const;

/** One object of the input, policy or not, with where it starts. */
export interface ParsedObject {
  readonly documentIndex: number;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly line: number;
  readonly column: number;
  /** The typed policy, when the kind is a policy kind the API server accepted. */
  readonly policy?: NetworkPolicyObject;
  /** Errors the agent would report for this (stored but not enforced) policy. */
  readonly agentErrors: readonly PolicyError[];
  /** The whole object as plain data (null-prototype maps), for non-policy kinds. */
  readonly body: unknown;
  /** Valid features of this policy the simulator stores but does not enforce (l7proto, fromRequires). */
  readonly unsimulated: readonly string[];
}

/** The result of parsing: accepted objects and every error found. */
export interface ParseResult {
  readonly objects: ParsedObject[];
  readonly errors: PolicyError[];
}

/**
 * How the API server and the agent read one policy kind: its schema's top-level fields, the
 * apiVersion it is served in, and the typed policy its spec makes. An object of a kind without a
 * reader is passed through as written, its metadata checked for a name only.
 */
export interface KindDecoder {
  /** The group/version the kind is served in; another is refused as kubectl's mapping error. */
  readonly apiVersion: string;
  /** The fields the kind's schema allows at the top of an object; others are refused. */
  readonly rootKeys: readonly string[];
  /** Whether the kind lives outside namespaces (its objects get none). */
  readonly clusterScoped?: boolean;
  /** Whether the API server requires metadata.name to be a DNS subdomain (RFC 1123). */
  readonly nameIsDnsSubdomain?: boolean;
  /** The typed policy, with the API server's and the agent's errors recorded on the context. */
  decode(
    context: ValidationContext,
    root: ObjectReader,
    name: string,
    namespace: string | undefined,
  ): NetworkPolicyObject | undefined;
}

/** The policy kinds a reader decodes, by kind. */
export type KindDecoders = Readonly<Record<string, KindDecoder | undefined>>;

const metadataKeys = [
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
];

const dnsSubdomain = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

function textError(documentIndex: number, position: SourcePosition, message: string, path = ''): PolicyError {
  return { documentIndex, path, line: position.line, column: position.column, message, stage: 'apiserver' };
}

/** Finds flow-collection nesting deeper than the limit before the YAML parser recurses into it. */
function flowNestingTooDeep(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return index;
    } else if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
    else if (char === '\n') quote = undefined;
  }
  return undefined;
}

function readMetadata(
  context: ValidationContext,
  root: ObjectReader,
  strict: boolean,
): { name: string; namespace?: string; labels: Record<string, string> } {
  const labels = Object.create(null) as Record<string, string>;
  const metadataNode = root.node('metadata');
  if (!metadataNode) return { name: '', labels };
  // Other kinds are passed through: their metadata is not ours to police beyond name and labels.
  const allowed = strict || metadataNode.type !== 'map' ? metadataKeys : [...metadataNode.entries.keys()];
  const metadata = readObject(context, metadataNode, 'metadata', allowed);
  if (!metadata) return { name: '', labels };
  const name = metadata.string('name')?.value ?? '';
  const namespace = metadata.string('namespace')?.value;
  if (strict) for (const [key, value] of metadata.stringMap('labels') ?? []) labels[key] = value;
  else {
    // A built-in kind's labels are the API server's to check, as it decodes them into an
    // ObjectMeta (k8s/builtin-types.ts): here only the string values are taken.
    const node = metadataNode.type === 'map' ? metadataNode.entries.get('labels')?.value : undefined;
    if (node?.type === 'map')
      for (const [key, entry] of node.entries)
        if (entry.value.type === 'scalar' && typeof entry.value.value === 'string')
          labels[key] = entry.value.value;
  }
  return { name, labels, ...(namespace !== undefined ? { namespace } : {}) };
}

/** A document's outcome: the object it holds, if it reaches the API server, and every error. */
type Converted = { object?: ParsedObject; errors: PolicyError[] };

function convertDocument(
  documentIndex: number,
  yamlDocument: Document,
  lineCounter: LineCounter,
  schema: SchemaFeatures,
  decoders: KindDecoders,
): Converted {
  const start = yamlDocument.contents?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(start);
  const position = { line, column: col };
  const tree = documentTree(documentIndex, yamlDocument, lineCounter, position);
  if ('errors' in tree) return tree;
  if (tree.type === 'scalar' && tree.value === null) return { errors: [] };
  if (tree.type !== 'map') {
    return {
      errors: [
        textError(documentIndex, tree.position, 'error validating data: the yamlDocument is not an object'),
      ],
    };
  }
  const type = apiTypeOf(documentIndex, tree, decoders);
  if ('errors' in type) return type;
  return readApiObject(documentIndex, tree, type, position, schema);
}

/** The document as a tree of positioned nodes, or what stops kubectl from reading it as JSON. */
function documentTree(
  documentIndex: number,
  yamlDocument: Document,
  lineCounter: LineCounter,
  position: SourcePosition,
): SourceNode | { errors: PolicyError[] } {
  const range = yamlDocument.range as readonly number[] | undefined;
  const start = yamlDocument.contents?.range?.[0] ?? 0;
  const end = range?.[2] ?? start;
  if (end - (range?.[0] ?? 0) > parseLimits.maxDocumentLength) {
    return {
      errors: [
        textError(documentIndex, position, `yamlDocument larger than ${parseLimits.maxDocumentLength} bytes`),
      ],
    };
  }
  // Warnings include unresolved tags such as !!js/function: refuse them rather than read them as strings.
  const firstError = yamlDocument.errors[0] ?? yamlDocument.warnings[0];
  if (firstError) {
    const located = lineCounter.linePos(firstError.pos[0]);
    const errorLine = located.line;
    const errorColumn = located.col;
    const reason = firstError.message.split('\n')[0] ?? firstError.code;
    return {
      errors: [
        textError(
          documentIndex,
          { line: errorLine, column: errorColumn },
          `error converting YAML to JSON: yaml: line ${errorLine}: ${reason}`,
        ),
      ],
    };
  }
  try {
    return toSourceTree(yamlDocument, lineCounter, {
      maxDepth: parseLimits.maxDepth,
      maxNodes: parseLimits.maxNodesPerDocument,
      maxAliases: parseLimits.maxAliasesPerDocument,
    });
  } catch (error) {
    if (error instanceof SourceTreeError) {
      return {
        errors: [
          textError(
            documentIndex,
            error.position,
            `error converting YAML to JSON: ${error.message}`,
            error.path,
          ),
        ],
      };
    }
    throw error;
  }
}

type MapNode = Extract<SourceNode, { type: 'map' }>;

/** An object's kind and apiVersion, and the reader of its kind when it is a policy kind. */
interface ApiType {
  kind: string;
  apiVersion: string;
  decoder?: KindDecoder;
}

/** The object's kind and apiVersion, or the API server's refusal of them. */
function apiTypeOf(
  documentIndex: number,
  tree: MapNode,
  decoders: KindDecoders,
): ApiType | { errors: PolicyError[] } {
  const kindEntry = tree.entries.get('kind')?.value;
  const versionEntry = tree.entries.get('apiVersion')?.value;
  const kind = kindEntry?.type === 'scalar' && typeof kindEntry.value === 'string' ? kindEntry.value : '';
  const apiVersion =
    versionEntry?.type === 'scalar' && typeof versionEntry.value === 'string' ? versionEntry.value : '';
  const missing = [
    ...(apiVersion === '' ? ['apiVersion not set'] : []),
    ...(kind === '' ? ['kind not set'] : []),
  ];
  if (missing.length > 0) {
    return {
      errors: [textError(documentIndex, tree.position, `error validating data: [${missing.join(', ')}]`)],
    };
  }
  const decoder = Object.hasOwn(decoders, kind) ? decoders[kind] : undefined;
  if (decoder !== undefined && apiVersion !== decoder.apiVersion) {
    return {
      errors: [
        textError(
          documentIndex,
          versionEntry?.position ?? tree.position,
          `resource mapping not found: no matches for kind "${kind}" in version "${apiVersion}"`,
          'apiVersion',
        ),
      ],
    };
  }
  return { kind, apiVersion, ...(decoder === undefined ? {} : { decoder }) };
}

/** The object's metadata and, for a policy, its rules, as the API server and the agent read them. */
function readApiObject(
  documentIndex: number,
  tree: MapNode,
  type: ApiType,
  position: SourcePosition,
  schema: SchemaFeatures,
): Converted {
  const { kind, apiVersion, decoder } = type;
  const isPolicy = decoder !== undefined;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const context = new ValidationContext(documentIndex, kind, version, '', schema);
  const rootKeys = isPolicy ? decoder.rootKeys : [...tree.entries.keys()];
  const root = readObject(context, tree, '', rootKeys);
  if (!root) return { errors: context.errors };
  const metadata = readMetadata(context, root, isPolicy);
  context.name = metadata.name;
  const errorsBeforeSpec = context.errors.length;
  checkName(context, root, decoder?.nameIsDnsSubdomain === true, metadata.name);
  const namespace =
    decoder?.clusterScoped === true ? undefined : (metadata.namespace ?? (isPolicy ? 'default' : undefined));
  const policy = isPolicy ? decoder.decode(context, root, metadata.name, namespace) : undefined;
  const refusedByApiServer = context.errors.some((error) => error.stage === 'apiserver');
  if (refusedByApiServer) return { errors: context.errors };
  const agentErrors = context.errors.slice(errorsBeforeSpec).filter((error) => error.stage === 'agent');
  const object: ParsedObject = {
    documentIndex,
    kind,
    apiVersion,
    name: metadata.name,
    labels: metadata.labels,
    line: position.line,
    column: position.column,
    agentErrors,
    unsimulated: context.unsimulated,
    body: toPlainValue(tree),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(policy ? { policy } : {}),
  };
  return { object, errors: context.errors };
}

/** The API server's checks of metadata.name: required, and a DNS subdomain where the kind says so. */
function checkName(
  context: ValidationContext,
  root: ObjectReader,
  nameIsDnsSubdomain: boolean,
  name: string,
): void {
  if (name === '') {
    context.invalid(
      'metadata.name',
      root.keyPosition('metadata'),
      'Required value: name or generateName is required',
    );
  } else if (nameIsDnsSubdomain && !dnsSubdomain.test(name)) {
    context.invalid(
      'metadata.name',
      root.keyPosition('metadata'),
      `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/** Options of a parse: which release's schema to apply (default: the newest modelled, 1.18). */
export interface ParseOptions {
  readonly ciliumVersion?: string;
  /** Whether the importing agent runs its L7 proxy (default true); false refuses L7 rules. */
  readonly l7Proxy?: boolean;
  /** Whether the agent runs with enable-node-selector-labels (default false): fromNodes/toNodes allowed. */
  readonly nodeSelectorLabels?: boolean;
  /**
   * The YAML version to read: kubectl decodes manifests with go-yaml v2, which is YAML 1.1 (so an
   * unquoted `yes`, `on` or `off` is a boolean); 1.2's core schema is the default for other callers.
   */
  readonly yamlVersion?: '1.1' | '1.2';
}

export { schemaFor } from './release-schema';

/**
 * Reads multi-document YAML into objects (those of the decoders' kinds typed as policies) and
 * PolicyErrors, never throwing.
 */
export function readManifestDocuments(
  text: string,
  decoders: KindDecoders,
  options: ParseOptions = {},
): ParseResult {
  const schema: SchemaFeatures = {
    ...schemaFor(options.ciliumVersion),
    l7Proxy: options.l7Proxy ?? true,
    nodeSelectorLabels: options.nodeSelectorLabels ?? false,
  };
  const objects: ParsedObject[] = [];
  const errors: PolicyError[] = [];
  const origin = { line: 1, column: 1 };
  if (text.length > parseLimits.maxTextLength) {
    return {
      objects,
      errors: [textError(0, origin, `input larger than ${parseLimits.maxTextLength} bytes`)],
    };
  }
  const lineCounter = new LineCounter();
  const deepAt = flowNestingTooDeep(text, parseLimits.maxDepth);
  if (deepAt !== undefined) {
    const { line, col } = new LineCounterFromText(text).position(deepAt);
    return {
      objects,
      errors: [
        textError(
          0,
          { line, column: col },
          `error converting YAML to JSON: nesting deeper than ${parseLimits.maxDepth} levels`,
        ),
      ],
    };
  }
  try {
    const documents = parseAllDocuments(text, {
      schema: options.yamlVersion === '1.1' ? 'yaml-1.1' : 'core',
      uniqueKeys: true,
      customTags: [],
      merge: false,
      strict: true,
      prettyErrors: false,
      lineCounter,
    });
    const list = Array.isArray(documents) ? documents : [];
    if (list.length > parseLimits.maxDocuments) {
      return { objects, errors: [textError(0, origin, `more than ${parseLimits.maxDocuments} documents`)] };
    }
    list.forEach((yamlDocument, index) => {
      const result = convertDocument(index, yamlDocument, lineCounter, schema, decoders);
      errors.push(...result.errors);
      if (result.object) objects.push(result.object);
    });
  } catch (error) {
    // The contract is "only PolicyErrors": anything unexpected (a stack overflow included) is reported, not thrown.
    const reason = error instanceof Error ? error.message : 'unknown failure';
    return { objects: [], errors: [textError(0, origin, `error converting YAML to JSON: ${reason}`)] };
  }
  return { objects, errors };
}

/** Line/column of an offset, for errors found before the YAML parser runs. */
class LineCounterFromText {
  constructor(private readonly text: string) {}

  position(offset: number): { line: number; col: number } {
    let line = 1;
    let lineStart = 0;
    for (let index = 0; index < offset; index += 1) {
      if (this.text.charCodeAt(index) === 10) {
        line += 1;
        lineStart = index + 1;
      }
    }
    return { line, col: offset - lineStart + 1 };
  }
}
