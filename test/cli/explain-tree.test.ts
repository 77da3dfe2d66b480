import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explanationFromSteps, explanationToSteps } from '../../src/api/explanation.js';
import { drawExplanation, MAX_DRAWN_DEPTH } from '../../src/cli/explain-tree.js';
import type { Explanation } from '../../src/engine/explanation.js';
import { Scenario } from '../../src/scenario/scenario.js';

const MODEL = `class User implements Namespace {}
class Group implements Namespace { related: { members: (User | SubjectSet<Group, "members">)[] } }
class Doc implements Namespace {
  related: { parents: Doc[]; viewers: (User | SubjectSet<Group, "members">)[]; banned: User[] }
  permits = {
    view: (ctx: Context): boolean =>
      (this.related.viewers.includes(ctx.subject) || this.related.parents.traverse((p) => p.permits.view(ctx))) &&
      !this.related.banned.includes(ctx.subject),
  }
}
`;

async function explained(tuple: string, tuples: string[], settings = {}): Promise<Explanation> {
  const answer = await new Scenario({ model: MODEL, tuples, settings }).check(tuple, { explain: true });
  return answer.explanation!;
}

const TUPLES = ['Group:eng#members@User:ann', 'Doc:root#viewers@Group:eng#members', 'Doc:readme#parents@Doc:root'];

describe('explanations drawn for a terminal', () => {
  it('draws an allowed check as the path that granted it', async () => {
    assert.equal(
      drawExplanation(await explained('Doc:readme#view@User:ann', TUPLES), 'User:ann', false),
      [
        '✓ Doc:readme#view',
        '└─ ✓ and (all of)',
        '   ├─ ✓ or (any of)',
        '   │  └─ ✓ traverse Doc:readme#parents → view',
        '   │     └─ ✓ Doc:root#view',
        '   │        └─ ✓ and (all of)',
        '   │           ├─ ✓ or (any of)',
        '   │           │  └─ ✓ Doc:root#viewers',
        '   │           │     └─ ✓ subject sets of Doc:root#viewers',
        '   │           │        └─ ✓ stored: Group:eng#members@User:ann',
        '   │           └─ ✓ not',
        '   │              └─ ✗ Doc:root#banned',
        '   │                 ├─ ✗ stored: Doc:root#banned@User:ann',
        '   │                 └─ ✗ subject sets of Doc:root#banned',
        '   └─ ✓ not',
        '      └─ ✗ Doc:readme#banned',
        '         ├─ ✗ stored: Doc:readme#banned@User:ann',
        '         └─ ✗ subject sets of Doc:readme#banned',
        '',
      ].join('\n'),
    );
  });

  it('marks a limit, and colours the marks only when asked', async () => {
    const root = await explained('Doc:readme#view@User:ann', TUPLES, { maxReadDepth: 2 });
    const plain = drawExplanation(root, 'User:ann', false);
    assert.match(plain, /^! Doc:readme#view \(max depth reached\)\n/);
    assert.match(plain, /! Doc:root#view \(max depth reached\)\n/);
    const coloured = drawExplanation(root, 'User:ann', true);
    assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), plain);
    assert.match(coloured, /\n│  └─ \x1b\[32m✓\x1b\[0m not\n│     └─ \x1b\[31m✗\x1b\[0m Doc:readme#banned\n/);
    assert.match(coloured, /\x1b\[33m!\x1b\[0m Doc:root#view\x1b\[33m \(max depth reached\)\x1b\[0m\n/);
  });

  it('draws a deep tree without recursion, indenting the first levels only', () => {
    let root: Explanation = { step: 'tuple', namespace: 'G', object: 'g0', relation: 'm', result: 'denied', children: [] };
    for (let i = 1; i <= 20_000; i++) root = { step: 'check', namespace: 'G', object: `g${i}`, relation: 'm', result: 'denied', children: [root] };
    const lines = drawExplanation(root, 'u', false).split('\n');
    assert.equal(lines.length, 20_002);
    assert.equal(lines[MAX_DRAWN_DEPTH], `${'   '.repeat(MAX_DRAWN_DEPTH - 1)}└─ ✗ G:g${20_000 - MAX_DRAWN_DEPTH}#m`);
    assert.equal(lines[MAX_DRAWN_DEPTH + 1], `${'   '.repeat(MAX_DRAWN_DEPTH)}└─ [${MAX_DRAWN_DEPTH + 1}] ✗ G:g${20_000 - MAX_DRAWN_DEPTH - 1}#m`);
    assert.equal(lines[20_000], `${'   '.repeat(MAX_DRAWN_DEPTH)}└─ [20000] ✗ stored: G:g0#m@u`);
    const steps = explanationToSteps(root);
    assert.equal(steps.length, 20_001);
    assert.deepEqual(explanationToSteps(explanationFromSteps(steps)), steps);
  });
});

describe('explanations as flat steps (gatehouse.v1.ExplanationStep)', () => {
  it('round-trips every kind of step, and lists them in pre-order with their parent', async () => {
    const root = await explained('Doc:readme#view@User:ann', TUPLES);
    const steps = explanationToSteps(root);
    assert.deepEqual(
      steps.slice(0, 4),
      [
        { parent: -1, step: 'check', namespace: 'Doc', object: 'readme', relation: 'view', operator: '', computed: '', result: 'allowed' },
        { parent: 0, step: 'rewrite', namespace: 'Doc', object: 'readme', relation: '', operator: 'and', computed: '', result: 'allowed' },
        { parent: 1, step: 'rewrite', namespace: 'Doc', object: 'readme', relation: '', operator: 'or', computed: '', result: 'allowed' },
        { parent: 2, step: 'traverse', namespace: 'Doc', object: 'readme', relation: 'parents', operator: '', computed: 'view', result: 'allowed' },
      ],
    );
    assert.deepEqual(explanationFromSteps(steps), root);
    const denied = await explained('Doc:readme#view@User:bob', [...TUPLES, 'Doc:readme#banned@User:bob']);
    assert.deepEqual(explanationFromSteps(explanationToSteps(denied)), denied);
  });

  it('refuses steps that do not form a tree', () => {
    const step = { parent: -1, step: 'check', namespace: 'A', object: 'a', relation: 'r', operator: '', computed: '', result: 'denied' };
    assert.throws(() => explanationFromSteps([]), /the explanation has no steps/);
    assert.throws(() => explanationFromSteps([{ ...step, parent: 0 }]), /explanation step 0: parent 0 does not precede it/);
    assert.throws(() => explanationFromSteps([step, { ...step, parent: 1 }]), /explanation step 1: parent 1 does not precede it/);
    assert.throws(() => explanationFromSteps([{ ...step, step: 'jump' }]), /explanation step 0: unknown step "jump"/);
    assert.throws(() => explanationFromSteps([{ ...step, result: 'maybe' }]), /or result "maybe"/);
  });
});
