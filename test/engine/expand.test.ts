import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpandTree } from '../../src/engine/expand-tree.js';
import { formatSubject, parseSubjectSet, parseTupleString } from '../../src/api/tuple-string.js';
import { ExpandEngine, type ExpandSettings } from '../../src/engine/expand-engine.js';
import { GatehouseError } from '../../src/errors.js';
import type { Namespace } from '../../src/model.js';
import { compileOpl } from '../../src/opl/compile.js';
import { modelOf } from '../support/conformance.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { currentReads } from '../../src/reader.js';

/** A tree as `[type, subject, ...children]` (subject '' when the node has none). */
type Shape = [string, string, ...Shape[]];

const shape = (t: ExpandTree): Shape => [t.type, t.tuple?.subject === undefined ? '' : formatSubject(t.tuple.subject), ...t.children.map(shape)];

function namespacesOf(opl: string): readonly Namespace[] {
  const compiled = compileOpl(opl);
  assert.deepEqual(compiled.errors, []);
  return compiled.namespaces;
}

function expand(namespaces: readonly Namespace[], tuples: string[], root: string, settings: Partial<ExpandSettings> = {}) {
  const model = modelOf(namespaces);
  const engine = new ExpandEngine({
    reads: currentReads(new MemoryTupleSource(tuples.map(parseTupleString))),
    model: () => model,
    settings: () => ({ maxReadDepth: 50, maxExpandSize: 4000, strictMode: false, expandRewrites: true, ...settings }),
  });
  return engine.expand(parseSubjectSet(root), 100) as ExpandTree | undefined;
}

const leaf = (s: string): Shape => ['leaf', s];

