import { describe, expect, it } from 'vitest';
import { awaitsMore, splitScript } from '../../../simulator/terminal/script-lines';

// A pasted script runs command by command, cut where bash would: a line that leaves a quote, a
// here-document or a compound command open, or ends in `\`, `|`, `&&` or `||`, continues.
describe('pasted scripts', () => {
  it.each([
    [
      'one command per line',
      'kubectl get pods\nkubectl get nodes\n',
      ['kubectl get pods', 'kubectl get nodes'],
      '',
    ],
    ['a last line without newline stays at the prompt', 'echo a\necho b', ['echo a'], 'echo b'],
    ['blank lines between commands are skipped', 'echo a\n\n\necho b\n', ['echo a', 'echo b'], ''],
    ['Windows line ends', 'echo a\r\necho b\r\n', ['echo a', 'echo b'], ''],
    [
      'a here-document up to its delimiter',
      'cat <<EOF | kubectl apply -f -\nkind: Namespace\nEOF\necho done\n',
      ['cat <<EOF | kubectl apply -f -\nkind: Namespace\nEOF', 'echo done'],
      '',
    ],
    [
      'a quoted here-document delimiter with <<-',
      "cat <<-'END' > a.txt\n\tx $HOME\n\tEND\n",
      ["cat <<-'END' > a.txt\n\tx $HOME\n\tEND"],
      '',
    ],
    [
      'a backslash continuation',
      'kubectl get pods \\\n  -A\necho b\n',
      ['kubectl get pods \\\n  -A', 'echo b'],
      '',
    ],
    ['a trailing pipe', 'kubectl get pods |\n  grep cilium\n', ['kubectl get pods |\n  grep cilium'], ''],
    [
      'a for loop',
      'for i in 1 2; do\n  echo $i\ndone\necho after\n',
      ['for i in 1 2; do\n  echo $i\ndone', 'echo after'],
      '',
    ],
    [
      'an if with a nested while',
      'if true; then\nwhile false; do :; done\nfi\n',
      ['if true; then\nwhile false; do :; done\nfi'],
      '',
    ],
    ['a case with patterns', 'case $x in\n a) echo a;;\nesac\n', ['case $x in\n a) echo a;;\nesac'], ''],
    ['a quote over two lines', "echo 'one\ntwo'\n", ["echo 'one\ntwo'"], ''],
    ['a keyword inside quotes opens nothing', "echo 'if'\necho b\n", ["echo 'if'", 'echo b'], ''],
    ['a comment line is a command of its own', '# note: if\necho b\n', ['# note: if', 'echo b'], ''],
    ['an unfinished loop stays at the prompt', 'for i in 1; do\necho $i\n', [], 'for i in 1; do\necho $i\n'],
    ['a subshell over lines', '(\ncd /tmp\n)\n', ['(\ncd /tmp\n)'], ''],
    ['a reserved word as an argument opens nothing', 'echo for if\necho b\n', ['echo for if', 'echo b'], ''],
    [
      'a reserved word as an argument closes nothing',
      'while true; do echo done\nsleep 1; done\n',
      ['while true; do echo done\nsleep 1; done'],
      '',
    ],
    [
      'a shift in arithmetic is not a here-document',
      'echo $((1<<2))\necho b\n',
      ['echo $((1<<2))', 'echo b'],
      '',
    ],
    ['an arithmetic command with a shift', '((x = 1 << 3))\necho $x\n', ['((x = 1 << 3))', 'echo $x'], ''],
    ['braces closed after a separator', '{ echo a; echo }\n}\n', ['{ echo a; echo }\n}'], ''],
  ])('%s', (_name, text, commands, rest) => {
    expect(splitScript(text)).toEqual({ commands, rest });
  });
});

// The terminal's Enter: bash runs a complete line and shows its PS2 prompt for an unfinished one.
describe('a line entered at the prompt', () => {
  it.each([
    ['a plain command runs', 'kubectl get pods', false],
    ['a here-document waits for its delimiter', 'kubectl apply -f - <<EOF', true],
    ['a finished here-document runs', 'cat <<EOF\nkind: Pod\nEOF', false],
    ['an open loop waits for done', 'for i in 1 2; do', true],
    ['an open quote waits for its close', 'echo "one', true],
    ['a trailing backslash waits for the next line', 'kubectl get pods \\', true],
    ['a trailing && waits for the next command', 'true &&', true],
    ['an argument that looks like a keyword runs', 'echo if', false],
    ['arithmetic with a shift runs', 'echo $((1<<4))', false],
  ])('%s', (_name, text, waits) => {
    expect(awaitsMore(text)).toBe(waits);
  });
});
