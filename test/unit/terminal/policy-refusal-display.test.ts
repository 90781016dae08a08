// Goal: a policy the agents refuse looks refused where each release shows it. From 1.16 the
// operator writes a `Valid` condition (operator/pkg/networkpolicy/cell.go), which `kubectl get cnp`
// prints in its VALID column from 1.17's CRD on; 1.12 and 1.14 agents write per-node status only
// with Helm's enableCnpStatusUpdates=true; 1.15 shows nothing but the agent log. Valid policies read
// "True" with "Policy validation succeeded".
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/index';
import { TerminalSession } from '../../../simulator/terminal/session';
import { withSiteRepositories } from './kubectl-support';

const kindCluster = `kind create cluster --config=- <<EOF
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
networking:
  disableDefaultCNI: true
EOF`;

// An HTTP rule with no protocol is ANY to the agent, which wants TCP for L7 (rule_validation.go).
const policies = `cat > policies.yaml <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: refused
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: "80"
      rules:
        http:
        - method: GET
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: fine
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: "80"
        protocol: TCP
YAML
kubectl apply -f policies.yaml && sleep 2`;

async function clusterWith(version: string, values = ''): Promise<TerminalSession> {
  const terminal = new TerminalSession(new Simulation(3), {}, withSiteRepositories);
  await terminal.run(kindCluster);
  await terminal.run(
    `helm install cilium cilium/cilium --version ${version} --namespace kube-system ${values} && sleep 60`,
  );
  const applied = await terminal.run(policies);
  expect(applied.stdout).toBe(
    'ciliumnetworkpolicy.cilium.io/refused created\nciliumnetworkpolicy.cilium.io/fine created\n',
  );
  return terminal;
}

interface DisplayCase {
  readonly name: string;
  readonly version: string;
  readonly values?: string;
  /** `kubectl get cnp` header (its columns are the CRD's printer columns at that release). */
  readonly header: RegExp;
  /** The refused policy's status as `-o yaml` prints it, or undefined for none. */
  readonly refusedStatus?: RegExp;
  readonly fineStatus?: RegExp;
}

const refusal = 'L7 rules can only apply to TCP (not ANY) except for DNS rules';

const cases: readonly DisplayCase[] = [
  { name: '1.12 with the chart defaults: no status', version: '1.12.0', header: /^NAME\s+AGE$/ },
  {
    name: '1.12 with enableCnpStatusUpdates: per-node status from each agent',
    version: '1.12.0',
    values: '--set enableCnpStatusUpdates=true',
    header: /^NAME\s+AGE$/,
    refusedStatus:
      /status:\n {2}nodes:\n {4}kind-control-plane:\n {6}enforcing: false\n {6}error: "Invalid CiliumNetworkPolicy spec: L7 rules can only apply to TCP \(not\n {8}ANY\) except for DNS rules"\n.*\n {6}ok: false/,
    fineStatus: /status:\n {2}nodes:\n {4}kind-control-plane:\n {6}enforcing: true\n/,
  },
  { name: '1.15: the updater is gone, nothing in the status', version: '1.15.0', header: /^NAME\s+AGE$/ },
  {
    name: '1.16: the operator writes a Valid condition, no column shows it',
    version: '1.16.0',
    header: /^NAME\s+AGE$/,
    refusedStatus: new RegExp(
      `status:\\n  conditions:\\n  - lastTransitionTime: "[^"]+"\\n    message: ${refusal.replace(/[()]/g, '\\$&')}\\n    status: "False"\\n    type: Valid`,
    ),
    fineStatus: /message: Policy validation succeeded\n {4}status: "True"\n {4}type: Valid/,
  },
  {
    name: '1.18: the Valid condition and the VALID column',
    version: '1.18.5',
    header: /^NAME\s+AGE\s+VALID$/,
    refusedStatus: new RegExp(`message: ${refusal.replace(/[()]/g, '\\$&')}\\n    status: "False"`),
    fineStatus: /message: Policy validation succeeded\n {4}status: "True"/,
  },
];

describe('terminal: where a refused policy shows, per Cilium release', () => {
  it.each(cases)(
    'terminal: policy status: $name',
    async ({ version, values, header, refusedStatus, fineStatus }) => {
      const terminal = await clusterWith(version, values);
      const table = (await terminal.run('kubectl get cnp')).stdout.trimEnd().split('\n');
      expect(table[0]).toMatch(header);
      if (header.source.includes('VALID')) {
        expect(table.find((line) => line.startsWith('refused'))).toMatch(/\sFalse$/);
        expect(table.find((line) => line.startsWith('fine'))).toMatch(/\sTrue$/);
      }
      const refused = (await terminal.run('kubectl get cnp refused -o yaml')).stdout;
      const fine = (await terminal.run('kubectl get cnp fine -o yaml')).stdout;
      if (refusedStatus === undefined) expect(refused).not.toContain('status:');
      else expect(refused).toMatch(refusedStatus);
      if (fineStatus === undefined) expect(fine).not.toContain('status:');
      else expect(fine).toMatch(fineStatus);
      // Every release logs the refusal with CiliumNetworkPolicy.Parse's wrapping.
      const logs = (await terminal.run('kubectl -n kube-system logs ds/cilium')).stdout;
      expect(logs).toContain(`error="Invalid CiliumNetworkPolicy spec: ${refusal}"`);
    },
    120_000,
  );

  it('terminal: policy status: the VALID column follows a fix of the policy', async () => {
    const terminal = await clusterWith('1.18.5');
    const fixed = await terminal.run(`cat > fixed.yaml <<'YAML'
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: refused
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
        - method: GET
YAML
kubectl apply -f fixed.yaml && sleep 2`);
    expect(fixed.stdout).toBe('ciliumnetworkpolicy.cilium.io/refused configured\n');
    const table = (await terminal.run('kubectl get cnp refused')).stdout;
    expect(table).toMatch(/^refused\s+\S+\s+True$/m);
  }, 120_000);
});
