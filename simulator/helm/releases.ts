/**
 * Helm's release records, stored where Helm 3 stores them by default: one Secret per revision,
 * `sh.helm.release.v1.<name>.v<revision>` of type `helm.sh/release.v1` in the release's namespace,
 * labelled name, owner=helm, status and version (pkg/storage/driver/secrets.go). Helm gzips the
 * JSON before base64; the model stores the JSON itself, base64-encoded.
 */
import type { World } from '../world';
import { requireCluster } from '../world';
import { listObjects, getObject } from '../k8s/api-store';
import { apiPut, apiRemove } from '../k8s/api-writes';
import { newMetadata } from '../k8s/metadata';
import type { Secret } from '../k8s/objects';
import { fromBase64, toBase64 } from '../pki/encoding';
import type { HelmValues } from './values';

/** pkg/release Status values the model uses. */
export type ReleaseStatus = 'deployed' | 'superseded' | 'failed' | 'uninstalled' | 'pending-upgrade';

/** One revision of a release, with the fields `helm list`, `history`, `status` and `get values` print. */
export interface HelmRelease {
  name: string;
  namespace: string;
  version: number;
  chart: { name: string; version: string; appVersion: string };
  /** The user-supplied values of this revision. */
  config: HelmValues;
  info: {
    status: ReleaseStatus;
    firstDeployedMs: number;
    lastDeployedMs: number;
    description: string;
    notes: string;
  };
}

/** The Secret that stores a revision. */
function releaseSecretName(name: string, version: number): string {
  return `sh.helm.release.v1.${name}.v${version}`;
}

/** JSON with every non-ASCII character escaped, so its bytes are its characters. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function encodeRelease(release: HelmRelease): string {
  const text = asciiJson(release);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return toBase64(bytes);
}

function decodeRelease(data: string | undefined): HelmRelease | undefined {
  if (data === undefined) return undefined;
  try {
    const bytes = fromBase64(data);
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return JSON.parse(text) as HelmRelease;
  } catch {
    return undefined;
  }
}

/** Every stored revision of a release, oldest first. */
export function releaseHistory(world: World, name: string, namespace: string): HelmRelease[] {
  const releases: HelmRelease[] = [];
  for (const secret of listObjects(requireCluster(world).api, 'Secret')) {
    if (secret.type !== 'helm.sh/release.v1' || (secret.metadata.namespace ?? 'default') !== namespace)
      continue;
    if (secret.metadata.labels?.name !== name || secret.metadata.labels.owner !== 'helm') continue;
    const release = decodeRelease(secret.data?.release);
    if (release !== undefined) releases.push(release);
  }
  return releases.sort((a, b) => a.version - b.version);
}

/** The latest revision of each release, in namespace then name order (what `helm list` starts from). */
export function latestReleases(world: World, namespace?: string): HelmRelease[] {
  const latest = new Map<string, HelmRelease>();
  for (const secret of listObjects(requireCluster(world).api, 'Secret')) {
    if (secret.type !== 'helm.sh/release.v1' || secret.metadata.labels?.owner !== 'helm') continue;
    if (namespace !== undefined && (secret.metadata.namespace ?? 'default') !== namespace) continue;
    const release = decodeRelease(secret.data?.release);
    if (release === undefined) continue;
    const key = `${release.namespace}/${release.name}`;
    const known = latest.get(key);
    if (known === undefined || known.version < release.version) latest.set(key, release);
  }
  return [...latest.values()].sort((a, b) =>
    a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1,
  );
}

/** Writes (creates or replaces) the Secret of a revision. */
export function storeRelease(world: World, release: HelmRelease): void {
  const name = releaseSecretName(release.name, release.version);
  const existing = getObject(requireCluster(world).api, 'Secret', `${release.namespace}/${name}`);
  const metadata = existing?.metadata ?? newMetadata(world, name, release.namespace);
  const labels: Record<string, string> = {
    name: release.name,
    owner: 'helm',
    status: release.info.status,
    version: String(release.version),
  };
  if (existing !== undefined) labels.modifiedAt = String(Math.floor(release.info.lastDeployedMs / 1000));
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...metadata, labels },
    type: 'helm.sh/release.v1',
    data: { release: encodeRelease(release) },
  };
  apiPut(world, secret);
}

/** Deletes every stored revision of a release (`helm uninstall` without --keep-history). */
export function deleteReleaseHistory(world: World, name: string, namespace: string): void {
  for (const release of releaseHistory(world, name, namespace))
    apiRemove(world, 'Secret', `${namespace}/${releaseSecretName(name, release.version)}`);
}
