import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { linesOf } from '../../src/cli/lines.js';
import { ImportWatermark, readProgressFile } from '../../src/cli/relation-tuple/import-progress.js';
import { CommandFailure } from '../../src/cli/command.js';

async function collect(chunks: (string | Buffer)[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of linesOf(Readable.from(chunks))) lines.push(line);
  return lines;
}

test('lines: split across chunks, CRLF, multi-byte characters cut between chunks, a last line without newline', async () => {
  const snowman = Buffer.from('☃');
  assert.deepEqual(
    await collect([Buffer.from('a\r\nb'), Buffer.from('c\n'), Buffer.concat([Buffer.from('x'), snowman.subarray(0, 1)]), Buffer.concat([snowman.subarray(1), Buffer.from('\n\nlast')])]),
    ['a', 'bc', 'x☃', '', 'last'],
  );
  assert.deepEqual(await collect([]), []);
  assert.deepEqual(await collect(['only\n']), ['only']);
});

test('the resume mark moves only past batches whose predecessors finished', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-progress-'));
  try {
    const file = join(dir, 'p.json');
    const mark = new ImportWatermark(5, 3, 'in.txt', file);
    const [a, b, c] = [mark.issue(), mark.issue(), mark.issue()];
    mark.settle(b, 20, 10);
    assert.deepEqual(mark.state, { input: 'in.txt', line: 5, tuples: 3 });
    mark.settle(a, 10, 5);
    assert.deepEqual(mark.state, { input: 'in.txt', line: 20, tuples: 18 });
    mark.skipTo(25);
    assert.equal(mark.state.line, 20);
    mark.settle(c, 24, 4);
    assert.deepEqual(mark.state, { input: 'in.txt', line: 25, tuples: 22 });
    await mark.flushed();
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { input: 'in.txt', line: 25, tuples: 22 });
    assert.deepEqual(await readProgressFile(file), { input: 'in.txt', line: 25, tuples: 22 });
    assert.equal(await readProgressFile(join(dir, 'missing.json')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a progress file gatehouse did not write is refused with a hint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-progress-'));
  try {
    const file = join(dir, 'p.json');
    writeFileSync(file, '{"line": "ten"}');
    await assert.rejects(readProgressFile(file), (err) => err instanceof CommandFailure && /delete it/.test(err.hint!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
