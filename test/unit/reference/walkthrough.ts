/**
 * A reference page's walkthrough, run as a reader runs it: every `bash` block of the page, in
 * order, typed verbatim into simulated terminals on a kind cluster with Cilium 1.18.5 (the docs'
 * prerequisite). The only liberty is the one every reader takes: a block that names an agent pod
 * of the docs' own cluster (`cilium-5ngzd`) gets the name of this cluster's agent pod, and a value
 * the page says to replace (an endpoint id) gets this cluster's. Waiting for pods to start is the
 * reader's (`waits`), outside the page's blocks.
 *
 * A test takes the blocks one by one with `next(expected fragment)`, so the test reads like the
 * page, and `finish()` checks that no block was left out.
 */
import { expect } from 'vitest';
import { Simulation } from '../../../simulator/index';
import { TerminalSession, type LineResult } from '../../../simulator/terminal/session';
import { codeBlocks, referencePages, type CodeBlock } from './pages';

/**
 * How the docs install Cilium on kind (installation/kind: kind's own CNI disabled, then the Helm
 * chart from its repository), on one node as the security walkthroughs assume ("a single-node Cilium
 * environment").
 */
export const defaultSetup = [
  `kind create cluster --config=- <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  disableDefaultCNI: true
EOF`,
  'helm repo add cilium https://helm.cilium.io/',
  'helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system',
];

/** The names of agent pods in the docs' outputs and commands: `cilium-` and five characters. */
const docsAgentPod = /\bcilium-(?!dbg\b|health\b|operator\b|agent\b|envoy\b|secrets\b)[a-z0-9]{5}\b/g;

export interface Walkthrough {
  readonly simulation: Simulation;
  /** The page's terminal windows by name (`main` first): the docs' "second terminal" is another. */
  window(name: string): TerminalSession;
  /**
   * Runs the page's next bash block in a window, after checking that it contains `fragment`
   * (so a test names which block it means); returns what it printed.
   */
  next(
    fragment: string,
    windowName?: string,
    substitutions?: Readonly<Record<string, string>>,
  ): Promise<LineResult & { block: CodeBlock }>;
  /** The reader answers the question the running command of a window asked. */
  answer(text: string, windowName?: string): Promise<LineResult>;
  /** The reader waits: virtual time passes with no command. */
  waits(ms: number): void;
  /** Every bash block of the page was run. */
  finish(): void;
}

/** Runs the setup, then hands out the page's blocks in order. */
export async function walkthrough(
  slug: string,
  options: { seed?: number; setup?: readonly string[] } = {},
): Promise<Walkthrough> {
  const page = referencePages().find((candidate) => candidate.slug === slug);
  if (page === undefined) throw new Error(`no reference page ${slug}`);
  const blocks = codeBlocks(page.source).filter((block) => block.lang === 'bash');
  const simulation = new Simulation(options.seed ?? 1);
  const windows = new Map<string, TerminalSession>();
  const window = (name: string): TerminalSession => {
    let session = windows.get(name);
    if (session === undefined) {
      session = new TerminalSession(simulation, {}, { holdForeground: true, interactive: true });
      windows.set(name, session);
    }
    return session;
  };
  const main = window('main');
  for (const line of options.setup ?? defaultSetup) {
    const result = await main.run(line);
    if (result.exitCode !== 0) throw new Error(`setup failed: ${line}\n${result.stderr}`);
  }
  simulation.advance(90_000);
  let position = 0;
  return {
    simulation,
    window,
    async next(fragment, windowName = 'main', substitutions = {}) {
      const block = blocks[position];
      if (block === undefined) throw new Error(`${slug}: no block left for "${fragment}"`);
      expect(block.text, `${slug}:${block.line}`).toContain(fragment);
      position += 1;
      const session = window(windowName);
      const agents = await main.run(
        "kubectl -n kube-system get pods -l k8s-app=cilium -o jsonpath='{.items[0].metadata.name}'",
      );
      let script = block.text.replace(docsAgentPod, agents.stdout.trim());
      // Values of the docs' own cluster the page tells readers to replace (an endpoint id).
      for (const [docs, actual] of Object.entries(substitutions)) script = script.split(docs).join(actual);
      const result = await session.run(script);
      return { ...result, block };
    },
    answer(text, windowName = 'main') {
      return window(windowName).run(text);
    },
    waits(ms) {
      simulation.advance(ms);
    },
    finish() {
      expect(
        blocks.slice(position).map((block) => `${slug}:${block.line}`),
        'blocks of the page the test did not run',
      ).toEqual([]);
    },
  };
}

/** One endpoint of `cilium-dbg endpoint list`: its row and the label lines under it. */
export interface ListedEndpoint {
  id: number;
  ingress: string;
  egress: string;
  identity: number;
  labels: string[];
}

/** Reads `cilium-dbg endpoint list`: each endpoint row with the labels listed under it. */
export function listedEndpoints(text: string): ListedEndpoint[] {
  const endpoints: ListedEndpoint[] = [];
  for (const line of text.split('\n').slice(2)) {
    const row = /^(\d+) +(\S+) +(\S+) +(\d+) +(\S+)/.exec(line);
    if (row !== null) {
      endpoints.push({
        id: Number(row[1]),
        ingress: row[2] ?? '',
        egress: row[3] ?? '',
        identity: Number(row[4]),
        labels: [row[5] ?? ''],
      });
      continue;
    }
    const label = /^ +(\S+)/.exec(line)?.[1];
    if (label !== undefined) endpoints.at(-1)?.labels.push(label);
  }
  return endpoints;
}

/** The endpoints whose labels include one. */
export function endpointsLabelled(text: string, label: string): ListedEndpoint[] {
  return listedEndpoints(text).filter((endpoint) => endpoint.labels.includes(label));
}
