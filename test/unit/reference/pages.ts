/**
 * The Cilium security reference pages (content/reference/, and the folder of a page split into
 * parts) as the tests read them: frontmatter, links and fenced code blocks, parsed from the files so
 * a test sees what a reader sees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const referenceDir = join(process.cwd(), 'content', 'reference');

export interface ReferencePage {
  /**
   * Path below content/reference without `.mdx` (`index` for the overview); a part of a page split
   * into several has its folder in front (`policy-language/layer-3`).
   */
  readonly slug: string;
  readonly source: string;
  readonly frontmatter: Record<string, unknown>;
}

/** One fenced block: its language, the rest of its opening line, its text and where it starts. */
export interface CodeBlock {
  readonly lang: string;
  readonly meta: string;
  readonly text: string;
  readonly line: number;
}

/** Every page of the reference, the overview and the parts of split pages included, sorted by path. */
export function referencePages(): ReferencePage[] {
  return readdirSync(referenceDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.mdx'))
    .map((file) => file.split(sep).join('/'))
    .sort()
    .map((file) => {
      const source = readFileSync(join(referenceDir, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n/.exec(source);
      const frontmatter = (match === null ? {} : parseYaml(match[1] ?? '')) as Record<string, unknown>;
      return { slug: file.replace(/\.mdx$/, ''), source, frontmatter };
    });
}

/** The fenced code blocks of an MDX page (fences at the start of a line, as the pages write them). */
export function codeBlocks(source: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = source.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const opening = /^```(\S*)\s*(.*)$/.exec(lines[index] ?? '');
    if (opening === null) continue;
    const end = lines.findIndex((line, at) => at > index && line === '```');
    if (end === -1) throw new Error(`unclosed code block at line ${index + 1}`);
    blocks.push({
      lang: opening[1] ?? '',
      meta: opening[2] ?? '',
      text: `${lines.slice(index + 1, end).join('\n')}\n`,
      line: index + 1,
    });
    index = end;
  }
  return blocks;
}

/** A block's `title="…"`, which names the upstream file a manifest comes from. */
export function blockTitle(block: CodeBlock): string | undefined {
  return /title="([^"]*)"/.exec(block.meta)?.[1];
}

/** Internal links of a page (`](/path/)` in Markdown), without their fragment. */
export function internalLinks(source: string): string[] {
  return [...source.matchAll(/\]\((\/[^)#\s]*)(?:#[^)\s]*)?\)/g)].map((match) => match[1] ?? '');
}

/** The ids Starlight gives a page's headings (github-slugger: lower case, punctuation dropped, spaces to hyphens). */
export function headingSlugs(source: string): string[] {
  return [...source.matchAll(/^#{2,6} (.+)$/gm)].map((match) =>
    (match[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-'),
  );
}
