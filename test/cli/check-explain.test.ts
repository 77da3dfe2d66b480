import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/check.js';
import { captureIo } from './capture-io.js';
import { type FakeGrpc, startFakeGrpc } from './fake-grpc.js';

const EXPLAIN = '/gatehouse.v1.ExplainService/Check';
const step = (parent: number, step: string, relation: string, result: string) => ({
  parent,
  step,
  namespace: 'Doc',
  object: 'readme',
  relation,
  operator: step === 'rewrite' ? 'or' : '',
  computed: '',
  result,
});

describe('check --explain against a server answering ExplainService', () => {
  let fake: FakeGrpc;
  before(async () => {
    fake = await startFakeGrpc({
      [EXPLAIN]: (request: { tuple: { object: string } }) =>
        request.tuple.object === 'broken'
          ? { allowed: true, steps: [step(3, 'check', 'view', 'allowed')] }
          : {
              allowed: false,
              steps: [step(-1, 'check', 'view', 'max_depth_exceeded'), step(0, 'rewrite', '', 'max_depth_exceeded'), step(1, 'check', 'owners', 'max_depth_exceeded')],
              truncated: true,
              error: 'max_depth_exceeded',
            },
    });
  });
  after(() => fake.close());

  const check = async (...args: string[]) => {
    const io = captureIo({ env: { KETO_READ_REMOTE: fake.address } });
    const code = await run([...args, '--insecure-disable-transport-security'], io);
    return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
  };

  it('draws a check the limits left unfinished, says the explanation was cut, and fails with exit code 3', async () => {
    assert.deepEqual(await check('alice', 'view', 'Doc:readme', '--explain', '--max-depth', '2'), {
      code: 3,
      stdout: [
        'Not completed',
        '! Doc:readme#view (max depth reached)',
        '└─ ! or (any of) (max depth reached)',
        '   └─ ! Doc:readme#owners (max depth reached)',
        '… the evaluation took more steps than an explanation records; the rest are left out',
        '',
      ].join('\n'),
      stderr: 'Error: the check could not be completed: max_depth_exceeded (hint: try a larger --max-depth or raise the server limits)\n',
    });
    assert.deepEqual(fake.calls.at(-1)?.request, {
      tuple: { namespace: 'Doc', object: 'readme', relation: 'view', subject: { id: 'alice', ref: 'id' } },
      maxDepth: 2,
      snaptoken: '',
      latest: false,
    });
  });

  it('prints the same in JSON', async () => {
    const { code, stdout } = await check('alice', 'view', 'Doc:readme', '--explain', '--format', 'json');
    assert.equal(code, 3);
    assert.deepEqual(JSON.parse(stdout), {
      allowed: false,
      explanation: {
        step: 'check',
        namespace: 'Doc',
        object: 'readme',
        relation: 'view',
        result: 'max_depth_exceeded',
        children: [
          {
            step: 'rewrite',
            namespace: 'Doc',
            object: 'readme',
            operator: 'or',
            result: 'max_depth_exceeded',
            children: [{ step: 'check', namespace: 'Doc', object: 'readme', relation: 'owners', result: 'max_depth_exceeded', children: [] }],
          },
        ],
      },
      explanation_truncated: true,
      error: 'max_depth_exceeded',
    });
  });

  it('refuses steps that do not form a tree', async () => {
    assert.deepEqual(await check('alice', 'view', 'Doc:broken', '--explain'), {
      code: 3,
      stdout: '',
      stderr: 'Error: explanation step 0: parent 3 does not precede it\n',
    });
  });
});
