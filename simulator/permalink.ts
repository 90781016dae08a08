/**
 * Permalinks: a reader's whole session on a scenario (seed, the steps and terminal commands they
 * ran, where they stand on the timeline) as a URL fragment. The link carries inputs, never state:
 * opening it replays the inputs on the deterministic simulator, which rebuilds the same world.
 *
 * Formats, all still decoded:
 * - `#v1.<base64url of deflate-raw JSON>`: the lab format (this one is written today).
 * - `#scenario-<id>=v1.<base64url JSON [scenario, seed, step]>`: the first step-only links.
 * - `#v2.<base64url of deflate-raw JSON>`: a reader's progress on one exercise
 *   (exercises/progress.ts); scenario labs leave these links alone.
 * - `#v3.<base64url of deflate-raw JSON>`: a workshop handed out as a link (exercises/workshop.ts),
 *   opened by the shared workshop page only.
 *
 * Decoding never throws and always ends (link-codec.ts, shared by every format).
 */
import { scenarioDirectory } from './scenarios/directory';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  deflateRaw,
  fromBase64Url,
  maxInflatedBytes,
  maxLinkLength,
  readCompressedPayload,
  toBase64Url,
} from './link-codec';

export {
  base64UrlToBytes,
  bytesToBase64Url,
  deflateRaw,
  fromBase64Url,
  maxInflatedBytes,
  maxLinkLength,
  readCompressedPayload,
  toBase64Url,
};

/**
 * One thing a reader did: run the scenario's next step, or type a command line. A line the reader
 * interrupted keeps the checkpoint it stopped at, so a replay stops there too.
 */
export type LabAction =
  | { kind: 'step' }
  /** `tab`: the terminal tab the line ran in, absent for the first. */
  | { kind: 'command'; line: string; stopAt?: number; tab?: number }
  /** Ctrl-C on the command a tab held in the foreground (`hubble observe -f`). */
  | { kind: 'stop'; tab: number }
  /** A terminal tab opened (before any line ran in it) or closed: the tabs a link shows. */
  | { kind: 'open-tab'; tab: number }
  | { kind: 'close-tab'; tab: number };

/** A compact action of the forms added with terminal tabs (older links never hold them). */
type CompactTabAction =
  { l: string; t: number; s?: number } | { stop: number } | { open: number } | { close: number };

/** What a lab permalink restores. */
export interface LabRecord {
  scenario: string;
  seed: number;
  actions: LabAction[];
  /** Position on the event log the reader was looking at; undefined means the present. */
  cursor: number | undefined;
}

/** The decoded record, or why the link cannot be used. */
export type DecodedLab = { ok: true; record: LabRecord } | { ok: false; error: string };

/** At most this many actions in one record. */
const maxActions = 2_000;
/** Longest command line kept in a record. */
const maxCommandLength = 20_000;

/**
 * The compact JSON of a record: `[scenario, seed, actions, cursor]`, where a run of steps is a
 * number, a command line is a string and an interrupted one `[line, checkpoint]`, e.g.
 * `["mistaken-identity",1,[3,"kubectl get pods",1,["kubectl get pods -w",4]],null]`. A line in a
 * terminal tab other than the first is `{"l": line, "t": tab}` (with `"s": checkpoint` when
 * interrupted), Ctrl-C on a tab's held command `{"stop": tab}`, and a tab opened or closed
 * `{"open": tab}` or `{"close": tab}`; a record without tabs is written exactly as before tabs
 * existed.
 */
export function compactRecord(record: LabRecord): unknown[] {
  return [record.scenario, record.seed, compactActions(record.actions), record.cursor ?? null];
}

/** A compact action: a run of steps as a number, a line as a string or `[line, stop]`, or a tab's. */
export type CompactAction = number | string | [string, number] | CompactTabAction;

