import { describe, expect, it } from 'vitest';
import {
  allowOverwrite,
  ipcacheDeleteOnMetadataMatch,
  ipcacheUpsert,
} from '../../../simulator/cilium/ipcache';
import type { IpcacheEntry } from '../../../simulator/cilium/state';

// The ipcache's source precedence and delete guard (cilium/cilium
// pkg/source/source.go, pkg/ipcache) decide which entries go stale.
const entry = (
  identity: number,
  podName: string,
  source: IpcacheEntry['source'] = 'custom-resource',
): IpcacheEntry => ({
  identity,
  source,
  hostIP: '172.18.0.3',
  encryptKey: 0,
  namespace: 'default',
  podName,
});

describe('ipcache: overwrite rules', () => {
  it('lets the same source overwrite, so a new CEP for a reused address replaces the old one', () => {
    const cache: Record<string, IpcacheEntry> = { '10.244.1.5': entry(100, 'sleep-v1-a') };
    expect(ipcacheUpsert(cache, '10.244.1.5', entry(200, 'sleep-v2-b'))).toBe(true);
    expect(cache['10.244.1.5']?.identity).toBe(200);
  });

  it('keeps a stronger source: local entries beat custom-resource ones', () => {
    expect(allowOverwrite('local', 'custom-resource')).toBe(false);
    expect(allowOverwrite('custom-resource', 'local')).toBe(true);
    expect(allowOverwrite('kube-apiserver', 'generated')).toBe(false);
  });
});

describe('ipcache: delete on metadata match', () => {
  it('ignores a late delete of the old pod once the new pod owns the address', () => {
    const cache: Record<string, IpcacheEntry> = { '10.244.1.5': entry(200, 'sleep-v2-b') };
    expect(
      ipcacheDeleteOnMetadataMatch(cache, '10.244.1.5', 'custom-resource', 'default', 'sleep-v1-a'),
    ).toBe(false);
    expect(cache['10.244.1.5']?.podName).toBe('sleep-v2-b');
  });

  it('deletes when the stored entry still names the deleted pod and source', () => {
    const cache: Record<string, IpcacheEntry> = { '10.244.1.5': entry(100, 'sleep-v1-a') };
    expect(ipcacheDeleteOnMetadataMatch(cache, '10.244.1.5', 'local', 'default', 'sleep-v1-a')).toBe(false);
    expect(
      ipcacheDeleteOnMetadataMatch(cache, '10.244.1.5', 'custom-resource', 'default', 'sleep-v1-a'),
    ).toBe(true);
    expect(cache['10.244.1.5']).toBeUndefined();
  });
});
