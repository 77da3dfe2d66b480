import { javascript } from '@codemirror/lang-javascript';
import { type Diagnostic as EditorDiagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import type { Diagnostic } from './wire.js';

/** The model editor: OPL is TypeScript, highlighted as such; the server's diagnostics are drawn at their place. */
export function modelEditor(parent: HTMLElement, onChange: () => void): EditorView {
  return new EditorView({
    parent,
    extensions: [
      basicSetup,
      javascript({ typescript: true }),
      lintGutter(),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange();
      }),
    ],
  });
}

/** The UTF-16 offset of a 1-based line and code-point column, clamped to the document. */
function offsetOf(doc: Text, line: number, column: number): number {
  if (line > doc.lines) return doc.length;
  const at = doc.line(Math.max(1, line));
  let offset = 0;
  let points = 1;
  for (const char of at.text) {
    if (points >= column) break;
    offset += char.length;
    points++;
  }
  return at.from + offset;
}

export function showDiagnostics(view: EditorView, diagnostics: readonly Diagnostic[]): void {
  const doc = view.state.doc;
  const marks: EditorDiagnostic[] = diagnostics.map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    return { from, to: Math.max(from, offsetOf(doc, d.endLine, d.endColumn)), severity: d.severity, message: d.message };
  });
  view.dispatch(setDiagnostics(view.state, marks));
}

export const textOf = (view: EditorView) => view.state.doc.toString();

export function replaceText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
