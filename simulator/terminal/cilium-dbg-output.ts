/**
 * `cilium-dbg … -o yaml` as pkg/command/output.go (cilium v1.18) prints it: gopkg.in/yaml.v3's
 * Marshal of the API model (its field order, 4-space steps that start a mapping inside a sequence
 * item two columns in, strings that need it double-quoted, no folding of long lines), written with
 * fmt.Println, so one empty line follows.
 */
import { stringify } from 'yaml';

export function ciliumDbgYaml(data: unknown): string {
  return `${stringify(data, { indent: 2, indentSeq: true, lineWidth: 0 })}\n`;
}
