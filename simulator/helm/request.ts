/**
 * What a Helm operation asks for, as the input event carries it (operations.ts runs it): plain data,
 * so events.ts can name it without loading Helm.
 */
import type { HelmValues } from './values';

/** What a Helm operation asks for. */
export interface HelmRequest {
  release: string;
  namespace: string;
  chart: string;
  version?: string;
  /** Values from --set, --set-string and -f, merged in order. */
  values: HelmValues;
  /** True when any value was given (an upgrade without one keeps the last release's values). */
  valuesGiven: boolean;
  reuseValues?: boolean;
  resetValues?: boolean;
  resetThenReuseValues?: boolean;
  /** `helm upgrade --install`: install when the release does not exist. */
  install?: boolean;
  description?: string;
}
