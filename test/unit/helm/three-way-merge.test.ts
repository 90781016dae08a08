// Goal: `helm upgrade` changes a live object as Helm 3's three-way strategic merge patch does
// (helm/helm v3.16.0 pkg/kube/client.go createPatch): what the new chart sets wins over the live
// value, what the chart no longer renders goes, and what the chart never rendered stays.
import { describe, expect, it } from 'vitest';
import { threeWayMerge } from '../../../simulator/helm/three-way-merge';

interface MergeCase {
  readonly name: string;
  readonly original: unknown;
  readonly modified: unknown;
  readonly live: unknown;
  readonly merged: unknown;
}

const cases: readonly MergeCase[] = [
  {
    name: 'a value the new chart changes is written',
    original: { data: { 'enable-policy': 'default' } },
    modified: { data: { 'enable-policy': 'always' } },
    live: { data: { 'enable-policy': 'default' } },
    merged: { data: { 'enable-policy': 'always' } },
  },
  {
    name: 'a chart key patched live goes back to the chart’s value',
    original: { data: { 'enable-policy': 'default' } },
    modified: { data: { 'enable-policy': 'default' } },
    live: { data: { 'enable-policy': 'never' } },
    merged: { data: { 'enable-policy': 'default' } },
  },
  {
    name: 'a key only the live object has stays',
    original: { data: { 'enable-policy': 'default' } },
    modified: { data: { 'enable-policy': 'default' } },
    live: { data: { 'enable-policy': 'default', 'debug-verbose': 'flow' } },
    merged: { data: { 'enable-policy': 'default', 'debug-verbose': 'flow' } },
  },
  {
    name: 'a key the chart rendered before and no more is deleted',
    original: { data: { tunnel: 'vxlan', 'enable-policy': 'default' } },
    modified: { data: { 'enable-policy': 'default' } },
    live: { data: { tunnel: 'vxlan', 'enable-policy': 'default' } },
    merged: { data: { 'enable-policy': 'default' } },
  },
  {
    name: 'the restartedAt annotation of kubectl rollout restart stays on the pod template',
    original: { spec: { template: { metadata: { labels: { 'k8s-app': 'cilium' } } } } },
    modified: { spec: { template: { metadata: { labels: { 'k8s-app': 'cilium' } } } } },
    live: {
      spec: {
        template: {
          metadata: {
            labels: { 'k8s-app': 'cilium' },
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2022-07-29T09:05:00Z' },
          },
        },
      },
    },
    merged: {
      spec: {
        template: {
          metadata: {
            labels: { 'k8s-app': 'cilium' },
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2022-07-29T09:05:00Z' },
          },
        },
      },
    },
  },
  {
    name: 'a list that differs is replaced whole',
    original: { args: ['--config-dir=/tmp/cilium/config-map'] },
    modified: { args: ['--config-dir=/tmp/cilium/config-map', '--debug'] },
    live: { args: ['--config-dir=/tmp/cilium/config-map'] },
    merged: { args: ['--config-dir=/tmp/cilium/config-map', '--debug'] },
  },
  {
    name: 'server-set metadata stays',
    original: { metadata: { name: 'cilium-config' } },
    modified: { metadata: { name: 'cilium-config' } },
    live: { metadata: { name: 'cilium-config', uid: 'u-1', resourceVersion: '1234' } },
    merged: { metadata: { name: 'cilium-config', uid: 'u-1', resourceVersion: '1234' } },
  },
  {
    name: 'without an earlier rendering nothing is deleted',
    original: undefined,
    modified: { data: { a: '1' } },
    live: { data: { a: '0', b: '2' } },
    merged: { data: { a: '1', b: '2' } },
  },
];

describe('helm: three-way merge of an upgraded object', () => {
  it.each(cases)('three-way merge: $name', ({ original, modified, live, merged }) => {
    expect(threeWayMerge(original, modified, live)).toEqual(merged);
  });
});
