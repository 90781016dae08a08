// Goal: every example policy the Cilium security reference shows is one a Cilium 1.18 cluster takes.
// Each YAML block of a page whose kind is CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or
// NetworkPolicy (outputs, titled "Output: …", excepted), and every policy document of the bundled
// cilium/cilium examples, is applied with `kubectl apply -f` on its own fresh kind cluster running
// Cilium 1.18.5. Kubernetes must store it, and the operator's `Valid` condition must be True, or
// False with the agent's message where a page shows a policy that needs a flag it does not have.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Simulation } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { ciliumExampleAt, ciliumExamplePaths } from '../../../simulator/cilium/example-manifests';
import { blockTitle, codeBlocks, referencePages } from './pages';
import { withSiteRepositories } from '../terminal/kubectl-support';

type Outcome = 'valid' | { readonly refused: string };

interface PolicyCase {
  readonly name: string;
  readonly yaml: string;
  /** Helm `--set` flags the policy needs, as the page says. */
  readonly values: string;
  readonly outcome: Outcome;
}

interface PolicyDocument {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

const policyKinds = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy']);
const resourceOf: Record<string, string> = {
  CiliumNetworkPolicy: 'ciliumnetworkpolicies.cilium.io',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies.cilium.io',
  NetworkPolicy: 'networkpolicies.networking.k8s.io',
};
const apiGroupOf: Record<string, string> = {
  CiliumNetworkPolicy: 'ciliumnetworkpolicy.cilium.io',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicy.cilium.io',
  NetworkPolicy: 'networkpolicy.networking.k8s.io',
};

/** Policies whose page says they need an agent flag: fromNodes needs enable-node-selector-labels. */
const flagsByExample: Record<string, string> = {
  'examples/policies/l3/entities/customnodes.yaml': '--set nodeSelectorLabels=true',
};

function policyDocuments(yaml: string): PolicyDocument[] {
  return parseAllDocuments(yaml)
    .map(
      (document) =>
        document.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null,
    )
    .filter((object) => object !== null && policyKinds.has(object.kind ?? ''))
    .map((object) => ({
      kind: object?.kind ?? '',
      name: object?.metadata?.name ?? '',
      namespace: object?.metadata?.namespace,
    }));
}

function pageCases(): PolicyCase[] {
  return referencePages().flatMap((page) =>
    codeBlocks(page.source)
      .filter((block) => block.lang === 'yaml' && policyDocuments(block.text).length > 0)
      .filter((block) => !(blockTitle(block) ?? '').startsWith('Output'))
      .map((block) => {
        const title = blockTitle(block);
        return {
          name: `${page.slug}: ${title ?? `the block at line ${block.line}`}`,
          yaml: block.text,
          values: flagsByExample[title ?? ''] ?? '',
          outcome: 'valid' as const,
        };
      }),
  );
}

function bundledCases(): PolicyCase[] {
  return ciliumExamplePaths()
    .map((path) => ({
      path,
      text: ciliumExampleAt(`https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples/${path}`),
    }))
    .filter(({ text }) => text !== undefined && policyDocuments(text).length > 0)
    .map(({ path, text }) => ({
      name: `examples/${path} at 1.18.5`,
      yaml: text ?? '',
      values: flagsByExample[`examples/${path}`] ?? '',
      outcome: 'valid' as const,
    }));
}

/** The page's refusal on purpose: the docs say fromNodes only works with the flag; without it the agent says why. */
const refusedCases: PolicyCase[] = pageCases()
  .filter((each) => each.values.includes('nodeSelectorLabels'))
  .map((each) => ({
    ...each,
    name: `${each.name}, without nodeSelectorLabels`,
    values: '',
    outcome: {
      refused:
        'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set',
    },
  }));

/** A one-node kind cluster with Cilium 1.18.5, the policy's namespaces, and the policy applied. */
async function applied(
  policy: PolicyCase,
): Promise<{ terminal: TerminalSession; stdout: string; stderr: string }> {
  const terminal = new TerminalSession(
    new Simulation(15),
    { 'policy.yaml': policy.yaml },
    withSiteRepositories,
  );
  await terminal.run('kind create cluster');
  await terminal.run(
    `helm install cilium cilium/cilium --version 1.18.5 --namespace kube-system ${policy.values} && sleep 60`,
  );
  const namespaces = new Set(policyDocuments(policy.yaml).map((document) => document.namespace ?? 'default'));
  for (const namespace of namespaces)
    if (!['default', 'kube-system'].includes(namespace))
      await terminal.run(`kubectl create namespace ${namespace}`);
  const result = await terminal.run('kubectl apply -f policy.yaml && sleep 2');
  return { terminal, stdout: result.stdout, stderr: result.stderr };
}

/** The `Valid` condition the operator wrote on a stored policy, as `kubectl get -o json` shows it. */
async function validCondition(terminal: TerminalSession, document: PolicyDocument) {
  const namespace =
    document.kind === 'CiliumClusterwideNetworkPolicy' ? '' : ` -n ${document.namespace ?? 'default'}`;
  const shown = await terminal.run(
    `kubectl get ${resourceOf[document.kind] ?? ''} ${document.name}${namespace} -o json`,
  );
  expect(shown.exitCode, shown.stderr).toBe(0);
  const object = JSON.parse(shown.stdout) as {
    status?: { conditions?: { type: string; status: string; message?: string }[] };
  };
  return object.status?.conditions?.find((condition) => condition.type === 'Valid');
}

async function expectOutcome(policy: PolicyCase): Promise<void> {
  const { terminal, stdout, stderr } = await applied(policy);
  const documents = policyDocuments(policy.yaml);
  const names = documents.map((document) => `${apiGroupOf[document.kind] ?? ''}/${document.name}`);
  expect(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.replace(/ (created|configured|unchanged)$/, '')),
    stderr,
  ).toEqual(names);
  for (const document of documents.filter((each) => each.kind !== 'NetworkPolicy')) {
    const valid = await validCondition(terminal, document);
    if (policy.outcome === 'valid') expect(valid?.status, valid?.message).toBe('True');
    else expect(valid).toMatchObject({ status: 'False', message: policy.outcome.refused });
  }
}

describe('reference: example policies on Cilium 1.18.5', () => {
  describe('the YAML blocks of the pages', () => {
    const cases = pageCases();
    it('finds the pages’ policies', () => {
      expect(cases.length).toBeGreaterThan(50);
    });
    it.each(cases)('$name', expectOutcome);
  });

  describe('the policy files of the bundled examples', () => {
    it.each(bundledCases())('$name', expectOutcome);
  });

  describe('policies the pages show refused', () => {
    it.each(refusedCases)('$name', expectOutcome);
  });
});
