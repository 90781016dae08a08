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
 * The template each owner (a Deployment, by uid) had when its hash was last asked for, and that
 * hash. An owner keeps its template through the many syncs of a rollout and changes it only when
 * its spec is written, so this answers nearly every sync with one lookup, and a new template costs
 * no entry in a WeakMap (whose inserts, one per restart, cost more than the lookups they spare).
 */
const lastTemplateHashes = new Map<string, { template: PodTemplate; hash: string }>();

/** podTemplateHash(template) for the template an owner has now. */
export function ownerTemplateHash(ownerUid: string, template: PodTemplate): string {
  const last = lastTemplateHashes.get(ownerUid);
  if (last?.template === template) return last.hash;
  const hash = computeHash(template, 0);
  if (last !== undefined) {
    last.template = template;
    last.hash = hash;
  } else {
    if (lastTemplateHashes.size >= 1000) lastTemplateHashes.clear();
    lastTemplateHashes.set(ownerUid, { template, hash });
  }
  return hash;
}

/** canonicalJson of pod specs: a restart changes the template's metadata and shares its spec. */
const specJson = new WeakMap<object, string>();

/** canonicalJson(template), reusing the JSON of a spec it has seen before. */
function templateJson(template: PodTemplate): string {
  const keys = Object.keys(template);
  if (keys.length !== 2 || typeof template.metadata !== 'object' || typeof template.spec !== 'object')
    return canonicalJson(template);
  let spec = specJson.get(template.spec);
  if (spec === undefined) {
    spec = canonicalJson(template.spec);
    specJson.set(template.spec, spec);
  }
  // Sorted keys, as canonicalJson writes them: "metadata" before "spec".
  return `{"metadata":${canonicalJson(template.metadata)},"spec":${spec}}`;
}

function computeHash(template: PodTemplate, collisionCount: number): string {
  const json = templateJson(template);
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
