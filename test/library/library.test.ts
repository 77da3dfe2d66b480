import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createGatehouse, type Gatehouse, GatehouseError } from '../../src/library/index.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { DOCUMENT_TUPLES, DOCUMENTS_OPL } from './models.js';

const alice = { set: { namespace: 'User', object: 'alice', relation: '' } };
const rejectsWith = (kind: string, reason?: string) => (err: unknown) =>
  err instanceof GatehouseError && err.kind === kind && (reason === undefined || err.reason === reason);

describe('library in memory', () => {
  let gh: Gatehouse;
  before(async () => {
    gh = await createGatehouse({ model: DOCUMENTS_OPL, tuples: DOCUMENT_TUPLES });
  });
  after(() => gh.close());

  test('checks through nested groups, by string or object', async () => {
    assert.equal(await gh.check('Doc:plan#view@User:alice'), true);
    assert.equal(await gh.check({ namespace: 'Doc', object: 'plan', relation: 'view', subject: { set: { namespace: 'User', object: 'bob', relation: '' } } }), false);
    assert.equal(await gh.check('Doc:memo#view@User:bob'), true);
    assert.equal(await gh.check('Doc:plan#view@User:alice', { maxDepth: 2 }), false);
  });

  test('batch check answers each item, a malformed one with its error', async () => {
    const results = await gh.batchCheck(['Doc:plan#view@User:alice', 'Doc:memo#view@User:alice', 'not a tuple']);
    assert.deepEqual(results.slice(0, 2), [{ allowed: true }, { allowed: false }]);
    assert.equal(results[2]!.allowed, false);
    assert.ok(results[2]!.error instanceof GatehouseError && results[2]!.error.kind === 'invalid_argument');
  });

  test('explain gives the path that granted the check', async () => {
    const explained = await gh.explain('Doc:plan#view@User:alice');
    assert.equal(explained.allowed, true);
    assert.equal(explained.truncated, false);
    const objects: string[] = [];
    const walk = (e: typeof explained.explanation): void => {
      if (e.step === 'tuple' && e.result === 'allowed') objects.push(`${e.namespace}:${e.object}#${e.relation}`);
      e.children.forEach(walk);
    };
    walk(explained.explanation);
    assert.deepEqual(objects, ['Group:engineering#member']);
  });

  test('expands a subject set', async () => {
    const tree = await gh.expand('Group:staff#member', { maxDepth: 3 });
    assert.deepEqual(tree, {
      type: 'union',
      tuple: { namespace: '', object: '', relation: '', subject: { set: { namespace: 'Group', object: 'staff', relation: 'member' } } },
      children: [
        {
          type: 'union',
          tuple: { namespace: '', object: '', relation: '', subject: { set: { namespace: 'Group', object: 'engineering', relation: 'member' } } },
          children: [{ type: 'leaf', tuple: { namespace: '', object: '', relation: '', subject: alice }, children: [] }],
        },
      ],
    });
    assert.deepEqual(await gh.expand('Group:nobody#member'), {
      type: 'union',
      tuple: { namespace: '', object: '', relation: '', subject: { set: { namespace: 'Group', object: 'nobody', relation: 'member' } } },
      children: [],
    });
  });

  test('lists objects and subjects', async () => {
    assert.deepEqual(await gh.listObjects({ namespace: 'Doc', relation: 'view', subject: 'User:alice' }), { items: ['plan'] });
    assert.deepEqual(await gh.listSubjects({ namespace: 'Doc', object: 'plan', relation: 'view', kind: { namespace: 'User', relation: '' } }), {
      items: [alice],
    });
  });

  test('a write is seen by the next check; an invalid one changes nothing', async () => {
    await gh.write({ insert: ['Doc:memo#viewer@Group:engineering#member'], delete: ['Group:staff#member@Group:engineering#member'] });
    assert.equal(await gh.check('Doc:memo#view@User:alice'), true);
    assert.equal(await gh.check('Doc:plan#view@User:alice'), false);
    await assert.rejects(
      gh.write({ insert: ['Group:staff#member@Group:engineering#member', 'Nope:x#y@User:alice'] }),
      rejectsWith('not_found', 'Unknown namespace with name "Nope".'),
    );
    assert.equal(await gh.check('Doc:plan#view@User:alice'), false);
    await gh.write({ insert: ['Group:staff#member@Group:engineering#member'], delete: ['Doc:memo#viewer@Group:engineering#member'] });
  });

  test('refuses what a server refuses', async () => {
    await assert.rejects(gh.check('Nope:x#y@User:alice'), rejectsWith('not_found', 'Unknown namespace with name "Nope".'));
    await assert.rejects(gh.check('Doc:plan#view'), rejectsWith('invalid_argument'));
    await assert.rejects(gh.listObjects({ namespace: 'Doc', relation: 'view', subject: 'User:alice', pageSize: 0 }), rejectsWith('invalid_argument'));
  });
});

