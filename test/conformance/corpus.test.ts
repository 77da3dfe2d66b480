import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TupleIndex } from '../../src/index/tuple-index.js';
import { corpusSkip, loadConformanceCases } from '../support/conformance.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { describeTally, emptyTally, runCase } from './corpus-runner.js';

/**
 * The whole conformance corpus through the engine over the test's in-memory source (once
 * answering synchronously, once through Promises) and over the in-memory tuple index.
 * 100 % agreement is required.
 */
const cases = loadConformanceCases();

describe('conformance corpus, in-memory source', { skip: corpusSkip(cases) }, () => {
  for (const async of [false, true]) {
    it(`every check, error check and limit check agrees (${async ? 'asynchronous' : 'synchronous'} source)`, async () => {
      const tally = emptyTally();
      for (const c of cases ?? []) await runCase(c, async (tuples) => new MemoryTupleSource(tuples, { async }), tally);
      console.log(`corpus (${async ? 'async' : 'sync'} memory source): ${cases?.length} cases; ${describeTally(tally)}`);
      assert.ok(tally.checks > 0);
    });
  }

  it('every check, error check, limit check and lookup agrees (in-memory tuple index)', async () => {
    const tally = emptyTally();
    for (const c of cases ?? []) {
      await runCase(
        c,
        async (tuples) => {
          const index = new TupleIndex();
          for (const t of tuples) index.insert(t);
          return index;
        },
        tally,
      );
    }
    console.log(`corpus (tuple index): ${cases?.length} cases; ${describeTally(tally)}`);
    assert.ok(tally.checks > 0);
  });
});
