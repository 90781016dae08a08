import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import {
  ExerciseSession,
  compactProgress,
  decodeExercisePermalink,
  encodeExercisePermalink,
  freshProgress,
  openExercise,
  parseProgress,
  progressStorageKey,
  readProgressSummary,
  saveStoredExercise,
  startFingerprint,
  type ExerciseProgress,
  type KeyValueStorage,
} from '../../../simulator/exercises/index';
import { bytesToBase64Url, deflateRaw } from '../../../simulator/link-codec';
import type { LabAction } from '../../../simulator/permalink';
import { TerminalSession } from '../../../simulator/terminal/session';

// Progress is never lost: it round-trips through links and storage, every published link keeps
// decoding, a link that cannot be used says why and leaves the browser's record alone, a link that
// replaces the reader's own progress puts it aside, and a claim to have solved is replayed, not
// trusted.

const loadTerminal = () => Promise.resolve({ TerminalSession });
const onlyClient = exercises['only-client'];
if (onlyClient === undefined) throw new Error('the only-client exercise is missing');
const command = (line: string): LabAction => ({ kind: 'command', line });
const deploy = command('kubectl apply -f yamls/helloworld.yaml -f yamls/sleep.yaml');
const policy = command('kubectl apply -f yamls/policy-v1.yaml');

/** A Map behind the Storage methods, optionally refusing writes as a full or private browser does. */
function memoryStorage(refuseWrites = false): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => {
      if (refuseWrites) throw new Error('QuotaExceededError');
      map.set(key, value);
    },
    removeItem: (key) => void map.delete(key),
  };
}

function progressWith(changes: Partial<ExerciseProgress>): ExerciseProgress {
  return { ...freshProgress(onlyClient as NonNullable<typeof onlyClient>), ...changes };
}

async function linkOf(value: unknown): Promise<string> {
  return `v2.${bytesToBase64Url(await deflateRaw(new TextEncoder().encode(JSON.stringify(value))))}`;
}