/** Actions in the compact form (see compactRecord). */
export function compactActions(actions: readonly LabAction[]): CompactAction[] {
  const compact: CompactAction[] = [];
  for (const action of actions) {
    if (action.kind === 'stop') compact.push({ stop: action.tab });
    else if (action.kind === 'open-tab') compact.push({ open: action.tab });
    else if (action.kind === 'close-tab') compact.push({ close: action.tab });
    else if (action.kind === 'command' && action.tab !== undefined && action.tab !== 0)
      compact.push({
        l: action.line,
        t: action.tab,
        ...(action.stopAt === undefined ? {} : { s: action.stopAt }),
      });
    else if (action.kind === 'command')
      compact.push(action.stopAt === undefined ? action.line : [action.line, action.stopAt]);
    else if (typeof compact.at(-1) === 'number') compact[compact.length - 1] = (compact.at(-1) as number) + 1;
    else compact.push(1);
  }
  return compact;
}

/** A tab number as a link holds it: a small whole number. */
const isTab = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value < 100;

/** Reads a tab's compact action (`{l, t, s?}`, `{stop}`, `{open}` or `{close}`); undefined when it is not one. */
function tabAction(raw: unknown): LabAction | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const value = raw as Record<string, unknown>;
  if (Object.keys(value).length === 1) {
    if (isTab(value.stop)) return { kind: 'stop', tab: value.stop };
    if (isTab(value.open)) return { kind: 'open-tab', tab: value.open };
    if (isTab(value.close)) return { kind: 'close-tab', tab: value.close };
  }
  const { l: line, t: tab, s: stopAt } = value;
  if (typeof line !== 'string' || line.length > maxCommandLength || !isTab(tab)) return undefined;
  if (stopAt === undefined) return { kind: 'command', line, tab };
  return Number.isSafeInteger(stopAt) && (stopAt as number) > 0
    ? { kind: 'command', line, tab, stopAt: stopAt as number }
    : undefined;
}

/** Encodes a session as the `v1.` lab format. */
export async function encodeLabPermalink(record: LabRecord): Promise<string> {
  const json = JSON.stringify(compactRecord(record));
  return `v1.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(json)))}`;
}

/**
 * Checks that a value (from a link or from storage) is a well-formed record of a scenario this
 * site has. Structural only: whether the cursor fits the replayed log is checked after replay.
 */
export function parseLabRecord(value: unknown): DecodedLab {
  if (!Array.isArray(value) || value.length !== 4)
    return { ok: false, error: 'This link is damaged: its state cannot be read.' };
  const [scenario, seed, rawActions, cursor] = value as unknown[];
  if (typeof scenario !== 'string' || !Object.hasOwn(scenarioDirectory, scenario)) {
    return {
      ok: false,
      error: `This link names a scenario the site does not have (${String(scenario).slice(0, 40)}).`,
    };
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    return {
      ok: false,
      error: 'This link is damaged: its seed is not a whole number between 0 and 4294967295.',
    };
  const parsed = parseActions(rawActions, scenarioDirectory[scenario]?.steps ?? 0);
  if (!parsed.ok) return parsed;
  const actions = parsed.actions;
  if (cursor !== null && (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0))
    return { ok: false, error: 'This link is damaged: its position on the timeline is not a whole number.' };
  return { ok: true, record: { scenario, seed, actions, cursor: cursor ?? undefined } };
}

/**
 * Reads compact actions (compactActions) from a link, allowing at most `stepCount` steps; a fault
 * comes back as the sentence to show.
 */
export function parseActions(
  rawActions: unknown,
  stepCount: number,
): { ok: true; actions: LabAction[] } | { ok: false; error: string } {
  if (!Array.isArray(rawActions))
    return { ok: false, error: 'This link is damaged: its actions cannot be read.' };
  const actions: LabAction[] = [];
  let steps = 0;
  for (const raw of rawActions as unknown[]) {
    const interrupted =
      Array.isArray(raw) &&
      raw.length === 2 &&
      typeof raw[0] === 'string' &&
      Number.isSafeInteger(raw[1]) &&
      (raw[1] as number) > 0;
    const line = typeof raw === 'string' ? raw : interrupted ? (raw as [string, number])[0] : undefined;
    const inTab = tabAction(raw);
    if (inTab !== undefined) {
      actions.push(inTab);
    } else if (line !== undefined) {
      if (line.length > maxCommandLength)
        return { ok: false, error: 'This link is damaged: one of its commands is too long.' };
      actions.push(
        interrupted
          ? { kind: 'command', line, stopAt: (raw as [string, number])[1] }
          : { kind: 'command', line },
      );
    } else if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0 && steps + raw <= stepCount) {
      steps += raw;
      for (let i = 0; i < raw; i++) actions.push({ kind: 'step' });
    } else {
      return { ok: false, error: `This link is damaged: the scenario has ${stepCount} steps.` };
    }
    if (actions.length > maxActions)
      return { ok: false, error: `This link holds more than ${maxActions} actions.` };
  }
  return { ok: true, actions };
}

