// Goal: the kinds this model added have kubectl's own describers (ConfigMap, ServiceAccount, the
// four RBAC kinds), and every object the API server stores, whatever wrote it, prints with its
// apiVersion and kind, as `kubectl get -o yaml|json` always shows them.
import { describe, expect, it } from 'vitest';
import { listObjects } from '../../../simulator/k8s/api-store';
import type { ApiKind } from '../../../simulator/k8s/objects';
import { ciliumShell, kindShell, starWarsDemo } from './kubectl-support';

describe('kubectl describe: ConfigMaps, ServiceAccounts and RBAC', () => {
  const cases = [
    {
      name: 'a ConfigMap, its keys with their values',
      setup: 'kubectl create configmap settings --from-literal=mode=fast --from-literal=level=3',
      command: 'kubectl describe configmap settings',
      expected:
        'Name:         settings\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nData\n====\nlevel:\n----\n3\n\nmode:\n----\nfast\n\n\nBinaryData\n====\n\nEvents:  <none>\n',
    },
    {
      name: 'a ServiceAccount, with no token Secrets',
      setup: 'kubectl create serviceaccount robot',
      command: 'kubectl describe sa robot',
      expected:
        'Name:                robot\nNamespace:           default\nLabels:              <none>\nAnnotations:         <none>\nImage pull secrets:  <none>\nMountable secrets:   <none>\nTokens:              <none>\nEvents:              <none>\n',
    },
    {
      name: 'a Role, its rules compacted and sorted',
      setup:
        'kubectl create role reader --verb=get,list --resource=pods,deployments.apps --resource-name=web',
      command: 'kubectl describe role reader',
      expected:
        'Name:         reader\nLabels:       <none>\nAnnotations:  <none>\nPolicyRule:\n  Resources         Non-Resource URLs  Resource Names  Verbs\n  ---------         -----------------  --------------  -----\n  pods              []                 [web]           [get list]\n  deployments.apps  []                 [web]           [get list]\n',
    },
    {
      name: 'a RoleBinding, its role and subjects',
      setup:
        'kubectl create rolebinding viewers --clusterrole=view --user=jane --serviceaccount=default:robot',
      command: 'kubectl describe rolebinding viewers',
      expected:
        'Name:         viewers\nLabels:       <none>\nAnnotations:  <none>\nRole:\n  Kind:  ClusterRole\n  Name:  view\nSubjects:\n  Kind            Name   Namespace\n  ----            ----   ---------\n  User            jane   \n  ServiceAccount  robot  default\n',
    },
  ];
  it.each(cases)('kubectl describe: $name', async ({ setup, command, expected }) => {
    const session = kindShell();
    await session.run(setup);
    expect(await session.run(command)).toEqual({ stdout: expected, stderr: '', exitCode: 0 });
  });

  it('kubectl describe clusterrole view: the rules the aggregation controller gathered', async () => {
    const session = kindShell();
    const result = await session.run('kubectl describe clusterrole view');
    expect(result.stdout).toMatch(/^Name: {9}view\nLabels: {7}kubernetes\.io\/bootstrapping=rbac-defaults\n/);
    expect(result.stdout).toMatch(/\n {2}pods {2,}\[\] {2,}\[\] {2,}\[get list watch\]\n/);
  });
});

describe('kubectl get -o json: apiVersion and kind on everything stored', () => {
  it('every object of a cluster with Cilium, Istio and the Star Wars demo has both', async () => {
    const session = ciliumShell({ 'sw.yaml': starWarsDemo });
    await session.run('istioctl install --set profile=default -y; kubectl apply -f sw.yaml; sleep 30');
    const api = session.simulation.state.cluster!.api;
    const missing: string[] = [];
    for (const kind of Object.keys(api.objects) as ApiKind[])
      for (const object of listObjects(api, kind))
        if (typeof object.apiVersion !== 'string' || object.apiVersion === '' || object.kind !== kind)
          missing.push(`${kind} ${object.metadata.name}`);
    expect(missing).toEqual([]);
    const list = JSON.parse((await session.run('kubectl get pods,svc,cm -A -o json')).stdout) as {
      kind: string;
      items: { apiVersion?: string; kind?: string }[];
    };
    expect(list.kind).toBe('List');
    expect(list.items.length).toBeGreaterThan(5);
    expect(list.items.every((item) => item.apiVersion !== undefined && item.kind !== undefined)).toBe(true);
  });
});
