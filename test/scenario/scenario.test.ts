import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTupleString } from '../../src/api/tuple-string.js';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { expandNode } from '../../src/engine/expand-tree.js';
import type { Explanation } from '../../src/engine/explanation.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import { createSnapshot } from '../../src/namespaces/snapshot.js';
import { compileOpl } from '../../src/opl/compile.js';
import { currentReads } from '../../src/reader.js';
import { evaluateScenario } from '../../src/scenario/questions.js';
import { MAX_SCENARIO_TUPLES, Scenario } from '../../src/scenario/scenario.js';
import { MemoryTupleSource } from '../support/memory-source.js';

const MODEL = `import { Namespace, SubjectSet, Context } from "@ory/keto-namespace-types";

class User implements Namespace {}

class Group implements Namespace {
  related: {
    members: (User | SubjectSet<Group, "members">)[];
  };
}

class Folder implements Namespace {
  related: {
    viewers: (User | SubjectSet<Group, "members">)[];
  };
  permits = {
    view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject),
  };
}

class File implements Namespace {
  related: {
    parents: Folder[];
    banned: User[];
  };
  permits = {
    view: (ctx: Context): boolean =>
      this.related.parents.traverse((p) => p.permits.view(ctx)) && !this.related.banned.includes(ctx.subject),
  };
}
`;

const TUPLES = [
  'Group:eng#members@User:ann',
  { namespace: 'Group', object: 'all', relation: 'members', subject_set: { namespace: 'Group', object: 'eng', relation: 'members' } },
  'Folder:docs#viewers@Group:all#members',
  'File:readme#parents@Folder:docs',
  'File:notes#parents@Folder:docs',
  'Group:eng#members@User:bob',
  'File:notes#banned@User:bob',
];

/** An explanation drawn one step per line, indented by depth. */
function lines(e: Explanation, depth = 0): string[] {
  const key = e.namespace === undefined ? '' : ` ${e.namespace}:${e.object}#${e.relation ?? ''}`;
  const extra = e.operator !== undefined ? ` ${e.operator}` : e.computed !== undefined ? ` → ${e.computed}` : '';
  return [`${'  '.repeat(depth)}${e.step}${key}${extra}: ${e.result}`, ...e.children.flatMap((c) => lines(c, depth + 1))];
}

