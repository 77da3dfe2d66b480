import type { SubjectSetKind } from '../reader.js';
import { MAX_SCENARIO_TUPLES, type ScenarioSettings, type TupleInput } from './scenario.js';
import { SPICEDB_KEYS, spicedbTest } from './spicedb-file.js';
import { type ModelFileReader, type Path, Source, TestFileError } from './yaml-source.js';

export { type ModelFileReader, TestFileError } from './yaml-source.js';

/**
 * Model-test files: YAML holding one scenario or a list of them, each a model, tuples and
 * assertions. Two forms are read:
 *
 * gatehouse's own —
 *   model: | …OPL…            (or model_file: path relative to the test file)
 *   tuples: [ "ns:obj#rel@subject", {Keto JSON tuple}, … ]
 *   settings: { max_read_depth, max_read_width, max_expand_size, strict_mode, expand_rewrites, typescript_precedence }
 *   assert:
 *     allowed: [ tuple, … ]
 *     denied: [ tuple, … ]
 *     list_objects: [ { namespace, relation, subject, objects: [ … ] } ]
 *     list_subjects: [ { namespace, object, relation, subject_namespace?, subject_relation?, subjects: [ … ] } ]
 *     model_errors: [ { line, column?, message? } ]
 *   scenarios: [ { name, model?, model_file?, tuples?, settings?, assert } ]   (each takes the file's
 *   settings, overridden by its own, and the file's model and tuples, to which it adds its own tuples;
 *   a scenario with a model of its own starts with its own tuples only)
 *
 * SpiceDB's validation file, where its schema is OPL: see spicedb-file.ts.
 */

/** Where in the test file something was written (1-based). */
export interface FileLine {
  readonly line: number;
}

/** Something a scenario's answers must show. */
export type Assertion = FileLine &
  (
    | { readonly kind: 'allowed' | 'denied'; readonly tuple: string }
    | { readonly kind: 'list-objects'; readonly namespace: string; readonly relation: string; readonly subject: string; readonly objects: readonly string[] }
    | {
        readonly kind: 'list-subjects';
        readonly namespace: string;
        readonly object: string;
        readonly relation: string;
        /** Subject sets of this kind; subject ids when absent; every kind stored (SpiceDB's `validation`) when 'all'. */
        readonly subjectSet?: SubjectSetKind | 'all';
        readonly subjects: readonly string[];
      }
    | { readonly kind: 'model-errors'; readonly errors: readonly ExpectedModelError[] }
  );

export interface ExpectedModelError {
  readonly line: number;
  readonly column?: number;
  /** A part of the message. */
  readonly message?: string;
}

export interface ModelTest extends FileLine {
  readonly name: string;
  /** The OPL text, and the file it came from. */
  readonly model: { readonly text: string; readonly file?: string };
  readonly tuples: readonly (FileLine & { readonly tuple: TupleInput })[];
  readonly settings: Partial<ScenarioSettings>;
  readonly assertions: readonly Assertion[];
}

/** Model tests a file holds at most. */
export const MAX_SCENARIOS_PER_FILE = 1000;

const SCENARIO_KEYS = ['name', 'model', 'model_file', 'tuples', 'settings', 'assert'];
const ASSERT_KEYS = ['allowed', 'denied', 'list_objects', 'list_subjects', 'model_errors'];
const SETTING_KEYS: Readonly<Record<string, { key: keyof ScenarioSettings; type: 'number' | 'boolean' }>> = {
  max_read_depth: { key: 'maxReadDepth', type: 'number' },
  max_read_width: { key: 'maxReadWidth', type: 'number' },
  max_expand_size: { key: 'maxExpandSize', type: 'number' },
  strict_mode: { key: 'strictMode', type: 'boolean' },
  expand_rewrites: { key: 'expandRewrites', type: 'boolean' },
  typescript_precedence: { key: 'typescriptPrecedence', type: 'boolean' },
};

/** The model tests of a test file, in either form. Throws TestFileError. */
export function parseTestFile(text: string, readModelFile: ModelFileReader): ModelTest[] {
  const src = new Source(text);
  if (src.doc.contents === null) throw new TestFileError('the file holds no scenario', 1);
  const keys = src.keys([]);
  if (keys.some((k) => SPICEDB_KEYS.includes(k))) return [withinLimits(src, [], spicedbTest(src, readModelFile))];
  src.onlyKeys([], [...SCENARIO_KEYS, 'scenarios']);
  const base = scenarioAt(src, [], readModelFile);
  if (!src.has(['scenarios'])) return [withinLimits(src, [], { ...base, name: base.name || 'model test' })];
  const count = src.length(['scenarios']);
  if (count > MAX_SCENARIOS_PER_FILE) src.fail(['scenarios'], `at most ${MAX_SCENARIOS_PER_FILE} scenarios per file`);
  if (base.assertions.length > 0) src.fail(['assert'], 'with "scenarios", each scenario has its own "assert"');
  return Array.from({ length: count }, (_, i) => {
    const path = ['scenarios', i];
    src.onlyKeys(path, SCENARIO_KEYS);
    const own = scenarioAt(src, path, readModelFile);
    const ownModel = src.has([...path, 'model']) || src.has([...path, 'model_file']);
    return withinLimits(src, path, {
      ...own,
      name: own.name || `scenario ${i + 1}`,
      model: ownModel ? own.model : base.model,
      tuples: ownModel ? own.tuples : [...base.tuples, ...own.tuples],
      settings: { ...base.settings, ...own.settings },
    });
  });
}

