// Goal: the outputs the reference pages print have the shape Cilium 1.18's tools give, not that of
// the older releases some docs outputs come from: every line of a page's output blocks that one of
// these tools writes must match the tool's 1.18 format (the code path is named per row). The
// walkthrough tests check the simulator's output against the same formats.
import { describe, expect, it } from 'vitest';
import { codeBlocks, referencePages } from './pages';

interface OutputFormat {
  readonly name: string;
  /** Picks the lines this tool wrote. */
  readonly line: RegExp;
  /** The whole line as 1.18 writes it. */
  readonly shape: RegExp;
  readonly source: string;
}

const formats: readonly OutputFormat[] = [
  {
    name: 'cilium-dbg monitor: a policy verdict',
    line: /^Policy verdict log:/,
    shape:
      /^Policy verdict log: flow 0x[0-9a-f]+ local EP ID \d+, remote ID [\w-]+, proto \d+, (ingress|egress), action (allow|deny|redirect|audit), auth: (disabled|spire|test-always-fail), match (none|L3-Only|L3-L4|L4-Only|all|L3-Proto|Proto-Only), \S.*$/,
    source: 'pkg/monitor/datapath_policy.go PolicyVerdictNotify.DumpInfo at v1.18',
  },
  {
    name: 'hubble observe: a policy-verdict flow',
    line: /policy-verdict:/,
    shape:
      /^\w{3} +\d+ [\d:.]+: \S+ \([^)]+\) (->|<>) \S+ \([^)]+\) policy-verdict:(none|L3-Only|L3-L4|L4-Only|all|L3-Proto|Proto-Only) (INGRESS|EGRESS) (ALLOWED|DENIED|AUDITED)( \(.*\))?$/,
    source: 'hubble/pkg/printer/printer.go GetFlowType and getVerdict at v1.18',
  },
];

/** Every line of every output block (```text) of the reference pages, with where it is. */
const outputLines = referencePages().flatMap((page) =>
  codeBlocks(page.source)
    .filter((block) => block.lang === 'text')
    .flatMap((block) =>
      block.text
        .split('\n')
        .map((text, index) => ({ where: `${page.slug}:${block.line + 1 + index}`, text })),
    ),
);

describe('reference pages: quoted outputs in 1.18 form', () => {
  it.each(formats)('$name ($source)', ({ line, shape }) => {
    const quoted = outputLines.filter((each) => line.test(each.text));
    expect(quoted.length, 'the pages quote this output').toBeGreaterThan(0);
    expect(
      quoted.filter((each) => !shape.test(each.text)).map((each) => `${each.where}: ${each.text}`),
    ).toEqual([]);
  });
});
