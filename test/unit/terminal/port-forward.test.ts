// Goal: everyday port forwarding off the guides' path. `kubectl port-forward` to a Service, a
// Deployment or a pod opens a port on the reader's machine that leads into the pod over its
// loopback (so no network policy applies to it, as on a real cluster), `curl localhost:PORT` uses it,
// and the forward ends with its job or its pod. Inside a pod, `curl localhost` reaches the pod's
// own servers without the datapath.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../simulator/simulation';
import { TerminalSession } from '../../../simulator/terminal/session';
import { clusterWithCilium } from '../simulator/support';
import { kindCluster, starWarsDemo } from './kubectl-support';

async function demo(simulation: Simulation): Promise<TerminalSession> {
  const session = new TerminalSession(simulation, { 'http-sw-app.yaml': starWarsDemo });
  for (const line of [
    'kubectl create -f http-sw-app.yaml',
    'kubectl wait --for=condition=Ready pod --all --timeout=120s',
  ])
    expect((await session.run(line)).exitCode, line).toBe(0);
  return session;
}

/** The Star Wars demo on kind's own CNI. */
function kindDemo(): Promise<TerminalSession> {
  return demo(kindCluster(3));
}

describe('kubectl port-forward', () => {
  it('forwards a Service port to its pod until the job is killed', async () => {
    const session = await kindDemo();
    expect(await session.run('curl -sS localhost:8080/v1/')).toMatchObject({
      stderr: "curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server\n",
      exitCode: 7,
    });
    // bash's `[1] PID` comes first on the screen (stderr's lead), then what the job prints.
    const started = await session.run('kubectl port-forward svc/deathstar 8080:80 &');
    expect(started.stderr).toMatch(/^\[1\] \d+\n$/);
    expect(started.stderrLead).toBe(started.stderr.length);
    expect(started.stdout).toBe('Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n');
    expect((await session.run('curl -s -XPOST localhost:8080/v1/request-landing')).stdout).toBe(
      'Ship landed\nHandling connection for 8080\n',
    );
    expect((await session.run('curl -s -XPOST http://127.0.0.1:8080/v1/request-landing')).stdout).toBe(
      'Ship landed\nHandling connection for 8080\n',
    );
    await session.run('kill %1');
    expect((await session.run('curl -s localhost:8080/v1/')).exitCode).toBe(7);
  });

  it("takes kubectl's port forms and refuses what kubectl refuses", async () => {
    const session = await kindDemo();
    expect(await session.run('kubectl port-forward svc/deathstar 9999:81')).toMatchObject({
      stderr: 'error: Service deathstar does not have a service port 81\n',
      exitCode: 1,
    });
    expect(await session.run('kubectl port-forward deploy/deathstar')).toMatchObject({
      stderr:
        "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n",
      exitCode: 1,
    });
    expect((await session.run('kubectl port-forward pod/nope 80')).stderr).toBe(
      'Error from server (NotFound): pods "nope" not found\n',
    );
    // A Deployment's pod, the same port on both sides.
    expect((await session.run('kubectl port-forward deploy/deathstar 80 &')).stdout).toBe(
      'Forwarding from 127.0.0.1:80 -> 80\nForwarding from [::1]:80 -> 80\n',
    );
    const taken = await session.run('kubectl port-forward svc/deathstar 80:80');
    expect(taken.exitCode).toBe(1);
    expect(taken.stderr).toMatch(
      /bind: address already in use\]\nerror: unable to listen on any of the requested ports: \[\{80 80\}\]\n$/,
    );
    // `:80`: a free local port, the same on every run.
    const any = await session.run('kubectl port-forward svc/deathstar :80 &');
    const announced = /^Forwarding from 127\.0\.0\.1:(\d+) -> 80\n/.exec(any.stdout);
    expect(Number(announced?.[1])).toBeGreaterThanOrEqual(32_768);
  });

  it('ends, with an exit status, when its pod goes away', async () => {
    const session = await kindDemo();
    await session.run('kubectl port-forward pod/tiefighter 8080:80 &');
    const deleted = await session.run('kubectl delete pod tiefighter');
    expect(deleted.stderr).toBe(
      'error: lost connection to pod\n[1]+  Exit 1                  kubectl port-forward pod/tiefighter 8080:80\n',
    );
    expect((await session.run('curl -s localhost:8080')).exitCode).toBe(7);
  });

  it('reaches the pod over its loopback: a policy that drops the reader does not apply', async () => {
    const session = await demo(clusterWithCilium(5, 2, '1.18.5', { 'encryption.enabled': 'false' }));
    const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny-all-ingress-to-deathstar
spec:
  endpointSelector:
    matchLabels:
      class: deathstar
  ingress:
  - {}
  ingressDeny:
  - fromEntities:
    - all
`;
    expect((await session.run(`cat <<'EOF' | kubectl apply -f -\n${policy}EOF`)).exitCode).toBe(0);
    const blocked = await session.run(
      'kubectl exec xwing -- curl -s --max-time 2 -XPOST deathstar.default.svc.cluster.local/v1/request-landing',
    );
    expect(blocked.exitCode).toBe(28);
    await session.run('kubectl port-forward svc/deathstar 8080:80 &');
    expect((await session.run('curl -s -XPOST localhost:8080/v1/request-landing')).stdout).toBe(
      'Ship landed\nHandling connection for 8080\n',
    );
  });
});

describe('curl to localhost inside a pod', () => {
  it("answers from the pod's own server, or refuses a port nothing listens on", async () => {
    const session = await kindDemo();
    const pod = (
      await session.run("kubectl get pod -l class=deathstar -o jsonpath='{.items[0].metadata.name}'")
    ).stdout;
    expect(
      (await session.run(`kubectl exec ${pod} -- curl -s -XPOST localhost/v1/request-landing`)).stdout,
    ).toBe('Ship landed\n');
    expect(await session.run(`kubectl exec ${pod} -- curl -sS 127.0.0.1:81`)).toMatchObject({
      stderr:
        "curl: (7) Failed to connect to 127.0.0.1 port 81 after 0 ms: Couldn't connect to server\ncommand terminated with exit code 7\n",
      exitCode: 7,
    });
  });
});
