/**
 * `list-objects`, `list-subjects` and `watch` run in-process against a live server (the
 * watch through a TCP proxy that cuts its connection), checking stdout, stderr and exit codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as listObjects from '../../src/cli/list-objects.js';
import * as listSubjects from '../../src/cli/list-subjects.js';
import * as watch from '../../src/cli/watch.js';
import { FaultProxy } from '../chaos/support/fault-proxy.js';
import { http1Request } from '../server/clients.js';
import { GATEHOUSE_BIN, startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { captureIo } from './capture-io.js';

const MODEL = `
class User implements Namespace {}
class Group implements Namespace {
  related: { members: (User | SubjectSet<Group, "members">)[] }
}
class Doc implements Namespace {
  related: { viewers: (User | SubjectSet<Group, "members">)[] }
  permits = { view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) }
}
`;
/** More than two pages of the default page size (100): the commands must read every page. */
const DOCS = 250;
const docId = (i: number) => `d${String(i).padStart(3, '0')}`;
const PLAIN = '--insecure-disable-transport-security';

let server: GatehouseProcess;
let dir: string;

type Delta = { action: 'insert' | 'delete'; relation_tuple: Record<string, unknown> };
const viewer = (action: Delta['action'], object: string, subject: Record<string, unknown>): Delta => ({
  action,
  relation_tuple: { namespace: 'Doc', object, relation: 'viewers', ...subject },
});

/** Writes the deltas in one transaction (on `to`, by default the suite's server); resolves with the write's snaptoken. */
async function write(deltas: Delta[], to = server): Promise<string> {
  const res = await http1Request(`${to.url.write}/admin/relation-tuples`, { method: 'PATCH', body: JSON.stringify(deltas) });
  assert.equal(res.status, 204, res.body);
  return res.headers['gatehouse-snaptoken'] as string;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-lookups-'));
  writeFileSync(join(dir, 'model.ts'), MODEL);
  server = await startGatehouseProcess({ config: { namespaces: { location: `file://${join(dir, 'model.ts')}` } } });
  await write([
    ...Array.from({ length: DOCS }, (_, i) => viewer('insert', docId(i), { subject_set: { namespace: 'Group', object: 'eng', relation: 'members' } })),
    { action: 'insert', relation_tuple: { namespace: 'Group', object: 'eng', relation: 'members', subject_id: 'alice' } },
    viewer('insert', 'private', { subject_id: 'bob' }),
  ]);
});
after(async () => {
  assert.equal(await server.stop(), 0);
  rmSync(dir, { recursive: true, force: true });
});

type Run = (argv: string[], io: ReturnType<typeof captureIo>) => Promise<number>;

