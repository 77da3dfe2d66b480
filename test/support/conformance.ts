import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTupleString } from '../../src/api/tuple-string.js';
import type { ModelSnapshot, Namespace } from '../../src/model.js';
import { compileOpl } from '../../src/opl/compile.js';
import type { RelationTuple } from '../../src/tuple.js';

/**
 * The conformance corpus (format: the corpus README): one JSON file per case, an OPL
 * model, tuples in Keto's string form and expected answers. The directory is
 * GATEHOUSE_CONFORMANCE_DIR, else the shared corpus next to the repository
 * (`../shared/conformance`, as `.ci/run` finds it).
 */
export const DEFAULT_CONFORMANCE_DIR = fileURLToPath(new URL('../../../../shared/conformance', import.meta.url));

export interface CaseListObjects {
  readonly namespace: string;
  readonly relation: string;
  readonly subject: string;
  readonly expect: readonly string[];
}

export interface CaseListSubjects {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subjectNamespace: string;
  readonly subjectRelation?: string;
  readonly expect: readonly string[];
}

export interface CaseCheck {
  readonly tuple: string;
  readonly expect: boolean;
}

export interface CaseErrorCheck {
  readonly tuple: string;
  readonly httpStatus: number;
  readonly reason: string;
}

export interface CaseLimitCheck {
  readonly tuple: string;
  /** The global `limit.max_read_depth`. */
  readonly maxDepth: number;
  /** `limit.max_read_width`; the default when absent. */
  readonly maxWidth?: number;
  /** The non-strict answer. */
  readonly expect: boolean;
  /** The 422 reason strict mode answers instead, or null when strict mode answers `expect`. */
  readonly strictError: string | null;
  /** Keto's answer follows storage order: either answer is compatible. */
  readonly orderDependent?: boolean;
}

export interface ConformanceCase {
  readonly file: string;
  readonly name: string;
  readonly opl: string;
  readonly tuples: readonly string[];
  readonly checks: readonly CaseCheck[];
  readonly errorChecks?: readonly CaseErrorCheck[];
  readonly limitChecks?: readonly CaseLimitCheck[];
  readonly listObjects?: readonly CaseListObjects[];
  readonly listSubjects?: readonly CaseListSubjects[];
  readonly mode?: { readonly strict?: boolean; readonly maxDepth?: number };
}

export function conformanceDir(): string {
  return process.env.GATEHOUSE_CONFORMANCE_DIR ?? DEFAULT_CONFORMANCE_DIR;
}

/** CI (`.ci/run` sets CI=true) must run every corpus test: there a missing corpus is a failure. */
function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * The `skip` option of a test over the corpus: false when the cases were loaded, else the
 * reason. A corpus missing in CI, or where GATEHOUSE_CONFORMANCE_DIR names it, throws
 * instead, so its tests fail rather than quietly not running.
 */
export function corpusSkip(cases: readonly ConformanceCase[] | undefined): string | false {
  if (cases !== undefined) return false;
  const where = `no conformance corpus at ${conformanceDir()}`;
  if (inCi()) throw new Error(`${where}: CI runs the corpus tests, so the corpus must be there`);
  if (process.env.GATEHOUSE_CONFORMANCE_DIR !== undefined) throw new Error(`${where}, where GATEHOUSE_CONFORMANCE_DIR points`);
  return `${where}: set GATEHOUSE_CONFORMANCE_DIR to the corpus directory to run these tests`;
}

/** Every case under the directory (sorted by path), or undefined when the directory does not exist. */
export function loadConformanceCases(dir = conformanceDir()): ConformanceCase[] | undefined {
  if (!existsSync(dir)) return undefined;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json')) files.push(path);
    }
  };
  walk(dir);
  return files.sort().map((path) => ({ ...(JSON.parse(readFileSync(path, 'utf8')) as Omit<ConformanceCase, 'file'>), file: relative(dir, path) }));
}

/** The case's model, compiled with Keto's left-to-right folding; throws on OPL errors. */
export function caseModel(c: ConformanceCase): ModelSnapshot {
  const result = compileOpl(c.opl);
  if (result.errors.length > 0) throw new Error(`${c.file}: OPL errors: ${result.errors.map((e) => e.message).join('; ')}`);
  return modelOf(result.namespaces);
}

export function modelOf(namespaces: readonly Namespace[]): ModelSnapshot {
  const byName = new Map(namespaces.map((n) => [n.name, n]));
  return { namespaces, namespace: (name) => byName.get(name) };
}

export const caseTuples = (c: ConformanceCase): RelationTuple[] => c.tuples.map(parseTupleString);
