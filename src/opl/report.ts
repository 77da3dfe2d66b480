import type { OplDiagnostic } from './compile.js';
import { PositionMap } from './source.js';

/** Longest message shown to people; Keto's lexer errors quote the whole rest of the input. */
const MAX_MESSAGE_LENGTH = 240;

const shorten = (message: string) =>
  message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;

/** A diagnostic placed as an editor shows it: 1-based line and column, with the line's text. */
export interface PlacedDiagnostic {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly lineText: string;
  /** Width of the underline on that line (at least 1). */
  readonly width: number;
}

export function placeDiagnostics(source: string, diagnostics: readonly OplDiagnostic[]): PlacedDiagnostic[] {
  if (diagnostics.length === 0) return [];
  const positions = new PositionMap(source);
  return diagnostics.map((d) => {
    const start = positions.editor(d.span.start);
    const end = positions.editor(d.span.end);
    const lineText = positions.lineText(start.line);
    const width = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, [...lineText].length - start.column + 1);
    return { message: shorten(d.message), line: start.line, column: start.column, lineText, width };
  });
}

/** `FILE:line:col: message`, the source line, and a caret under the column. */
export function formatPlaced(file: string, d: PlacedDiagnostic, label = ''): string {
  const prefix = [...d.lineText].slice(0, d.column - 1).map((c) => (c === '\t' ? '\t' : ' ')).join('');
  const underline = '^' + '~'.repeat(Math.max(0, Math.min(d.width, 200) - 1));
  return `${file}:${d.line}:${d.column}: ${label}${d.message}\n    ${d.lineText}\n    ${prefix}${underline}`;
}
