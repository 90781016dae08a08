/**
 * What the cilium-agent image of a version contains. Up to 1.14 the agent's CLI is `cilium`; 1.15
 * renamed it `cilium-dbg` (cilium/cilium#28085) and keeps `cilium` as a compatibility symlink to it
 * (cilium-dbg/Makefile at v1.15.0, install-binary: `ln -frs … cilium-dbg … cilium`), so from 1.15
 * both names run the same CLI, which calls itself cilium-dbg. The cluster-wide cilium-cli is a
 * separate binary that no agent image contains.
 */

/** Whether the agent image of this minor version ships a program. */
export function agentImageHas(minor: number, program: string | undefined): boolean {
  if (program === 'cilium-dbg') return minor >= 15;
  return program === 'cilium' || program === 'hubble';
}

/** The CLI's own name (cobra's root command), which its usage and error texts print. */
export function agentCliName(minor: number): 'cilium' | 'cilium-dbg' {
  return minor >= 15 ? 'cilium-dbg' : 'cilium';
}
