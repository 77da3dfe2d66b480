import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileOpl } from '../../src/opl/compile.js';
import { permitShapes } from './support/keto-shape.js';

/** The kinds of model Keto's own parser tests accept and reject, restated. */

const FULL_EXAMPLE = `
import { Namespace, SubjectSet, Context } from '@ory/keto-namespace-types'

class User implements Namespace {
  related: {
    manager: User[];
  }
}

class Team implements Namespace {
  related: {
    members: (User | Team)[];
  };
}

class Folder implements Namespace {
  related: {
    parents: Array<Doc>
    readers: Array<SubjectSet<Team, "members">>
  }

  permits = {
    read: (ctx: Context): boolean => this.related.readers.includes(ctx.subject),
  }
}

class Doc implements Namespace {
  related: {
    parents: Array<Doc | Folder>
    readers: (User | SubjectSet<Team, "members">)[]
    "owners": (User | SubjectSet<Team, "members">)[]
    siblings: Doc[]
  }

  // a comment between members
  permits = {
    read: (ctx: Context): boolean =>
      (
        this.related.parents.traverse((p) /* between parameter and arrow */ =>
          p.related.readers.includes(ctx.subject),
        ) && // line comment
        this.related.parents.traverse(p => p.permits.read(ctx)) ) ||
      (this.related.readers.includes(ctx.subject) ||
        this.related.readers.includes(ctx.subject) ) ||
      this.related.owners.includes(ctx.subject),

    'write': (ctx: Context) => this.related.owners.includes(ctx.subject),

    hidden: (ctx: Context) => !this.related.owners.includes(ctx.subject),

    rename: (ctx: Context) =>
      this.related.siblings.traverse(s => s.permits.write(ctx)),
  }
}
`;

test('Keto-style full example: imports, comments, Array<…>, quoted names, both arrow forms, trailing commas', () => {
  const result = compileOpl(FULL_EXAMPLE);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  const doc = result.namespaces.find((n) => n.name === 'Doc');
  assert.deepEqual(
    doc?.relations.filter((r) => !r.rewrite).map((r) => [r.name, r.types]),
    [
      ['parents', [{ namespace: 'Doc' }, { namespace: 'Folder' }]],
      ['readers', [{ namespace: 'User' }, { namespace: 'Team', relation: 'members' }]],
      ['owners', [{ namespace: 'User' }, { namespace: 'Team', relation: 'members' }]],
      ['siblings', [{ namespace: 'Doc' }]],
    ],
  );
  assert.deepEqual(permitShapes(doc), {
    read: ['or', ['and', ['parents', 'readers'], ['parents', 'read']], 'readers', 'readers', 'owners'],
    write: ['or', 'owners'],
    hidden: ['or', ['!', 'owners']],
    rename: ['or', ['siblings', 'write']],
  });
  assert.deepEqual(
    result.namespaces.map((n) => n.name),
    ['User', 'Team', 'Folder', 'Doc'],
  );
});

test('Keto-style quoted property names with bracket access', () => {
  const result = compileOpl(`
class Resource implements Namespace {
  related: {
    "scope.relation": Resource[]
  }
  permits = {
    "scope.action_0": (ctx: Context) => this.related["scope.relation"].traverse((r) => r.permits["scope.action_1"](ctx)),
    "scope.action_1": (ctx: Context) => this.related["scope.relation"].traverse((r) => r.related["scope.relation"].includes(ctx.subject)),
    "scope.action_2": (ctx: Context) => this.permits["scope.action_0"](ctx),
  }
}`);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(permitShapes(result.namespaces[0]), {
    'scope.action_0': ['or', ['scope.relation', 'scope.action_1']],
    'scope.action_1': ['or', ['scope.relation', 'scope.relation']],
    'scope.action_2': ['or', 'scope.action_0'],
  });
});

test('Keto-style negations: `!x && (!(a && b))`', () => {
  const result = compileOpl(`
class User implements Namespace{}
class File implements Namespace{
  related: { viewers: User[]  blocked1: User[]  blocked2: User[] }
  permits = {
    view: (ctx: Context) =>
      !this.related.viewers.includes(ctx.subject) &&
      (!(
        this.related.blocked1.includes(ctx.subject) &&
        this.related.blocked2.includes(ctx.subject)
      ))
  }
}`);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(permitShapes(result.namespaces[1]), {
    view: ['and', ['!', 'viewers'], ['!', ['and', 'blocked1', 'blocked2']]],
  });
});

test('Keto-style advanced syntax: semicolons, trailing commas after SubjectSet<…>[], single quotes', () => {
  const result = compileOpl(`
import { Namespace, SubjectSet, Context } from '@ory/keto-namespace-types';
class Role implements Namespace { related: { member: Role[] } }
class Resource implements Namespace {
  related: {
    admins: SubjectSet<Role, 'member'>[],
    editors: SubjectSet<Role, 'member'>[],
  };
  permits = {
    read: (ctx: Context) => this.related.admins.traverse((role) => role.related.member.includes(ctx.subject)) ||
      this.related.editors.traverse((role) => role.related.member.includes(ctx.subject)),
    comment: (ctx: Context) => this.permits.read(ctx),
  };
}`);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(permitShapes(result.namespaces[1]), {
    read: ['or', ['admins', 'member'], ['editors', 'member']],
    comment: ['or', 'read'],
  });
});

test('Keto-style error cases report exactly one error', () => {
  const inputs = [
    '/* never closed',
    `class File implements Namespace {
  related: { parents: (File | Folder)[] }
  NOT VALID
  permits = { view: (ctx: Context) => this.related.parents.includes(ctx.subject) }
}`,
    `class Resource implements Namespace {
  permits = {
    update: (ctx: Context) => ||
      this.related.annotators.traverse((role) => role.related.member.includes(ctx.subject)),
`,
  ];
  for (const input of inputs) assert.equal(compileOpl(input).errors.length, 1, input);
});

test("Keto's simplification: merged unions and intersections, kept double negation, simplified inside a negation", () => {
  const shapes = (body: string) =>
    permitShapes(
      compileOpl(`class A implements Namespace { related: { a: A[] b: A[] c: A[] d: A[] } permits = { p: (ctx) => ${body} } }`)
        .namespaces[0],
    )['p'];
  const r = (name: string) => `this.related.${name}.includes(ctx.subject)`;
  assert.deepEqual(shapes(`${r('a')} || (${r('b')} || (${r('c')} || (${r('d')})))`), ['or', 'a', 'b', 'c', 'd']);
  assert.deepEqual(shapes(`(((${r('a')})) || (${r('b')}))`), ['or', 'a', 'b']);
  assert.deepEqual(shapes(`((${r('a')} && ((${r('b')}))))`), ['and', 'a', 'b']);
  assert.deepEqual(shapes(`${r('a')} && !(!(${r('b')}))`), ['and', 'a', ['!', ['or', ['!', ['or', 'b']]]]]);
  assert.deepEqual(shapes(`${r('a')} && !(${r('b')} || (${r('c')}))`), ['and', 'a', ['!', ['or', 'b', 'c']]]);
});

test('empty input, imports only, and empty classes are valid', () => {
  assert.deepEqual(compileOpl('').errors, []);
  assert.deepEqual(compileOpl("import { Namespace } from '@ory/keto-namespace-types'").errors, []);
  const result = compileOpl('class A implements Namespace {} export class B implements Namespace { related: {} permits = {} }');
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.namespaces, [
    { name: 'A', relations: [] },
    { name: 'B', relations: [] },
  ]);
});
