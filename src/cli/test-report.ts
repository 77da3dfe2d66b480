/** The text report of `gatehouse test`: a line per scenario, and every failure with its expected and actual answer. */
import { formatSubject, parseTupleString } from '../api/tuple-string.js';
import type { AssertionResult } from '../scenario/model-test.js';
import type { Assertion } from '../scenario/test-file.js';
import { drawExplanation } from './explain-tree.js';
import type { FileResult } from './test.js';

/** An assertion as one line of text. */
export function assertionText(a: Assertion): string {
  switch (a.kind) {
    case 'allowed':
    case 'denied':
      return `${a.kind} ${a.tuple}`;
    case 'list-objects':
      return `list_objects ${a.namespace}#${a.relation}@${a.subject}`;
    case 'list-subjects': {
      const kind = a.subjectSet === undefined ? 'subject ids' : a.subjectSet === 'all' ? 'every kind' : `${a.subjectSet.namespace}#${a.subjectSet.relation}`;
      return `list_subjects ${a.namespace}:${a.object}#${a.relation} (${kind})`;
    }
    case 'model-errors':
      return 'model_errors';
  }
}

function failure(file: string, r: AssertionResult, colour: boolean): string {
  const lines = [`  ${file}:${r.assertion.line}: ${assertionText(r.assertion)}\n`, `    expected: ${r.expected}\n`, `    actual:   ${r.actual}\n`];
  if (r.explanation !== undefined && (r.assertion.kind === 'allowed' || r.assertion.kind === 'denied')) {
    lines.push('    explanation:\n');
    const drawn = drawExplanation(r.explanation, formatSubject(parseTupleString(r.assertion.tuple).subject), colour);
    lines.push(...drawn.split('\n').filter((l) => l !== '').map((l) => `      ${l}\n`));
  }
  return lines.join('');
}

export function testReport(files: readonly FileResult[], colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const out: string[] = [];
  let scenarios = 0;
  let failedScenarios = 0;
  let assertions = 0;
  let failed = 0;
  for (const f of files) {
    if (f.error !== undefined) {
      out.push(`${paint('31', 'ERROR')} ${f.file}${f.error.line > 0 ? `:${f.error.line}` : ''}: ${f.error.message}\n`);
      continue;
    }
    for (const s of f.scenarios) {
      scenarios++;
      if (!s.passed) failedScenarios++;
      assertions += s.results.length;
      const failures = s.results.filter((r) => !r.passed);
      failed += failures.length;
      const count = failures.length === 0 ? plural(s.results.length, 'assertion') : `${failures.length} of ${plural(s.results.length, 'assertion')} failed`;
      out.push(`${s.passed ? paint('32', 'PASS') : paint('31', 'FAIL')} ${f.file}:${s.line} ${s.name} (${count})\n`);
      for (const p of s.problems) out.push(`  ${f.file}:${p.line}: ${p.message}\n`);
      for (const r of failures) out.push(failure(f.file, r, colour));
    }
  }
  const errors = files.filter((f) => f.error !== undefined).length;
  const notRun = errors > 0 ? `, ${plural(errors, 'file')} not run` : '';
  out.push(`\n${plural(scenarios, 'scenario')} (${failedScenarios} failed), ${plural(assertions, 'assertion')} (${failed} failed)${notRun}\n`);
  return out.join('');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