describe('expand', () => {
  it('follows union and exclusion through several levels of subject sets (strict, node limit 20)', () => {
    const opl = `
      class User implements Namespace {}
      class Corporate implements Namespace { related: { releasers: User[] } }
      class UserGroup implements Namespace { related: { members: User[] } }
      class AccountGroup implements Namespace { related: { managers: SubjectSet<UserGroup, "members">[] } }
      class Account implements Namespace { related: { managers: SubjectSet<AccountGroup, "managers">[] } }
      class Task implements Namespace {
        related: {
          managers: (SubjectSet<Account, "managers"> | SubjectSet<Corporate, "releasers">)[]
          blocklist: SubjectSet<UserGroup, "members">[]
        }
        permits = {
          viewer: (ctx: Context) => this.related.managers.includes(ctx.subject) && !this.related.blocklist.includes(ctx.subject)
        }
      }`;
    const tuples = [
      'UserGroup:UG1#members@User:1', 'UserGroup:UG1#members@User:2',
      'UserGroup:UG2#members@User:2', 'UserGroup:UG2#members@User:3', 'UserGroup:UG2#members@User:4',
      'UserGroup:UG3#members@User:4', 'UserGroup:UG3#members@User:5',
      'AccountGroup:AG1#managers@UserGroup:UG1#members', 'AccountGroup:AG1#managers@UserGroup:UG2#members',
      'AccountGroup:AG2#managers@UserGroup:UG3#members',
      'Account:A1#managers@AccountGroup:AG1#managers', 'Account:A1#managers@AccountGroup:AG2#managers',
      'Task:T1#managers@Account:A1#managers', 'Task:T1#managers@Corporate:C1#releasers',
      'Task:T1#blocklist@UserGroup:UG-1#members', 'UserGroup:UG-1#members@User:5',
    ];
    const tree = expand(namespacesOf(opl), tuples, 'Task:T1#viewer', { strictMode: true, maxExpandSize: 20 });
    assert.deepEqual(shape(tree as ExpandTree), [
      'intersection', 'Task:T1#viewer',
      ['union', 'Task:T1#managers',
        ['union', 'Account:A1#managers',
          ['union', 'AccountGroup:AG1#managers',
            ['union', 'UserGroup:UG1#members', leaf('User:1'), leaf('User:2')],
            ['union', 'UserGroup:UG2#members', leaf('User:2'), leaf('User:3'), leaf('User:4')]],
          ['union', 'AccountGroup:AG2#managers', ['union', 'UserGroup:UG3#members', leaf('User:4'), leaf('User:5')]]],
        ['union', 'Corporate:C1#releasers']],
      ['exclusion', '', ['union', 'Task:T1#blocklist', ['union', 'UserGroup:UG-1#members', leaf('User:5')]]],
    ]);
  });

  it('lists one level of a namespace without relations', () => {
    const namespaces = ['Group', 'User', 'ApiKey'].map((name) => ({ name, relations: [] }));
    const tree = expand(namespaces, ['Group:parent#users@User:1', 'Group:parent#users@User4', 'Group:parent#users@ApiKey:x'], 'Group:parent#users');
    assert.deepEqual(shape(tree as ExpandTree), ['union', 'Group:parent#users', leaf('User:1'), leaf('User4'), leaf('ApiKey:x')]);
  });

  it('puts computed subject sets before traverses and nested rewrites, and inverts into an exclusion', () => {
    const opl = `
      class User implements Namespace {}
      class Group implements Namespace { related: { members: User[] } }
      class File implements Namespace {
        related: { viewers: User[] blocklist: User[] viewerGroups: Group[] }
        permits = {
          view: (ctx: Context) => this.related.viewerGroups.traverse((g) => g.related.members.includes(ctx.subject)) || this.related.viewers.includes(ctx.subject) || !this.related.blocklist.includes(ctx.subject)
        }
      }`;
    const tuples = ['File:f1#viewers@User:1', 'File:f1#blocklist@User:2', 'File:f1#viewerGroups@Group:g1', 'Group:g1#members@User:3'];
    assert.deepEqual(shape(expand(namespacesOf(opl), tuples, 'File:f1#view') as ExpandTree), [
      'union', 'File:f1#view',
      ['union', 'File:f1#viewers', leaf('User:1')],
      ['union', 'File:f1#viewerGroups', ['union', 'Group:g1#members', leaf('User:3')]],
      ['exclusion', '', ['union', 'File:f1#blocklist', leaf('User:2')]],
    ]);
  });

  it('shows a cycle once and does not expand it again', () => {
    const opl = `
      class User implements Namespace {}
      class Group implements Namespace {
        related: { members: User[] parent: Group[] }
        permits = { isMember: (ctx: Context) => this.related.members.includes(ctx.subject) || this.related.parent.traverse((g) => g.permits.isMember(ctx)) }
      }`;
    const tuples = ['Group:g1#members@User:4', 'Group:g1#parent@Group:g2', 'Group:g2#members@User:5', 'Group:g2#parent@Group:g1'];
    assert.deepEqual(shape(expand(namespacesOf(opl), tuples, 'Group:g1#isMember') as ExpandTree), [
      'union', 'Group:g1#isMember',
      ['union', 'Group:g1#members', leaf('User:4')],
      ['union', 'Group:g1#parent',
        ['union', 'Group:g2#isMember',
          ['union', 'Group:g2#members', leaf('User:5')],
          ['union', 'Group:g2#parent', ['union', 'Group:g1#isMember']]]],
    ]);
  });

  it('stops reading once the node limit is reached', () => {
    const groups = [{ name: 'Group', relations: [] }, { name: 'User', relations: [] }];
    const nested = ['Group:g1#members@Group:g2#members', 'Group:g2#members@Group:g3#members', 'Group:g3#members@User:1'];
    assert.deepEqual(shape(expand(groups, nested, 'Group:g1#members', { maxExpandSize: 2 }) as ExpandTree), [
      'union', 'Group:g1#members', ['union', 'Group:g2#members', ['union', 'Group:g3#members']],
    ]);

    const opl = `
      class File implements Namespace {}
      class Folder implements Namespace { related: { members: (File | SubjectSet<Folder, "members">)[] } }`;
    const folders = [
      'Folder:11#members@Folder:21#members', 'Folder:11#members@Folder:22#members',
      'Folder:21#members@Folder:31#members', 'Folder:21#members@Folder:32#members', 'Folder:21#members@Folder:33#members',
      'Folder:31#members@File:41', 'Folder:31#members@File:42', 'Folder:32#members@File:43', 'Folder:32#members@File:44',
    ];
    assert.deepEqual(shape(expand(namespacesOf(opl), folders, 'Folder:11#members', { strictMode: true, maxExpandSize: 4 }) as ExpandTree), [
      'union', 'Folder:11#members',
      ['union', 'Folder:21#members', ['union', 'Folder:31#members'], ['union', 'Folder:32#members'], ['union', 'Folder:33#members']],
      ['union', 'Folder:22#members'],
    ]);
  });

  it('reads a page of 100 rows past the node limit before it stops', () => {
    const namespaces = [{ name: 'Group', relations: [] }, { name: 'User', relations: [] }];
    const tuples = Array.from({ length: 250 }, (_, i) => `Group:big#members@User:${i}`);
    const tree = expand(namespaces, tuples, 'Group:big#members', { maxExpandSize: 150 }) as ExpandTree;
    assert.equal(tree.children.length, 200);
  });

  it('a chain of 5 000 nested subject sets expands without deepening the JS stack', async () => {
    const namespaces = [{ name: 'G', relations: [] }];
    const chain = Array.from({ length: 5000 }, (_, i) => `G:g${i}#m@G:g${i + 1}#m`);
    const model = modelOf(namespaces);
    const engine = new ExpandEngine({
      reads: currentReads(new MemoryTupleSource(chain.map(parseTupleString))),
      model: () => model,
      settings: () => ({ maxReadDepth: 1_000_000, maxExpandSize: 1_000_000, strictMode: false, expandRewrites: true }),
    });
    let tree = (await engine.expand(parseSubjectSet('G:g0#m'), 1_000_000)) as ExpandTree;
    let depth = 0;
    while (tree.children.length > 0) {
      tree = tree.children[0] as ExpandTree;
      depth++;
    }
    assert.equal(depth, 5000);
  });

  it('follows the depth limit', () => {
    const namespaces = [{ name: 'Group', relations: [] }, { name: 'User', relations: [] }];
    const nested = ['Group:g1#members@Group:g2#members', 'Group:g2#members@Group:g3#members', 'Group:g3#members@User:1'];
    assert.deepEqual(shape(expand(namespaces, nested, 'Group:g1#members', { maxReadDepth: 2 }) as ExpandTree), [
      'union', 'Group:g1#members', ['union', 'Group:g2#members'],
    ]);
  });

  it('lists a permit\'s stored tuples when rewrites are not expanded', () => {
    const opl = `
      class User implements Namespace {}
      class File implements Namespace { related: { viewers: User[] } permits = { view: (ctx: Context) => this.related.viewers.includes(ctx.subject) } }`;
    const tuples = ['File:f1#viewers@User:1', 'File:f1#view@User:2'];
    assert.deepEqual(shape(expand(namespacesOf(opl), tuples, 'File:f1#view', { expandRewrites: false }) as ExpandTree), ['union', 'File:f1#view', leaf('User:2')]);
  });

  it('strict mode: nothing for an undeclared relation, only declared subject types', () => {
    const opl = `
      class User implements Namespace {}
      class Group implements Namespace { related: { viewers: User[] } }
      class File implements Namespace {
        related: { viewers: User[] groupViewers: SubjectSet<Group, "viewers">[] groups: Group[] }
        permits = { view: (ctx: Context) => this.related.groupViewers.includes(ctx.subject) || this.related.groups.traverse((g) => g.related.viewers.includes(ctx.subject)) }
      }`;
    const namespaces = namespacesOf(opl);
    assert.equal(expand(namespaces, ['File:f1#undefined@User:1'], 'File:f1#undefined', { strictMode: true }), undefined);
    assert.deepEqual(shape(expand(namespaces, ['File:f1#undefined@User:1'], 'File:f1#undefined') as ExpandTree), ['union', 'File:f1#undefined', leaf('User:1')]);
    const tuples = ['Group:g1#editors@User:1', 'Group:g2#editors@User:2', 'File:f1#groupViewers@Group:g1#readers', 'File:f1#groups@Group:g2'];
    assert.deepEqual(shape(expand(namespaces, tuples, 'File:f1#view', { strictMode: true }) as ExpandTree), [
      'union', 'File:f1#view', ['union', 'File:f1#groupViewers'], ['union', 'File:f1#groups', ['union', 'Group:g2#viewers']],
    ]);
  });

  it('an unknown namespace is not found', () => {
    assert.throws(
      () => expand([{ name: 'User', relations: [] }], [], 'X:f1#undefined'),
      (err: unknown) => err instanceof GatehouseError && err.kind === 'not_found',
    );
  });

  it('answers the same through an asynchronous source', async () => {
    const namespaces = [{ name: 'Group', relations: [] }, { name: 'User', relations: [] }];
    const model = modelOf(namespaces);
    const engine = new ExpandEngine({
      reads: currentReads(new MemoryTupleSource(['Group:g1#members@Group:g2#members', 'Group:g2#members@User:1'].map(parseTupleString), { async: true })),
      model: () => model,
      settings: () => ({ maxReadDepth: 5, maxExpandSize: 4000, strictMode: false, expandRewrites: true }),
    });
    const tree = await engine.expand(parseSubjectSet('Group:g1#members'));
    assert.deepEqual(shape(tree as ExpandTree), ['union', 'Group:g1#members', ['union', 'Group:g2#members', leaf('User:1')]]);
  });
});

