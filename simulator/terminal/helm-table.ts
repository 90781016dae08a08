/** gosuri/uitable as Helm prints tables: every cell padded to its column's width, joined by tabs. */
export function uitable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return `${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('\t')).join('\n')}\n`;
}
