import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the one command of the policy language's layer-4 page (reference/policy-language/layer-4,
// the docs' TLS SNI example) gives the docs' result from a pod the l4_sni.yaml policy selects: a connection to
// cilium.io is reset during the TLS handshake, because only one.one.one.one is an allowed server
// name. The reader's pod also needs DNS, which the docs' example assumes; the page's placeholder
// `<my-service-pod>` is that pod.

const examples = 'https://raw.githubusercontent.com/cilium/cilium/1.18.5/examples';

const allowDns = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: allow-dns
spec:
  endpointSelector:
    matchLabels:
      app: myService
  egress:
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s:k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
`;

const myService = `apiVersion: v1
kind: Pod
metadata:
  name: my-service
  labels:
    app: myService
spec:
  containers:
  - name: client
    image: docker.io/curlimages/curl
    command: ["sleep", "3650d"]
`;

describe('reference: the policy language, layer 4, verbatim', () => {
  it('resets a TLS connection whose server name the serverNames rule does not list', async () => {
    const page = await walkthrough('policy-language/layer-4');
    const main = page.window('main');
    await main.run(`kubectl apply -f - <<'EOF'\n${myService}EOF`);
    await main.run(`kubectl create -f ${examples}/policies/l4/l4_sni.yaml`);
    await main.run(`kubectl apply -f - <<'EOF'\n${allowDns}EOF`);
    page.waits(30_000);
    const refused = await page.next('curl -v https://cilium.io', 'main', {
      '<my-service-pod>': 'my-service',
    });
    expect(refused.exitCode).toBe(35);
    expect(refused.stderr).toContain('* Recv failure: Connection reset by peer\n');
    const allowed = await main.run(
      'kubectl exec my-service -- curl -s -o /dev/null -w "%{http_code}" https://one.one.one.one',
    );
    expect(allowed.stdout).toBe('200');
    page.finish();
  }, 120_000);
});
