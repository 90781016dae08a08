// Goal: an agent's log lines look as each release prints them — logrus's sorted, timestamp-free
// text up to 1.17, slog's text with an RFC 3339 time and lower-case levels from 1.18.
import { describe, expect, it } from 'vitest';
import { agentLogLine } from '../../../simulator/cilium/agent-log';
import { resolveCiliumConfig } from '../../../simulator/cilium/config';

const refusal = {
  atMs: 5_250,
  level: 'warning' as const,
  msg: 'Unable to add CiliumNetworkPolicy',
  fields: [
    ['ciliumNetworkPolicyName', 'web'],
    ['k8sApiVersion', 'cilium.io/v2'],
    ['k8sNamespace', ''],
    ['error', 'Invalid CiliumNetworkPolicy spec: parsing "70000": value out of range'],
  ] as [string, string][],
};

describe('agent log lines per release', () => {
  it.each([
    {
      name: '1.12: logrus, fields sorted by key, an empty value left bare',
      version: '1.12.0',
      subsys: [['subsys', 'k8s-watcher']] as [string, string][],
      line: 'level=warning msg="Unable to add CiliumNetworkPolicy" ciliumNetworkPolicyName=web error="Invalid CiliumNetworkPolicy spec: parsing \\"70000\\": value out of range" k8sApiVersion=cilium.io/v2 k8sNamespace= subsys=k8s-watcher',
    },
    {
      name: '1.18: slog, time first, `warn`, attributes in the order added, an empty value quoted',
      version: '1.18.5',
      subsys: [['module', 'agent.controlplane.policy-k8s-watcher']] as [string, string][],
      line: /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:05\.25Z level=warn msg="Unable to add CiliumNetworkPolicy" module=agent\.controlplane\.policy-k8s-watcher ciliumNetworkPolicyName=web k8sApiVersion=cilium\.io\/v2 k8sNamespace="" error="Invalid CiliumNetworkPolicy spec: parsing \\"70000\\": value out of range"$/,
    },
  ])('$name', ({ version, subsys, line }) => {
    const config = resolveCiliumConfig({ version, values: {} }).config;
    if (config === undefined) throw new Error(`no config for ${version}`);
    const printed = agentLogLine(config, { ...refusal, fields: [...subsys, ...refusal.fields] });
    if (typeof line === 'string') expect(printed).toBe(line);
    else expect(printed).toMatch(line);
  });
});
