// Goal: Istio's resources exist as resource types exactly when its base chart's CRDs do: before an
// install kubectl knows none of them, afterwards it lists them by plural, singular, short and
// group-qualified names with the printer columns of Istio 1.24's CRDs, describes them, and
// prints them as YAML with their kind and apiVersion.
import { describe, expect, it } from 'vitest';
import { istioCrds } from '../../../simulator/mesh/crds';
import { kindShell } from './kubectl-support';

const manifests = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
spec: {}
`;

describe('kubectl and Istio’s resources', () => {
  it('are unknown before Istio is installed', async () => {
    const session = kindShell({ 'istio.yaml': manifests });
    expect(await session.run('kubectl get virtualservices')).toEqual({
      stdout: '',
      stderr: 'error: the server doesn\'t have a resource type "virtualservices"\n',
      exitCode: 1,
    });
    const applied = await session.run('kubectl apply -f istio.yaml');
    expect(applied.exitCode).toBe(1);
    expect(applied.stderr).toContain(
      'error: resource mapping not found for name: "reviews" namespace: "" from "istio.yaml": no matches for kind "VirtualService" in version "networking.istio.io/v1"\nensure CRDs are installed first\n',
    );
  });

  const names = istioCrds.flatMap((crd) =>
    [crd.plural, crd.singular, ...crd.shortNames, `${crd.plural}.${crd.group}`].map((name) => ({
      name,
      kind: crd.kind,
    })),
  );
  it.each(names)('kubectl get $name: a resource type once Istio is installed', async ({ name }) => {
    const session = kindShell();
    await session.run('istioctl install --set profile=default -y');
    const result = await session.run(`kubectl get ${name} -A`);
    expect(result).toEqual({ stdout: '', stderr: 'No resources found\n', exitCode: 0 });
  });

  it('are listed with their CRDs’ printer columns, described, and printed with kind and apiVersion', async () => {
    const session = kindShell({ 'istio.yaml': manifests });
    await session.run('istioctl install --set profile=default -y');
    expect((await session.run('kubectl apply -f istio.yaml')).stdout).toBe(
      'virtualservice.networking.istio.io/reviews created\ndestinationrule.networking.istio.io/reviews created\npeerauthentication.security.istio.io/default created\nauthorizationpolicy.security.istio.io/allow-nothing created\n',
    );
    expect((await session.run('kubectl get vs')).stdout).toMatch(
      /^NAME {6}GATEWAYS {3}HOSTS {9}AGE\nreviews {14}\["reviews"\] {3}\d+s\n$/,
    );
    expect((await session.run('kubectl get dr')).stdout).toMatch(
      /^NAME {6}HOST {6}AGE\nreviews {3}reviews {3}\d+s\n$/,
    );
    expect((await session.run('kubectl get pa -n istio-system')).stdout).toMatch(
      /^NAME {6}MODE {5}AGE\ndefault {3}STRICT {3}\d+s\n$/,
    );
    expect((await session.run('kubectl get ap')).stdout).toMatch(
      /^NAME {12}ACTION {3}AGE\nallow-nothing {12}\d+s\n$/,
    );
    const described = await session.run('kubectl describe dr reviews');
    expect(described.stdout).toMatch(/^Name: {9}reviews\nNamespace: {4}default\n/);
    expect(described.stdout).toContain('Kind:         DestinationRule\n');
    expect(described.stdout).toMatch(/\nSpec:\n {2}Host: {2}reviews\n/);
    const yaml = await session.run('kubectl get virtualservice reviews -o yaml');
    expect(yaml.stdout).toMatch(/^apiVersion: networking\.istio\.io\/v1\n/);
    expect(yaml.stdout).toContain('\nkind: VirtualService\n');
  });
});
