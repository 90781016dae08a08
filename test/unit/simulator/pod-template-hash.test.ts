import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../simulator/engine/state-hash';
import type { PodTemplate } from '../../../simulator/k8s/objects';
import { ownerTemplateHash, podTemplateHash } from '../../../simulator/k8s/pod-template-hash';

// The label names a ReplicaSet for good: a template must keep its hash from one version of the
// simulator to the next, or a replayed or restored run would create new ReplicaSets.

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash >>> 0;
}

/** The hash as first written: FNV-1a over concatenated strings, encoded in the safe alphabet. */
function referenceHash(template: PodTemplate, collisionCount: number): string {
  const json = canonicalJson(template);
  let value = fnv(`${json}#${collisionCount}`);
  let second = fnv(`${value}:${json}`);
  let text = '';
  for (let i = 0; i < 10; i++) {
    const source = i < 6 ? value : second;
    text += alphabet[source % alphabet.length];
    if (i < 6) value = Math.floor(value / alphabet.length);
    else second = Math.floor(second / alphabet.length);
  }
  return text;
}

const template = fc
  .record({
    app: fc.string({ minLength: 1, maxLength: 12 }),
    image: fc.string({ maxLength: 40 }),
    restartedAt: fc.option(fc.string({ maxLength: 25 }), { nil: undefined }),
  })
  .map(({ app, image, restartedAt }): PodTemplate => ({
    metadata: {
      labels: { app },
      ...(restartedAt === undefined
        ? {}
        : { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } }),
    },
    spec: { containers: [{ name: 'main', image }] },
  }));

describe('pod-template-hash', () => {
  it('is the same as the hash over the concatenated template JSON, for any collision count', () => {
    fc.assert(
      fc.property(template, fc.nat({ max: 12 }), (candidate, collisionCount) => {
        expect(podTemplateHash(candidate, collisionCount)).toBe(referenceHash(candidate, collisionCount));
      }),
    );
  });

  it('changes with a restart stamp and stays with the same template', () => {
    const plain: PodTemplate = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
    };
    const restarted: PodTemplate = {
      metadata: {
        ...plain.metadata,
        annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-07T09:00:00Z' },
      },
      spec: plain.spec,
    };
    expect(podTemplateHash(plain)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(podTemplateHash(restarted)).not.toBe(podTemplateHash(plain));
    expect(podTemplateHash(structuredClone(plain))).toBe(podTemplateHash(plain));
  });

  it("is the same for a Deployment's successive templates, which share their labels and spec", () => {
    // A rollout restart spreads the last template: the labels and spec objects stay, the
    // annotations are new; an edit may replace the labels or drop the annotations.
    const labels = [{ app: 'web' }, { app: 'web', tier: 'front' }];
    const spec = { containers: [{ name: 'web', image: 'nginx:1.25' }] };
    const step = fc.record({
      labels: fc.nat({ max: 1 }),
      restartedAt: fc.option(fc.string({ maxLength: 25 }), { nil: undefined }),
      copy: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), fc.nat(3), (steps, owner) => {
        for (const { labels: which, restartedAt, copy } of steps) {
          const metadata = {
            labels: labels[which]!,
            ...(restartedAt === undefined
              ? {}
              : { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } }),
          };
          const template: PodTemplate = { metadata: copy ? structuredClone(metadata) : metadata, spec };
          expect(ownerTemplateHash(`owner-${owner}`, template)).toBe(referenceHash(template, 0));
        }
      }),
    );
  });
});
