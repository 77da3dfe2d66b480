import type { Namespace } from '../model.js';
import type { Span } from './ast.js';
import { replaceEscapedBytes } from './go-quote.js';
import { lintDocument } from './lint.js';
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

/** Parses, checks and lowers an OPL model. Never throws for any input. */
export function compileOpl(source: string, options: CompileOptions = {}): CompileResult {
  const precedence = options.typescriptPrecedence === true ? 'typescript' : 'keto';
  const { document, errors: syntaxErrors } = parseOpl(source);
  let positions: PositionMap | undefined;
  const diagnose = (problems: readonly SourceProblem[]): OplDiagnostic[] =>
    problems.map((p) => {
      positions ??= new PositionMap(source);
      return Object.freeze({
        message: replaceEscapedBytes(p.message),
        start: positions.keto(p.start),
        end: positions.keto(p.end),
        span: Object.freeze({ start: p.start, end: p.end }),
      });
    });
  if (syntaxErrors.length > 0) return { namespaces: [], errors: diagnose(syntaxErrors), warnings: [] };
  const typeErrors = typecheck(document);
  const lint = lintDocument(document, precedence);
  const errors = diagnose([...typeErrors, ...lint.errors]);
  const warnings = diagnose(lint.warnings);
  return { namespaces: errors.length > 0 ? [] : lowerDocument(document, precedence), errors, warnings };
}
