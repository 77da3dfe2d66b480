import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { decodeJsonTuples, decodeTextTuples, readTupleInputs, MAX_INPUT_BYTES } from '../../src/cli/tuple-files.js';
import { CommandFailure } from '../../src/cli/command.js';

const stdin = (text: string) => Readable.from([Buffer.from(text)]);

// The cases of Keto's cmd/relationtuple/parse_test.go.
test('text tuples: subject ids, bracketed subject sets, comments, indentation and blank lines', () => {
  assert.deepEqual(decodeTextTuples('nspace:obj#rel@sub\n'), [{ namespace: 'nspace', object: 'obj', relation: 'rel', subject: { id: 'sub' } }]);
  assert.deepEqual(decodeTextTuples('nspace:obj1#rel@sub1\nnspace:obj2#rel@sub2\nnspace:obj2#rel@(nspace:obj2#rel)'), [
    { namespace: 'nspace', object: 'obj1', relation: 'rel', subject: { id: 'sub1' } },
    { namespace: 'nspace', object: 'obj2', relation: 'rel', subject: { id: 'sub2' } },
    { namespace: 'nspace', object: 'obj2', relation: 'rel', subject: { set: { namespace: 'nspace', object: 'obj2', relation: 'rel' } } },
  ]);
  assert.deepEqual(decodeTextTuples('// foo comment\nnspace:obj#rel@sub\n\n  // also indentation and trailing spaces\n     nspace:indent#rel@sub  '), [
    { namespace: 'nspace', object: 'obj', relation: 'rel', subject: { id: 'sub' } },
    { namespace: 'nspace', object: 'indent', relation: 'rel', subject: { id: 'sub' } },
  ]);
});

test('a bad text line is reported with its line number', () => {
  assert.throws(() => decodeTextTuples('nspace:obj#rel@subns:subid\n\n\ninvalid-line\nnspace:obj2#rel@subns:subid2\n'), /^Error: line 4: could not decode "invalid-line": malformed string input/);
});

test('JSON files hold one tuple or an array; a BOM and whitespace are ignored', () => {
  const one = { namespace: 'n', object: 'o', relation: 'r', subject_id: 's' };
  assert.deepEqual(decodeJsonTuples(`\uFEFF  ${JSON.stringify(one)}\n`), [{ namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } }]);
  assert.deepEqual(decodeJsonTuples(JSON.stringify([one, { ...one, subject_id: undefined, subject_set: { namespace: 'g', object: 'x', relation: 'm' } }])), [
    { namespace: 'n', object: 'o', relation: 'r', subject: { id: 's' } },
    { namespace: 'n', object: 'o', relation: 'r', subject: { set: { namespace: 'g', object: 'x', relation: 'm' } } },
  ]);
});

test('JSON files are read strictly, as Keto reads them', () => {
  assert.throws(() => decodeJsonTuples('not valid json'), /could not decode/);
  assert.throws(() => decodeJsonTuples(''), /^Error: empty input$/);
  assert.throws(() => decodeJsonTuples('  \n'), /empty input after trimming whitespace/);
  assert.throws(() => decodeJsonTuples('{"namespace":"n","object":"o","relation":"r","subject_id":"s","extra":1}'), /json: unknown field "extra"/);
  assert.throws(() => decodeJsonTuples('{"namespace":"n","object":"o","relation":"r"}'), /subject is not allowed to be nil/);
});

test('inputs: files, directories in lexical order, stdin, with Keto errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  try {
    const t = (o: string) => JSON.stringify({ namespace: 'n', object: o, relation: 'r', subject_id: 's' });
    writeFileSync(join(dir, 'b.json'), t('b'));
    writeFileSync(join(dir, 'a.json'), `[${t('a')}]`);
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', 'd.json'), t('d'));
    const tuples = await readTupleInputs([dir, '-'], decodeJsonTuples, stdin(t('stdin')));
    assert.deepEqual(tuples.map((x) => x.object), ['a', 'b', 'd', 'stdin']);

    await assert.rejects(readTupleInputs([join(dir, 'missing.json')], decodeJsonTuples, stdin('')), (err) =>
      err instanceof CommandFailure && err.message.startsWith(`error getting stats for ${join(dir, 'missing.json')}`),
    );
    writeFileSync(join(dir, 'bad.json'), 'nope');
    await assert.rejects(readTupleInputs([join(dir, 'bad.json')], decodeJsonTuples, stdin('')), (err) =>
      err instanceof CommandFailure && err.message.startsWith(`${join(dir, 'bad.json')}: could not decode`),
    );
    await assert.rejects(readTupleInputs(['-'], decodeTextTuples, stdin('x')), (err) => err instanceof CommandFailure && err.message.startsWith('stdin: line 1'));

    const deep = join(dir, 'deep');
    mkdirSync(join(deep, '1', '2', '3'), { recursive: true });
    writeFileSync(join(deep, '1', '2', '3', 'x.json'), t('x'));
    await assert.rejects(readTupleInputs([deep], decodeJsonTuples, stdin('')), /maximum directory depth of 3 exceeded/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an input over 10 MiB is refused', async () => {
  const big = Buffer.alloc(MAX_INPUT_BYTES + 1, 0x20);
  await assert.rejects(readTupleInputs(['-'], decodeJsonTuples, Readable.from([big])), /input exceeds maximum size of 10485760 bytes/);
});
