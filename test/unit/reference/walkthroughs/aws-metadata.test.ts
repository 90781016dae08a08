import { describe, expect, it } from 'vitest';
import { codeBlocks, referencePages } from '../pages';
import { walkthrough } from '../walkthrough';
import { referenceAws } from '../../../../simulator/scenarios/reference';

// Goal: the AWS metadata walkthrough (reference/aws-metadata, after the docs' security/aws) runs
// block by block on the page lab's cluster — kind with Cilium 1.18.5's chart, the operator swapped
// for its AWS build with the Secret's keys in its environment, as the chart runs it in ENI mode —
// and gives what Cilium 1.18 gives there: the test pod lists the simulated account's instance with
// the Secret's credentials; the docs' `kubectl delete pod` names no namespace and finds nothing, so
// the operator restarts by label; the derivative `<name>-groups-<uid>` holds the group's private
// and public addresses, the xwing is enforced on egress, and the derivative follows an instance
// launched into the group and then terminated, at the operator's 5-minute rounds.

const page = referencePages().find((candidate) => candidate.slug === 'aws-metadata');
const yamlBlocks = codeBlocks(page?.source ?? '').filter((block) => block.lang === 'yaml');
/** A YAML block of the page by its title (the file name the page gives it). */
const titled = (title: string): string =>
  yamlBlocks.find((block) => block.meta.includes(`title="${title}"`))?.text ?? '';
/** The page's Secret with its empty strings filled in, as the reader does. */
const secretYaml = (yamlBlocks[0]?.text ?? '')
  .replace('AWS_ACCESS_KEY_ID: ""', 'AWS_ACCESS_KEY_ID: "QUtJQUlPU0ZPRE5ON0VYQU1QTEU="')
  .replace('AWS_SECRET_ACCESS_KEY: ""', 'AWS_SECRET_ACCESS_KEY: "c2VjcmV0"')
  .replace('AWS_DEFAULT_REGION: ""', 'AWS_DEFAULT_REGION: "ZXUtd2VzdC0x"');

/** The addresses the block's last command printed (its last line). */
const cidrsOf = (text: string): string[] => (text.trim().split('\n').at(-1) ?? '').split(' ');

describe('reference: the AWS metadata walkthrough, verbatim', () => {
  it("lists the account, derives the group's addresses, and follows its instances", async () => {
    const walk = await walkthrough('aws-metadata');
    const main = walk.window('main');
    // The lab's operator (its file in the lab's home) and the files the page asks the reader to write.
    const files = {
      ...referenceAws.files,
      'cilium-secret.yaml': secretYaml,
      'testing-aws-pod.yaml': titled('testing-aws-pod.yaml'),
      'to-groups-sample.yaml': titled('to-groups-sample.yaml'),
    };
    for (const [name, text] of Object.entries(files)) await main.run(`cat > ${name} <<'EOF'\n${text}EOF`);
    expect((await main.run('kubectl apply -f cilium-operator-aws.yaml')).exitCode).toBe(0);
    walk.waits(30_000);

    expect((await walk.next('base64')).stdout).toBe('ZXUtd2VzdC0x\n');
    expect((await walk.next('kubectl create -f cilium-secret.yaml')).stdout).toBe(
      'secret/cilium-aws created\n',
    );
    expect((await walk.next('testing-aws-pod.yaml')).stdout).toBe('pod/testing-aws-pod created\n');
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
    // The docs' command names no namespace: in `default` there is no operator pod to delete. The
    // page's button deletes the operator's pods by label in kube-system instead.
    expect((await walk.next('kubectl delete pod cilium-operator')).stderr).toBe(
      'Error from server (NotFound): pods "cilium-operator-7c9d69f7c-97vqx" not found\n',
    );
    expect((await main.run('kubectl -n kube-system delete pod -l name=cilium-operator')).exitCode).toBe(0);
    walk.waits(30_000);
    expect((await walk.next('k8s-app=kube-dns')).stdout).toMatch(
      /^NAME +READY +UP-TO-DATE +AVAILABLE +AGE\ncoredns +2\/2 +2 +2 /,
    );
    expect((await walk.next('http-sw-app.yaml')).stdout).toContain('pod/xwing created\n');
    walk.waits(30_000);
    expect((await walk.next('kubectl get pods,svc')).stdout).toMatch(/^pod\/xwing +1\/1 +Running/m);

    expect((await walk.next('to-groups-sample.yaml')).stdout).toBe(
      'ciliumnetworkpolicy.cilium.io/to-groups-sample created\n',
    );
    walk.waits(5000);
    const uid = (await main.run("kubectl get cnp to-groups-sample -o jsonpath='{.metadata.uid}'")).stdout;
    const listed = await walk.next('kubectl get cnp');
    expect(listed.stdout).toMatch(
      new RegExp(
        `^NAME +AGE +VALID\nto-groups-sample +\\S+ +True\nto-groups-sample-groups-${uid} +\\S+ +True\n$`,
      ),
    );
    // The docs' name is their older operator's (`-togroups-`) with their policy's uid.
    expect((await walk.next('to-groups-sample-togroups-')).stderr).toBe(
      'Error from server (NotFound): ciliumnetworkpolicies.cilium.io "to-groups-sample-togroups-044ba7d1-f491-11e8-ad2e-080027d2d952" not found\n',
    );
    const derivative = await main.run('kubectl get cnp -l io.cilium.network.policy.kind=derivative -o yaml');
    expect(derivative.stdout).toContain(`    name: to-groups-sample-groups-${uid}\n`);
    expect(derivative.stdout).toContain('      - cidr: 34.254.113.42/32\n      - cidr: 172.31.44.160/32\n');

    const xwing = (await main.run("kubectl get cep xwing -o jsonpath='{.status.id}'")).stdout;
    expect((await walk.next('policy-enabled', 'main', { '23453': xwing })).stdout).toBe('egress\n');

    const launched = JSON.parse((await walk.next('aws ec2 run-instances')).stdout) as {
      Instances: { InstanceId: string; PrivateIpAddress: string; PublicIpAddress: string }[];
    };
    expect(launched.Instances[0]).toMatchObject({
      InstanceId: 'i-d6a2d76b51b275202',
      PrivateIpAddress: '172.31.32.5',
      PublicIpAddress: '34.254.114.5',
    });
    expect(cidrsOf((await walk.next('sleep 300')).stdout)).toEqual([
      '34.254.113.42/32',
      '34.254.114.5/32',
      '172.31.32.5/32',
      '172.31.44.160/32',
    ]);
    expect(cidrsOf((await walk.next('terminate-instances')).stdout)).toEqual([
      '34.254.113.42/32',
      '172.31.44.160/32',
    ]);
    walk.finish();
  }, 120_000);
});
