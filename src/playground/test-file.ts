import { stringify } from 'yaml';
import { formatTuple, parseKetoTuple } from '../api/index.js';
import { invalidArgument } from '../errors.js';
import { runModelTest } from '../scenario/model-test.js';
import type { ScenarioSettings } from '../scenario/scenario.js';
import { type Assertion, type ModelTest, parseTestFile, TestFileError } from '../scenario/test-file.js';
import type { RestRoute } from '../transport/rest/route.js';
import { modelText, objectWith, strings } from './request-body.js';

/**
 * Assertions one request may run: the model-test runner keeps the explanation (up to
 * MAX_EXPLAINED_STEPS steps) of each that fails until all have run.
 */
export const MAX_PLAYGROUND_ASSERTIONS = 100;

/** What the page edits: one scenario of a model-test file, with allowed and denied assertions. */
export interface PageScenario {
  model: string;
  tuples: string[];
  assertions: { allowed: string[]; denied: string[] };
}

function decodePageScenario(json: unknown): PageScenario {
  const body = objectWith(json, ['model', 'tuples', 'assertions']);
  const assertions = objectWith(body.assertions ?? {}, ['allowed', 'denied'], 'assertions');
  const allowed = strings(assertions.allowed, 'assertions.allowed');
  const denied = strings(assertions.denied, 'assertions.denied');
  if (allowed.length + denied.length > MAX_PLAYGROUND_ASSERTIONS) throw invalidArgument(`at most ${MAX_PLAYGROUND_ASSERTIONS} assertions a request`);
  return { model: modelText(body.model), tuples: strings(body.tuples, 'tuples'), assertions: { allowed, denied } };
}

/** The scenario as a model-test file (`gatehouse test` runs it): the model inline, then tuples, then assertions. */
export function testFileOf(s: PageScenario): string {
  const nonEmpty = <T extends object>(entries: [string, unknown[]][]) => Object.fromEntries(entries.filter(([, list]) => list.length > 0)) as T;
  const assert = nonEmpty<Record<string, string[]>>([
    ['allowed', s.assertions.allowed],
    ['denied', s.assertions.denied],
  ]);
  const file = { model: s.model, ...nonEmpty([['tuples', s.tuples]]), ...(Object.keys(assert).length > 0 ? { assert } : {}) };
  return stringify(file, { blockQuote: 'literal', lineWidth: 0 });
}

/** A model-test file's first scenario as the page edits it; what the page cannot show is refused, not dropped. */
export function pageScenarioOf(text: string): { scenario: PageScenario; name: string; scenarios: number } {
  let tests: ModelTest[];
  try {
    tests = parseTestFile(text, () => {
      throw new Error('the playground reads no files: put the model in the test file');
    });
  } catch (err) {
    if (err instanceof TestFileError) throw invalidArgument(`line ${err.line}: ${err.message}`);
    throw err;
  }
  const [test] = tests;
  if (test === undefined) throw invalidArgument('the file holds no scenario');
  if (Object.keys(test.settings).length > 0) throw invalidArgument(`line ${test.line}: the playground runs under the server's settings; remove "settings"`);
  const other = test.assertions.find((a) => a.kind !== 'allowed' && a.kind !== 'denied');
  if (other !== undefined) throw invalidArgument(`line ${other.line}: the playground edits allowed and denied assertions only, not ${other.kind}`);
  const tuples = test.tuples.map(({ tuple, line }) => {
    if (typeof tuple === 'string') return tuple;
    try {
      return formatTuple(parseKetoTuple(tuple));
    } catch {
      throw invalidArgument(`line ${line}: not a tuple`);
    }
  });
  const checked = (kind: 'allowed' | 'denied') => test.assertions.flatMap((a) => (a.kind === kind ? [a.tuple] : []));
  return { scenario: { model: test.model.text, tuples, assertions: { allowed: checked('allowed'), denied: checked('denied') } }, name: test.name, scenarios: tests.length };
}

/** The page's scenario as the model test `gatehouse test` would run from its saved file. */
function modelTestOf(s: PageScenario, settings: ScenarioSettings): ModelTest {
  const assertion = (kind: 'allowed' | 'denied') => (tuple: string, i: number): Assertion => ({ kind, tuple, line: i + 1 });
  return {
    name: 'playground',
    line: 1,
    model: { text: s.model },
    tuples: s.tuples.map((tuple, i) => ({ tuple, line: i + 1 })),
    settings,
    assertions: [...s.assertions.allowed.map(assertion('allowed')), ...s.assertions.denied.map(assertion('denied'))],
  };
}

/**
 * `POST /api/test-file/save` (the page's scenario → the file's text), `POST /api/test-file/load`
 * (a file's text → its first scenario) and `POST /api/assertions` (the assertions run as
 * `gatehouse test` runs them, under the server's settings, on a sandbox).
 */
export function testFileRoutes(settings: () => ScenarioSettings): RestRoute[] {
  return [
    {
      method: 'POST',
      path: '/api/test-file/save',
      handle: (req) => ({ status: 200, body: testFileOf(decodePageScenario(req.json())), headers: { 'content-type': 'text/yaml; charset=utf-8' } }),
    },
    {
      method: 'POST',
      path: '/api/test-file/load',
      handle: (req) => ({ status: 200, body: pageScenarioOf(req.body.toString('utf8')) }),
    },
    {
      method: 'POST',
      path: '/api/assertions',
      async handle(req) {
        const result = await runModelTest(modelTestOf(decodePageScenario(req.json()), settings()));
        return {
          status: 200,
          body: {
            passed: result.passed,
            problems: result.problems.map((p) => p.message),
            results: result.results.map((r) => ({
              tuple: r.assertion.kind === 'allowed' || r.assertion.kind === 'denied' ? r.assertion.tuple : '',
              passed: r.passed,
              expected: r.expected,
              actual: r.actual,
            })),
          },
        };
      },
    },
  ];
}
