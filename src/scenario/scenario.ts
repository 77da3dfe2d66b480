import { parseKetoTuple, parseSubjectSet, parseTupleString } from '../api/index.js';
import { CheckEngine } from '../engine/check-engine.js';
import { ExpandEngine } from '../engine/expand-engine.js';
import type { ExpandTree } from '../engine/expand-tree.js';
import type { Explanation } from '../engine/explanation.js';
import { DEFAULT_MAX_EXPAND_SIZE, DEFAULT_MAX_READ_DEPTH, DEFAULT_MAX_READ_WIDTH } from '../engine/limits.js';
import { everyPage, LookupEngine } from '../engine/lookup-engine.js';
import { type ErrorKind, GatehouseError, invalidArgument, unavailable } from '../errors.js';
import { TupleIndex } from '../index/tuple-index.js';
import { NO_MODEL_MESSAGE } from '../namespaces/manager.js';
import { createSnapshot } from '../namespaces/snapshot.js';
import { compileOpl, type OplDiagnostic } from '../opl/compile.js';
import { PositionMap } from '../opl/source.js';
import { currentReads, type SubjectSetKind } from '../reader.js';
import { requireKnownNamespaces } from '../transport/namespace-check.js';
import type { RelationTuple, Subject, SubjectSet } from '../tuple.js';

/** Tuples one scenario may hold. */
export const MAX_SCENARIO_TUPLES = 100_000;
/** Page size the lookups of a scenario are read in (every page is read: a scenario's lists are complete). */
const LOOKUP_PAGE_SIZE = 1000;

/** The limits and flags a scenario runs under: the server's configuration keys, with their defaults. */
export interface ScenarioSettings {
  /** `limit.max_read_depth` (5). */
  readonly maxReadDepth: number;
  /** `limit.max_read_width` (100). */
  readonly maxReadWidth: number;
  /** `limit.max_expand_size` (4000). */
  readonly maxExpandSize: number;
  /** `feature_flags.strict_mode` (false). */
  readonly strictMode: boolean;
  /** `feature_flags.expand_rewrites` (false). */
  readonly expandRewrites: boolean;
  /** `feature_flags.typescript_precedence` (false). */
  readonly typescriptPrecedence: boolean;
}

export const DEFAULT_SCENARIO_SETTINGS: ScenarioSettings = {
  maxReadDepth: DEFAULT_MAX_READ_DEPTH,
  maxReadWidth: DEFAULT_MAX_READ_WIDTH,
  maxExpandSize: DEFAULT_MAX_EXPAND_SIZE,
  strictMode: false,
  expandRewrites: false,
  typescriptPrecedence: false,
};

/** An error or warning about the model, placed as an editor shows it (1-based lines and columns, in code points). */
export interface ScenarioDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Why a tuple or a question could not be used: a domain error's kind, message and reason. */
export interface ScenarioError {
  readonly kind: ErrorKind;
  readonly message: string;
  readonly reason?: string;
  /** What was wrong, where the message is Keto's generic one (e.g. which part of a tuple string is missing). */
  readonly detail?: string;
}

/** A tuple as a scenario takes it: Keto's string form `ns:obj#rel@subject`, or Keto's JSON form. */
export type TupleInput = string | Readonly<Record<string, unknown>>;

/** A tuple of the input that was not loaded, and why. */
export interface TupleProblem {
  /** Its position in the input (0-based). */
  readonly index: number;
  readonly error: ScenarioError;
}

export interface ScenarioInput {
  /** The model, in OPL. */
  readonly model: string;
  readonly tuples?: readonly TupleInput[];
  readonly settings?: Partial<ScenarioSettings>;
}

export interface CheckAnswer {
  readonly allowed: boolean;
  /** With `explain`: why. */
  readonly explanation?: Explanation;
  /** Set when the evaluation took more steps than an explanation records. */
  readonly truncated?: boolean;
  /**
   * Why the check could not be answered: an unknown namespace (which the server's check
   * routes answer as denied), an undeclared relation, a limit in strict mode, or a model with errors.
   */
  readonly error?: ScenarioError;
}

/**
 * A self-contained scenario evaluated in process: a model, tuples held in an in-memory
 * tuple index (the server's own index), and the server's engines over them. Nothing is
 * written anywhere; the answers are the server's for the same model, tuples and settings.
 */
export class Scenario {
  /** The model's errors and warnings; with any error, no model is in force: every tuple and question is refused as unavailable. */
  readonly diagnostics: readonly ScenarioDiagnostic[];
  /** The tuples of the input that were not loaded, as a write would refuse them (malformed, an unknown namespace, no model in force). */
  readonly tupleProblems: readonly TupleProblem[];
  readonly settings: ScenarioSettings;
  private readonly checks: CheckEngine;
  private readonly expands: ExpandEngine;
  private readonly lookups: LookupEngine;
  private readonly index = new TupleIndex();
  private loaded = 0;

