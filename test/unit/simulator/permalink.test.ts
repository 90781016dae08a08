import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesToBase64Url,
  decodeLabPermalink,
  decodeScenarioPermalink,
  encodeLabPermalink,
  encodeScenarioPermalink,
  fromBase64Url,
  maxInflatedBytes,
  readPermalinkFragment,
  toBase64Url,
  type LabAction,
  type LabRecord,
} from '../../../simulator/permalink';

// Permalinks must round-trip, keep decoding every published format, stay short for chat apps, and
// turn any tampering into a message, always in bounded time and memory.

async function deflateRaw(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return bytesToBase64Url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

const step: LabAction = { kind: 'step' };
const command = (line: string): LabAction => ({ kind: 'command', line });

describe('permalink: the lab format (v1, deflate-raw)', () => {
  it('round-trips random sessions', async () => {
    const action = fc.oneof(
      fc.constant(step),
      fc.string({ unit: 'grapheme', maxLength: 80 }).map((line) => command(line)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc
          .array(action, { maxLength: 20 })
          .filter((actions) => actions.filter((a) => a.kind === 'step').length <= 7),
        fc.option(fc.nat({ max: 100_000 }), { nil: undefined }),
        async (seed, actions, cursor) => {
          const record: LabRecord = { scenario: 'mistaken-identity', seed, actions, cursor };
          const link = await encodeLabPermalink(record);
          expect(link).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
          expect(await decodeLabPermalink(link)).toEqual({ ok: true, record });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps a session with every step and the article commands well under 2,000 characters', async () => {
    const record: LabRecord = {
      scenario: 'mistaken-identity',
      seed: 3_141_592_653,
      actions: [
        step,
        step,
        command('kubectl get pods -o wide'),
        step,
        command(
          'NODEV1=$(kubectl get pod -l app=helloworld,version=v1 -o jsonpath="{.items[0].spec.nodeName}")',
        ),
        command('kubectl -n kube-system exec ds/cilium -- cilium map get cilium_ipcache'),
        step,
        step,
        command('bash run-test.sh'),
        step,
        step,
        command('hubble observe --verdict FORWARDED --last 20'),
      ],
      cursor: 12_345,
    };
    const link = await encodeLabPermalink(record);
    expect(link.length).toBeLessThan(2000);
    expect(await decodeLabPermalink(link)).toEqual({ ok: true, record });
  });

  it('decodes the fixture written by the first release of this format', async () => {
    // Written by encodeLabPermalink when the format shipped: seed 7, two steps, one command, cursor 40.
    const fixture = 'v1.i1bKzSwuScxOzdPNTEnNK8ksqVTSMdeJNtJRyi5NSk0uyVFITy1RKMhPKVaK1TExiAUA';
    expect(await decodeLabPermalink(fixture)).toEqual({
      ok: true,
      record: {
        scenario: 'mistaken-identity',
        seed: 7,
        actions: [step, step, command('kubectl get pods')],
        cursor: 40,
      },
    });
  });

  it.each([
    ['garbage', 'hello', 'does not hold a scenario state'],
    ['a future format', 'v9.abc', 'newer version'],
    ['characters outside base64url', 'v1.ab$d', 'does not hold'],
    ['bytes that are not deflate', `v1.${toBase64Url('plain text, not compressed')}`, 'damaged'],
    ['an empty payload', 'v1.', 'damaged'],
  ])('refuses %s with a clear message', async (_name, text, message) => {
    const decoded = await decodeLabPermalink(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain(message);
  });

  it.each([
    ['broken JSON', '[1,2', 'damaged'],
    ['an object instead of the tuple', '{"__proto__":{"polluted":1}}', 'damaged'],
    ['an unknown scenario', '["nope",1,[],null]', 'does not have'],
    ['a negative seed', '["mistaken-identity",-1,[],null]', 'seed'],
    ['more steps than the scenario has', '["mistaken-identity",1,[5,"ls",3],null]', 'has 7 steps'],
    ['an action of the wrong type', '["mistaken-identity",1,[{"kind":"step"}],null]', 'has 7 steps'],
    ['a fractional cursor', '["mistaken-identity",1,[1],2.5]', 'timeline'],
  ])('refuses %s inside a well-compressed link', async (_name, json, message) => {
    const decoded = await decodeLabPermalink(`v1.${await deflateRaw(json)}`);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain(message);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a truncated link', async () => {
    const link = await encodeLabPermalink({
      scenario: 'mistaken-identity',
      seed: 1,
      actions: [step, command('kubectl get pods -A -o wide')],
      cursor: undefined,
    });
    const decoded = await decodeLabPermalink(link.slice(0, link.length - 6));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(/damaged|cut short/);
  });

  it('stops inflating a compression bomb at the size limit', async () => {
    // A few hundred characters that would unpack to megabytes of spaces.
    const bomb = `v1.${await deflateRaw(' '.repeat(8 * maxInflatedBytes))}`;
    expect(bomb.length).toBeLessThan(16_384);
    const decoded = await decodeLabPermalink(bomb);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain('unpacks to more');
  });

  it('refuses an oversized link before decoding it', async () => {
    const decoded = await decodeLabPermalink(`v1.${'A'.repeat(20_000)}`);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain('too long');
  });

  it('never throws on arbitrary input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        const decoded = await decodeLabPermalink(`v1.${text}`);
        expect(typeof decoded.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});

describe('permalink: reading a page fragment', () => {
  it('ignores heading anchors and other scenarios’ step links', async () => {
    expect(await readPermalinkFragment('why-it-happens', 'mistaken-identity')).toBeUndefined();
    expect(await readPermalinkFragment('scenario-other=v1.abc', 'mistaken-identity')).toBeUndefined();
  });

  it('turns a step-only link into the same number of steps', async () => {
    const legacy = `scenario-mistaken-identity=${encodeScenarioPermalink({ scenario: 'mistaken-identity', seed: 42, step: 3 })}`;
    expect(await readPermalinkFragment(legacy, 'mistaken-identity')).toEqual({
      ok: true,
      record: { scenario: 'mistaken-identity', seed: 42, actions: [step, step, step], cursor: undefined },
    });
  });

  it('reports a damaged link instead of ignoring it', async () => {
    const decoded = await readPermalinkFragment('v1.%%%', 'mistaken-identity');
    expect(decoded?.ok).toBe(false);
  });
});

describe('permalink: the first, step-only format', () => {
  it('round-trips every valid state', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 7 }),
        (seed, stepCount) => {
          const decoded = decodeScenarioPermalink(
            encodeScenarioPermalink({ scenario: 'mistaken-identity', seed, step: stepCount }),
          );
          expect(decoded).toEqual({
            ok: true,
            state: { scenario: 'mistaken-identity', seed, step: stepCount },
          });
        },
      ),
    );
  });

  it('keeps decoding the published fixture', () => {
    expect(decodeScenarioPermalink('v1.WyJtaXN0YWtlbi1pZGVudGl0eSIsNyw1XQ')).toEqual({
      ok: true,
      state: { scenario: 'mistaken-identity', seed: 7, step: 5 },
    });
  });

  it.each([
    ['garbage', 'hello', 'does not hold a scenario state'],
    ['a future format', 'v9.abc', 'newer version'],
    ['broken JSON', `v1.${toBase64Url('[1,2')}`, 'damaged'],
    ['an unknown scenario', `v1.${toBase64Url('["nope",1,0]')}`, 'does not have'],
    ['a negative seed', `v1.${toBase64Url('["mistaken-identity",-1,0]')}`, 'seed'],
    ['a step past the end', `v1.${toBase64Url('["mistaken-identity",1,99]')}`, 'has 7 steps'],
    ['a prototype key', `v1.${toBase64Url('{"__proto__":{}}')}`, 'damaged'],
  ])('refuses %s with a clear message', (_name, text, message) => {
    const decoded = decodeScenarioPermalink(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toContain(message);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(() => decodeScenarioPermalink(text)).not.toThrow();
        expect(() => decodeScenarioPermalink(`v1.${text}`)).not.toThrow();
      }),
    );
  });

  it('encodes base64url like the standard alphabet without padding', () => {
    // Well-formed Unicode only: lone surrogates cannot be encoded as UTF-8 by any encoder.
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(fromBase64Url(toBase64Url(text))).toBe(text);
      }),
    );
    expect(toBase64Url('hi?>')).toBe('aGk_Pg');
  });
});
