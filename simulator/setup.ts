/**
 * The reader's setup: the day the simulated clock starts and the kind release on their machine.
 * Versions must fit together as they did on a real day: every release a scenario uses was out by
 * then, and kind's default node image runs a Kubernetes that the scenario's Cilium and Istio
 * support. A scenario may pin the day its source ran the experiment; otherwise the clock starts the
 * day after its newest release, with the newest kind whose default image those releases support.
 */
import { startOfDay, virtualDate, virtualEpochMs } from './engine/virtual-time';
import { imageKubernetesVersion, kindReleases, type KindRelease } from './k8s/kind-releases';
import { kubernetesMinor } from './k8s/kubernetes-versions';

/** What a world starts from besides its seed. */
export interface LabSetup {
  /** Virtual time at the start, in milliseconds after the virtual epoch. */
  startMs: number;
  /** The kind release the reader has installed (`v0.14.0`). */
  kindRelease: string;
}

/** The releases a setup puts together. */
export interface SetupComponents {
  /** Cilium chart versions the scenario installs (`1.12.0`). */
  cilium?: readonly string[];
  /** Istio's version, when the scenario installs Istio. */
  istio?: string;
  /**
   * The day (`YYYY-MM-DD`) the scenario's source ran it; by default, or when a release it installs
   * came out later, the day after its newest release.
   */
  date?: string;
}

/**
 * When each release came out. Cilium: the day of each chart version's `created` time in the Helm
 * repository's index, https://helm.cilium.io/index.yaml (by minor, indexed by patch number; 1.16.14
 * was never published). Istio: the announcement,
 * https://istio.io/latest/news/releases/1.24.x/announcing-1.24/.
 */
// One row per minor, read as a release calendar.
// prettier-ignore
const ciliumReleaseDates: Readonly<Record<number, readonly string[]>> = {
  12: ['2022-07-19', '2022-08-16', '2022-09-14', '2022-10-17', '2022-11-17', '2022-12-21', '2023-01-27', '2023-02-14', '2023-03-17', '2023-04-18', '2023-05-22', '2023-06-15', '2023-07-27', '2023-08-15', '2023-09-13', '2023-10-17', '2023-11-13', '2023-12-13', '2024-01-18', '2024-02-14'],
  13: ['2023-02-15', '2023-03-17', '2023-04-18', '2023-05-26', '2023-06-15', '2023-07-27', '2023-08-11', '2023-09-12', '2023-10-17', '2023-11-13', '2023-12-13', '2024-01-18', '2024-02-14', '2024-03-15', '2024-03-26', '2024-04-11', '2024-05-15', '2024-06-10', '2024-07-11'],
  14: ['2023-07-27', '2023-08-15', '2023-09-12', '2023-10-18', '2023-11-13', '2023-12-13', '2024-01-18', '2024-02-14', '2024-03-15', '2024-03-26', '2024-04-11', '2024-05-15', '2024-06-10', '2024-07-11', '2024-08-14', '2024-09-26', '2024-10-23', '2024-11-20', '2024-12-17', '2025-01-22'],
  15: ['2024-01-31', '2024-02-15', '2024-03-13', '2024-03-26', '2024-04-11', '2024-05-15', '2024-06-10', '2024-07-11', '2024-08-14', '2024-09-26', '2024-10-11', '2024-11-20', '2024-12-17', '2025-01-22', '2025-02-18', '2025-03-15', '2025-04-14', '2025-05-15', '2025-06-19', '2025-07-16'],
  16: ['2024-07-24', '2024-08-14', '2024-09-26', '2024-10-11', '2024-11-20', '2024-12-17', '2025-01-22', '2025-02-18', '2025-03-15', '2025-04-14', '2025-05-15', '2025-06-19', '2025-08-15', '2025-09-04', '', '2025-09-22', '2025-10-23', '2025-11-12', '2025-12-17', '2026-01-13'],
  17: ['2025-02-04', '2025-02-13', '2025-03-15', '2025-04-14', '2025-05-15', '2025-06-19', '2025-07-16', '2025-08-15', '2025-09-22', '2025-10-23', '2025-11-12', '2025-12-17', '2026-01-13', '2026-02-13', '2026-03-23', '2026-04-15', '2026-05-13', '2026-06-16', '2026-07-16'],
  18: ['2025-07-29', '2025-08-15', '2025-09-17', '2025-10-23', '2025-11-12', '2025-12-17', '2026-01-13', '2026-02-13', '2026-03-23', '2026-04-15', '2026-05-13', '2026-06-16', '2026-07-16'],
};
const istioReleaseDates: Readonly<Record<string, string>> = { '1.24.0': '2024-11-07' };

