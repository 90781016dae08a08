/**
 * A ready-made IdentityDirectory over a plain list, for tests, benchmarks and callers whose identity
 * cache is already a map.
 */
import type { LabelSet } from '../cilium/labels';
import type { IdentityDirectory } from './endpoint-policy';

/** An IdentityDirectory backed by a Map of identity to labels. */
export class MapIdentityDirectory implements IdentityDirectory {
  private readonly byId: Map<number, LabelSet>;

  constructor(entries: Iterable<readonly [number, LabelSet]>) {
    this.byId = new Map(entries);
  }

  labelsOf(id: number): LabelSet | undefined {
    return this.byId.get(id);
  }

  entries(): Iterable<readonly [number, LabelSet]> {
    return this.byId.entries();
  }
}