async function cli(run: Run, argv: string[], remote = server.grpc.read) {
  const io = captureIo();
  const code = await run([...argv, '--read-remote', remote, PLAIN], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

test('list-objects prints every object of every page, as a table, JSON or one id a line', async () => {
  const all = Array.from({ length: DOCS }, (_, i) => docId(i));
  const json = await cli(listObjects.run, ['alice', 'view', 'Doc', '--format', 'json']);
  assert.deepEqual(json, { code: 0, stdout: `${JSON.stringify({ objects: all })}\n`, stderr: '' });
  const quiet = await cli(listObjects.run, ['alice', 'view', 'Doc', '-q']);
  assert.deepEqual(quiet, { code: 0, stdout: all.map((id) => `${id}\n`).join(''), stderr: '' });
  const table = await cli(listObjects.run, ['bob', 'view', 'Doc']);
  assert.deepEqual(table, { code: 0, stdout: 'NAMESPACE\tOBJECT\t\nDoc\t\tprivate\t\n', stderr: '' });
  const bySet = await cli(listObjects.run, ['Group:eng#members', 'viewers', 'Doc', '--format', 'jsonpath=objects.#']);
  assert.deepEqual(bySet, { code: 0, stdout: `${DOCS}\n`, stderr: '' });
  const none = await cli(listObjects.run, ['nobody', 'view', 'Doc', '--format', 'json']);
  assert.deepEqual(none, { code: 0, stdout: '{"objects":[]}\n', stderr: '' });
});

test('list-subjects prints subject ids, or with --subject-namespace subject sets', async () => {
  assert.deepEqual(await cli(listSubjects.run, ['view', 'Doc:d007']), { code: 0, stdout: 'SUBJECT\t\nalice\t\n', stderr: '' });
  const sets = await cli(listSubjects.run, ['viewers', 'Doc:d007', '--subject-namespace', 'Group', '--subject-relation', 'members', '--format', 'json']);
  assert.deepEqual(sets, { code: 0, stdout: '{"subjects":[{"subject_set":{"namespace":"Group","object":"eng","relation":"members"}}]}\n', stderr: '' });
  const quiet = await cli(listSubjects.run, ['viewers', 'Doc:d007', '--subject-namespace', 'Group', '--subject-relation', 'members', '-q']);
  assert.deepEqual(quiet, { code: 0, stdout: 'Group:eng#members\n', stderr: '' });
});

test('lookup errors are one line on stderr: a refused request exits 3, a usage error 2', async () => {
  assert.deepEqual(await cli(listSubjects.run, ['view', 'Doc:d007', '--subject-relation', 'members']), {
    code: 3,
    stdout: '',
    stderr: 'Error: Could not make request: subject_relation needs subject_namespace [INVALID_ARGUMENT] (hint: check the arguments: namespaces and relations must exist in the configured model)\n',
  });
  assert.deepEqual(await cli(listObjects.run, ['alice', 'view', 'Nope']), {
    code: 3,
    stdout: '',
    stderr:
      'Error: Could not make request: The requested resource could not be found: Unknown namespace with name "Nope". [NOT_FOUND] ' +
      "(hint: check the namespace name against the server's namespace configuration)\n",
  });
  const usage = await cli(listSubjects.run, ['view', 'd007']);
  assert.equal(usage.code, 2);
  assert.equal(usage.stderr, 'Error: expected <object_namespace>:<object_id> format, got "d007" (hint: run \'gatehouse list-subjects --help\' for usage)\n');
});

test('the commands are on the command line', async () => {
  const run = (...args: string[]) =>
    new Promise<{ stdout: string; code: number }>((resolve) =>
      execFile(process.execPath, [GATEHOUSE_BIN, ...args, '--read-remote', server.grpc.read, PLAIN], (err, stdout) => resolve({ stdout, code: err ? Number(err.code) : 0 })),
    );
  assert.deepEqual(await run('list-objects', 'bob', 'view', 'Doc', '-q'), { stdout: 'private\n', code: 0 });
  assert.deepEqual(await run('list-subjects', 'view', 'Doc:private', '-q'), { stdout: 'bob\n', code: 0 });
  const help = await run('watch', '--help');
  assert.match(help.stdout, /^Print every change of the relation tuples as it is committed/);
});

/** Resolves once `ready()` holds, checking as output arrives; rejects once the test ends (its timeout bounds the wait). */
async function until(signal: AbortSignal, ready: () => boolean): Promise<void> {
  while (!ready()) {
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('watch prints each change once, in commit order, across a cut connection and a refusing server, and its notices once', { timeout: 60_000 }, async (t) => {
  const proxy = await FaultProxy.start(server.ports.read);
  const io = captureIo();
  const lines = () => io.stdoutText().split('\n').filter((l) => l !== '');
  try {
    const start = await write([viewer('insert', 'w-before', { subject_id: 'carol' })]);
    // An http URL as the remote: the notice that it is used as an address comes once, not on every reconnect.
    const running = watch.run(['--snaptoken', start, '--format', 'json', '--read-remote', `http://127.0.0.1:${proxy.port}`, PLAIN], io);
    const expected: string[] = [];
    const change = async (action: Delta['action'], object: string) => {
      await write([viewer(action, object, { subject_id: 'carol' })]);
      expected.push(`${action} ${object}`);
    };
    for (let i = 0; i < 5; i++) await change('insert', `w${i}`);
    await until(t.signal, () => lines().length === 5);
    // The connection breaks; while the server refuses connections, changes go on.
    proxy.refuse();
    proxy.resetAll();
    for (let i = 5; i < 10; i++) await change('insert', `w${i}`);
    await change('delete', 'w0');
    await until(t.signal, () => io.stderrText().includes('resuming'));
    proxy.heal();
    for (let i = 10; i < 15; i++) await change('insert', `w${i}`);
    // Cut again while the stream is idle, without refusing: it resumes at once.
    proxy.resetAll();
    await change('delete', 'w1');
    const isLast = (line: string | undefined) => line !== undefined && /"action":"delete","relation_tuple":\{"namespace":"Doc","object":"w1"/.test(line);
    await until(t.signal, () => isLast(lines().at(-1)));
    io.interrupt();
    assert.equal(await running, 130);
    const printed = lines().map((l) => JSON.parse(l) as { action: string; relation_tuple: { object: string; subject_id: string }; snaptoken: string });
    assert.deepEqual(printed.map((e) => `${e.action} ${e.relation_tuple.object}`), expected);
    assert.deepEqual(printed[0]!.relation_tuple, { namespace: 'Doc', object: 'w0', relation: 'viewers', subject_id: 'carol' });
    assert.equal(new Set(printed.map((e) => e.snaptoken)).size, expected.length);
    assert.match(io.stderrText(), /^remote "http:\/\/127\.0\.0\.1:\d+" seems to be an http URL[^\n]*\n(watch: .*; resuming after the last change seen\n)+$/);
  } finally {
    io.interrupt();
    await proxy.close();
  }
});

test('watch prints "insert"/"delete" and the tuple by default, from now when no snaptoken is given', { timeout: 60_000 }, async (t) => {
  await write([viewer('insert', 'old', { subject_id: 'dave' })]);
  const io = captureIo();
  const running = watch.run(['--read-remote', server.grpc.read, PLAIN], io);
  let written = 0;
  try {
    // "Now" is when the command starts: write until the first change after it shows, then one more.
    while (io.stdoutText() === '') {
      t.signal.throwIfAborted();
      await write([viewer('insert', `n${written++}`, { subject_id: 'dave' })]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await write([viewer('delete', 'old', { subject_id: 'dave' })]);
    await until(t.signal, () => io.stdoutText().endsWith('delete Doc:old#viewers@dave\n'));
  } finally {
    io.interrupt();
  }
  assert.equal(await running, 130);
  const lines = io.stdoutText().trimEnd().split('\n');
  const first = Number(/^insert Doc:n(\d+)#viewers@dave$/.exec(lines[0]!)?.[1]);
  const inserts = Array.from({ length: written - first }, (_, i) => `insert Doc:n${first + i}#viewers@dave`);
  assert.deepEqual(lines, [...inserts, 'delete Doc:old#viewers@dave']);
  assert.equal(io.stderrText(), '');
});

/** A TCP forwarder whose target can change: new connections go to the port set last. */
async function forwarder(port: number): Promise<{ port: number; target: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { target: port };
  const server = net.createServer((client) => {
    const upstream = net.connect(state.target, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

test('watch resumes on another server of the same database when its server stops', { timeout: 120_000 }, async (t) => {
  const config = { dsn: `sqlite://${join(dir, 'shared.sqlite')}`, namespaces: { location: `file://${join(dir, 'model.ts')}` } };
  const a = await startGatehouseProcess({ config, args: ['--migrate'] });
  const b = await startGatehouseProcess({ config });
  const proxy = await forwarder(a.ports.read);
  const io = captureIo();
  const expected: string[] = [];
  const change = async (to: GatehouseProcess, object: string) => {
    await write([viewer('insert', object, { subject_id: 'erin' })], to);
    expected.push(`insert Doc:${object}#viewers@erin`);
  };
  let running: Promise<number> | undefined;
  try {
    const start = await write([viewer('insert', 'before', { subject_id: 'erin' })], a);
    running = watch.run(['--snaptoken', start, '--read-remote', `127.0.0.1:${proxy.port}`, PLAIN], io);
    for (const object of ['a1', 'a2', 'a3']) await change(a, object);
    await until(t.signal, () => io.stdoutText().split('\n').length === 4);
    proxy.target = b.ports.read;
    assert.equal(await a.stop(), 0);
    for (const object of ['b1', 'b2', 'b3']) await change(b, object);
    await until(t.signal, () => io.stdoutText().endsWith('insert Doc:b3#viewers@erin\n'));
  } finally {
    io.interrupt();
    await proxy.close();
    await a.stop();
    await b.stop();
  }
  assert.equal(await running, 130);
  assert.equal(io.stdoutText(), expected.map((line) => `${line}\n`).join(''));
  assert.match(io.stderrText(), /^(watch: .*; resuming after the last change seen\n)+$/);
});