describe('scenarios', () => {
  it('answers checks over tuples given in the string and the JSON form, with the explanation the engine records', async () => {
    const scenario = new Scenario({ model: MODEL, tuples: TUPLES });
    assert.deepEqual(scenario.diagnostics, []);
    assert.deepEqual(scenario.tupleProblems, []);
    assert.equal(scenario.tupleCount, 7);
    assert.deepEqual(await scenario.check('File:readme#view@User:ann'), { allowed: true });
    assert.deepEqual(await scenario.check('File:notes#view@User:bob'), { allowed: false });
    assert.deepEqual(await scenario.check(parseTupleString('File:notes#view@User:ann')), { allowed: true });

    const explained = await scenario.check('File:readme#view@User:ann', { explain: true });
    assert.equal(explained.allowed, true);
    assert.deepEqual(lines(explained.explanation!), [
      'check File:readme#view: allowed',
      '  rewrite File:readme# and: allowed',
      '    traverse File:readme#parents → view: allowed',
      '      check Folder:docs#view: allowed',
      '        rewrite Folder:docs# or: allowed',
      '          check Folder:docs#viewers: allowed',
      '            expand Folder:docs#viewers: allowed',
      '              check Group:all#members: allowed',
      '                expand Group:all#members: allowed',
      '                  tuple Group:eng#members: allowed',
      '    not File:readme#: allowed',
      '      check File:readme#banned: denied',
      '        tuple File:readme#banned: denied',
      '        expand File:readme#banned: denied',
    ]);

    // The same engine over the same rows elsewhere gives the same explanation.
    const model = createSnapshot(compileOpl(MODEL).namespaces, false);
    const rows = TUPLES.map((t) => (typeof t === 'string' ? parseTupleString(t) : parseTupleString('Group:all#members@Group:eng#members')));
    const engine = new CheckEngine({ reads: currentReads(new MemoryTupleSource(rows)), model: () => model, settings: () => defaultCheckSettings });
    assert.deepEqual(explained.explanation, (await engine.explain(parseTupleString('File:readme#view@User:ann'))).explanation);
  });

  it('places the model’s errors and warnings at their line and column; with errors, no model is in force', async () => {
    const broken = MODEL.replace('SubjectSet<Group, "members">', 'SubjectSet<Grop, "members">');
    const scenario = new Scenario({ model: broken, tuples: ['Group:eng#members@User:ann'] });
    assert.equal(scenario.modelValid, false);
    assert.deepEqual(scenario.diagnostics, [
      { severity: 'error', message: 'namespace "Grop" was not declared; did you mean "Group"?', line: 7, column: 33, endLine: 7, endColumn: 37 },
    ]);
    const noModel = { kind: 'unavailable', message: 'no namespace model is in force: the configured model has errors' };
    assert.deepEqual(scenario.tupleProblems, [{ index: 0, error: noModel }]);
    assert.deepEqual(await scenario.check('Group:eng#members@User:ann'), { allowed: false, error: noModel });
    await assert.rejects(scenario.listObjects({ namespace: 'Group', relation: 'members', subject: { id: 'ann' } }), noModel);

    const mixed = new Scenario({ model: 'class A implements Namespace {\n  related: { r: A[] }\n  permits = { p: (ctx: Context) => this.related.r.includes(ctx.subject) || this.related.r.includes(ctx.subject) && this.related.r.includes(ctx.subject) }\n}\n' });
    assert.equal(mixed.modelValid, true);
    assert.deepEqual(
      mixed.diagnostics.map((d) => [d.severity, d.line, d.column, d.endLine, d.endColumn]),
      [['warning', 3, 36, 3, 152]],
    );
  });

  it('reports each tuple it could not load, as a write would refuse it, and loads the rest', () => {
    const scenario = new Scenario({
      model: MODEL,
      tuples: ['Group:eng#members@User:ann', 'Group:eng@User:bob', 'Nope:x#y@z', { namespace: 'Group', object: 'eng', relation: 'members' }, { namespace: 7 }],
    });
    assert.equal(scenario.tupleCount, 1);
    assert.deepEqual(scenario.tupleProblems, [
      { index: 1, error: { kind: 'invalid_argument', message: 'malformed string input', detail: "expected input to contain '#'" } },
      { index: 2, error: { kind: 'not_found', message: 'The requested resource could not be found', reason: 'Unknown namespace with name "Nope".' } },
      { index: 3, error: { kind: 'invalid_argument', message: 'subject is not allowed to be nil', detail: 'Please provide a subject.' } },
      {
        index: 4,
        error: { kind: 'invalid_argument', message: 'json: cannot unmarshal number into Go struct field RelationTuple.namespace of type string' },
      },
    ]);
  });

  it('refuses more tuples than a scenario holds', () => {
    assert.throws(() => new Scenario({ model: MODEL, tuples: Array.from({ length: MAX_SCENARIO_TUPLES + 1 }, () => 'Group:eng#members@User:ann') }), {
      name: 'GatehouseError',
      kind: 'invalid_argument',
      message: 'a scenario holds at most 100000 tuples',
    });
  });

  it('lists objects and subjects completely, and expands', async () => {
    const scenario = new Scenario({ model: MODEL, tuples: TUPLES });
    assert.deepEqual(await scenario.listObjects({ namespace: 'File', relation: 'view', subject: { id: 'User:ann' } }), []);
    assert.deepEqual(await scenario.listObjects({ namespace: 'File', relation: 'view', subject: { set: { namespace: 'User', object: 'ann', relation: '' } } }), ['notes', 'readme']);
    assert.deepEqual(await scenario.listObjects({ namespace: 'File', relation: 'view', subject: { set: { namespace: 'User', object: 'bob', relation: '' } } }), ['readme']);
    assert.deepEqual(await scenario.listSubjects({ namespace: 'Folder', object: 'docs', relation: 'view', kind: { namespace: 'User', relation: '' } }), [
      { set: { namespace: 'User', object: 'ann', relation: '' } },
      { set: { namespace: 'User', object: 'bob', relation: '' } },
    ]);
    const user = (id: string) => expandNode('leaf', { set: { namespace: 'User', object: id, relation: '' } });
    assert.deepEqual(
      await scenario.expand('Group:all#members'),
      expandNode('union', { set: { namespace: 'Group', object: 'all', relation: 'members' } }, [
        expandNode('union', { set: { namespace: 'Group', object: 'eng', relation: 'members' } }, [user('ann'), user('bob')]),
      ]),
    );
  });

  it('runs under the settings given: depth, strict mode', async () => {
    const shallow = new Scenario({ model: MODEL, tuples: TUPLES, settings: { maxReadDepth: 2 } });
    assert.deepEqual(await shallow.check('File:readme#view@User:ann'), { allowed: false });
    const strict = new Scenario({ model: MODEL, tuples: TUPLES, settings: { maxReadDepth: 2, strictMode: true } });
    assert.deepEqual(await strict.check('File:readme#view@User:ann'), {
      allowed: false,
      error: { kind: 'unprocessable', message: 'The check could not be completed', reason: 'max_depth_exceeded' },
    });
    assert.deepEqual(await strict.check('File:readme#nope@User:ann'), {
      allowed: false,
      error: { kind: 'invalid_argument', message: 'The request was malformed or contained invalid parameters', reason: 'relation "nope" does not exist' },
    });
  });

  it('answers a list of questions in order, each with its answer or its error', async () => {
    const result = await evaluateScenario({
      model: MODEL,
      tuples: TUPLES,
      questions: [
        { kind: 'check', tuple: 'File:notes#view@(User:bob)' },
        { kind: 'check', tuple: 'Nope:x#y@z' },
        { kind: 'check', tuple: 'no-colon' },
        { kind: 'list-objects', namespace: 'File', relation: 'view', subject: 'User:bob' },
        { kind: 'list-subjects', namespace: 'Group', object: 'all', relation: 'members', subjectSet: { namespace: 'User', relation: '' } },
        { kind: 'list-subjects', namespace: 'Nope', object: 'x', relation: 'y' },
        { kind: 'expand', subjectSet: 'Group:eng#members' },
        { kind: 'expand', subjectSet: 'Nope:x#y' },
      ],
    });
    const notFound = (name: string) => ({ kind: 'not_found', message: 'The requested resource could not be found', reason: `Unknown namespace with name "${name}".` });
    assert.deepEqual(result, {
      diagnostics: [],
      tupleProblems: [],
      tupleCount: 7,
      answers: [
        { kind: 'check', tuple: 'File:notes#view@User:bob', allowed: false },
        { kind: 'check', tuple: 'Nope:x#y@z', allowed: false, error: notFound('Nope') },
        { kind: 'check', tuple: 'no-colon', allowed: false, error: { kind: 'invalid_argument', message: 'malformed string input', detail: "expected input to contain ':'" } },
        { kind: 'list-objects', objects: ['readme'] },
        { kind: 'list-subjects', subjects: ['User:ann', 'User:bob'] },
        { kind: 'list-subjects', subjects: [], error: notFound('Nope') },
        {
          kind: 'expand',
          subjectSet: 'Group:eng#members',
          tree: expandNode('union', { set: { namespace: 'Group', object: 'eng', relation: 'members' } }, [
            expandNode('leaf', { set: { namespace: 'User', object: 'ann', relation: '' } }),
            expandNode('leaf', { set: { namespace: 'User', object: 'bob', relation: '' } }),
          ]),
        },
        { kind: 'expand', subjectSet: 'Nope:x#y', error: notFound('Nope') },
      ],
    });
  });
});
