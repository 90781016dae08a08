/**
 * The table the API server returns for a custom resource, from its CRD's additionalPrinterColumns
 * (kubernetes v1.33.0, staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/
 * tableconvertor/tableconvertor.go, and customresource_handler.go's serveDefaultColumnsIfEmpty):
 * NAME always, then each column in the CRD's order, or AGE alone when the CRD declares none.
 * Each column's JSONPath keeps its first result only; a `string` column prints a string as it is
 * and a list or map as compact JSON (client-go jsonpath PrintResults), the other types keep a value
 * of their own type only, a `date` turns into an age, and a missing or mistyped value leaves the
 * cell empty. kubectl drops columns of priority above 0 unless asked for `-o wide`
 * (cli-runtime printers/tableprinter.go).
 */
import { formatAge, virtualEpochMs } from '../engine/virtual-time';
import type { ApiObject } from '../k8s/objects';
import type { PrinterColumn } from '../k8s/extension-points';
import { jsonPathValues } from './jsonpath';

/** The API server's columns for a CRD that declares none. */
const defaultColumns: readonly PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The first value a column's JSONPath finds, or undefined. */
function firstResult(object: ApiObject, jsonPath: string): unknown {
  const results = jsonPathValues(jsonPath, object);
  return Array.isArray(results) ? results[0] : undefined;
}

/** One cell, as the table convertor's cellForJSONValue and the string printer make it. */
function cell(value: unknown, column: PrinterColumn, nowMs: number): string {
  if (value === undefined || value === null) return '';
  switch (column.type) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' ? String(Math.trunc(value)) : '';
    case 'number':
      return typeof value === 'number' ? String(value) : '';
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : '';
    case 'date': {
      if (typeof value !== 'string') return '';
      const created = Date.parse(value);
      return Number.isNaN(created) ? '<invalid>' : formatAge(nowMs - (created - virtualEpochMs));
    }
  }
}

/** The header and cells of one custom resource's row (`wide` keeps the priority columns). */
export function printerColumnCells(
  object: ApiObject,
  columns: readonly PrinterColumn[],
  nowMs: number,
  wide = false,
): { header: string[]; cells: string[] } {
  const declared = columns.length === 0 ? defaultColumns : columns;
  const shown = declared.filter((column) => wide || (column.priority ?? 0) === 0);
  return {
    header: ['NAME', ...shown.map((column) => column.name.toUpperCase())],
    cells: [
      object.metadata.name,
      ...shown.map((column) => cell(firstResult(object, column.jsonPath), column, nowMs)),
    ],
  };
}