describe('expand over the SQLite store', () => {
  it('gives the same trees as over memory: pages, node limit, nesting', async () => {
    const { openStore } = await import('../../src/store/open.js');
    const { sqliteFileDatabase } = await import('../store/databases.js');
    const database = sqliteFileDatabase();
    const store = await openStore(database.dsn);
    try {
      await store.migrations.up();
      const namespaces = [{ name: 'Group', relations: [] }, { name: 'User', relations: [] }];
      const rows = [
        ...Array.from({ length: 250 }, (_, i) => `Group:big#members@User:${i}`),
        'Group:big#members@Group:small#members',
        'Group:small#members@User:x',
      ];
      await store.transact(rows.map(parseTupleString), []);
      const model = modelOf(namespaces);
      const over = (source: import('../../src/reader.js').TupleSource, maxExpandSize: number) =>
        new ExpandEngine({ reads: currentReads(source), model: () => model, settings: () => ({ maxReadDepth: 5, maxExpandSize, strictMode: false, expandRewrites: true }) }).expand(parseSubjectSet('Group:big#members'));
      for (const limit of [150, 4000]) {
        const fromSql = (await over(store, limit)) as ExpandTree;
        const fromMemory = (await over(new MemoryTupleSource(rows.map(parseTupleString)), limit)) as ExpandTree;
        assert.deepEqual(shape(fromSql), shape(fromMemory));
        assert.equal(fromSql.children.length, limit === 150 ? 200 : 251);
      }
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
