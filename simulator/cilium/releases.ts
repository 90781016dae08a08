/**
 * The git commit each Cilium release was built from, as its agent prints it after the version in
 * `cilium status` (`Cilium:   Ok   1.12.0 (v1.12.0-9447cd1)`; the build stamps `git show -s
 * --format=%h`, so older releases carry 7 hex digits and later ones 8). The table holds the tags
 * whose commit is known from published status outputs of those releases; for any other tag the
 * model prints the version without a commit rather than invent one.
 */
const gitCommits: Readonly<Record<string, string>> = {
  '1.12.0': '9447cd1',
  '1.12.2': 'c7516b9',
  '1.12.9': 'e0bb30a',
  '1.13.0': 'c9723a8d',
  '1.13.3': '36cb0eed',
  '1.13.4': '4061cdfc',
  '1.14.0': 'b5013e15',
  '1.14.1': 'c191ef6f',
  '1.14.2': 'a6748946',
  '1.14.3': '252a99ef',
  '1.14.5': '85db28be',
  '1.15.1': 'a368c8f0',
  '1.15.3': '22dfbc58',
  '1.15.5': '8c7e442c',
  '1.16.3': 'f2217191',
  '1.16.5': 'ad688277',
  '1.17.2': 'fb3ab54f',
  '1.17.4': '55aecc0f',
  '1.17.7': '621ebf56',
  '1.18.0': '274205f0',
  '1.18.2': '5bd307a8',
  '1.18.4': 'afda2aa9',
  '1.18.5': '7d4d8932',
  '1.18.6': '95896696',
};

/** The commit a release was built from, when known. */
function ciliumGitCommit(version: string): string | undefined {
  return gitCommits[version];
}

/** The version text of the `Cilium:` status line: `1.12.0 (v1.12.0-9447cd1)`. */
export function ciliumStatusVersion(version: string): string {
  const commit = ciliumGitCommit(version);
  return `${version} (v${version}${commit === undefined ? '' : `-${commit}`})`;
}
