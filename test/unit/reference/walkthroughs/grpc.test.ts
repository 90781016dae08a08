import { describe, expect, it } from 'vitest';
import { walkthrough } from '../walkthrough';

// Goal: the Cloud City walkthrough (reference/grpc, after the docs' security/grpc) runs block by
// block as the page writes it: the public terminal's Python client reads door names and locations
// and sets an access code while nothing is enforced; once the docs' L7 policy lists the allowed
// methods as HTTP rules on the gRPC paths, GetLocation still works and SetAccessCode ends in
// grpcio's PERMISSION_DENIED traceback with Envoy's `Access denied`.

const location = 'Door location is lat = 10.222200393676758 long = 68.87879943847656\n';

describe('reference: the Cloud City gRPC walkthrough, verbatim', () => {
  it('calls the door manager, then refuses SetAccessCode at L7', async () => {
    const page = await walkthrough('grpc');
    // kind runs its DNS as the coredns Deployment; the docs' kube-dns check finds no such Deployment.
    const dns = await page.next('kubectl get deployment kube-dns -n kube-system');
    expect(dns.stderr).toBe('Error from server (NotFound): deployments.apps "kube-dns" not found\n');
    const coredns = await page.window('main').run('kubectl get deployment coredns -n kube-system');
    expect(coredns.stdout).toMatch(/^coredns +2\/2 +2 +2 /m);

    const created = await page.next('cc-door-app.yaml');
    expect(created.stdout).toBe(
      'deployment.apps/cc-door-mgr created\nservice/cc-door-server created\npod/terminal-87 created\n',
    );
    page.waits(30_000);
    const listed = await page.next('kubectl get pods,svc');
    expect(listed.stdout).toMatch(/^pod\/cc-door-mgr-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running/m);
    expect(listed.stdout).toMatch(/^pod\/terminal-87 +1\/1 +Running/m);
    expect(listed.stdout).toMatch(/^service\/cc-door-server +ClusterIP +\S+ +<none> +50051\/TCP/m);

    expect(await page.next('GetName 1')).toMatchObject({
      stdout: 'Door name is: Spaceport Door #1\n',
      exitCode: 0,
    });
    expect(await page.next('GetLocation 1')).toMatchObject({ stdout: location, exitCode: 0 });
    expect(await page.next('SetAccessCode 1 999')).toMatchObject({
      stdout: 'Successfully set AccessCode to 999\n',
      exitCode: 0,
    });

    const policy = await page.next('cc-door-ingress-security.yaml');
    expect(policy.stdout).toBe('ciliumnetworkpolicy.cilium.io/rule1 created\n');
    page.waits(5000);
    expect(await page.next('GetLocation 1')).toMatchObject({ stdout: location, exitCode: 0 });
    const denied = await page.next('SetAccessCode 1 999');
    expect(denied.stdout).toBe('');
    expect(denied.stderr).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "\/cloudcity\/cc_door_client\.py", line 71, in <module>\n {4}run\(\)\n {2}File "\/cloudcity\/cc_door_client\.py", line 52, in run\n/,
    );
    expect(denied.stderr).toContain('\tstatus = StatusCode.PERMISSION_DENIED\n\tdetails = "Access denied"\n');
    expect(denied.stderr).toContain('"grpc_message":"Access denied\\r\\n","grpc_status":7');
    expect(denied.stderr).toMatch(/command terminated with exit code 1\n$/);

    const cleaned = await page.next('kubectl delete -f');
    expect(cleaned.stdout).toBe(
      'deployment.apps "cc-door-mgr" deleted\nservice "cc-door-server" deleted\npod "terminal-87" deleted\nciliumnetworkpolicy.cilium.io "rule1" deleted\n',
    );
    page.finish();
  }, 120_000);
});
