/**
 * Go's text/tabwriter, which kubectl describe and the cilium CLI print through: cells end at a tab,
 * and consecutive lines that have a cell in the same column form a block whose cells are padded to
 * the widest one plus the padding. A line's last cell (the text after its last tab) is never
 * padded, and a line without tabs ends every block. Emulating the algorithm, rather than guessing
 * widths, is what makes `Events:  <none>` line up with `QoS Class:` as it does in a real terminal.
 */

/** Options of `tabwriter.NewWriter(out, minwidth, tabwidth, padding, ' ', 0)`. */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** Formats tab-separated text as Go's tabwriter does with a space pad character and no flags. */
export function tabwrite(text: string, options: TabwriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];
  const writeLines = (from: number, to: number): void => {
    for (let index = from; index < to; index++) {
      const cells = lines[index] ?? [];
      cells.forEach((cell, column) => {
        out.push(cell);
        const width = widths[column];
        if (width !== undefined) out.push(' '.repeat(Math.max(0, width - cell.length)));
      });
      if (index + 1 < lines.length) out.push('\n');
    }
  };
  const format = (from: number, to: number): void => {
    let start = from;
    const column = widths.length;
    for (let index = from; index < to; index++) {
      if (column >= (lines[index]?.length ?? 0) - 1) continue;
      // A block of lines with a cell in this column begins here.
      writeLines(start, index);
      start = index;
      let width = options.minWidth;
      for (; index < to; index++) {
        const cells = lines[index] ?? [];
        if (column >= cells.length - 1) break;
        width = Math.max(width, (cells[column] ?? '').length + options.padding);
      }
      widths.push(width);
      format(start, index);
      widths.pop();
      start = index;
    }
    writeLines(start, to);
  };
  format(0, lines.length);
  return out.join('');
}

/** kubectl describe's writer: `tabwriter.NewWriter(buf, 0, 8, 2, ' ', 0)`. */
export const describeTabs: TabwriterOptions = { minWidth: 0, padding: 2 };

/** The cilium CLI's usual writer: `tabwriter.NewWriter(os.Stdout, 5, 0, 3, ' ', 0)`. */
export const ciliumTabs: TabwriterOptions = { minWidth: 5, padding: 3 };
