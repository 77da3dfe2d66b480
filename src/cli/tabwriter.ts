/**
 * Column alignment with exactly the bytes Keto's tables have: Go's text/tabwriter
 * configured as (minwidth 0, tabwidth 8, padding 1, padchar '\t'). Cells end with a tab;
 * a column is padded with tabs to the next multiple of 8 past its widest cell, and a
 * line without any tab ends the run of lines that share column widths.
 */

const TAB_WIDTH = 8;
const PADDING = 1;

type Line = string[];

const width = (text: string) => [...text].length;

export function alignColumns(text: string): string {
  const lines: Line[] = text.split('\n').map((l) => l.split('\t'));
  let out = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const isLast = i === lines.length - 1;
    if (isLast || lines[i]!.length === 1) {
      out += formatBlock(lines.slice(start, i + 1), isLast);
      start = i + 1;
    }
  }
  return out;
}

/** `endsOutput`: the block's last line is the text after the final newline (written without one). */
function formatBlock(lines: Line[], endsOutput: boolean): string {
  const widths: number[] = [];
  let out = '';

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      line.forEach((cell, j) => {
        out += cell;
        if (j < widths.length) out += padding(width(cell), widths[j]!);
      });
      if (!(endsOutput && i === lines.length - 1)) out += '\n';
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current]!.length - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let columnWidth = 0;
      for (; current < line1; current++) {
        const line = lines[current]!;
        if (column >= line.length - 1) break;
        columnWidth = Math.max(columnWidth, width(line[column]!) + PADDING);
      }
      widths.push(columnWidth);
      format(line0, current);
      widths.pop();
      // `current` is the first line past the block; it has no cell in this column, so stepping over it is safe.
      line0 = current;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}

function padding(textWidth: number, cellWidth: number): string {
  const rounded = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
  return '\t'.repeat(Math.ceil((rounded - textWidth) / TAB_WIDTH));
}