  /** Throws invalid_argument for more than MAX_SCENARIO_TUPLES tuples; any other problem is reported, not thrown. */
  constructor(input: ScenarioInput) {
    const settings = (this.settings = { ...DEFAULT_SCENARIO_SETTINGS, ...input.settings });
    const compiled = compileOpl(input.model, { typescriptPrecedence: settings.typescriptPrecedence });
    this.diagnostics = placed(input.model, compiled.errors, compiled.warnings);
    const snapshot = createSnapshot(compiled.namespaces, settings.strictMode);
    // As the server: while the model has errors, nothing that needs it is answered.
    const model = () => {
      if (compiled.errors.length > 0) throw unavailable(NO_MODEL_MESSAGE);
      return snapshot;
    };
    const reads = currentReads(this.index);
    this.checks = new CheckEngine({ reads, model, settings: () => settings });
    this.expands = new ExpandEngine({ reads, model, settings: () => settings });
    this.lookups = new LookupEngine({ reads, model, checks: this.checks });
    const problems: TupleProblem[] = [];
    const tuples = input.tuples ?? [];
    if (tuples.length > MAX_SCENARIO_TUPLES) throw invalidArgument(`a scenario holds at most ${MAX_SCENARIO_TUPLES} tuples`);
    tuples.forEach((raw, index) => {
      try {
        const tuple = typeof raw === 'string' ? parseTupleString(raw) : parseKetoTuple(raw);
        requireKnownNamespaces(model(), tuple);
        this.index.insert(tuple);
        this.loaded++;
      } catch (err) {
        problems.push({ index, error: scenarioError(err) });
      }
    });
    this.tupleProblems = problems;
  }

  /** Whether the model compiled without errors. */
  get modelValid(): boolean {
    return !this.diagnostics.some((d) => d.severity === 'error');
  }

  /** Tuples loaded. */
  get tupleCount(): number {
    return this.loaded;
  }

  /** Whether `tuple` holds; with `explain`, why. */
  async check(tuple: RelationTuple | string, options: { explain?: boolean; maxDepth?: number } = {}): Promise<CheckAnswer> {
    try {
      const t = typeof tuple === 'string' ? parseTupleString(tuple) : tuple;
      if (options.explain !== true) return { allowed: await this.checks.check(t, options.maxDepth) };
      const r = await this.checks.explain(t, options.maxDepth);
      return {
        allowed: r.allowed,
        explanation: r.explanation,
        ...(r.truncated ? { truncated: true } : {}),
        ...(r.error === undefined ? {} : { error: scenarioError(r.error) }),
      };
    } catch (err) {
      return { allowed: false, error: scenarioError(err) };
    }
  }

  /** The expand tree of `subjectSet` (undefined when strict mode finds nothing to expand). */
  async expand(subjectSet: SubjectSet | string, maxDepth?: number): Promise<ExpandTree | undefined> {
    return this.expands.expand(typeof subjectSet === 'string' ? parseSubjectSet(subjectSet) : subjectSet, maxDepth);
  }

  /** Every object `o` of `namespace` for which `namespace:o#relation@subject` is allowed, in binary order. */
  listObjects(q: { namespace: string; relation: string; subject: Subject; maxDepth?: number }): Promise<string[]> {
    return everyPage((after) => this.lookups.listObjects({ ...q, pageSize: LOOKUP_PAGE_SIZE, ...(after === undefined ? {} : { after }) }));
  }

  /** Every subject of a kind (subject ids, or the subject sets of `kind`) that has `relation` on `namespace:object`. */
  listSubjects(q: { namespace: string; object: string; relation: string; kind?: SubjectSetKind; maxDepth?: number }): Promise<Subject[]> {
    return everyPage((after) => this.lookups.listSubjects({ ...q, pageSize: LOOKUP_PAGE_SIZE, ...(after === undefined ? {} : { after }) }));
  }
}

/** A thrown value as a scenario reports it; anything but a domain error is a bug and is thrown on. */
export function scenarioError(err: unknown): ScenarioError {
  if (!(err instanceof GatehouseError)) throw err;
  const detail = err.cause instanceof Error ? err.cause.message : undefined;
  return { kind: err.kind, message: err.message, ...(err.reason === undefined ? {} : { reason: err.reason }), ...(detail === undefined ? {} : { detail }) };
}

function placed(source: string, errors: readonly OplDiagnostic[], warnings: readonly OplDiagnostic[]): ScenarioDiagnostic[] {
  if (errors.length === 0 && warnings.length === 0) return [];
  const positions = new PositionMap(source);
  const place = (severity: ScenarioDiagnostic['severity']) => (d: OplDiagnostic): ScenarioDiagnostic => {
    const start = positions.editor(d.span.start);
    const end = positions.editor(d.span.end);
    return { severity, message: d.message, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  return [...errors.map(place('error')), ...warnings.map(place('warning'))];
}
