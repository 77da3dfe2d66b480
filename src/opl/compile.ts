import type { Namespace } from '../model.js';
import type { Span } from './ast.js';
import { replaceEscapedBytes } from './go-quote.js';
import { lintDocument } from './lint.js';
import { MAX_DIAGNOSTIC_MESSAGE_LENGTH, MAX_REPORTED_DIAGNOSTICS } from './limits.js';
import { lowerDocument } from './lower.js';
import { parseOpl, type SourceProblem } from './parser.js';
import { PositionMap, type SourcePosition } from './source.js';
import { typecheck } from './typecheck.js';

/** An error or warning about OPL source. */
export interface OplDiagnostic {
  readonly message: string;
  /** Start and end as Keto numbers them (its `Line`/`column`; see `PositionMap.keto`). */
  readonly start: SourcePosition;
  readonly end: SourcePosition;
  /** UTF-16 offsets into the source, for tools that point at the text themselves. */
  readonly span: Span;
}

export interface CompileOptions {
  /** Read `&&` before `||` as TypeScript does (config `feature_flags.typescript_precedence`). Default: Keto's left-to-right folding. */
  readonly typescriptPrecedence?: boolean;
}

export interface CompileResult {
  /** The model, or nothing when there are errors. */
  readonly namespaces: readonly Namespace[];
  /** Keto's syntax errors, else its type errors, plus gatehouse's errors in TypeScript-precedence mode. */
  readonly errors: readonly OplDiagnostic[];
  readonly warnings: readonly OplDiagnostic[];
}

/**
 * Parses, checks and lowers an OPL model. Never throws for any input. At most
 * MAX_REPORTED_DIAGNOSTICS errors and as many warnings are reported: past that the last
 * entry says how many more were cut. Messages are at most MAX_DIAGNOSTIC_MESSAGE_LENGTH long.
 */
export function compileOpl(source: string, options: CompileOptions = {}): CompileResult {
  const precedence = options.typescriptPrecedence === true ? 'typescript' : 'keto';
  const { document, errors: syntaxErrors } = parseOpl(source);
  let positions: PositionMap | undefined;
  const diagnose = (problems: readonly SourceProblem[], kind: 'errors' | 'warnings' = 'errors'): OplDiagnostic[] =>
    capped(problems, kind).map((p) => {
      positions ??= new PositionMap(source);
      return Object.freeze({
        message: replaceEscapedBytes(shortened(p.message)),
        start: positions.keto(p.start),
        end: positions.keto(p.end),
        span: Object.freeze({ start: p.start, end: p.end }),
      });
    });
  if (syntaxErrors.length > 0) return { namespaces: [], errors: diagnose(syntaxErrors), warnings: [] };
  const typeErrors = typecheck(document);
  const lint = lintDocument(document, precedence);
  const errors = diagnose([...typeErrors, ...lint.errors]);
  const warnings = diagnose(lint.warnings, 'warnings');
  return { namespaces: errors.length > 0 ? [] : lowerDocument(document, precedence), errors, warnings };
}

/** The first problems, and in place of the rest one that says how many were cut, where the first of them is. */
function capped(problems: readonly SourceProblem[], kind: 'errors' | 'warnings'): readonly SourceProblem[] {
  if (problems.length <= MAX_REPORTED_DIAGNOSTICS) return problems;
  const kept = problems.slice(0, MAX_REPORTED_DIAGNOSTICS - 1);
  const first = problems[kept.length]!;
  const cut = problems.length - kept.length;
  const message = `${cut} more ${kind} were cut; at most ${MAX_REPORTED_DIAGNOSTICS} are reported`;
  return [...kept, Object.freeze({ message, start: first.start, end: first.start })];
}

function shortened(message: string): string {
  if (message.length <= MAX_DIAGNOSTIC_MESSAGE_LENGTH) return message;
  // Keep a surrogate pair whole.
  const end = MAX_DIAGNOSTIC_MESSAGE_LENGTH - 3;
  const high = message.charCodeAt(end - 1);
  return `${message.slice(0, high >= 0xd800 && high <= 0xdbff ? end - 1 : end)}...`;
}
