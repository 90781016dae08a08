/**
 * The rows of the threat model page's lab table: for an attacker position of Cilium's threat model
 * (docs.cilium.io/en/v1.18/security/threat-model/), one threat played out in the page's lab, and the
 * control that stops it or the fact that Cilium does not. Each row is a lab state: the lab's steps
 * it needs (the Star Wars demo, then rule1 at L3/L4) and the command lines that show the threat and
 * the control. The page turns each into a link (`ThreatLabTable.astro`);
 * `test/unit/reference/threat-model-labs.test.ts` replays every row and checks what it shows.
 */

/** What the lab shows about a threat. */
export type ThreatVerdict = 'stopped' | 'recorded' | 'not stopped';

export interface ThreatLab {
  /** Stable id, used in the row's element id. */
  id: string;
  /** The attacker position, as the page's heading names it. */
  attacker: string;
  /** The `#anchor` of the attacker's section on the page. */
  anchor: string;
  /** The threat, in a few words. */
  threat: string;
  /** The control the lab shows. */
  control: string;
  verdict: ThreatVerdict;
  /** How many of the lab's steps the state needs. */
  steps: number;
  /** The command lines, in order, that show the threat and the control. */
  commands: readonly string[];
  /** What the last runs print, one pattern per command (undefined: not checked). */
  expect: readonly (RegExp | undefined)[];
}

/** The scenario the rows open states of (simulator/scenarios/reference). */
export const threatModelScenario = 'reference-threat-model';

const landing = 'curl -s --max-time 2 -XPOST deathstar.default.svc.cluster.local/v1/request-landing';

/** A pod in the host's network namespace without privileges: the limited-privilege host attacker. */
const hostNetworkPod = `kubectl apply -f - <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: deny-all-egress
spec:
  endpointSelector: {}
  egress:
  - {}
---
apiVersion: v1
kind: Pod
metadata:
  name: host-shell
spec:
  hostNetwork: true
  containers:
  - name: shell
    image: nicolaka/netshoot
    command: ["sleep", "infinity"]
EOF`;

export const threatLabs: readonly ThreatLab[] = [
  {
    id: 'workload-reach',
    attacker: 'Kubernetes workload',
    anchor: 'kubernetes-workload-attacker',
    threat: 'a compromised pod (the xwing) calls a service it has no business with',
    control: 'network policy: rule1 admits only org=empire',
    verdict: 'stopped',
    steps: 2,
    commands: [`kubectl exec xwing -- ${landing}`],
    expect: [/command terminated with exit code 28/],
  },
  {
    id: 'workload-unseen',
    attacker: 'Kubernetes workload',
    anchor: 'kubernetes-workload-attacker',
    threat: 'the attempt goes unnoticed',
    control: "Hubble's flow log records it, with the pod's identity",
    verdict: 'recorded',
    steps: 2,
    commands: [
      `kubectl exec xwing -- ${landing}`,
      'kubectl -n kube-system exec ds/cilium -- hubble observe --from-pod default/xwing --last 2',
    ],
    expect: [undefined, /default\/xwing:\d+ \(ID:\d+\) <> default\/deathstar-\S+ \(ID:\d+\) Policy denied DROPPED/],
  },
  {
    id: 'host-escapes-pod-policy',
    attacker: 'Limited-privilege host',
    anchor: 'limited-privilege-host-attacker',
    threat: "a hostNetwork pod's traffic escapes a policy that denies every pod's egress",
    control: 'none at the pod level; host policies (the host firewall) apply to it',
    verdict: 'not stopped',
    steps: 2,
    commands: [
      hostNetworkPod,
      'kubectl wait pod/host-shell --for=condition=Ready',
      'kubectl exec tiefighter -- curl -sI --max-time 3 https://api.github.com',
      'kubectl exec host-shell -- curl -sI --max-time 3 https://api.github.com | head -1',
    ],
    expect: [undefined, undefined, /command terminated with exit code/, /^HTTP\/2 200/],
  },
  {
    id: 'api-delete-policy',
    attacker: 'Kubernetes API server',
    anchor: 'kubernetes-api-server-attacker',
    threat: 'deleting a policy removes its enforcement',
    control: 'RBAC: a user without delete on ciliumnetworkpolicies is refused; an admin is not',
    verdict: 'not stopped',
    steps: 2,
    commands: [
      'kubectl --as=jane delete cnp rule1',
      'kubectl delete cnp rule1',
      `kubectl exec xwing -- ${landing}`,
    ],
    expect: [/Forbidden/, /deleted/, /^Ship landed/],
  },
  {
    id: 'api-relabel-identity',
    attacker: 'Kubernetes API server',
    anchor: 'kubernetes-api-server-attacker',
    threat: "relabelling a pod changes its security identity: the xwing becomes 'empire'",
    control: 'RBAC on pods: who may patch labels may choose identities',
    verdict: 'not stopped',
    steps: 2,
    commands: [
      'kubectl auth can-i patch pods --as=jane',
      'kubectl label pod xwing org=empire --overwrite',
      `sleep 5; kubectl exec xwing -- ${landing}`,
    ],
    expect: [/^no/, /labeled/, /^Ship landed/],
  },
  {
    id: 'api-exec-agent',
    attacker: 'Kubernetes API server → root-equivalent host',
    anchor: 'root-equivalent-host-attacker',
    threat: "exec into the agent switches off the deathstar's enforcement (audit mode)",
    control: 'RBAC on pods/exec in kube-system (restricting Cilium pod access)',
    verdict: 'not stopped',
    steps: 2,
    commands: [
      'kubectl auth can-i create pods/exec -n kube-system --as=jane',
      'DEATHSTAR=$(kubectl get cep -l class=deathstar -o jsonpath="{.items[0].status.id}")',
      'kubectl -n kube-system exec ds/cilium -- cilium-dbg endpoint config $DEATHSTAR PolicyAuditMode=Enabled',
      `kubectl exec xwing -- ${landing}`,
    ],
    expect: [/^no/, undefined, /configuration updated successfully/, /^Ship landed/],
  },
  {
    id: 'mitm-read-traffic',
    attacker: 'Man in the middle',
    anchor: 'man-in-the-middle-attacker',
    threat: 'traffic between nodes crosses the network in clear',
    control: 'transparent encryption, off in this cluster as in the default chart',
    verdict: 'not stopped',
    steps: 2,
    commands: ["kubectl -n kube-system exec ds/cilium -- cilium-dbg status | grep -i encryption"],
    expect: [/Encryption: +Disabled/],
  },
];
