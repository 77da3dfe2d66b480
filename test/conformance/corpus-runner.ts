import assert from 'node:assert/strict';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { DEFAULT_MAX_READ_WIDTH } from '../../src/engine/limits.js';
import { everyPage, LookupEngine, type LookupPage } from '../../src/engine/lookup-engine.js';
import { currentReads, type TupleSource } from '../../src/reader.js';
import { GatehouseError } from '../../src/errors.js';
import { compareBinary, type RelationTuple } from '../../src/tuple.js';
import { formatSubject, parseSubject, parseTupleString } from '../../src/api/tuple-string.js';
import { caseModel, caseTuples, type ConformanceCase } from '../support/conformance.js';

/** Depth used for `checks` when a case states none (several need more than Keto's default of 5). */
export const UNSTATED_MAX_DEPTH = 100;

export interface CorpusTally {
  checks: number;
  errorChecks: number;
  limitChecks: number;
  listObjects: number;
  listSubjects: number;
}

export const emptyTally = (): CorpusTally => ({ checks: 0, errorChecks: 0, limitChecks: 0, listObjects: 0, listSubjects: 0 });

export const describeTally = (t: CorpusTally): string =>
  `checks ${t.checks}, error checks ${t.errorChecks}, limit checks ${t.limitChecks} (both modes), list objects ${t.listObjects}, list subjects ${t.listSubjects} agree`;

/** Small pages, so that every expectation is also read across several pages. */
const LIST_PAGE_SIZE = 2;

/** Every page of a lookup, each within the page size. */
const allPages = <T>(list: (after: string | undefined) => Promise<LookupPage<T>>): Promise<T[]> =>
  everyPage(async (after) => {
    const page = await list(after);
    assert.ok(page.items.length <= LIST_PAGE_SIZE);
    return page;
  });

/**
 * Runs every `checks`, `errorChecks` and `limitChecks` entry of one case through the
 * engine over the source that `openSource` fills with the case's tuples, and counts the
 * agreements. Limit checks run in non-strict and strict mode (each counted).
 */
export async function runCase(c: ConformanceCase, openSource: (tuples: RelationTuple[]) => Promise<TupleSource>, tally: CorpusTally): Promise<void> {
  const model = caseModel(c);
  const source = await openSource(caseTuples(c));
  const engineWith = (settings: { maxReadDepth: number; maxReadWidth: number; strictMode: boolean }) =>
    new CheckEngine({ reads: currentReads(source), model: () => model, settings: () => settings });

  const strict = c.mode?.strict === true;
  const depth = c.mode?.maxDepth ?? UNSTATED_MAX_DEPTH;
  const engine = engineWith({ maxReadDepth: depth, maxReadWidth: DEFAULT_MAX_READ_WIDTH, strictMode: strict });
  for (const check of c.checks) {
    const allowed = await engine.check(parseTupleString(check.tuple), depth);
    assert.equal(allowed, check.expect, `${c.file}: ${check.tuple}`);
    tally.checks++;
  }

  for (const e of c.errorChecks ?? []) {
    assert.equal(e.httpStatus, 400, `${c.file}: only 400 error checks are known`);
    for (const strictMode of [false, true]) {
      const refusing = engineWith({ maxReadDepth: depth, maxReadWidth: DEFAULT_MAX_READ_WIDTH, strictMode });
      await assert.rejects(
        async () => refusing.check(parseTupleString(e.tuple), depth),
        (err: unknown) => err instanceof GatehouseError && err.kind === 'invalid_argument' && err.reason === e.reason,
        `${c.file}: ${e.tuple} (strict=${strictMode})`,
      );
      tally.errorChecks++;
    }
  }

  const lookups = new LookupEngine({ reads: currentReads(source), model: () => model, checks: engine });
  for (const l of c.listObjects ?? []) {
    const subject = parseSubject(l.subject);
    const objects = await allPages((after) =>
      lookups.listObjects({ namespace: l.namespace, relation: l.relation, subject, maxDepth: depth, pageSize: LIST_PAGE_SIZE, ...(after === undefined ? {} : { after }) }),
    );
    assert.deepEqual(objects, [...l.expect].sort(compareBinary), `${c.file}: list objects ${l.namespace}#${l.relation}@${l.subject}`);
    tally.listObjects++;
  }
  for (const l of c.listSubjects ?? []) {
    const kind = { namespace: l.subjectNamespace, relation: l.subjectRelation ?? '' };
    const subjects = await allPages((after) =>
      lookups.listSubjects({ namespace: l.namespace, object: l.object, relation: l.relation, kind, maxDepth: depth, pageSize: LIST_PAGE_SIZE, ...(after === undefined ? {} : { after }) }),
    );
    const expected = l.expect.map((s) => formatSubject(parseSubject(s))).sort(compareBinary);
    assert.deepEqual(subjects.map(formatSubject).sort(compareBinary), expected, `${c.file}: list subjects ${l.namespace}:${l.object}#${l.relation} of ${kind.namespace}#${kind.relation}`);
    tally.listSubjects++;
  }

  for (const l of c.limitChecks ?? []) {
    const settings = { maxReadDepth: l.maxDepth, maxReadWidth: l.maxWidth ?? DEFAULT_MAX_READ_WIDTH };
    const where = `${c.file}: ${l.tuple} maxDepth=${l.maxDepth} maxWidth=${l.maxWidth ?? 'default'}`;
    // The request asks for more depth than the global limit; the global limit wins.
    const requestDepth = l.maxDepth + 5;
    const lenient = await engineWith({ ...settings, strictMode: false }).check(parseTupleString(l.tuple), requestDepth);
    if (l.orderDependent !== true) assert.equal(lenient, l.expect, `${where} (non-strict)`);
    tally.limitChecks++;

    const strictEngine = engineWith({ ...settings, strictMode: true });
    if (l.strictError !== null) {
      await assert.rejects(
        async () => strictEngine.check(parseTupleString(l.tuple), requestDepth),
        (err: unknown) => err instanceof GatehouseError && err.kind === 'unprocessable' && err.reason === l.strictError,
        `${where} (strict)`,
      );
    } else {
      assert.equal(await strictEngine.check(parseTupleString(l.tuple), requestDepth), l.expect, `${where} (strict)`);
    }
    tally.limitChecks++;
  }
}
