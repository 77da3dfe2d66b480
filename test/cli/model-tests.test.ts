import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/test.js';
import { MAX_SCENARIO_TUPLES } from '../../src/scenario/scenario.js';
import { parseTestFile, TestFileError } from '../../src/scenario/test-file.js';
import { captureIo } from './capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-model-tests-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLE = fileURLToPath(new URL('../../../namespaces.example.test.yml', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../namespaces.example.ts', import.meta.url));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function gatehouseTest(...args: string[]) {
  const io = captureIo();
  const code = await run(args, io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

const noFiles = () => {
  throw new Error('no model file expected');
};

function parseError(text: string): { line: number; message: string } {
  try {
    parseTestFile(text, noFiles);
  } catch (err) {
    if (err instanceof TestFileError) return { line: err.line, message: err.message };
    throw err;
  }
  throw new Error('the file parsed');
}

describe('gatehouse test', () => {
  it('passes the example test file shipped with the example model', async () => {
    const { code, out } = await gatehouseTest(EXAMPLE);
    assert.equal(
      out.replaceAll(EXAMPLE, 'EXAMPLE'),
      [
        'PASS EXAMPLE:14 folder viewers read every document below the folder (6 assertions)',
        'PASS EXAMPLE:32 owners edit and view, and pass it down (5 assertions)',
        'PASS EXAMPLE:47 a new member of engineering gains access through two groups (2 assertions)',
        'PASS EXAMPLE:56 a typo in the model is reported at its line (1 assertion)',
        '',
        '4 scenarios (0 failed), 14 assertions (0 failed)',
        '',
      ].join('\n'),
    );
    assert.equal(code, 0);
  });

  it('prints each failure with the expected and actual answer and the explanation, and exits 1', async () => {
    const failing = file(
      'failing.yml',
      `model_file: ${JSON.stringify(MODEL)}
tuples:
  - Group:engineering#members@User:alice
  - Folder:handbook#viewers@Group:engineering#members
  - Document:welcome#parents@Folder:handbook
  - Bad:x#y@z
assert:
  denied:
    - Document:welcome#view@User:alice
    - Document:welcome#edit@User:alice
  list_objects:
    - {namespace: Document, relation: view, subject: User:alice, objects: [welcome, other]}
`,
    );
    const { code, out } = await gatehouseTest(failing);
    assert.equal(
      out.replaceAll(failing, 'FILE'),
      [
        'FAIL FILE:1 model test (2 of 3 assertions failed)',
        '  FILE:6: tuple not loaded: The requested resource could not be found: Unknown namespace with name "Bad".',
        '  FILE:9: denied Document:welcome#view@User:alice',
        '    expected: denied',
        '    actual:   allowed',
        '    explanation:',
        '      ✓ Document:welcome#view',
        '      └─ ✓ or (any of)',
        '         └─ ✓ traverse Document:welcome#parents → view',
        '            └─ ✓ Folder:handbook#view',
        '               └─ ✓ or (any of)',
        '                  └─ ✓ Folder:handbook#viewers',
        '                     └─ ✓ subject sets of Folder:handbook#viewers',
        '                        └─ ✓ stored: Group:engineering#members@User:alice',
        '  FILE:12: list_objects Document#view@User:alice',
        '    expected: [other, welcome]',
        '    actual:   [welcome]',
        '',
        '1 scenario (1 failed), 3 assertions (2 failed)',
        '',
      ].join('\n'),
    );
    assert.equal(code, 1);
  });

  it('reports for CI in JSON', async () => {
    const small = file(
      'small.yml',
      `model: |
  class User implements Namespace {}
  class Team implements Namespace { related: { members: User[] } }
tuples: [Team:a#members@User:ann]
assert:
  allowed: [Team:a#members@User:bob]
  list_subjects:
    - {namespace: Team, object: a, relation: members, subject_namespace: User, subjects: [User:ann]}
`,
    );
    const { code, out } = await gatehouseTest('--format', 'json', small);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(out), {
      passed: false,
      scenarios: 1,
      assertions: 2,
      failed: 1,
      files: [
        {
          file: small,
          scenarios: [
            {
              name: 'model test',
              line: 1,
              passed: false,
              problems: [],
              assertions: [
                {
                  kind: 'allowed',
                  tuple: 'Team:a#members@User:bob',
                  line: 6,
                  passed: false,
                  expected: 'allowed',
                  actual: 'denied',
                  explanation: {
                    step: 'check',
                    namespace: 'Team',
                    object: 'a',
                    relation: 'members',
                    result: 'denied',
                    children: [
                      { step: 'tuple', namespace: 'Team', object: 'a', relation: 'members', result: 'denied', children: [] },
                      {
                        step: 'expand',
                        namespace: 'Team',
                        object: 'a',
                        relation: 'members',
                        result: 'denied',
                        children: [
                          {
                            step: 'check',
                            namespace: 'User',
                            object: 'ann',
                            relation: '',
                            result: 'denied',
                            children: [{ step: 'expand', namespace: 'User', object: 'ann', relation: '', result: 'denied', children: [] }],
                          },
                        ],
                      },
                    ],
                  },
                },
                {
                  kind: 'list-subjects',
                  namespace: 'Team',
                  object: 'a',
                  relation: 'members',
                  subjectSet: { namespace: 'User', relation: '' },
                  subjects: ['User:ann'],
                  line: 8,
                  passed: true,
                  expected: '[User:ann]',
                  actual: '[User:ann]',
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('reads a SpiceDB validation file whose schema is OPL', async () => {
    const spicedb = file(
      'spicedb.yaml',
      `schema: |-
  class user implements Namespace {}
  class group implements Namespace {
    related: { member: (user | SubjectSet<group, "member">)[] }
  }
  class document implements Namespace {
    related: { viewer: (user | SubjectSet<group, "member">)[] }
    permits = { view: (ctx: Context): boolean => this.related.viewer.includes(ctx.subject) }
  }
relationships: |-
  // the team
  group:eng#member@user:tom
  document:doc#viewer@group:eng#member

  document:doc#viewer@user:sarah#...
assertions:
  assertTrue:
    - document:doc#view@user:tom
    - document:doc#view@user:sarah
  assertFalse:
    - document:doc#view@user:tom
validation:
  document:doc#view:
    - "[user:tom] is <group:eng#member>"
    - "[group:eng#member] is <document:doc#viewer>"
`,
    );
    const { code, out } = await gatehouseTest(spicedb);
    assert.equal(
      out.replaceAll(spicedb, 'FILE'),
      [
        'FAIL FILE:1 SpiceDB validation file (2 of 4 assertions failed)',
        '  FILE:21: denied document:doc#view@user:tom',
        '    expected: denied',
        '    actual:   allowed',
        '    explanation:',
        '      ✓ document:doc#view',
        '      └─ ✓ or (any of)',
        '         └─ ✓ document:doc#viewer',
        '            └─ ✓ subject sets of document:doc#viewer',
        '               └─ ✓ stored: group:eng#member@user:tom',
        '  FILE:24: list_subjects document:doc#view (every kind)',
        '    expected: [group:eng#member, user:tom]',
        '    actual:   [group:eng#member, user:sarah, user:tom]',
        '',
        '1 scenario (1 failed), 4 assertions (2 failed)',
        '',
      ].join('\n'),
    );
    assert.equal(code, 1);
  });

  it('refuses what it does not support, and mistakes, at their line', () => {
    assert.deepEqual(parseError('schema: "definition user {}"\n'), {
      line: 1,
      message: `"schema": is in SpiceDB's schema language; gatehouse reads the schema as OPL (Ory Permission Language)`,
    });
    assert.deepEqual(parseError('schema: ""\nrelationships: |\n  doc:a#viewer@user:b[only_on_tuesday]\n'), {
      line: 2,
      message: '"relationships": line 1: caveats and expiration are not supported: doc:a#viewer@user:b[only_on_tuesday]',
    });
    assert.deepEqual(parseError('schema: ""\nassertions:\n  assertTrue:\n    - \'doc:a#view@user:b with {"x": 1}\'\n'), {
      line: 4,
      message: '"assertions.assertTrue.0": caveat context is not supported',
    });
    assert.deepEqual(parseError('schema: ""\nassertions:\n  assertCaveated: []\n'), { line: 3, message: '"assertions.assertCaveated": caveats are not supported' });
    assert.deepEqual(parseError('schema: ""\nvalidation:\n  doc:a#view:\n    - "[user:* - {user:b}] is <doc:a#viewer>"\n'), {
      line: 4,
      message: '"validation.doc:a#view.0": caveats and wildcard exceptions are not supported',
    });
    assert.deepEqual(parseError('model: ""\nassert:\n  alowed: []\n'), {
      line: 3,
      message: '"assert.alowed": unknown key; expected one of allowed, denied, list_objects, list_subjects, model_errors',
    });
    assert.deepEqual(parseError('model: ""\nassert:\n  allowed: x\n'), { line: 3, message: '"assert.allowed": must be a list' });
    assert.deepEqual(parseError('model: ""\nsettings: {max_read_depth: 0}\n'), { line: 2, message: '"settings.max_read_depth": must be a positive integer' });
    assert.deepEqual(parseError(''), { line: 1, message: 'the file holds no scenario' });
    assert.deepEqual(parseError(`model: ""\ntuples: [${Array.from({ length: MAX_SCENARIO_TUPLES + 1 }, () => 'a:b#c@d').join(', ')}]\n`), {
      line: 1,
      message: 'the file: a scenario holds at most 100000 tuples',
    });
    assert.deepEqual(parseError('model: [\n'), { line: 2, message: 'not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:' });
  });

  it('gives each scenario the file’s model, tuples and settings, its own added', () => {
    const tests = parseTestFile(
      'model_file: m.ts\ntuples: [a:b#c@d]\nsettings: {max_read_depth: 3}\nscenarios:\n  - name: one\n    tuples: [a:b#c@e]\n    settings: {strict_mode: true}\n  - model: other\n    tuples: [x:y#z@w]\n',
      (path) => `model from ${path}`,
    );
    assert.deepEqual(tests, [
      {
        name: 'one',
        line: 5,
        model: { text: 'model from m.ts', file: 'm.ts' },
        tuples: [
          { tuple: 'a:b#c@d', line: 2 },
          { tuple: 'a:b#c@e', line: 6 },
        ],
        settings: { maxReadDepth: 3, strictMode: true },
        assertions: [],
      },
      { name: 'scenario 2', line: 8, model: { text: 'other' }, tuples: [{ tuple: 'x:y#z@w', line: 9 }], settings: { maxReadDepth: 3 }, assertions: [] },
    ]);
  });

  it('reports a broken model once, at its line, unless its errors are expected', async () => {
    const broken = file(
      'broken.yml',
      `model: |
  class User implements Namespace {}
  class Team implements Namespace { related: { members: Usr[] } }
tuples: [Team:a#members@User:ann]
scenarios:
  - name: unexpected
    assert: {denied: [Team:a#members@User:ann]}
  - name: expected
    assert: {model_errors: [{line: 2, column: 55, message: '"Usr" was not declared'}]}
`,
    );
    const { code, out } = await gatehouseTest(broken);
    assert.equal(
      out.replaceAll(broken, 'FILE'),
      [
        'FAIL FILE:6 unexpected (1 of 1 assertion failed)',
        '  FILE:6: model error at model:2:55: namespace "Usr" was not declared; did you mean "User"?',
        '  FILE:7: denied Team:a#members@User:ann',
        '    expected: denied',
        '    actual:   error: no namespace model is in force: the configured model has errors',
        'PASS FILE:8 expected (1 assertion)',
        '',
        '2 scenarios (1 failed), 2 assertions (1 failed)',
        '',
      ].join('\n'),
    );
    assert.equal(code, 1);
  });

  it('says which file it could not read, and exits 1', async () => {
    const missing = join(dir, 'missing.yml');
    const badModel = file('bad-model.yml', 'model_file: nowhere.ts\n');
    const { code, out } = await gatehouseTest(missing, badModel);
    assert.equal(code, 1);
    assert.match(out, new RegExp(`^ERROR ${missing}: cannot read the file: ENOENT`));
    assert.match(out, new RegExp(`\\nERROR ${badModel}:1: "model_file": cannot read "nowhere.ts": ENOENT`));
    assert.match(out, /\n\n0 scenarios \(0 failed\), 0 assertions \(0 failed\), 2 files not run\n$/);
  });
});
