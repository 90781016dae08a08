import { describe, expect, it } from 'vitest';
import { createApiStore, putObject, removeObject, type ApiStore } from '../../../simulator/k8s/api-store';
import type { ApiObject, Pod } from '../../../simulator/k8s/objects';
import { labelSetOf, nodeInfoCacheOf } from '../../../simulator/k8s/scheduling/node-info-cache';
import { scoringConstraints } from '../../../simulator/k8s/scheduling/pod-topology-spread';

// PodTopologySpread's default constraints spread a pod over the pods its ReplicaSet and the
// Services selecting it select (helper.DefaultSelector). The scheduler keeps them from one of a
// ReplicaSet's pods to the next: a Service that comes or goes between two of them must show.

const selector = { app: 'web', 'pod-template-hash': '5d8f9c7b6d' };
const labels = { ...selector, tier: 'front' };

function object(value: unknown): ApiObject {
  return value as ApiObject;
}

function replicaSet(
  store: ApiStore,
  name = 'web-5d8f9c7b6d',
  matchLabels: Record<string, string> = selector,
): void {
  putObject(
    store,
    object({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels },
        template: { metadata: { labels }, spec: {} },
      },
      status: { replicas: 0 },
    }),
  );
}

/** A pending pod of a ReplicaSet; its pods share one labels object, as the controller's do. */
function pendingPod(store: ApiStore, name: string, owner = 'web-5d8f9c7b6d'): Pod {
  const pod = object({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true },
      ],
    },
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
    status: { phase: 'Pending' },
  }) as Pod;
  putObject(store, pod);
  return pod;
}

function service(name: string, selector: Record<string, string>): ApiObject {
  return object({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { selector, ports: [{ port: 80 }] },
  });
}

function selectorOf(store: ApiStore, pod: Pod): unknown {
  return scoringConstraints(store, nodeInfoCacheOf(store), pod).constraints[0]?.selector;
}

describe('scheduler: the spreading selector kept between a ReplicaSet’s pods', () => {
  it('takes in a Service created, changed or deleted between two pods', () => {
    const store = createApiStore();
    replicaSet(store);
    const first = pendingPod(store, 'web-5d8f9c7b6d-aaaaa');
    const second = pendingPod(store, 'web-5d8f9c7b6d-bbbbb');
    expect(selectorOf(store, first)).toEqual({ matchLabels: selector });
    putObject(store, service('web', { app: 'web', tier: 'back' }));
    // That Service does not select the pods: the selector stays the ReplicaSet's.
    expect(selectorOf(store, second)).toEqual({ matchLabels: selector });
    putObject(store, service('web', { tier: 'front' }));
    expect(selectorOf(store, second)).toEqual({ matchLabels: { tier: 'front', ...selector } });
    removeObject(store, 'Service', 'default/web');
    expect(selectorOf(store, first)).toEqual({ matchLabels: selector });
  });

  it('is each ReplicaSet’s own when two ReplicaSets’ pods carry the same labels', () => {
    const store = createApiStore();
    replicaSet(store);
    // A second ReplicaSet, selecting by fewer labels, whose template gives its pods the same labels.
    replicaSet(store, 'web-other', { app: 'web' });
    const first = pendingPod(store, 'web-5d8f9c7b6d-aaaaa');
    const other = pendingPod(store, 'web-other-bbbbb', 'web-other');
    // Pods of either scheduled in turn: each spreads over what its own ReplicaSet selects.
    expect(selectorOf(store, first)).toEqual({ matchLabels: selector });
    expect(selectorOf(store, other)).toEqual({ matchLabels: { app: 'web' } });
    expect(selectorOf(store, first)).toEqual({ matchLabels: selector });
  });

  it('is not handed from one store’s scheduler to another’s', () => {
    const plain = createApiStore();
    replicaSet(plain);
    // One Service write in each store, so that their Services have the same generation.
    putObject(plain, service('db', { app: 'db' }));
    const withService = createApiStore();
    replicaSet(withService);
    putObject(withService, service('web', { tier: 'front' }));
    // Both stores' pods share the labels object and the owner's uid; each store has its own answer.
    expect(selectorOf(plain, pendingPod(plain, 'web-5d8f9c7b6d-aaaaa'))).toEqual({ matchLabels: selector });
    const pod = pendingPod(withService, 'web-5d8f9c7b6d-aaaaa');
    expect(selectorOf(withService, pod)).toEqual({ matchLabels: { tier: 'front', ...selector } });
    expect(selectorOf(plain, pendingPod(plain, 'web-5d8f9c7b6d-bbbbb'))).toEqual({ matchLabels: selector });
  });
});

describe('scheduler: label sets', () => {
  function podWith(namespace: string, podLabels: Record<string, string> | undefined): Pod {
    return object({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace, uid: 'uid-p', labels: podLabels },
      spec: { containers: [] },
      status: { phase: 'Pending' },
    }) as Pod;
  }

  it('are one per namespace and labels, whichever object carries the labels', () => {
    const cache = nodeInfoCacheOf(createApiStore());
    const web = labelSetOf(cache, podWith('default', { app: 'web', tier: 'front' }));
    // Equal labels in another object and key order: the same set, which the counts depend on.
    expect(labelSetOf(cache, podWith('default', { tier: 'front', app: 'web' }))).toBe(web);
    // Fewer labels, more labels, another value, another namespace: each a set of its own.
    const fewer = labelSetOf(cache, podWith('default', { app: 'web' }));
    const more = labelSetOf(cache, podWith('default', { app: 'web', tier: 'front', x: 'y' }));
    const other = labelSetOf(cache, podWith('default', { app: 'web', tier: 'back' }));
    const elsewhere = labelSetOf(cache, podWith('shop', { app: 'web', tier: 'front' }));
    expect(new Set([web, fewer, more, other, elsewhere]).size).toBe(5);
    expect(labelSetOf(cache, podWith('default', { app: 'web' }))).toBe(fewer);
    // Pods without labels: one set per namespace.
    const bare = labelSetOf(cache, podWith('default', undefined));
    expect(labelSetOf(cache, podWith('default', {}))).toBe(bare);
    expect(labelSetOf(cache, podWith('shop', {}))).not.toBe(bare);
    expect(cache.labelSets).toHaveLength(7);
  });
});