describe('exercise progress: the v2 link', () => {
  it('round-trips random progress', async () => {
    const action = fc.oneof(
      fc.string({ maxLength: 60 }).map(command),
      fc
        .tuple(fc.string({ maxLength: 60 }), fc.integer({ min: 1, max: 50 }))
        .map(([line, stopAt]): LabAction => ({ kind: 'command', line, stopAt })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { maxLength: 12 }),
        fc.nat({ max: 1000 }),
        fc.nat({ max: 3 }),
        fc.boolean(),
        fc.option(fc.nat({ max: 50_000 }), { nil: undefined }),
        async (actions, attempts, hintsTaken, solutionShown, cursor) => {
          const solvedAt = actions.length > 0 ? actions.length : undefined;
          const progress = progressWith({
            actions,
            attempts,
            hintsTaken,
            solutionShown,
            cursor,
            solved: solvedAt !== undefined,
            solvedAt,
          });
          const link = await encodeExercisePermalink(progress);
          expect(link).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
          expect(await decodeExercisePermalink(link, exercises)).toEqual({ ok: true, progress });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('decodes the fixture written when the format shipped', async () => {
    // encodeExercisePermalink on only-client: solved after 2 actions, 3 checks, 1 hint, then an
    // interrupted watch.
    const fixture =
      'v2.dY1BDoIwFESv0vz1r1KI0buQLqD8auNIG1rE3t5oTFi5ffMmryd5yeJCFmKKM6p2CDIXYmo7cX6Uy7nxJ2LDLXdsuOGe7usorkANKaEq7VUdHsjHmwBxiwumwwfsQ4ZI-jLif-cUEVzVT_Pz9spVikpxykpvxJ21PK-AfQM';
    expect(await decodeExercisePermalink(fixture, exercises)).toEqual({
      ok: true,
      progress: {
        exercise: 'only-client',
        start: '23ecfbe870f5',
        solved: true,
        solvedAt: 2,
        attempts: 3,
        hintsTaken: 1,
        solutionShown: false,
        actions: [deploy, policy, { kind: 'command', line: 'kubectl get pods -w', stopAt: 3 }],
        cursor: undefined,
      },
    });
  });

  const fields = (changes: Record<number, unknown>): unknown[] => {
    const value = compactProgress(progressWith({ actions: [deploy, policy], solved: true, solvedAt: 2 }));
    for (const [index, field] of Object.entries(changes)) value[Number(index)] = field;
    return value;
  };
  const tampered: { name: string; value: unknown; error: RegExp }[] = [
    { name: 'not an array', value: { exercise: 'only-client' }, error: /progress cannot be read/ },
    { name: 'a field missing', value: fields({}).slice(0, 9), error: /progress cannot be read/ },
    { name: 'another tag', value: fields({ 0: 'lab' }), error: /progress cannot be read/ },
    { name: 'an exercise the site lacks', value: fields({ 1: 'rm-rf' }), error: /does not have \(rm-rf\)/ },
    { name: 'an unreadable start', value: fields({ 2: 'zz' }), error: /exercise version/ },
    { name: 'solved as a word', value: fields({ 3: 'yes' }), error: /progress cannot be read/ },
    { name: 'solved after more actions than held', value: fields({ 4: 9 }), error: /more actions/ },
    { name: 'solvedAt without solved', value: fields({ 3: 0 }), error: /moment it was solved/ },
    { name: 'negative attempts', value: fields({ 5: -1 }), error: /whole numbers/ },
    { name: 'more hints than the exercise has', value: fields({ 6: 99 }), error: /has 3/ },
    { name: 'actions that are not a list', value: fields({ 8: 'rm -rf /' }), error: /actions/ },
    { name: 'a scenario step the start has no room for', value: fields({ 8: [99] }), error: /step/ },
    { name: 'a fractional cursor', value: fields({ 9: 1.5 }), error: /timeline/ },
  ];
  it.each(tampered.map((row) => [row.name, row] as const))(
    'refuses a tampered record: %s',
    async (_name, row) => {
      const decoded = await decodeExercisePermalink(await linkOf(row.value), exercises);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error).toMatch(row.error);
    },
  );

  const texts: { name: string; text: string; error: RegExp }[] = [
    { name: 'garbage', text: 'v2.!!!', error: /does not hold/ },
    { name: 'cut short', text: 'v2.dY1BDoIwFESv0vz1r1KI0', error: /damaged/ },
    { name: 'a newer format', text: 'v9.AAAA', error: /newer version of the site \(format 9\)/ },
    { name: 'too long', text: `v2.${'A'.repeat(20_000)}`, error: /too long/ },
  ];
  it.each(texts.map((row) => [row.name, row] as const))('refuses a link that is %s', async (_name, row) => {
    const decoded = await decodeExercisePermalink(row.text, exercises);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(row.error);
  });
});

describe('exercise progress: what a page opens', () => {
  const exercise = onlyClient;
  const mine = progressWith({ actions: [deploy], attempts: 1 });
  const theirs = progressWith({ actions: [deploy, policy], solved: true, solvedAt: 2, attempts: 2 });

  function storageHolding(progress: ExerciseProgress | undefined, draft = 'kubectl get po'): KeyValueStorage {
    const storage = memoryStorage();
    if (progress !== undefined)
      saveStoredExercise(storage, { progress, draft, history: ['kubectl get pods'] });
    return storage;
  }

  const rows: {
    name: string;
    stored: ExerciseProgress | undefined;
    fragment: () => Promise<string>;
    source: 'link' | 'browser' | 'fresh';
    actions: number;
    aside: boolean;
    message?: RegExp;
  }[] = [
    {
      name: 'nothing stored, no link: a fresh start',
      stored: undefined,
      fragment: () => Promise.resolve(''),
      source: 'fresh',
      actions: 0,
      aside: false,
    },
    {
      name: 'the browser’s record, no link',
      stored: mine,
      fragment: () => Promise.resolve(''),
      source: 'browser',
      actions: 1,
      aside: false,
    },
    {
      name: 'a link over different progress: the link, with mine put aside',
      stored: mine,
      fragment: () => encodeExercisePermalink(theirs),
      source: 'link',
      actions: 2,
      aside: true,
      message: /put aside/,
    },
    {
      name: 'a link to the same progress: nothing put aside',
      stored: theirs,
      fragment: () => encodeExercisePermalink(theirs),
      source: 'link',
      actions: 2,
      aside: false,
    },
    {
      name: 'a tampered link: the browser’s record, and why',
      stored: mine,
      fragment: () => linkOf(['exercise', 'only-client', 'zz']),
      source: 'browser',
      actions: 1,
      aside: false,
      message: /damaged.*Your progress in this browser is kept/,
    },
    {
      name: 'a link from a newer site: the browser’s record, and why',
      stored: mine,
      fragment: () => Promise.resolve('v4.AAAA'),
      source: 'browser',
      actions: 1,
      aside: false,
      message: /newer version/,
    },
    {
      name: 'a guide’s lab link: not used here',
      stored: mine,
      fragment: () => Promise.resolve('v1.AAAA'),
      source: 'browser',
      actions: 1,
      aside: false,
      message: /guide's lab/,
    },
    {
      name: 'progress on another exercise: not used here',
      stored: undefined,
      fragment: () =>
        encodeExercisePermalink({ ...theirs, exercise: 'l7-get-hello', solvedAt: undefined, solved: false }),
      source: 'fresh',
      actions: 0,
      aside: false,
      message: /another exercise \(l7-get-hello\)/,
    },
    {
      name: 'a link made on an earlier version of the exercise: replayed, with a warning',
      stored: undefined,
      fragment: () => encodeExercisePermalink({ ...theirs, start: '000000000000' }),
      source: 'link',
      actions: 2,
      aside: false,
      message: /earlier version of this exercise/,
    },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const storage = storageHolding(row.stored);
    const before = storage.getItem(progressStorageKey(exercise.id));
    const opened = await openExercise(exercise, exercises, await row.fragment(), storage);
    expect(opened.source).toBe(row.source);
    expect(opened.stored.progress.actions).toHaveLength(row.actions);
    expect(opened.stored.aside !== undefined).toBe(row.aside);
    if (row.aside) expect(opened.stored.aside).toEqual(mine);
    if (row.stored !== undefined) expect(opened.stored.draft).toBe('kubectl get po');
    if (row.message === undefined) expect(opened.messages).toEqual([]);
    else expect(opened.messages.join(' ')).toMatch(row.message);
    // Opening never writes: the page saves only once the reader acts.
    expect(storage.getItem(progressStorageKey(exercise.id))).toBe(before);
  });

  it('says when the stored record is unreadable, and starts afresh', async () => {
    const storage = memoryStorage();
    storage.setItem(progressStorageKey(exercise.id), '{"progress": [1, 2');
    const opened = await openExercise(exercise, exercises, '', storage);
    expect(opened.source).toBe('fresh');
    expect(opened.messages.join(' ')).toMatch(/could not be read/);
  });

  it('reports a browser that refuses to save, and works without storage at all', async () => {
    expect(saveStoredExercise(memoryStorage(true), { progress: mine, draft: '', history: [] })).toMatch(
      /refused/,
    );
    expect(saveStoredExercise(undefined, { progress: mine, draft: '', history: [] })).toBeUndefined();
    expect((await openExercise(exercise, exercises, '', undefined)).source).toBe('fresh');
  });

  it('summarises stored progress for a workshop page without the simulator', () => {
    const storage = memoryStorage();
    expect(readProgressSummary(storage, 'only-client')).toEqual({
      solved: false,
      started: false,
      hintsTaken: 0,
      solutionShown: false,
    });
    saveStoredExercise(storage, { progress: { ...theirs, hintsTaken: 2 }, draft: '', history: [] });
    expect(readProgressSummary(storage, 'only-client')).toEqual({
      solved: true,
      started: true,
      hintsTaken: 2,
      solutionShown: false,
    });
    storage.setItem(progressStorageKey('l7-get-hello'), 'not json');
    expect(readProgressSummary(storage, 'l7-get-hello').started).toBe(false);
  });
});

describe('exercise progress: a session’s record and its replay', () => {
  it('counts checks and hints, records when it was solved, and replays to the same world', async () => {
    const session = await ExerciseSession.start(onlyClient, loadTerminal);
    expect(session.takeHint()).toBe(onlyClient.hints[0]);
    expect(session.attempt().every((result) => result.met)).toBe(false);
    for (const line of onlyClient.solution) await session.run(line);
    expect(session.check().every((result) => result.met)).toBe(true);
    const progress = session.progress();
    expect(progress).toMatchObject({
      start: startFingerprint(onlyClient),
      solved: true,
      solvedAt: onlyClient.solution.length,
      attempts: 1,
      hintsTaken: 1,
      solutionShown: false,
    });
    const { session: restored, warnings } = await ExerciseSession.restore(onlyClient, progress, loadTerminal);
    expect(warnings).toEqual([]);
    expect(restored.progress()).toEqual(progress);
    expect(restored.lab.simulation.hash()).toBe(session.lab.simulation.hash());
  }, 60_000);

  it('does not take a forged solve on trust', async () => {
    const forged = progressWith({ actions: [deploy], solved: true, solvedAt: 1 });
    const { session, warnings } = await ExerciseSession.restore(onlyClient, forged, loadTerminal);
    expect(session.isSolved).toBe(false);
    expect(session.progress().solved).toBe(false);
    expect(warnings.join(' ')).toMatch(/does not meet every goal/);
  }, 60_000);

  it('keeps a solve whose actions were reset away, and caps hints at the exercise’s', async () => {
    const { session } = await ExerciseSession.restore(
      onlyClient,
      progressWith({ solved: true, solvedAt: undefined, hintsTaken: 3, solutionShown: true }),
      loadTerminal,
    );
    expect(session.progress()).toMatchObject({ solved: true, hintsTaken: 3, solutionShown: true });
    expect(session.takeHint()).toBeUndefined();
    expect(session.hintsOpen).toEqual(onlyClient.hints);
  }, 60_000);

  it('warns about a position past the end of the timeline and shows the end', async () => {
    const { warnings } = await ExerciseSession.restore(
      onlyClient,
      progressWith({ actions: [deploy], cursor: 10_000_000 }),
      loadTerminal,
    );
    expect(warnings.join(' ')).toMatch(/past the end/);
  }, 60_000);
});

describe('exercise progress: parsing what storage holds', () => {
  it('accepts what compactProgress wrote', () => {
    const progress = progressWith({ actions: [deploy], attempts: 4 });
    expect(parseProgress(compactProgress(progress), exercises)).toEqual({ ok: true, progress });
  });
});
