/**
 * The `pod-template-hash` label: a hash of the pod template, encoded in Kubernetes' safe alphabet,
 * so that a changed template (a new image, or `rollout restart`'s restartedAt annotation) gets a
 * new ReplicaSet and an unchanged one finds its old ReplicaSet again.
 */
import { canonicalJson } from '../engine/state-hash';
import type { PodTemplate } from './objects';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * FNV-1a 32-bit, continued from `hash` over the characters of `text`. The loop keeps the state a
 * signed 32-bit integer (the same bits; `^` and Math.imul read their operands as such), which V8
 * holds untagged, rather than an unsigned one that may need a heap number; only the result is
 * made unsigned.
 */
function fnv1a32(text: string, hash = 0x811c9dc5): number {
  let state = hash | 0;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  return state >>> 0;
}

const memo = new WeakMap<PodTemplate, string>();

/** The template hash of a pod template, 10 characters like the ones kubectl shows. */
export function podTemplateHash(template: PodTemplate, collisionCount = 0): string {
  if (collisionCount === 0) {
    const cached = memo.get(template);
    if (cached !== undefined) return cached;
    const hash = computeHash(template, 0);
    memo.set(template, hash);
    return hash;
  }
  return computeHash(template, collisionCount);
}

/**
 * The template each owner (a Deployment, by uid) had when its hash was last asked for, its hash,
 * and the JSON of each field of its metadata. An owner keeps its template through the many syncs
 * of a rollout, so one lookup answers nearly every sync; a new template (a restart) costs no
 * WeakMap insert, and reuses the JSON of the metadata fields it shares with the last one (the
 * labels: a restart replaces only the annotations).
 */
interface OwnerTemplate {
  template: PodTemplate;
  hash: string;
  /** Metadata field → its value and its `"key":json` text, as canonicalJson writes it. */
  fields: Map<string, { value: unknown; text: string }>;
  /** The metadata's keys in their own order, and sorted (a restart keeps the same keys). */
  keys: MetadataKeys;
}

interface MetadataKeys {
  readonly own: readonly string[];
  readonly sorted: readonly string[];
}

const noMetadataKeys: MetadataKeys = { own: [], sorted: [] };

/**
 * The metadata's keys sorted: the previous template's when the metadata has the same keys in the
 * same order (a restart changes the annotations' values, not the keys), else sorted anew.
 */
function sortedMetadataKeys(
  metadata: Record<string, unknown>,
  previous: MetadataKeys | undefined,
): MetadataKeys {
  if (previous !== undefined) {
    let count = 0;
    let same = true;
    for (const key in metadata) {
      if (count === previous.own.length || key !== previous.own[count] || !Object.hasOwn(metadata, key)) {
        same = false;
        break;
      }
      count += 1;
    }
    if (same && count === previous.own.length) return previous;
  }
  const own = Object.keys(metadata);
  return { own, sorted: [...own].sort() };
}

const ownerTemplates = new Map<string, OwnerTemplate>();

/** podTemplateHash(template) for the template an owner has now. */
export function ownerTemplateHash(ownerUid: string, template: PodTemplate): string {
  const last = ownerTemplates.get(ownerUid);
  if (last?.template === template) return last.hash;
  // Filled in by templateJson with the metadata's fields and keys, then given the hash.
  const next: OwnerTemplate = { template, hash: '', fields: new Map(), keys: noMetadataKeys };
  next.hash = hashOfJson(templateJson(template, last, next), 0);
  if (ownerTemplates.size >= 1000) ownerTemplates.clear();
  ownerTemplates.set(ownerUid, next);
  return next.hash;
}

/**
 * canonicalJson(metadata), reusing the text of each field whose value is the one in the previous
 * template (stored objects are never mutated), and its sorted keys when they are the same; records
 * each field's text and the keys in `next`.
 */
function metadataJson(
  metadata: Record<string, unknown>,
  previous: OwnerTemplate | undefined,
  next: OwnerTemplate,
): string {
  const keys = sortedMetadataKeys(metadata, previous?.keys);
  next.keys = keys;
  let text = '{';
  for (const key of keys.sorted) {
    const value = metadata[key];
    if (value === undefined) continue;
    const known = previous?.fields.get(key);
    const field = known?.value === value ? known.text : `${JSON.stringify(key)}:${canonicalJson(value)}`;
    next.fields.set(key, { value, text: field });
    text += text.length === 1 ? field : `,${field}`;
  }
  return `${text}}`;
}

/** canonicalJson of pod specs: a restart changes the template's metadata and shares its spec. */
const specJson = new WeakMap<object, string>();

/**
 * canonicalJson(template), reusing the JSON of a spec it has seen before and, when given, the
 * metadata fields of the owner's last template.
 */
function templateJson(template: PodTemplate, previous?: OwnerTemplate, next?: OwnerTemplate): string {
  const keys = Object.keys(template);
  if (keys.length !== 2 || typeof template.metadata !== 'object' || typeof template.spec !== 'object')
    return canonicalJson(template);
  let spec = specJson.get(template.spec);
  if (spec === undefined) {
    spec = canonicalJson(template.spec);
    specJson.set(template.spec, spec);
  }
  const metadata = template.metadata as unknown;
  const metadataText =
    next !== undefined && typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
      ? metadataJson(metadata as Record<string, unknown>, previous, next)
      : canonicalJson(metadata);
  // Sorted keys, as canonicalJson writes them: "metadata" before "spec".
  return `{"metadata":${metadataText},"spec":${spec}}`;
}

function computeHash(template: PodTemplate, collisionCount: number): string {
  return hashOfJson(templateJson(template), collisionCount);
}

/** The hash of a template, from its canonical JSON. */
function hashOfJson(json: string, collisionCount: number): string {
  // FNV-1a of `${json}#${collisionCount}` and of `${value}:${json}`, continued piece by piece
  // rather than over concatenated copies of the template's JSON.
  let value = fnv1a32(`#${collisionCount}`, fnv1a32(json));
  let second = fnv1a32(json, fnv1a32(`${value}:`));
  let text = '';
  for (let i = 0; i < 10; i++) {
    const source = i < 6 ? value : second;
    text += alphabet[source % alphabet.length];
    if (i < 6) value = Math.floor(value / alphabet.length);
    else second = Math.floor(second / alphabet.length);
  }
  return text;
}
