/**
 * The Cilium docs' example files as the simulated machine serves them, for tests that want a manifest
 * we did not write: one source (simulator/cilium/example-manifests-data.ts, upstream byte for byte)
 * instead of a copy per test file that drifts from upstream.
 */
import { ciliumExampleAt } from '../../simulator/cilium/example-manifests';

/** The text of `examples/<path>` in cilium/cilium at `ref` (default: the 1.18.5 the docs link). */
export function ciliumExample(path: string, ref = '1.18.5'): string {
  const url = ciliumExampleUrl(path, ref);
  const text = ciliumExampleAt(url);
  if (text === undefined) throw new Error(`no bundled example at ${url}`);
  return text;
}

/** The URL the docs write for `examples/<path>`, as `kubectl apply -f` takes it. */
export function ciliumExampleUrl(path: string, ref = '1.18.5'): string {
  return `https://raw.githubusercontent.com/cilium/cilium/${ref}/examples/${path}`;
}
