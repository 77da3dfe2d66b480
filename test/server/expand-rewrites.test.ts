/**
 * `feature_flags.expand_rewrites` end to end: Keto's expand API follows a permit's OPL
 * rewrite when the flag is on (union, intersection, exclusion, traverse, as Keto's
 * internal/expand builds them), lists the permit's stored tuples when it is off, and
 * follows the configuration file without a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startGatehouseProcess } from '../support/server.js';

const MODEL = `class User implements Namespace {}
class Folder implements Namespace {
  related: { viewers: User[] }
  permits = { view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) }
}
class File implements Namespace {
  related: { parents: Folder[]; viewers: User[]; blocklist: User[] }
  permits = {
    view: (ctx: Context): boolean =>
      !this.related.blocklist.includes(ctx.subject) &&
      (this.related.parents.traverse((p) => p.permits.view(ctx)) || this.related.viewers.includes(ctx.subject)),
  }
}
`;

const set = (namespace: string, object: string, relation: string) => ({ namespace, object, relation });
const node = (type: string, subject: object | undefined, children: object[] = []) => ({
  type,
  tuple: { namespace: '', object: '', relation: '', ...(subject === undefined ? {} : { subject_set: subject }) },
  ...(children.length === 0 ? {} : { children }),
});
const user = (id: string) => node('leaf', set('User', id, ''));

test('feature_flags.expand_rewrites: expand follows the rewrite, and the flag follows the config file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-expand-rewrites-'));
  writeFileSync(join(dir, 'model.ts'), MODEL);
  const config = (expandRewrites: boolean) => ({
    dsn: 'memory',
    namespaces: { location: pathToFileURL(join(dir, 'model.ts')).href },
    feature_flags: { expand_rewrites: expandRewrites },
  });
  const gh = await startGatehouseProcess({ config: config(true) });
  t.after(async () => {
    await gh.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  for (const line of ['File:f1#viewers@User:1', 'File:f1#blocklist@User:2', 'File:f1#parents@Folder:docs', 'Folder:docs#viewers@User:3', 'File:f1#view@User:4']) {
    const [key, subject] = line.split('@') as [string, string];
    const [namespace, rest] = key.split(':') as [string, string];
    const [object, relation] = rest.split('#') as [string, string];
    const [sns, sobj] = subject.split(':') as [string, string];
    const res = await fetch(`${gh.url.write}/admin/relation-tuples`, {
      method: 'PUT',
      body: JSON.stringify({ namespace, object, relation, subject_set: set(sns, sobj, '') }),
    });
    assert.equal(res.status, 201);
  }
  const expand = async () => (await fetch(`${gh.url.read}/relation-tuples/expand?namespace=File&object=f1&relation=view&max-depth=10`)).json();

  assert.deepEqual(
    await expand(),
    node('intersection', set('File', 'f1', 'view'), [
      node('union', undefined, [
        node('union', set('File', 'f1', 'viewers'), [user('1')]),
        node('union', set('File', 'f1', 'parents'), [node('union', set('Folder', 'docs', 'view'), [node('union', set('Folder', 'docs', 'viewers'), [user('3')])])]),
      ]),
      { type: 'exclusion', tuple: { namespace: '', object: '', relation: '' }, children: [node('union', set('File', 'f1', 'blocklist'), [user('2')])] },
    ]),
  );

  writeFileSync(gh.configFile, JSON.stringify(config(false)));
  const stored = node('union', set('File', 'f1', 'view'), [user('4')]);
  let answer: unknown;
  for (let i = 0; i < 200; i++) {
    answer = await expand();
    if (JSON.stringify(answer) === JSON.stringify(stored)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(answer, stored);
});
