// Goal: on every reference page with a lab, each command block (```bash) has a run button right
// under it that runs that block verbatim in the page's lab, so a reader never has to retype one.
// A button may differ from its block only where the block names something of the docs' own
// cluster that the lab cannot have (an agent pod's generated name, an endpoint id): the
// substitutions table says which, and why. A block that is not a command for the lab has no
// button, and the no-button table says why. The page is read by the MDX parser the build uses
// (Sätteri), so an attribute's quoting (`&quot;` for a block's double quotes) is read as the
// build reads it.
import { mdxToMdast } from 'satteri';
import { describe, expect, it } from 'vitest';
import { referencePages } from './pages';

/** A value of the docs' cluster in a page's command, and what the button runs instead. */
interface Substitution {
  readonly page: string;
  readonly docs: RegExp;
  readonly lab: string;
  readonly why: string;
}

const substitutions: readonly Substitution[] = [
  {
    page: '*',
    docs: /\bcilium-(?!dbg\b|health\b|operator\b|agent\b|envoy\b|secrets\b|config\b)[a-z0-9]{5}\b/g,
    lab: 'ds/cilium',
    why: "the docs' agent pod has a generated name; ds/cilium is the lab's agent on its one node",
  },
  {
    page: 'troubleshooting',
    docs: / 568 /g,
    lab: " $(cilium-dbg endpoint list | awk '/name=deathstar/ {print $1; exit}') ",
    why: "568 is the docs' deathstar endpoint id; the lab's is looked up in the agent's endpoint list",
  },
  {
    page: 'aws-metadata',
    docs: /kubectl delete pod cilium-operator-7c9d69f7c-97vqx/g,
    lab: 'kubectl -n kube-system delete pod -l name=cilium-operator',
    why: "the docs name their operator pod and no namespace; the lab's operator pods are found by label in kube-system",
  },
  {
    page: 'aws-metadata',
    docs: /to-groups-sample-togroups-044ba7d1-f491-11e8-ad2e-080027d2d952/g,
    lab: '-l io.cilium.network.policy.kind=derivative -o yaml',
    why: "the derivative's name carries the parent policy's uid, which differs per cluster; its label finds it",
  },
  {
    page: 'aws-metadata',
    docs: / 23453 /g,
    lab: " $(kubectl get cep xwing -o jsonpath='{.status.id}') ",
    why: "23453 is the docs' xwing endpoint id; the lab's is read from the xwing's CiliumEndpoint",
  },
];

/** Command blocks on lab pages that get no button, by page and a fragment of the block. */
const withoutButton: readonly { page: string; fragment: string; why: string }[] = [];

interface CommandBlock {
  readonly page: string;
  readonly line: number;
  readonly text: string;
  /** The command of the LabButton right after the block, if there is one. */
  readonly button: string | undefined;
}

interface MdastNode {
  type: string;
  lang?: string | null;
  value?: string;
  name?: string | null;
  attributes?: { name?: string; value?: unknown }[];
  position?: { start: { line: number } };
}

/** The bash blocks of a page and the button after each, as the build's parser reads them. */
function commandBlocks(page: string, source: string): CommandBlock[] {
  const body = source.replace(/^---\n[\s\S]*?\n---\n/, '');
  const nodes = (mdxToMdast(body) as unknown as { children: MdastNode[] }).children;
  return nodes.flatMap((node, index): CommandBlock[] => {
    if (node.type !== 'code' || node.lang !== 'bash') return [];
    const next = nodes[index + 1];
    const command =
      next?.type === 'mdxJsxFlowElement' && next.name === 'LabButton'
        ? next.attributes?.find((attribute) => attribute.name === 'command')?.value
        : undefined;
    return [
      {
        page,
        line: node.position?.start.line ?? 0,
        text: node.value ?? '',
        button: typeof command === 'string' ? command : undefined,
      },
    ];
  });
}

/**
 * What the button should run for a block: the block with the table's substitutions. MDX drops the
 * indentation of an attribute's continuation lines, so both sides are compared without it.
 */
function expectedCommand(block: CommandBlock): string {
  let command = block.text;
  for (const substitution of substitutions)
    if (substitution.page === '*' || substitution.page === block.page)
      command = command.replace(substitution.docs, substitution.lab);
  return unindented(command);
}

const unindented = (text: string): string => text.replace(/\n[ \t]+/g, '\n');

const labPages = referencePages().filter((page) => page.source.includes('<ScenarioWidget'));
const blocks = labPages.flatMap((page) => commandBlocks(page.slug, page.source));

describe('reference run buttons', () => {
  it.each(blocks.map((block) => ({ name: `${block.page}:${block.line}`, block })))(
    '$name runs its block in the lab',
    ({ block }) => {
      const exception = withoutButton.find(
        (row) => row.page === block.page && block.text.includes(row.fragment),
      );
      if (exception !== undefined) {
        expect(block.button, `${exception.why}, so it has no button`).toBeUndefined();
        return;
      }
      expect(block.button, 'a run button under the block').toBeDefined();
      expect(unindented(block.button ?? '')).toBe(expectedCommand(block));
    },
  );

  it('reads the pages: every lab page has command blocks, and each table row is used', () => {
    expect(labPages.length).toBeGreaterThanOrEqual(14);
    for (const row of withoutButton)
      expect(blocks.some((block) => block.page === row.page && block.text.includes(row.fragment))).toBe(true);
    for (const row of substitutions.filter((each) => each.page !== '*'))
      expect(blocks.some((block) => block.page === row.page && block.text.search(row.docs) >= 0)).toBe(true);
  });
});
