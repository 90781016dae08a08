/**
 * Reads label selectors (endpointSelector, fromEndpoints, podSelector, ...). The API server validates
 * Kubernetes selectors itself (ValidateLabelSelector). For the Cilium CRDs the schema has an enum on
 * `operator` (every release modelled), so a wrong operator fails `kubectl apply` too; the values
 * rules are only checked by the agent, whose EndpointSelector sanitize runs the same Kubernetes
 * validation on the selector alone and reports `invalid label selector: <field>: <message>`.
 */
import { readObject, type ValidationContext } from './field-reader';
import type { LabelSelector, SelectorOperator, SelectorRequirement } from './model';
import { forbiddenKeys, type SourceNode } from './source-tree';
import { joinPath } from './policy-error';

const operators: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** The pattern Kubernetes (and the CRDs) require of label values. */
const labelValuePattern = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
const labelValue = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** The agent validates a selector on its own, so its paths start at `matchExpressions[i]`. */
function selectorRelativePath(itemPath: string): string {
  return itemPath.slice(itemPath.lastIndexOf('matchExpressions['));
}

/** Reads one selector; `strictOperators` makes operator/value mistakes API-server errors (Kubernetes kinds). */
export function readSelector(
  context: ValidationContext,
  node: SourceNode,
  path: string,
  strictOperators: boolean,
): LabelSelector | undefined {
  const reader = readObject(context, node, path, ['matchLabels', 'matchExpressions']);
  if (!reader) return undefined;
  const matchLabels = (reader.stringMap('matchLabels') ?? []).filter(([key]) => !forbiddenKeys.has(key));
  for (const [key, value] of matchLabels) {
    const valuePath = joinPath(joinPath(path, 'matchLabels'), key);
    const labelsNode = reader.node('matchLabels');
    const position =
      (labelsNode?.type === 'map' ? labelsNode.entries.get(key)?.value.position : undefined) ??
      reader.keyPosition('matchLabels');
    if (value.length > 63) {
      context.invalid(valuePath, position, `Too long: may not be more than 63 bytes`);
    } else if (!labelValue.test(value)) {
      context.invalid(
        valuePath,
        position,
        strictOperators
          ? `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`
          : `Invalid value: "${value}": ${valuePath} in body should match '${labelValuePattern}'`,
      );
    }
  }
  const matchExpressions =
    reader.list('matchExpressions', (item, itemPath): SelectorRequirement | undefined => {
      const expression = readObject(context, item, itemPath, ['key', 'operator', 'values']);
      if (!expression) return undefined;
      const key = expression.string('key');
      const operator = expression.string('operator');
      const values =
        expression.list('values', (valueNode, valuePath) => {
          if (valueNode.type === 'scalar' && typeof valueNode.value === 'string') return valueNode.value;
          context.invalid(
            valuePath,
            valueNode.position,
            `Invalid value: "${valueNode.type}": ${valuePath} in body must be of type string`,
          );
          return undefined;
        }) ?? [];
      if (!key) {
        context.invalid(joinPath(itemPath, 'key'), expression.position, 'Required value');
        return undefined;
      }
      if (!operator) {
        context.invalid(joinPath(itemPath, 'operator'), expression.position, 'Required value');
        return undefined;
      }
      if (!operators.includes(operator.value as SelectorOperator)) {
        // NetworkPolicy: apimachinery's ValidateLabelSelectorRequirement; CRDs: the schema's enum.
        const detail = strictOperators
          ? `Invalid value: "${operator.value}": not a valid selector operator`
          : `Unsupported value: "${operator.value}": supported values: "In", "NotIn", "Exists", "DoesNotExist"`;
        context.invalid(operator.path, operator.position, detail);
        return undefined;
      }
      const op = operator.value as SelectorOperator;
      const needsValues = op === 'In' || op === 'NotIn';
      if (needsValues && values.length === 0) {
        if (strictOperators) {
          context.invalid(
            joinPath(itemPath, 'values'),
            expression.position,
            "Required value: must be specified when `operator` is 'In' or 'NotIn'",
          );
        } else {
          context.agent(
            joinPath(itemPath, 'values'),
            expression.position,
            `invalid label selector: ${selectorRelativePath(itemPath)}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
          );
        }
        return undefined;
      }
      if (!needsValues && values.length > 0) {
        if (strictOperators) {
          context.invalid(
            joinPath(itemPath, 'values'),
            expression.position,
            "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          );
        } else {
          context.agent(
            joinPath(itemPath, 'values'),
            expression.position,
            `invalid label selector: ${selectorRelativePath(itemPath)}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
          );
        }
        return undefined;
      }
      return { key: key.value, operator: op, values };
    }) ?? [];
  return { matchLabels, matchExpressions };
}