/** Kubernetes minors a release is tested with, as its documentation lists them. */
interface SupportedMinors {
  first: number;
  last: number;
}

/**
 * Cilium: https://docs.cilium.io/en/v1.MINOR/network/kubernetes/compatibility/ (1.12 and 1.13 under
 * concepts/kubernetes/compatibility/). Istio: https://istio.io/latest/docs/releases/supported-releases/.
 */
const ciliumSupport: Readonly<Record<number, SupportedMinors>> = {
  12: { first: 16, last: 24 },
  13: { first: 16, last: 26 },
  14: { first: 16, last: 27 },
  15: { first: 26, last: 29 },
  16: { first: 27, last: 30 },
  17: { first: 29, last: 32 },
  18: { first: 30, last: 33 },
};
const istioSupport: Readonly<Record<string, SupportedMinors>> = { '1.24': { first: 28, last: 31 } };

/** A component's release day and the Kubernetes minors it supports. */
interface Requirement {
  date: string;
  supports: SupportedMinors | undefined;
}

function requirements(components: SetupComponents): Requirement[] {
  const found: Requirement[] = [];
  for (const version of components.cilium ?? []) {
    const [, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map(Number);
    const date = ciliumReleaseDates[minor]?.[patch];
    if (date !== undefined && date !== '') found.push({ date, supports: ciliumSupport[minor] });
  }
  if (components.istio !== undefined) {
    const date = istioReleaseDates[components.istio];
    if (date !== undefined)
      found.push({ date, supports: istioSupport[components.istio.split('.').slice(0, 2).join('.')] });
  }
  return found.sort((a, b) => a.date.localeCompare(b.date));
}

/** The day after a `YYYY-MM-DD` day. */
function dayAfter(day: string): string {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  const next = virtualDate(Date.UTC(year, month - 1, date + 1) - virtualEpochMs);
  return `${next.year}-${String(next.month).padStart(2, '0')}-${String(next.day).padStart(2, '0')}`;
}

function supportsDefault(release: KindRelease, requirement: Requirement): boolean {
  const minor = kubernetesMinor(imageKubernetesVersion(release.defaultImage) ?? '');
  const range = requirement.supports;
  return range === undefined || (minor !== undefined && minor >= range.first && minor <= range.last);
}

/**
 * The newest kind release out before `day` whose default image every requirement supports; when
 * none fits them all (Cilium 1.12 beside Istio 1.24), the newest one fitting the newest release.
 */
function kindReleaseFor(day: string, required: readonly Requirement[]): KindRelease {
  const out = kindReleases.filter((release) => release.date < day).reverse();
  const newest = required.at(-1);
  return (
    out.find((release) => required.every((requirement) => supportsDefault(release, requirement))) ??
    (newest === undefined ? undefined : out.find((release) => supportsDefault(release, newest))) ??
    out[0] ??
    (kindReleases[0] as KindRelease)
  );
}

// 09:00 UTC on a day, as virtual time: in engine/virtual-time.ts, where a lab's start reads it too.
export { startOfDay };

/** The setup for a scenario's releases (and its pinned day, if any). */
export function chooseSetup(components: SetupComponents): LabSetup {
  const required = requirements(components);
  const earliest = dayAfter(required.at(-1)?.date ?? '2022-07-28');
  // A pinned day holds only when every release was out by then (a variant may install a newer one).
  const day = components.date !== undefined && components.date >= earliest ? components.date : earliest;
  return { startMs: startOfDay(day), kindRelease: kindReleaseFor(day, required).version };
}

/**
 * A world without a scenario (the `sim shell`, the tests of the Cilium 1.18 documentation): the
 * Cilium chart `helm install` picks without `--version` (terminal/tools.ts), the day after it came
 * out, and the kind that boots a Kubernetes it supports (kind v0.29.0, Kubernetes 1.33.1).
 */
export const defaultSetup: LabSetup = chooseSetup({ cilium: ['1.18.5'] });