/** Decodes a `v1.` lab link. */
export async function decodeLabPermalink(text: string): Promise<DecodedLab> {
  const payload = await readCompressedPayload(text, 1);
  return payload.ok ? parseLabRecord(payload.value) : payload;
}

/** What the first, step-only links restored. */
export interface ScenarioPermalink {
  scenario: string;
  seed: number;
  step: number;
}

/** The result of decoding a step-only link. */
export type DecodedPermalink = { ok: true; state: ScenarioPermalink } | { ok: false; error: string };

/**
 * Writes a step-only link. The site no longer writes these; the encoder stays so tests can build
 * the links that were published and prove they still open.
 */
export function encodeScenarioPermalink(state: ScenarioPermalink): string {
  return `v1.${toBase64Url(JSON.stringify([state.scenario, state.seed, state.step]))}`;
}

/** Decodes a step-only link (the value after `#scenario-<id>=`). */
export function decodeScenarioPermalink(text: string): DecodedPermalink {
  if (text.length > 2000) return { ok: false, error: 'This link is too long to be a scenario link.' };
  const match = /^v(\d+)\.([A-Za-z0-9_-]*)$/.exec(text.trim());
  if (match === null) return { ok: false, error: 'This link does not hold a scenario state.' };
  const version = Number(match[1]);
  if (version !== 1)
    return { ok: false, error: `This link was written by a newer version of the site (format ${version}).` };
  const json = fromBase64Url(match[2] ?? '');
  let value: unknown;
  try {
    value = json === undefined ? undefined : JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 3)
    return { ok: false, error: 'This link is damaged: its state cannot be read.' };
  const [scenario, seed, step] = value as unknown[];
  const steps = typeof scenario === 'string' ? (scenarioDirectory[scenario]?.steps ?? 0) : 0;
  const parsed = parseLabRecord([scenario, seed, [], null]);
  if (!parsed.ok) return parsed;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > steps)
    return { ok: false, error: `This link is damaged: the scenario has ${steps} steps.` };
  return { ok: true, state: { scenario: parsed.record.scenario, seed: parsed.record.seed, step } };
}

/**
 * Reads a page's fragment (without `#`) for a scenario's widget. Returns undefined when the
 * fragment is not a link for this scenario (a heading anchor, another lab's link), so nothing is
 * reported.
 */
export async function readPermalinkFragment(
  fragment: string,
  scenario: string,
): Promise<DecodedLab | undefined> {
  let text = fragment;
  try {
    text = decodeURIComponent(fragment);
  } catch {
    // A fragment that is not valid percent-encoding is read as it is.
  }
  const legacyPrefix = `scenario-${scenario}=`;
  if (text.startsWith(legacyPrefix)) {
    const legacy = decodeScenarioPermalink(text.slice(legacyPrefix.length));
    if (!legacy.ok) return legacy;
    const { seed, step } = legacy.state;
    return {
      ok: true,
      record: {
        scenario,
        seed,
        actions: Array.from({ length: step }, () => ({ kind: 'step' })),
        cursor: undefined,
      },
    };
  }
  if (/^scenario-[a-z0-9-]+=/.test(text)) return undefined;
  if (!/^v\d+\./.test(text)) return undefined;
  // An exercise link (`v2.`) belongs to an exercise's lab and a workshop link (`v3.`) to the shared
  // workshop page, not to a scenario's lab.
  if (text.startsWith('v2.') || text.startsWith('v3.')) return undefined;
  const decoded = await decodeLabPermalink(text);
  // A page can hold several labs; a link restores the one whose scenario it names, and the others
  // carry on as if the page had no fragment.
  if (decoded.ok && decoded.record.scenario !== scenario) return undefined;
  return decoded;
}
