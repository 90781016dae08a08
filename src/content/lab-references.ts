/**
 * Checks, while the site builds, every place an MDX page refers to a scenario lab: each
 * `<ScenarioWidget scenario="…">` and `<LabButton scenario="…" step={N} | command="…" | workspace>`. The
 * scenario must be one the simulator has and one the page lists in its frontmatter `scenarios:`,
 * a step must be one the scenario has, and a LabButton needs its scenario's lab on the same page
 * (its click goes to that lab). A broken reference fails the build with the file and line, instead
 * of a button that does nothing in the reader's browser.
 *
 * The check runs as an mdast plugin of Astro's Markdown processor (Sätteri), registered by the
 * `labReferences` integration the way Starlight registers its own plugins.
 */
import type { AstroIntegration } from 'astro';
import { scenarios } from '../simulator';

/** An attribute as the page wrote it: a string literal, an expression's source, or absent. */
export type AttributeValue = { literal: string } | { expression: string } | undefined;

/** One element that refers to a lab. */
export interface LabReference {
  element: 'ScenarioWidget' | 'LabButton';
  line: number | undefined;
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** The elements that refer to a lab. */
const referringElements: ReadonlySet<string> = new Set(['ScenarioWidget', 'LabButton']);

/** How many steps each scenario of the simulator has. */
const catalogueStepCounts: Readonly<Record<string, number>> = Object.fromEntries(
  Object.values(scenarios).map((scenario) => [scenario.id, scenario.steps.length]),
);

const where = (reference: LabReference): string =>
  `<${reference.element}>${reference.line === undefined ? '' : ` on line ${reference.line}`}`;

/** A literal string attribute, or a sentence saying why it is not one. */
function literalText(reference: LabReference, name: string): { text: string } | { problem: string } {
  const value = reference.attributes[name];
  if (value === undefined) return { problem: `${where(reference)} has no ${name}` };
  if ('expression' in value)
    return { problem: `${where(reference)}: write ${name} as a literal, so the build can check it` };
  return { text: value.literal };
}

/** A step given as `step={N}`, or a sentence saying why it is not a whole number. */
function stepNumber(reference: LabReference): number | string | undefined {
  const value = reference.attributes.step;
  if (value === undefined) return undefined;
  const text = 'expression' in value ? value.expression.trim() : value.literal;
  return /^\d+$/.test(text)
    ? Number(text)
    : `${where(reference)}: step must be a whole number written as step={N}`;
}

function buttonProblems(reference: LabReference, scenario: string, steps: number): string[] {
  const step = stepNumber(reference);
  const hasCommand = reference.attributes.command !== undefined;
  const hasWorkspace = reference.attributes.workspace !== undefined;
  if ([step !== undefined, hasCommand, hasWorkspace].filter(Boolean).length !== 1)
    return [`${where(reference)} for ${scenario}: give exactly one of step, command and workspace`];
  if (typeof step === 'string') return [step];
  if (step !== undefined && step > steps)
    return [`${where(reference)}: ${scenario} has ${steps} steps, so there is no step ${step}`];
  if (hasCommand) {
    const command = literalText(reference, 'command');
    if ('problem' in command) return [command.problem];
  }
  return [];
}

/**
 * Every problem with a page's references to labs, as sentences. `listed` is the page's
 * frontmatter `scenarios:`; `stepCounts` the simulator's scenarios with their number of steps.
 */
export function labReferenceProblems(
  references: readonly LabReference[],
  listed: readonly string[],
  stepCounts: Readonly<Record<string, number>> = catalogueStepCounts,
): string[] {
  const problems: string[] = [];
  const labs = new Set<string>();
  for (const reference of references) {
    const id = literalText(reference, 'scenario');
    if ('problem' in id) {
      problems.push(id.problem);
      continue;
    }
    const steps = stepCounts[id.text];
    if (steps === undefined) {
      problems.push(`${where(reference)}: unknown scenario "${id.text}"; known: ${Object.keys(stepCounts).join(', ')}`);
      continue;
    }
    if (!listed.includes(id.text))
      problems.push(`${where(reference)}: add "${id.text}" to the page's frontmatter scenarios`);
    if (reference.element === 'ScenarioWidget') labs.add(id.text);
    else problems.push(...buttonProblems(reference, id.text, steps));
  }
  for (const reference of references) {
    const id = reference.attributes.scenario;
    if (reference.element === 'LabButton' && id !== undefined && 'literal' in id && id.literal in stepCounts)
      if (!labs.has(id.literal))
        problems.push(`${where(reference)}: the page has no <ScenarioWidget scenario="${id.literal}"> to act on`);
  }
  return problems;
}

/** The shape of an MDX JSX element as the Markdown processor hands it to a plugin. */
interface JsxElement {
  name: string | null;
  attributes: readonly {
    type: string;
    name?: string;
    value?: string | { type: string; value: string } | null;
  }[];
  position?: { start: { line: number } } | undefined;
}

/** A referring element read from the processor's node; undefined for any other element. */
export function referenceOf(node: JsxElement): LabReference | undefined {
  if (node.name === null || !referringElements.has(node.name)) return undefined;
  const attributes: Record<string, AttributeValue> = {};
  for (const attribute of node.attributes) {
    if (attribute.type !== 'mdxJsxAttribute' || attribute.name === undefined) continue;
    const { value } = attribute;
    attributes[attribute.name] =
      typeof value === 'string'
        ? { literal: value }
        : value === null || value === undefined
          ? { literal: '' }
          : { expression: value.value };
  }
  return {
    element: node.name as LabReference['element'],
    line: node.position?.start.line,
    attributes,
  };
}

/** What a plugin's visitor is handed beside the node: the document's URL and its data bag. */
interface DocumentContext {
  fileURL: URL | undefined;
  data: Record<string, unknown>;
}

/** The references collected so far in one document (documents may compile at the same time). */
function referencesIn(context: DocumentContext): LabReference[] {
  const bag = context.data as { labReferences?: LabReference[] };
  return (bag.labReferences ??= []);
}

/** The mdast plugin: collects a page's references, then fails the build on any problem. */
function labReferencesPlugin() {
  const collect = (node: JsxElement, context: DocumentContext): undefined => {
    const reference = referenceOf(node);
    if (reference !== undefined) referencesIn(context).push(reference);
    return undefined;
  };
  return {
    name: 'identity-lab-references',
    options: { position: true },
    mdxJsxFlowElement: collect,
    mdxJsxTextElement: collect,
    after: (_root: unknown, context: DocumentContext) => {
      const frontmatter = (context.data.astro as { frontmatter?: { scenarios?: unknown } } | undefined)
        ?.frontmatter;
      const listed = Array.isArray(frontmatter?.scenarios) ? frontmatter.scenarios.map(String) : [];
      const problems = labReferenceProblems(referencesIn(context), listed);
      if (problems.length > 0)
        throw new Error(
          `${context.fileURL?.pathname ?? 'an MDX page'}: broken references to scenario labs:\n  ${problems.join('\n  ')}`,
        );
    },
  };
}

/** Registers the check with the site's Markdown processor. */
export function labReferences(): AstroIntegration {
  return {
    name: 'identity-lab-references',
    hooks: {
      'astro:config:setup': ({ config, logger }) => {
        const processor = config.markdown.processor as
          | { name?: string; options?: { mdastPlugins?: unknown[] } }
          | undefined;
        const plugins = processor?.options?.mdastPlugins;
        if (processor?.name === 'satteri' && Array.isArray(plugins)) plugins.push(labReferencesPlugin());
        else logger.warn('References to scenario labs are not checked: the Markdown processor is not Sätteri.');
      },
    },
  };
}
