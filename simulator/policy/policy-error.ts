/**
 * The one error type the policy engine reports. Whatever goes wrong with user input (YAML syntax,
 * schema, semantics), the caller gets a PolicyError saying where, why, and who in a real cluster
 * would have refused it.
 */

/** Who refuses the object in a real cluster: the API server (CRD schema, strict decoding) or only the agent. */
export type PolicyErrorStage = 'apiserver' | 'agent';

/** A refused document or field, located in the source text (1-based line and column). */
export interface PolicyError {
  readonly documentIndex: number;
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly stage: PolicyErrorStage;
  /**
   * For agent errors: the message is the whole error CiliumNetworkPolicy.Parse returns (an empty
   * policy, a nodeSelector in a namespaced policy) rather than a rule's sanitize error.
   */
  readonly complete?: boolean;
}

/** A location inside one YAML document, carried by every node of the source tree. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Appends a field or index to a dotted path the way the API server prints it (`spec.ingress[0].toPorts`). */
export function joinPath(base: string, segment: string | number): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  return base === '' ? segment : `${base}.${segment}`;
}
