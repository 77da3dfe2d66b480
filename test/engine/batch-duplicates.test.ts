import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import { currentReads } from '../../src/reader.js';
import type { RelationTuple } from '../../src/tuple.js';
import { type SourceKind, sourceOf } from '../support/memory-source.js';
import { fileModel, fileTuples, t } from './hand-models.js';

/**
 * A BatchCheck that names the same tuple several times, among others, answers each entry as a
 * single check of it does, on every kind of source (the index shares rows between checks, the
 * database reads batch them): no entry takes another's answer.
 */
const asked: RelationTuple[] = [
  'File:doc#view@User:ann',
  'File:doc#view@User:bob',
  'Folder:root#view@User:bob',
  'Folder:sub#view@User:ann',
  'File:doc#viewers@User:ann',
  'Group:eng#members@User:zed',
].map(t);

for (const kind of ['memory', 'async memory', 'tuple index'] as SourceKind[]) {
  describe(`BatchCheck with duplicates over ${kind}`, () => {
    const engine = new CheckEngine({ reads: currentReads(sourceOf(kind, fileTuples)), model: () => fileModel, settings: () => defaultCheckSettings });

    test('each entry answers as its single check', async () => {
      const singles = await Promise.all(asked.map(async (tuple) => await engine.check(tuple)));
      assert.ok(singles.includes(true) && singles.includes(false), `single answers ${singles}`);
      // Every tuple three times, interleaved and in a row, with every parallelism.
      const batch = [...asked, ...asked.flatMap((x) => [x, x])];
      for (const maxParallelization of [1, 2, 5, batch.length]) {
        const results = await engine.batchCheck(batch, undefined, { maxBatchCheckSize: batch.length, maxParallelization });
        assert.deepEqual(
          results.map((r) => r.allowed),
          batch.map((x) => singles[asked.indexOf(x)]),
          `parallelization ${maxParallelization}`,
        );
        assert.ok(results.every((r) => r.error === undefined));
      }
    });
  });
}
