import { describe, expect, it } from 'vitest';
import {
  applyCompletion,
  commonPrefix,
  echoedCommand,
  searchHistory,
} from '../../../src/widgets/scenario/terminal-input';

// The command box edits as readline does: a Tab completes the word or, on a second Tab, lists the
// candidates; Ctrl-R finds the newest earlier line holding the text; a long command echoes with PS2.
describe('terminal line editing', () => {
  describe('a Tab with completion’s answer', () => {
    it.each([
      [
        'one candidate completes the word, with a space',
        'kubectl get po',
        12,
        ['pods'],
        false,
        'kubectl get pods ',
        undefined,
      ],
      ['a directory gets no space', 'cat man', 4, ['manifests/'], false, 'cat manifests/', undefined],
      [
        'a flag value prefix gets no space',
        'kubectl get pods -o js',
        20,
        ['jsonpath='],
        false,
        'kubectl get pods -o jsonpath=',
        undefined,
      ],
      [
        'several extend to what they share',
        'kubectl -n kube-system get pods c',
        32,
        ['cilium-a', 'cilium-b'],
        false,
        'kubectl -n kube-system get pods cilium-',
        undefined,
      ],
      [
        'several sharing nothing more: the first Tab leaves the line',
        'kubectl get pods cilium-',
        17,
        ['cilium-a', 'cilium-b'],
        false,
        'kubectl get pods cilium-',
        undefined,
      ],
      [
        'several sharing nothing more: the second Tab lists them',
        'kubectl get pods cilium-',
        17,
        ['cilium-a', 'cilium-b'],
        true,
        'kubectl get pods cilium-',
        ['cilium-a', 'cilium-b'],
      ],
      ['none leaves the line', 'frob', 0, [], true, 'frob', undefined],
      [
        'a name with a space is escaped',
        'cat my',
        4,
        ['my file.txt'],
        false,
        'cat my\\ file.txt ',
        undefined,
      ],
    ])('%s', (_name, draft, start, candidates, repeated, expected, listing) => {
      expect(applyCompletion(draft, { start, candidates }, repeated)).toEqual({ draft: expected, listing });
    });

    it('finds the common prefix of candidates', () => {
      expect(commonPrefix(['cilium-dbg', 'cilium-operator', 'cilium'])).toBe('cilium');
    });
  });

  describe('Ctrl-R over a history, newest first', () => {
    const history = ['kubectl get pods -A', 'hubble observe -f', 'kubectl get nodes'];
    it.each([
      ['the newest line holding the text', 'kubectl', 0, 0],
      ['the next older one after a match', 'kubectl', 1, 2],
      ['none past the oldest', 'kubectl', 3, -1],
      ['text in the middle of a line', 'observe', 0, 1],
      ['nothing for an empty search', '', 0, -1],
    ])('%s', (_name, query, from, expected) => {
      expect(searchHistory(history, query, from)).toBe(expected);
    });
  });

  it('echoes a command over lines with the prompt, then PS2 on each continued line', () => {
    expect(echoedCommand('for i in 1 2; do\n  echo $i\ndone')).toBe(
      '$ for i in 1 2; do\n>   echo $i\n> done',
    );
  });
});
