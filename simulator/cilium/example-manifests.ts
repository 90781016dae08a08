/**
 * What the simulated machine answers for `kubectl create|apply -f https://raw.githubusercontent.com/
 * cilium/cilium/<ref>/examples/…`. It has no internet access, so it serves a table of the files the
 * Cilium security documentation uses (`example-manifests-data.ts`), as the release named by the ref
 * has them. Cilium's docs write the ref as the release (`1.18.5`, from `Documentation/conf.py`'s
 * `scm_web` for the stable docs), as the branch (`v1.18`) for versioned docs, or as `HEAD` for the
 * latest docs; `v1.18.5` and `main` are accepted too.
 *
 * The table is loaded with the terminal (`loadTerminal()` imports it with `terminal/session.ts`), so
 * no page pays for it before a reader opens a terminal.
 */
import { ciliumExampleFiles, exampleReleases, type ExampleRelease } from './example-manifests-data';

const rawUrl =
  /^https:\/\/raw\.githubusercontent\.com\/cilium\/cilium\/(?:refs\/(?:heads|tags)\/)?([^/]+)\/examples\/(.+)$/;

/** A ref of the cilium/cilium repository, as the table can tell it apart. */
type Ref = { readonly release: ExampleRelease } | { readonly branch: 'main' } | undefined;

/** The release a git ref names (`v1.15.6`, `1.18.5`, `v1.18` → 1.15, 1.18, 1.18), main for a main branch ref. */
function refOf(ref: string): Ref {
  if (ref === 'main' || ref === 'HEAD') return { branch: 'main' };
  const match = /^v?1\.(\d+)(?:\.\d+)?(?:-[0-9A-Za-z.]+)?$/.exec(ref);
  const release = exampleReleases.find((known) => match !== null && known === `1.${match[1] ?? ''}`);
  return release === undefined ? undefined : { release };
}

/** The release whose files the main branch still has (all but the ones marked removedOnMain). */
const newestRelease: ExampleRelease = '1.18';

/** What a URL of cilium/cilium's examples holds: the file's text, or a 404 the real server would give. */
export type ExampleLookup =
  { readonly status: 200; readonly text: string } | { readonly status: 404 } | { readonly status: 'unknown' };

/** Looks a URL up in the table: 404 where the file is known not to exist at that ref. */
export function lookUpCiliumExample(url: string): ExampleLookup {
  const match = rawUrl.exec(url);
  if (match === null) return { status: 'unknown' };
  const [, refText = '', path = ''] = match;
  const file = ciliumExampleFiles[path];
  const ref = refOf(refText);
  if (file === undefined || ref === undefined) return { status: 'unknown' };
  if ('branch' in ref && file.removedOnMain === true) return { status: 404 };
  const release = 'branch' in ref ? newestRelease : ref.release;
  const order = (since: ExampleRelease): number => exampleReleases.indexOf(since);
  const variant = file.variants.filter((each) => order(each.since) <= order(release)).at(-1);
  return variant?.text === undefined ? { status: 404 } : { status: 200, text: variant.text };
}

/** The text of a cilium/cilium example the simulated machine can fetch, or undefined. */
export function ciliumExampleAt(url: string): string | undefined {
  const found = lookUpCiliumExample(url);
  return found.status === 200 ? found.text : undefined;
}

/** Every path under `examples/` the table holds, sorted. */
export function ciliumExamplePaths(): readonly string[] {
  return Object.keys(ciliumExampleFiles).sort();
}

/**
 * kubectl's error for a URL the offline machine does not serve: the server's 404 where the file is
 * known not to exist at that ref (`unable to read URL %q, server reported %s, status code=%d`,
 * k8s.io/cli-runtime pkg/resource/visitor.go), otherwise what the simulated machine can fetch.
 */
export function unreadableUrlMessage(url: string): string {
  if (lookUpCiliumExample(url).status === 404)
    return `error: unable to read URL "${url}", server reported 404 Not Found, status code=404`;
  const releases = exampleReleases.map((release) => `${release}.x`).join(', ');
  return (
    `error: unable to read URL "${url}": the simulated machine has no internet access. It can fetch ` +
    `the Gateway API release bundles (https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml) ` +
    `and the ${ciliumExamplePaths().length} files under https://raw.githubusercontent.com/cilium/cilium/<ref>/examples/ that ` +
    `Cilium's security documentation uses (the Cilium security reference pages link each one), with <ref> a release ` +
    `(${releases}, with or without a leading v), v1.18, main or HEAD. Save other manifests to a file and apply that.`
  );
}