function withinLimits(src: Source, path: Path, test: ModelTest): ModelTest {
  if (test.tuples.length > MAX_SCENARIO_TUPLES) src.fail(path, `a scenario holds at most ${MAX_SCENARIO_TUPLES} tuples`);
  return test;
}

function scenarioAt(src: Source, path: Path, readModelFile: ModelFileReader): ModelTest {
  const at = (...rest: (string | number)[]) => [...path, ...rest];
  if (src.has(at('model')) && src.has(at('model_file'))) src.fail(at('model_file'), 'give "model" or "model_file", not both');
  const modelFile = src.optionalString(at('model_file'));
  const model = modelFile === undefined ? { text: src.optionalString(at('model')) ?? '' } : { text: src.modelFile(at('model_file'), modelFile, readModelFile), file: modelFile };
  const tuples = src.has(at('tuples'))
    ? Array.from({ length: src.length(at('tuples')) }, (_, i) => ({ tuple: tupleAt(src, at('tuples', i)), line: src.lineOf(at('tuples', i)) }))
    : [];
  return {
    name: src.optionalString(at('name')) ?? '',
    line: src.lineOf(path),
    model,
    tuples,
    settings: src.has(at('settings')) ? settingsAt(src, at('settings')) : {},
    assertions: src.has(at('assert')) ? assertionsAt(src, at('assert')) : [],
  };
}

function tupleAt(src: Source, path: Path): TupleInput {
  const v = src.value(path);
  if (typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v))) return v as TupleInput;
  return src.fail(path, 'must be a tuple string (ns:obj#rel@subject) or a Keto JSON tuple');
}

function settingsAt(src: Source, path: Path): Partial<ScenarioSettings> {
  const settings: Record<string, unknown> = {};
  for (const name of src.onlyKeys(path, Object.keys(SETTING_KEYS))) {
    const { key, type } = SETTING_KEYS[name]!;
    const v = src.value([...path, name]);
    if (type === 'number' ? !(typeof v === 'number' && Number.isInteger(v) && v > 0) : typeof v !== 'boolean') {
      src.fail([...path, name], type === 'number' ? 'must be a positive integer' : 'must be true or false');
    }
    settings[key] = v;
  }
  return settings as Partial<ScenarioSettings>;
}

function assertionsAt(src: Source, path: Path): Assertion[] {
  const out: Assertion[] = [];
  const at = (...rest: (string | number)[]) => [...path, ...rest];
  const each = (key: string, read: (p: Path, line: number) => Assertion) => {
    if (!src.has(at(key))) return;
    for (let i = 0; i < src.length(at(key)); i++) out.push(read(at(key, i), src.lineOf(at(key, i))));
  };
  src.onlyKeys(path, ASSERT_KEYS);
  each('allowed', (p, line) => ({ kind: 'allowed', tuple: src.string(p), line }));
  each('denied', (p, line) => ({ kind: 'denied', tuple: src.string(p), line }));
  each('list_objects', (p, line) => {
    src.onlyKeys(p, ['namespace', 'relation', 'subject', 'objects']);
    const field = (k: string) => src.string([...p, k]);
    return { kind: 'list-objects', namespace: field('namespace'), relation: field('relation'), subject: field('subject'), objects: src.strings([...p, 'objects']), line };
  });
  each('list_subjects', (p, line) => {
    src.onlyKeys(p, ['namespace', 'object', 'relation', 'subject_namespace', 'subject_relation', 'subjects']);
    const field = (k: string) => src.string([...p, k]);
    const subjectNamespace = src.optionalString([...p, 'subject_namespace']);
    if (subjectNamespace === undefined && src.has([...p, 'subject_relation'])) src.fail([...p, 'subject_relation'], 'needs subject_namespace');
    const kind = subjectNamespace === undefined ? {} : { subjectSet: { namespace: subjectNamespace, relation: src.optionalString([...p, 'subject_relation']) ?? '' } };
    return { kind: 'list-subjects', namespace: field('namespace'), object: field('object'), relation: field('relation'), ...kind, subjects: src.strings([...p, 'subjects']), line };
  });
  if (src.has(at('model_errors'))) {
    const errors = Array.from({ length: src.length(at('model_errors')) }, (_, i) => {
      const p = at('model_errors', i);
      src.onlyKeys(p, ['line', 'column', 'message']);
      const position = (k: string) => {
        const v = src.value([...p, k]);
        if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) src.fail([...p, k], 'must be a positive integer');
        return v;
      };
      const message = src.optionalString([...p, 'message']);
      return { line: position('line'), ...(src.has([...p, 'column']) ? { column: position('column') } : {}), ...(message === undefined ? {} : { message }) };
    });
    out.push({ kind: 'model-errors', errors, line: src.lineOf(at('model_errors')) });
  }
  return out;
}
