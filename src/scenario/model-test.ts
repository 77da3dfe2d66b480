import { formatSubject, parseKetoTuple, parseSubject, parseTupleString } from '../api/index.js';
import type { Explanation } from '../engine/explanation.js';
import type { SubjectSetKind } from '../reader.js';
import { compareBinary, type Subject } from '../tuple.js';
import { Scenario, type ScenarioDiagnostic, type ScenarioError, scenarioError } from './scenario.js';
import type { Assertion, ModelTest } from './test-file.js';

/** One assertion's outcome: what it expected and what the scenario answered. */
export interface AssertionResult {
  readonly assertion: Assertion;
  readonly passed: boolean;
  readonly expected: string;
  readonly actual: string;
  /** For a check that failed its assertion: the evaluator's explanation of the answer. */
  readonly explanation?: Explanation;
}

/** A problem of the scenario itself: a tuple not loaded, or model errors no assertion expected. */
export interface ScenarioProblem {
  readonly line: number;
  readonly message: string;
}

export interface ModelTestResult {
  readonly name: string;
  readonly line: number;
  readonly passed: boolean;
  readonly problems: readonly ScenarioProblem[];
  readonly results: readonly AssertionResult[];
}

/** Runs one model test: builds its scenario and checks each assertion against the answers. */
export async function runModelTest(test: ModelTest): Promise<ModelTestResult> {
  const scenario = new Scenario({ model: test.model.text, tuples: test.tuples.map((t) => t.tuple), settings: test.settings });
  const expectsErrors = test.assertions.some((a) => a.kind === 'model-errors');
  // A model with errors refuses every tuple: its errors are the one problem, unless they are expected.
  const problems: ScenarioProblem[] = scenario.modelValid
    ? scenario.tupleProblems.map((p) => ({ line: test.tuples[p.index]!.line, message: `tuple not loaded: ${errorText(p.error)}` }))
    : expectsErrors
      ? []
      : scenario.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ line: test.line, message: `model error at ${modelPlace(test, d)}: ${d.message}` }));
  const results: AssertionResult[] = [];
  for (const assertion of test.assertions) results.push(await check(scenario, test, assertion));
  return { name: test.name, line: test.line, passed: problems.length === 0 && results.every((r) => r.passed), problems, results };
}

async function check(scenario: Scenario, test: ModelTest, a: Assertion): Promise<AssertionResult> {
  switch (a.kind) {
    case 'allowed':
    case 'denied': {
      const answer = await scenario.check(a.tuple);
      const actual = answer.error === undefined ? (answer.allowed ? 'allowed' : 'denied') : `error: ${errorText(answer.error)}`;
      const passed = answer.error === undefined && actual === a.kind;
      if (passed) return { assertion: a, passed, expected: a.kind, actual };
      const explained = await scenario.check(a.tuple, { explain: true });
      return { assertion: a, passed, expected: a.kind, actual, ...(explained.explanation === undefined ? {} : { explanation: explained.explanation }) };
    }
    case 'list-objects':
      return compareLists(a, a.objects, () => scenario.listObjects({ namespace: a.namespace, relation: a.relation, subject: parseSubject(a.subject) }));
    case 'list-subjects': {
      const kinds = a.subjectSet === 'all' ? storedKinds(test) : [a.subjectSet];
      return compareLists(a, a.subjects, async () => {
        const found: string[] = [];
        for (const kind of kinds) {
          const subjects = await scenario.listSubjects({ namespace: a.namespace, object: a.object, relation: a.relation, ...(kind === undefined ? {} : { kind }) });
          found.push(...subjects.map(formatSubject));
        }
        return found;
      });
    }
    case 'model-errors': {
      const errors = scenario.diagnostics.filter((d) => d.severity === 'error');
      const shown = (d: ScenarioDiagnostic) => `${d.line}:${d.column}: ${d.message}`;
      const passed =
        errors.length === a.errors.length &&
        a.errors.every((e, i) => {
          const d = errors[i]!;
          return d.line === e.line && (e.column === undefined || d.column === e.column) && (e.message === undefined || d.message.includes(e.message));
        });
      const expected = a.errors.map((e) => `${e.line}${e.column === undefined ? '' : `:${e.column}`}${e.message === undefined ? '' : `: …${e.message}…`}`);
      return { assertion: a, passed, expected: listText(expected), actual: listText(errors.map(shown)) };
    }
  }
}

async function compareLists(a: Assertion, expected: readonly string[], answer: () => Promise<string[]>): Promise<AssertionResult> {
  const want = [...expected].sort(compareBinary);
  let got: string[];
  try {
    got = (await answer()).sort(compareBinary);
  } catch (err) {
    return { assertion: a, passed: false, expected: listText(want), actual: `error: ${errorText(scenarioError(err))}` };
  }
  const passed = want.length === got.length && want.every((w, i) => w === got[i]);
  return { assertion: a, passed, expected: listText(want), actual: listText(got) };
}

/** Every kind of subject the test's tuples store: subject ids, and each subject set's namespace and relation. */
function storedKinds(test: ModelTest): (SubjectSetKind | undefined)[] {
  const kinds = new Map<string, SubjectSetKind | undefined>();
  for (const { tuple } of test.tuples) {
    let subject: Subject;
    try {
      subject = typeof tuple === 'string' ? parseTupleString(tuple).subject : parseKetoTuple(tuple).subject;
    } catch {
      continue; // reported as a tuple not loaded
    }
    if ('id' in subject) kinds.set('', undefined);
    else kinds.set(`${subject.set.namespace}#${subject.set.relation}`, { namespace: subject.set.namespace, relation: subject.set.relation });
  }
  return [...kinds.values()];
}

const listText = (items: readonly string[]): string => `[${items.join(', ')}]`;

function modelPlace(test: ModelTest, d: ScenarioDiagnostic): string {
  return `${test.model.file ?? 'model'}:${d.line}:${d.column}`;
}

export function errorText(e: ScenarioError): string {
  return [e.message, e.reason, e.detail].filter((x) => x !== undefined).join(': ');
}
