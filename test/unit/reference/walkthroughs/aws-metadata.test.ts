import { describe, expect, it } from 'vitest';
import { codeBlocks, referencePages } from '../pages';
import { walkthrough } from '../walkthrough';

// Goal: the AWS metadata walkthrough (reference/aws-metadata, after the docs' security/aws) runs
// block by block on the lab's kind cluster, with the files and objects the page asks the reader
// to create (the Secret file, the AWS CLI pod, the toGroups policy), and gives what Cilium 1.18
// gives there: the test pod lists the simulated account's instance with the Secret's credentials;
// the docs' `kubectl delete pod` names no namespace and finds nothing; the chart's operator-generic
// has no AWS provider, so no derivative appears and the parent's status says why; the xwing is
// enforced on egress all the same.

const page = referencePages().find((candidate) => candidate.slug === 'aws-metadata');
const yamlBlocks = codeBlocks(page?.source ?? '').filter((block) => block.lang === 'yaml');
/** The page's YAML blocks the reader applies: the Secret (with values filled in), the pod, the policy. */
const secretYaml = (yamlBlocks[0]?.text ?? '')
  .replace('AWS_ACCESS_KEY_ID: ""', 'AWS_ACCESS_KEY_ID: "QUtJQUlPU0ZPRE5ON0VYQU1QTEU="')
  .replace('AWS_SECRET_ACCESS_KEY: ""', 'AWS_SECRET_ACCESS_KEY: "c2VjcmV0"')
  .replace('AWS_DEFAULT_REGION: ""', 'AWS_DEFAULT_REGION: "ZXUtd2VzdC0x"');
const podYaml = yamlBlocks.find((block) => block.text.includes('testing-aws-pod'))?.text ?? '';
const policyYaml = yamlBlocks.find((block) => block.text.includes('toGroups'))?.text ?? '';

describe('reference: the AWS metadata walkthrough, verbatim', () => {
  it('lists the account with the Secret, and shows why the generic operator derives nothing', async () => {
    const walk = await walkthrough('aws-metadata');
    const main = walk.window('main');
    expect((await walk.next('base64')).stdout).toBe('ZXUtd2VzdC0x\n');
    await main.run(`cat > cilium-secret.yaml <<'EOF'\n${secretYaml}EOF`);
    expect((await walk.next('kubectl create -f cilium-secret.yaml')).stdout).toBe(
      'secret/cilium-aws created\n',
    );
    expect((await main.run(`kubectl create -f - <<'EOF'\n${podYaml}EOF`)).stdout).toBe(
      'pod/testing-aws-pod created\n',
    );
    walk.waits(20_000);
    const instances = JSON.parse((await walk.next('aws ec2 describe-instances')).stdout) as {
      Reservations: { Instances: { PrivateIpAddress: string; PublicIpAddress: string }[] }[];
    };
    expect(instances.Reservations[0]?.Instances[0]).toMatchObject({
      PrivateIpAddress: '172.31.44.160',
      PublicIpAddress: '34.254.113.42',
    });
    expect((await walk.next('-l name=cilium-operator')).stdout).toMatch(
      /^cilium-operator-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running/m,
    );
    // The chart's second replica stays Pending on one node (its anti-affinity). The docs' command
    // names no namespace: in `default` there is no operator pod to delete.
    expect((await walk.next('kubectl delete pod cilium-operator')).stderr).toBe(
      'Error from server (NotFound): pods "cilium-operator-7c9d69f7c-97vqx" not found\n',
    );
    expect((await walk.next('k8s-app=kube-dns')).stdout).toMatch(
      /^NAME +READY +UP-TO-DATE +AVAILABLE +AGE\ncoredns +2\/2 +2 +2 /,
    );
    expect((await walk.next('http-sw-app.yaml')).stdout).toContain('pod/xwing created\n');
    walk.waits(30_000);
    expect((await walk.next('kubectl get pods,svc')).stdout).toMatch(/^pod\/xwing +1\/1 +Running/m);

    expect((await main.run(`kubectl apply -f - <<'EOF'\n${policyYaml}EOF`)).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/to-groups-sample created\n',
    );
    walk.waits(5000);
    expect((await walk.next('kubectl get cnp')).stdout).toMatch(
      /^NAME +AGE +VALID\nto-groups-sample +\S+ +True\n$/,
    );
    expect((await walk.next('to-groups-sample-togroups-')).stderr).toBe(
      'Error from server (NotFound): ciliumnetworkpolicies.cilium.io "to-groups-sample-togroups-044ba7d1-f491-11e8-ad2e-080027d2d952" not found\n',
    );
    const uid = (await main.run("kubectl get cnp to-groups-sample -o jsonpath='{.metadata.uid}'")).stdout;
    const parent = JSON.parse((await main.run('kubectl get cnp to-groups-sample -o json')).stdout) as {
      status: { derivativePolicies: Record<string, { error?: string }> };
    };
    expect(parent.status.derivativePolicies[`to-groups-sample-groups-${uid}`]?.error).toBe(
      'Provider aws is not registered',
    );

    const xwing = (await main.run("kubectl get cep xwing -o jsonpath='{.status.id}'")).stdout;
    const enforced = await walk.next('policy-enabled', 'main', { '23453': xwing });
    expect(enforced.stdout).toBe('egress\n');
    walk.finish();
  }, 120_000);
});
