// Goal: `cilium-dbg config` (`cilium config` on 1.12 and 1.14 agents) prints the agent's runtime
// options as each release's agent holds them (daemon/cmd/daemon_main.go: the options set at start;
// cilium-dbg/cmd/config.go: `%-34s: %s`, then MonitorNumPages and PolicyEnforcement), and
// `config PolicyAuditMode=true` changes that agent at runtime: every endpoint on its node then lets
// denied traffic through with an AUDIT verdict, while other nodes keep enforcing.
import { describe, expect, it } from 'vitest';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';
import { applyPolicy, clientAndServer, connectFrom } from '../simulator/traffic-support';

interface ListingCase {
  readonly name: string;
  readonly version: string;
  readonly values?: Record<string, string>;
  /** The `Name: Value` pairs of the read-write section, in order. */
  readonly options: readonly string[];
}

const listings: readonly ListingCase[] = [
  {
    name: '1.12: conntrack accounting and ConntrackLocal, no source IP check',
    version: '1.12.0',
    options: [
      'ConntrackAccounting: Enabled',
      'ConntrackLocal: Disabled',
      'Debug: Disabled',
      'DebugLB: Disabled',
      'DropNotification: Enabled',
      'MonitorAggregationLevel: Medium',
      'PolicyAuditMode: Disabled',
      'PolicyTracing: Disabled',
      'PolicyVerdictNotification: Enabled',
      'TraceNotification: Enabled',
    ],
  },
  {
    name: '1.14: SourceIPVerification joins; audit mode from the chart',
    version: '1.14.5',
    values: { policyAuditMode: 'true' },
    options: [
      'ConntrackAccounting: Enabled',
      'ConntrackLocal: Disabled',
      'Debug: Disabled',
      'DebugLB: Disabled',
      'DropNotification: Enabled',
      'MonitorAggregationLevel: Medium',
      'PolicyAuditMode: Enabled',
      'PolicyTracing: Disabled',
      'PolicyVerdictNotification: Enabled',
      'SourceIPVerification: Enabled',
      'TraceNotification: Enabled',
    ],
  },
  {
    name: '1.18: policy accounting, conntrack accounting off, no ConntrackLocal',
    version: '1.18.5',
    options: [
      'ConntrackAccounting: Disabled',
      'Debug: Disabled',
      'DebugLB: Disabled',
      'DropNotification: Enabled',
      'MonitorAggregationLevel: Medium',
      'PolicyAccounting: Enabled',
      'PolicyAuditMode: Disabled',
      'PolicyTracing: Disabled',
      'PolicyVerdictNotification: Enabled',
      'SourceIPVerification: Enabled',
      'TraceNotification: Enabled',
    ],
  },
];

const cliOf = (version: string): string => (Number(version.split('.')[1]) >= 15 ? 'cilium-dbg' : 'cilium');

/** The `Name: Value` pairs of a listing, without dumpConfig's padding. */
const pairs = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line.includes(': '))
    .map((line) => line.replace(/ +: /, ': ').trimEnd());

describe('cilium agent config: the read-write configurations', () => {
  it.each(listings)('$name', async ({ version, values, options }) => {
    const simulation = clusterWithCilium(5, 1, version, { 'encryption.enabled': 'false', ...values });
    const session = new TerminalSession(simulation);
    const result = await session.run(`kubectl -n kube-system exec ds/cilium -- ${cliOf(version)} config`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('##### Read-write configurations #####');
    expect(result.stdout.split('\n')[1]).toMatch(/^ConntrackAccounting {15}: (En|Dis)abled$/);
    expect(pairs(result.stdout)).toEqual([...options, 'MonitorNumPages: 64', 'PolicyEnforcement: default']);
  });

  it('-a adds the read-only settings first, with the routing mode of the release', async () => {
    const simulation = clusterWithCilium(5, 1, '1.18.5', { 'encryption.enabled': 'false' });
    const session = new TerminalSession(simulation);
    const result = await session.run('kubectl -n kube-system exec ds/cilium -- cilium-dbg config -a');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('#### Read-only configurations ####');
    expect(pairs(result.stdout)).toContain('RoutingMode: tunnel');
    expect(pairs(result.stdout)).toContain('EnablePolicy: default');
    expect(lines.indexOf('##### Read-write configurations #####')).toBeGreaterThan(
      lines.indexOf('k8s-configuration                 : '),
    );
  });
});

describe('cilium agent config: changing the agent at runtime', () => {
  const refusals = [
    {
      name: 'an option without a value',
      args: 'PolicyAuditMode',
      stderr: 'Error: Improper configuration format provided\n',
      stdout: '',
    },
    {
      name: 'an unknown option (printed on standard output)',
      args: 'Bogus=true',
      stderr: '',
      stdout: 'unknown option "Bogus"\n',
    },
    {
      name: 'an unknown enforcement mode',
      args: 'PolicyEnforcement=sometimes',
      stderr:
        'Error: Unable to change agent configuration: [PATCH /config][400] patchConfigBadRequest "invalid option for PolicyEnforcement sometimes"\n\n',
      stdout: '',
    },
  ];
  it.each(refusals)('refuses $name', async ({ args, stderr, stdout }) => {
    const simulation = clusterWithCilium(5, 1, '1.18.5', { 'encryption.enabled': 'false' });
    const session = new TerminalSession(simulation);
    const result = await session.run(`kubectl -n kube-system exec ds/cilium -- cilium-dbg config ${args}`);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(stdout);
    expect(result.stderr.startsWith(stderr)).toBe(true);
  });

  it('PolicyAuditMode=true: the node audits what its policy denies, other nodes still drop', async () => {
    const bed = clientAndServer(7);
    applyPolicy(
      bed.simulation,
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny-all-ingress
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
  - {}
`,
    );
    const before = connectFrom(bed.simulation, { fromPodKey: bed.clientKey, host: bed.serverIP, port: 80 });
    expect(before.kind).toBe('timeout');
    const agent = bed.simulation.state.cluster?.cilium?.agents[bed.serverNode];
    const session = new TerminalSession(bed.simulation);
    const changed = await session.run(
      `kubectl -n kube-system exec ${agent?.podName ?? ''} -- cilium-dbg config PolicyAuditMode=true`,
    );
    expect(changed).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const listing = await session.run(
      `kubectl -n kube-system exec ${agent?.podName ?? ''} -- cilium-dbg config`,
    );
    expect(pairs(listing.stdout)).toContain('PolicyAuditMode: Enabled');
    const after = connectFrom(bed.simulation, { fromPodKey: bed.clientKey, host: bed.serverIP, port: 80 });
    expect(after.kind).toBe('response');
    expect(agent?.daemonOptions).toEqual({ PolicyAuditMode: 1 });
    const others = Object.values(bed.simulation.state.cluster?.cilium?.agents ?? {}).filter(
      (other) => other.node !== bed.serverNode,
    );
    for (const other of others) expect(other.daemonOptions).toBeUndefined();
  });
});
