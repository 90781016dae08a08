/**
 * The table the API server returns for a custom resource: NAME, then each of the CRD's
 * additionalPrinterColumns, read with its simple JSONPath (kubernetes
 * staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor). A string
 * column prints a string as it is and a list or map as JSON (`["reviews"]`); a date column prints
 * as an age; a missing value leaves the cell empty, as kubectl prints a nil cell.
 */
import { formatAge, virtualEpochMs } from '../engine/virtual-time';
import type { ApiObject } from '../k8s/objects';
import type { PrinterColumn } from '../mesh/crds';

function valueAt(object: ApiObject, jsonPath: string): unknown {
  let current: unknown = object;
  for (const key of jsonPath.replace(/^\./, '').split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function cell(value: unknown, column: PrinterColumn, nowMs: number): string {
  if (value === undefined || value === null) return '';
  if (column.type === 'date' && typeof value === 'string') {
    const created = Date.parse(value);
    return Number.isNaN(created) ? '' : formatAge(nowMs - (created - virtualEpochMs));
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The header and cells of one custom resource's row. */
export function printerColumnCells(
  object: ApiObject,
  columns: readonly PrinterColumn[],
  nowMs: number,
): { header: string[]; cells: string[] } {
  // A CRD without columns gets the API server's default: the name and its age.
  const effective: readonly PrinterColumn[] =
    columns.length === 0 ? [{ name: 'Age', jsonPath: '.metadata.creationTimestamp', type: 'date' }] : columns;
  return {
    header: ['NAME', ...effective.map((column) => column.name.toUpperCase())],
    cells: [
      object.metadata.name,
      ...effective.map((column) => cell(valueAt(object, column.jsonPath), column, nowMs)),
    ],
  };
}