describe('library creation', () => {
  test('a model with errors is refused with their line and column', async () => {
    await assert.rejects(createGatehouse({ model: 'class User implements Namespace {\n  related: { x: Nope[] }\n}\n' }), (err: unknown) => {
      assert.ok(err instanceof GatehouseError && err.kind === 'invalid_argument');
      assert.match(err.message, /^the OPL model has 1 error\(s\):\n {2}2:\d+: /);
      return true;
    });
  });

  test('options without a model or a DSN are refused', async () => {
    await assert.rejects(createGatehouse({} as never), rejectsWith('invalid_argument'));
  });

  test('a tuple outside the model is refused', async () => {
    await assert.rejects(createGatehouse({ model: DOCUMENTS_OPL, tuples: ['Nope:x#y@z'] }), rejectsWith('not_found'));
  });

  test('configuration keys are validated and applied', async () => {
    await assert.rejects(createGatehouse({ model: DOCUMENTS_OPL, config: { limit: { max_read_depth: 'deep' } } }), rejectsWith('invalid_argument'));
    const shallow = await createGatehouse({ model: DOCUMENTS_OPL, tuples: DOCUMENT_TUPLES, config: { limit: { max_read_depth: 2 } } });
    assert.equal(await shallow.check('Doc:plan#view@User:alice'), false);
    assert.equal(await shallow.check('Doc:memo#view@User:bob'), true);
  });

  test('prints nothing and installs no signal or exit handler, in memory or on a database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-library-'));
    try {
      // Node itself listens to 'exit' while a module's top-level await runs: counted before, and subtracted.
      const script = `
        const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'exit', 'uncaughtException'];
        const before = events.map((e) => process.listenerCount(e));
        const { createGatehouse } = await import(${JSON.stringify(new URL('../../src/library/index.js', import.meta.url).href)});
        const model = ${JSON.stringify(DOCUMENTS_OPL)};
        const memory = await createGatehouse({ model, tuples: ${JSON.stringify(DOCUMENT_TUPLES)} });
        const database = await createGatehouse({ dsn: ${JSON.stringify(`sqlite://${join(dir, 'db.sqlite')}`)}, model, migrate: true });
        await database.write({ insert: ${JSON.stringify(DOCUMENT_TUPLES)} });
        const answers = [await memory.check('Doc:plan#view@User:alice'), await database.check('Doc:plan#view@User:alice')];
        const handlers = events.map((e, i) => process.listenerCount(e) - before[i]);
        await memory.close();
        await database.close();
        process.stderr.write(JSON.stringify({ answers, handlers }));`;
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
      assert.equal(stdout, '');
      assert.deepEqual(JSON.parse(stderr), { answers: [true, true], handlers: [0, 0, 0, 0, 0] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a closed instance refuses calls', async () => {
    const gh = await createGatehouse({ model: DOCUMENTS_OPL });
    await gh.close();
    await assert.rejects(gh.check('Doc:plan#view@User:alice'), rejectsWith('unavailable'));
  });
});

for (const dialect of SQL_DIALECTS) {
  describe(`library over ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let writer: Gatehouse;
    let reader: Gatehouse;
    before(async () => {
      database = await dialect.database();
      writer = await createGatehouse({ dsn: database.dsn, model: DOCUMENTS_OPL, migrate: true });
      reader = await createGatehouse({ dsn: database.dsn, model: DOCUMENTS_OPL, config: { index: { enabled: true } } });
    });
    after(async () => {
      await writer?.close();
      await reader?.close();
      await database?.drop();
    });

    test("one process's write is seen by the next check of another", async () => {
      await writer.write({ insert: DOCUMENT_TUPLES });
      assert.equal(await reader.check('Doc:plan#view@User:alice'), true);
      assert.deepEqual(await reader.listObjects({ namespace: 'Doc', relation: 'view', subject: 'User:alice' }), { items: ['plan'] });
      await writer.write({ delete: ['Group:engineering#member@User:alice'] });
      assert.equal(await reader.check('Doc:plan#view@User:alice'), false);
      assert.equal(await writer.check('Doc:plan#view@User:alice'), false);
    });

    test('a database without migrations is refused unless asked to migrate', async () => {
      const fresh = await dialect.database();
      try {
        const gh = await createGatehouse({ dsn: fresh.dsn, model: DOCUMENTS_OPL });
        await assert.rejects(gh.check('Doc:plan#view@User:alice'));
        await gh.close();
      } finally {
        await fresh.drop();
      }
    });
  });
}
